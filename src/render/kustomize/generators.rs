//! `configMapGenerator` and `secretGenerator` (files, literals, env files,
//! behaviours, options), and the content-hash name suffix kustomize adds.

use std::collections::BTreeMap;
use std::path::Path;

use super::build::{Builder, Result};
use super::res::Res;
use super::tree::{entry_or, get_str, map_node, set, str_node};
use crate::yaml::{Entry, Node, Span, Value};

struct Options {
    labels: Vec<Entry>,
    annotations: Vec<Entry>,
    disable_hash: bool,
    immutable: bool,
}

fn read_options(n: Option<&Node>, into: &mut Options) {
    let Some(n) = n else { return };
    for (key, list) in [("labels", &mut into.labels), ("annotations", &mut into.annotations)] {
        for e in n.get(key).map(Node::entries).unwrap_or(&[]) {
            list.retain(|x| x.key != e.key);
            list.push(e.clone());
        }
    }
    if let Some(b) = n.get("disableNameSuffixHash").and_then(Node::as_bool) {
        into.disable_hash = b;
    }
    if let Some(b) = n.get("immutable").and_then(Node::as_bool) {
        into.immutable = b;
    }
}

pub fn run(b: &mut Builder, k: &Node, dir: &Path, ra: &mut Vec<Res>) -> Result<()> {
    for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for g in k.get(field).map(Node::items).unwrap_or(&[]) {
            let mut opts = Options {
                labels: Vec::new(),
                annotations: Vec::new(),
                disable_hash: false,
                immutable: false,
            };
            read_options(k.get("generatorOptions"), &mut opts);
            let global_disable = opts.disable_hash;
            read_options(g.get("options"), &mut opts);
            opts.disable_hash |= global_disable;
            generate(b, g, kind, dir, ra, &opts)?;
        }
    }
    Ok(())
}

/// The key/value pairs of a generator, each with the span that wrote it.
fn pairs(b: &mut Builder, g: &Node, dir: &Path) -> Result<Vec<(String, Vec<u8>, Span)>> {
    let mut out: Vec<(String, Vec<u8>, Span)> = Vec::new();
    let mut env_files: Vec<&Node> = g.get("envs").map(Node::items).unwrap_or(&[]).iter().collect();
    if let Some(e) = g.get("env").filter(|e| e.as_str().is_some()) {
        env_files.insert(0, e);
    }
    for e in env_files {
        let Some(rel) = e.as_str() else { continue };
        let path = b.resolve(dir, rel, e.span)?;
        let (base, text) = b.read_text(&path, e.span)?;
        let mut offset = 0usize;
        for (i, raw) in text.split('\n').enumerate() {
            let start = offset;
            offset += raw.len() + 1;
            let mut line = raw.strip_suffix('\r').unwrap_or(raw);
            if i == 0 {
                line = line.trim_start_matches('\u{feff}');
            }
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let span = Span::new(base + start as u32, base + (start + raw.len()) as u32);
            // Kustomize 5.5 gives a line without `=` an empty value (not
            // the environment's), and drops a line with an empty key.
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            if key.is_empty() {
                continue;
            }
            out.push((key.to_string(), value.as_bytes().to_vec(), span));
        }
    }
    for l in g.get("literals").map(Node::items).unwrap_or(&[]) {
        let Some(s) = l.scalar_text() else { continue };
        let Some((key, value)) = s.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return b.fatal(l.span, format!("literal `{s}` is not KEY=VALUE"));
        };
        let value = unquote(value);
        out.push((key.to_string(), value.as_bytes().to_vec(), l.span));
    }
    for f in g.get("files").map(Node::items).unwrap_or(&[]) {
        let Some(s) = f.as_str() else { continue };
        let (key, rel) = match s.split_once('=') {
            Some((k, p)) => (k.to_string(), p),
            None => (s.rsplit('/').next().unwrap_or(s).to_string(), s),
        };
        let path = b.resolve(dir, rel, f.span)?;
        let bytes = b.read_bytes(&path, f.span)?;
        let span = match std::str::from_utf8(&bytes) {
            Ok(text) => {
                let (base, _) = b.read_text(&path, f.span)?;
                Span::new(base, base + text.len() as u32)
            }
            Err(_) => f.span,
        };
        out.push((key, bytes, span));
    }
    Ok(out)
}

fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn generate(b: &mut Builder, g: &Node, kind: &str, dir: &Path, ra: &mut Vec<Res>, opts: &Options) -> Result<()> {
    let span = g.span;
    let Some(name_node) = g.get("name") else {
        return b.fatal(span, format!("a {kind} generator needs a `name`"));
    };
    let name = name_node.scalar_text().unwrap_or_default();
    let ns = g.get("namespace").and_then(Node::as_str).unwrap_or("");
    let behavior = g.get("behavior").and_then(Node::as_str).unwrap_or("create");
    let data = pairs(b, g, dir)?;

    let mut data_node = map_node(span);
    let mut binary_node = map_node(span);
    for (key, value, vspan) in &data {
        if kind == "Secret" {
            set(&mut data_node, key, str_node(&base64(value), *vspan));
        } else {
            match std::str::from_utf8(value) {
                Ok(s) => set(&mut data_node, key, str_node(s, *vspan)),
                Err(_) => set(&mut binary_node, key, str_node(&base64(value), *vspan)),
            }
        }
    }

    let existing = ra.iter().position(|r| {
        r.kind() == kind && r.had_name(&name) && (ns.is_empty() || r.namespace() == ns || r.orig_ns == ns)
    });
    match (behavior, existing) {
        ("merge" | "replace", Some(i)) => {
            let r = &mut ra[i];
            for (field, new) in [("data", data_node), ("binaryData", binary_node)] {
                let Some(target) = entry_or(&mut r.node, field, span, || map_node(span)) else {
                    continue;
                };
                if behavior == "replace" {
                    *target = map_node(span);
                }
                for e in new.entries() {
                    set(target, &e.key, e.value.clone());
                }
                if target.entries().is_empty() {
                    super::tree::remove(&mut r.node, field);
                }
            }
            if let Some(meta) = entry_or(&mut r.node, "metadata", span, || map_node(span)) {
                for (field, list) in [("labels", &opts.labels), ("annotations", &opts.annotations)] {
                    if list.is_empty() {
                        continue;
                    }
                    if let Some(m) = entry_or(meta, field, span, || map_node(span)) {
                        for e in list {
                            set(m, &e.key, e.value.clone());
                        }
                    }
                }
            }
            if opts.disable_hash {
                r.needs_hash = false;
            }
            Ok(())
        }
        ("merge" | "replace", None) => b.fatal(
            span,
            format!("{kind} `{name}` has behavior `{behavior}` but no {kind} of that name comes from the resources"),
        ),
        ("create", Some(_)) => b.fatal(
            name_node.span,
            format!("{kind} `{name}` already exists: use `behavior: merge` or `replace`"),
        ),
        ("create", None) => {
            let mut obj = map_node(span);
            set(&mut obj, "apiVersion", str_node("v1", span));
            set(&mut obj, "kind", str_node(kind, span));
            let mut meta = map_node(span);
            set(&mut meta, "name", str_node(&name, name_node.span));
            if let Some(n) = g.get("namespace") {
                set(&mut meta, "namespace", n.clone());
            }
            for (field, list) in [("labels", &opts.labels), ("annotations", &opts.annotations)] {
                if !list.is_empty() {
                    let mut m = map_node(span);
                    for e in list {
                        set(&mut m, &e.key, e.value.clone());
                    }
                    set(&mut meta, field, m);
                }
            }
            set(&mut obj, "metadata", meta);
            if kind == "Secret" {
                let t = g.get("type").cloned().unwrap_or_else(|| str_node("Opaque", span));
                set(&mut obj, "type", t);
            }
            // A Secret always has `data`, a ConfigMap only when not empty.
            if kind == "Secret" || !data_node.entries().is_empty() {
                set(&mut obj, "data", data_node);
            }
            if !binary_node.entries().is_empty() {
                set(&mut obj, "binaryData", binary_node);
            }
            if opts.immutable {
                set(&mut obj, "immutable", Node::new(span, Value::Bool(true)));
            }
            let mut r = Res::new(obj);
            r.needs_hash = !opts.disable_hash;
            ra.push(r);
            Ok(())
        }
        (other, _) => b.fatal(
            span,
            format!("unknown generator behavior `{other}` (create, merge or replace)"),
        ),
    }
}

/// Appends kustomize's content hash to every generated name that wants it.
pub fn add_hashes(ra: &mut [Res]) {
    for r in ra.iter_mut().filter(|r| r.needs_hash) {
        let h = content_hash(r);
        let span = r.node.path(&["metadata", "name"]).map_or(r.node.span, |n| n.span);
        let name = format!("{}-{}", r.name(), h);
        r.set_name(name, span);
    }
}

/// The hash kustomize computes for a ConfigMap or Secret: SHA-256 of the
/// JSON encoding of kind, data (and binaryData, or type), first ten
/// hex digits with a few letters swapped to avoid vowels and look-alikes.
pub fn content_hash(r: &Res) -> String {
    let mut m: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
    // An absent map is hashed as an empty string, as kustomize does.
    let string_map = |field: &str| -> Option<serde_json::Value> {
        let n = r.node.get(field).filter(|n| n.is_map())?;
        let map: BTreeMap<String, String> = n
            .entries()
            .iter()
            .map(|e| (e.key.to_string(), e.value.scalar_text().unwrap_or_default()))
            .collect();
        serde_json::to_value(map).ok()
    };
    m.insert("kind", r.kind().into());
    // The name is not part of the hash (kustomize hashes an empty name).
    m.insert("name", "".into());
    m.insert("data", string_map("data").unwrap_or_else(|| "".into()));
    if r.kind() == "Secret" {
        m.insert("type", get_str(&r.node, &["type"]).unwrap_or("").into());
        if let Some(sd) = string_map("stringData") {
            m.insert("stringData", sd);
        }
    } else if let Some(b) = string_map("binaryData") {
        m.insert("binaryData", b);
    }
    let json = go_json_escape(&serde_json::to_string(&m).unwrap_or_default());
    let hex = sha256_hex(json.as_bytes());
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// Go's encoding/json escapes `<`, `>`, `&`, U+2028 and U+2029.
fn go_json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 (FIPS 180-4) as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_base64_known_values() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi"), "aGk=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
