//! Binary form of one compiled custom resource kind (every version with its
//! schema), as stored in the embedded CRD catalog (`schemas/crd-catalog.bin`,
//! format in `schemas/README.md`). The writer runs in `cargo xtask schemas`,
//! the reader when a run first meets the kind.
//!
//! A chunk is a string table followed by the versions; each schema is an
//! arena of nodes in which identical subtrees are stored once (the many
//! copies of a pod template's container schema, say) and every node refers
//! only to nodes before it, so a chunk cannot describe a cycle.

use std::sync::{Arc, OnceLock};

use super::{Additional, Checks, CrdSchema, Id, KindDef, Origin, Pattern, SchemaNode, VersionDef};
use crate::yaml::{Node, ScalarStyle, Span, Value};

// Version flags.
const SERVED: u8 = 1;
const STORAGE: u8 = 2;
const DEPRECATED: u8 = 4;
const WARNING: u8 = 8;
const SCHEMA: u8 = 16;
const PRUNE: u8 = 32;

// Which of a node's checks are present.
const C_ENUM: u32 = 1;
const C_PATTERN: u32 = 1 << 1;
const C_MIN: u32 = 1 << 2;
const C_MAX: u32 = 1 << 3;
const C_MULTIPLE: u32 = 1 << 4;
const C_MIN_LEN: u32 = 1 << 5;
const C_MAX_LEN: u32 = 1 << 6;
const C_MIN_ITEMS: u32 = 1 << 7;
const C_MAX_ITEMS: u32 = 1 << 8;
const C_MIN_PROPS: u32 = 1 << 9;
const C_MAX_PROPS: u32 = 1 << 10;
const C_ALL_OF: u32 = 1 << 11;
const C_ANY_OF: u32 = 1 << 12;
const C_ONE_OF: u32 = 1 << 13;
const C_NOT: u32 = 1 << 14;
/// The node has a (possibly empty) `Checks`.
const C_SOME: u32 = 1 << 15;

pub(in crate::schema) fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The encoder's tables ([`crate::hash`]: the encoding does not depend on
/// the hash, only on the order in which strings and nodes are first met).
type QuickMap<K, V> = crate::hash::Map<K, V>;

#[derive(Default)]
struct Strings {
    ids: QuickMap<String, u64>,
    list: Vec<String>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.ids.insert(s.to_string(), i);
        self.list.push(s.to_string());
        i
    }
}

/// Encodes the versions of `def` (uncompressed). Deterministic.
pub(in crate::schema) fn encode_kind(def: &KindDef) -> Vec<u8> {
    let mut strings = Strings::default();
    let mut body = Vec::new();
    varint(&mut body, def.versions.len() as u64);
    for v in &def.versions {
        varint(&mut body, strings.id(&v.name));
        let warning = v.deprecated.as_ref().and_then(Option::as_deref);
        let mut flags = 0;
        if v.served {
            flags |= SERVED;
        }
        if v.storage {
            flags |= STORAGE;
        }
        if v.deprecated.is_some() {
            flags |= DEPRECATED;
        }
        if warning.is_some() {
            flags |= WARNING;
        }
        if let Some(s) = &v.schema {
            flags |= SCHEMA;
            if s.prune {
                flags |= PRUNE;
            }
        }
        body.push(flags);
        if let Some(w) = warning {
            varint(&mut body, strings.id(w));
        }
        if let Some(s) = &v.schema {
            encode_schema(s, &mut strings, &mut body);
        }
    }
    let mut out = Vec::with_capacity(body.len() + 1024);
    varint(&mut out, strings.list.len() as u64);
    for s in &strings.list {
        varint(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&body);
    out
}

/// Nodes in post-order with identical subtrees merged: each distinct
/// node's bytes and its number (the order it was first met in).
struct Canon<'s> {
    schema: &'s CrdSchema,
    memo: Vec<Option<u64>>,
    seen: QuickMap<Vec<u8>, u64>,
}

impl Canon<'_> {
    fn id(&mut self, id: Id, strings: &mut Strings) -> u64 {
        if let Some(c) = self.memo[id as usize] {
            return c;
        }
        let n = &self.schema.nodes[id as usize];
        // Children first: their canonical ids go into this node's bytes.
        let props: Vec<(u64, u64)> = n
            .props
            .iter()
            .map(|(name, child)| (strings.id(name), self.id(*child, strings)))
            .collect();
        let items = n.items.map(|i| self.id(i, strings));
        let additional = match n.additional {
            Additional::None => 0,
            Additional::Any => 1,
            Additional::Forbid => 2,
            Additional::Schema(s) => 3 + self.id(s, strings),
        };
        let mut b = Vec::with_capacity(16 + 4 * props.len());
        b.push(n.types);
        varint(&mut b, u64::from(n.flags));
        varint(&mut b, props.len() as u64);
        for (name, child) in props {
            varint(&mut b, name);
            varint(&mut b, child);
        }
        varint(&mut b, n.required.len() as u64);
        for r in &n.required {
            varint(&mut b, strings.id(r));
        }
        varint(&mut b, items.map_or(0, |i| i + 1));
        varint(&mut b, additional);
        match &n.checks {
            None => varint(&mut b, 0),
            Some(c) => self.checks(c, strings, &mut b),
        }
        let next = self.seen.len() as u64;
        let c = *self.seen.entry(b).or_insert(next);
        self.memo[id as usize] = Some(c);
        c
    }

    fn checks(&mut self, c: &Checks, strings: &mut Strings, b: &mut Vec<u8>) {
        let lists = |l: &[Id], this: &mut Self, strings: &mut Strings| -> Vec<u64> {
            l.iter().map(|&i| this.id(i, strings)).collect()
        };
        let all_of = lists(&c.all_of, self, strings);
        let any_of = lists(&c.any_of, self, strings);
        let one_of = lists(&c.one_of, self, strings);
        let not = c.not.map(|n| self.id(n, strings));
        let mut mask = C_SOME;
        let counts = [
            (c.min_length, C_MIN_LEN),
            (c.max_length, C_MAX_LEN),
            (c.min_items, C_MIN_ITEMS),
            (c.max_items, C_MAX_ITEMS),
            (c.min_properties, C_MIN_PROPS),
            (c.max_properties, C_MAX_PROPS),
        ];
        for (present, bit) in [
            (c.enums.is_some(), C_ENUM),
            (c.pattern.is_some(), C_PATTERN),
            (c.minimum.is_some(), C_MIN),
            (c.maximum.is_some(), C_MAX),
            (c.multiple_of.is_some(), C_MULTIPLE),
            (!all_of.is_empty(), C_ALL_OF),
            (!any_of.is_empty(), C_ANY_OF),
            (!one_of.is_empty(), C_ONE_OF),
            (not.is_some(), C_NOT),
        ] {
            if present {
                mask |= bit;
            }
        }
        for (v, bit) in counts {
            if v.is_some() {
                mask |= bit;
            }
        }
        varint(b, u64::from(mask));
        if let Some(values) = &c.enums {
            varint(b, values.len() as u64);
            for v in values.iter() {
                encode_value(v, strings, b);
            }
        }
        if let Some(p) = &c.pattern {
            varint(b, strings.id(&p.source));
        }
        for bound in [c.minimum, c.maximum].into_iter().flatten() {
            b.extend_from_slice(&bound.0.to_le_bytes());
            b.push(u8::from(bound.1));
        }
        if let Some(m) = c.multiple_of {
            b.extend_from_slice(&m.to_le_bytes());
        }
        for (v, _) in counts {
            if let Some(v) = v {
                varint(b, v);
            }
        }
        for l in [all_of, any_of, one_of] {
            if !l.is_empty() {
                varint(b, l.len() as u64);
                for i in l {
                    varint(b, i);
                }
            }
        }
        if let Some(n) = not {
            varint(b, n);
        }
    }
}

fn encode_schema(s: &CrdSchema, strings: &mut Strings, out: &mut Vec<u8>) {
    let mut canon = Canon {
        schema: s,
        memo: vec![None; s.nodes.len()],
        seen: QuickMap::default(),
    };
    let root = canon.id(s.root, strings);
    let mut nodes: Vec<(u64, Vec<u8>)> = canon.seen.into_iter().map(|(b, i)| (i, b)).collect();
    nodes.sort_unstable_by_key(|n| n.0);
    varint(out, nodes.len() as u64);
    for (_, n) in &nodes {
        out.extend_from_slice(n);
    }
    varint(out, root);
}

fn encode_value(v: &Node, strings: &mut Strings, b: &mut Vec<u8>) {
    match &v.value {
        Value::Null => b.push(0),
        Value::Bool(false) => b.push(1),
        Value::Bool(true) => b.push(2),
        Value::Int(i) => {
            b.push(3);
            varint(b, ((i << 1) ^ (i >> 63)) as u64);
        }
        Value::Float(f) => {
            b.push(4);
            b.extend_from_slice(&f.to_le_bytes());
        }
        Value::Str(s) => {
            b.push(5);
            varint(b, strings.id(s));
        }
        Value::Seq(items) => {
            b.push(6);
            varint(b, items.len() as u64);
            for i in items {
                encode_value(i, strings, b);
            }
        }
        Value::Map(entries) => {
            b.push(7);
            varint(b, entries.len() as u64);
            for e in entries {
                varint(b, strings.id(&e.key));
                encode_value(&e.value, strings, b);
            }
        }
    }
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
    strings: Vec<&'b str>,
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or("unexpected end of data")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        crate::schema::decode::read_varint(self.buf, &mut self.pos, "unexpected end of data")
    }

    fn len(&mut self) -> Result<usize, String> {
        let n = self.varint()?;
        // Every counted item takes at least one byte.
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.buf.len() - self.pos)
            .ok_or_else(|| format!("count {n} exceeds the data"))
    }

    fn bytes(&mut self, n: usize) -> Result<&'b [u8], String> {
        crate::schema::decode::read_bytes(self.buf, &mut self.pos, n, "unexpected end of data")
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }

    fn string(&mut self) -> Result<&'b str, String> {
        let i = self.varint()?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.strings.get(i).copied())
            .ok_or_else(|| format!("string index {i} out of range"))
    }

    /// A node index below `before` (so references point backwards).
    fn node(&mut self, before: usize) -> Result<Id, String> {
        let i = self.varint()?;
        usize::try_from(i)
            .ok()
            .filter(|&i| i < before)
            .map(|i| i as Id)
            .ok_or_else(|| format!("node index {i} out of range ({before})"))
    }

    fn value(&mut self, depth: usize) -> Result<Node, String> {
        if depth > 32 {
            return Err("enum value nested too deeply".into());
        }
        let value = match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => {
                let z = self.varint()?;
                Value::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            4 => Value::Float(self.f64()?),
            5 => Value::Str(self.string()?.into()),
            6 => {
                let n = self.len()?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Seq(items)
            }
            7 => {
                let n = self.len()?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.string()?.into();
                    entries.push(crate::yaml::Entry {
                        key,
                        key_span: Span::default(),
                        value: self.value(depth + 1)?,
                    });
                }
                Value::Map(entries)
            }
            t => return Err(format!("unknown value tag {t}")),
        };
        Ok(Node {
            span: Span::default(),
            value,
            style: ScalarStyle::Plain,
        })
    }

    fn ids(&mut self, before: usize) -> Result<Box<[Id]>, String> {
        let n = self.len()?;
        (0..n).map(|_| self.node(before)).collect()
    }

    fn checks(&mut self, mask: u32, before: usize) -> Result<Checks, String> {
        let mut c = Checks::default();
        if mask & C_ENUM != 0 {
            let n = self.len()?;
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                values.push(self.value(0)?);
            }
            c.enums = Some(values.into_boxed_slice());
        }
        if mask & C_PATTERN != 0 {
            c.pattern = Some(Pattern {
                source: self.string()?.into(),
                regex: OnceLock::new(),
            });
        }
        if mask & C_MIN != 0 {
            c.minimum = Some((self.f64()?, self.byte()? != 0));
        }
        if mask & C_MAX != 0 {
            c.maximum = Some((self.f64()?, self.byte()? != 0));
        }
        if mask & C_MULTIPLE != 0 {
            c.multiple_of = Some(self.f64()?);
        }
        for (bit, slot) in [
            (C_MIN_LEN, &mut c.min_length),
            (C_MAX_LEN, &mut c.max_length),
            (C_MIN_ITEMS, &mut c.min_items),
            (C_MAX_ITEMS, &mut c.max_items),
            (C_MIN_PROPS, &mut c.min_properties),
            (C_MAX_PROPS, &mut c.max_properties),
        ] {
            if mask & bit != 0 {
                *slot = Some(self.varint()?);
            }
        }
        if mask & C_ALL_OF != 0 {
            c.all_of = self.ids(before)?;
        }
        if mask & C_ANY_OF != 0 {
            c.any_of = self.ids(before)?;
        }
        if mask & C_ONE_OF != 0 {
            c.one_of = self.ids(before)?;
        }
        if mask & C_NOT != 0 {
            c.not = Some(self.node(before)?);
        }
        Ok(c)
    }

    fn schema(&mut self, prune: bool) -> Result<CrdSchema, String> {
        let n = self.len()?;
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let types = self.byte()?;
            let flags = u16::try_from(self.varint()?).map_err(|_| "bad node flags")?;
            let np = self.len()?;
            let mut props = Vec::with_capacity(np);
            for _ in 0..np {
                let name: Box<str> = self.string()?.into();
                props.push((name, self.node(i)?));
            }
            if !props.windows(2).all(|w| w[0].0 < w[1].0) {
                return Err("properties not sorted".into());
            }
            let nr = self.len()?;
            let mut required = Vec::with_capacity(nr);
            for _ in 0..nr {
                required.push(Box::<str>::from(self.string()?));
            }
            let items = match self.varint()? {
                0 => None,
                v => Some(
                    u32::try_from(v - 1)
                        .ok()
                        .filter(|&x| (x as usize) < i)
                        .ok_or("bad items index")?,
                ),
            };
            let additional = match self.varint()? {
                0 => Additional::None,
                1 => Additional::Any,
                2 => Additional::Forbid,
                v => Additional::Schema(
                    u32::try_from(v - 3)
                        .ok()
                        .filter(|&x| (x as usize) < i)
                        .ok_or("bad additionalProperties index")?,
                ),
            };
            let mask = u32::try_from(self.varint()?).map_err(|_| "bad check mask")?;
            let checks = if mask & C_SOME != 0 {
                Some(Box::new(self.checks(mask, i)?))
            } else {
                None
            };
            nodes.push(SchemaNode {
                types,
                flags,
                props: props.into_boxed_slice(),
                required: required.into_boxed_slice(),
                items,
                additional,
                checks,
            });
        }
        let root = self.node(n)?;
        Ok(CrdSchema { nodes, root, prune })
    }
}

/// Decodes a chunk written by [`encode_kind`].
pub(in crate::schema) fn decode_kind(buf: &[u8], group: &str, kind: &str, origin: Origin) -> Result<KindDef, String> {
    let mut r = Reader {
        buf,
        pos: 0,
        strings: Vec::new(),
    };
    let n = r.len()?;
    for _ in 0..n {
        let len = r.len()?;
        let s = std::str::from_utf8(r.bytes(len)?).map_err(|e| format!("bad string: {e}"))?;
        r.strings.push(s);
    }
    let nv = r.len()?;
    let mut versions = Vec::with_capacity(nv);
    for _ in 0..nv {
        let name = r.string()?.to_string();
        let flags = r.byte()?;
        let warning = if flags & WARNING != 0 {
            Some(r.string()?.to_string())
        } else {
            None
        };
        let schema = if flags & SCHEMA != 0 {
            Some(Arc::new(r.schema(flags & PRUNE != 0)?))
        } else {
            None
        };
        versions.push(VersionDef {
            name,
            served: flags & SERVED != 0,
            storage: flags & STORAGE != 0,
            deprecated: (flags & DEPRECATED != 0).then_some(warning),
            schema,
        });
    }
    if r.pos != buf.len() {
        return Err(format!("{} trailing bytes", buf.len() - r.pos));
    }
    Ok(KindDef {
        group: group.to_string(),
        kind: kind.to_string(),
        versions,
        origin,
    })
}
