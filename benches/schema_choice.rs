//! The measurement behind the choice of schema validator. The project brief
//! says: "jsonschema (Draft 4 pinned, `default-features = false`, offline
//! registry, one compiled validator per version and kind, shared across
//! threads) or a validator of our own over the compact schema: choose by
//! measurement and write the numbers down".
//!
//! On the objects of `../shared/corpus` that Kubernetes 1.37 serves:
//! - ours: the one-time, process-wide `schema("1.37")` load is timed once,
//!   before anything else touches it; `schema_choice/validate/kvet` times
//!   `kvet::schema::validate::validate` over all objects;
//! - the `jsonschema` crate (Draft 4, offline):
//!   `schema_choice/jsonschema-setup/load_definitions` reads the 1.37
//!   definitions from `../shared/k8s-api/jsonschema-1.7-1.37` (zstd, tar,
//!   JSON; the file is 2020-12 with `$defs`, its references are rewritten to
//!   Draft 4's `#/definitions/`); `compile_inline` compiles one validator per
//!   apiVersion+kind of the corpus from the brief's schema (all definitions
//!   inline, `$ref` to the kind's), `compile_registry` the same against one
//!   prepared registry holding the definitions; `schema_choice/validate/
//!   jsonschema_*` convert the objects to `serde_json::Value`, validate them
//!   (`iter_errors`, collected; `is_valid`), and do both per object.
//!
//! Before the benchmarks it prints, once, how the two validators disagree on
//! the corpus and on a few YAML traps ([`TRAPS`]), mapping jsonschema's JSON
//! pointers back to YAML spans on kvet's tree ([`locate`]).
//!
//! `SCHEMA_CHOICE_ONLY=ours`, `=jsonschema` or `=corpus` limits the setup and
//! the benchmarks to one side (or to loading the corpus), so that the peak RSS
//! of each can be read with `/usr/bin/time -f %M` on the bench binary; on
//! Linux the RSS after each setup step is printed too.
//!
//! Without the corpus it prints a message and benchmarks nothing.

use std::collections::{BTreeMap, HashSet};
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{Draft, ValidationError, Validator};
use kvet::lint::{Loaded, load};
use kvet::model::{DocObjects, GroupVersion, Object, doc_objects};
use kvet::schema::validate::{Problem, ProblemKind, validate};
use kvet::schema::{TypeId, VersionSchema, schema};
use kvet::source::{DiscoverOptions, Input, SourceFile, discover};
use kvet::yaml::{Node, Span, Value as Yaml};
use serde_json::{Map, Value, json};

const VERSION: &str = "1.37";
const CORPUS: &str = "../shared/corpus";
const ARCHIVE: &str = "../shared/k8s-api/jsonschema-1.7-1.37/_definitions-local-strict-v1.7-v1.37.tar.zst";
/// The archive's entry for 1.37 (`v1.37.0.json`; a layout with one folder
/// per version and `_definitions.json` files is accepted too).
const ENTRY_VERSION: &str = "v1.37.0";
const DRAFT4: &str = "http://json-schema.org/draft-04/schema#";
/// Where the shared-registry variant files the definitions.
const DEFS_URI: &str = "https://kubernetes.io/api/_definitions.json";

/// The validators must be shareable across threads, as the brief asks.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Validator>();
};

fn manifest_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    Both,
    Ours,
    Jsonschema,
    Corpus,
}

fn only() -> Only {
    match std::env::var("SCHEMA_CHOICE_ONLY").as_deref() {
        Ok("ours") => Only::Ours,
        Ok("jsonschema") => Only::Jsonschema,
        Ok("corpus") => Only::Corpus,
        _ => Only::Both,
    }
}

// ---------------------------------------------------------------- corpus --

/// Every `.yaml`/`.yml`/`.json` file of the corpus, or why not.
fn read_corpus() -> Result<Vec<SourceFile>, String> {
    let dir = manifest_path(CORPUS);
    if !dir.is_dir() {
        return Err(format!("no corpus at {}", dir.display()));
    }
    let opts = DiscoverOptions {
        respect_ignore_files: false,
        ..DiscoverOptions::default()
    };
    let found = discover(&[dir.to_string_lossy().into_owned()], &opts);
    let sources: Vec<SourceFile> = found
        .inputs
        .into_iter()
        .filter_map(|input| match input {
            Input::File { path, name } => {
                let mut file = SourceFile::read(&path, name);
                if let Ok(rel) = path.strip_prefix(&dir) {
                    file.name = rel.to_string_lossy().into_owned();
                }
                Some(file)
            }
            Input::Stdin => None,
        })
        .collect();
    if sources.is_empty() {
        return Err(format!("no manifest files under {}", dir.display()));
    }
    Ok(sources)
}

/// An object 1.37 serves, with its type and the index of its apiVersion+kind.
struct Item<'a> {
    obj: Object<'a>,
    ty: TypeId,
    kind: usize,
}

/// The objects of every document (as `lint::collect_objects` makes them),
/// kept when `s` serves them; and the apiVersion+kind pairs, in order.
fn served_objects<'a>(
    s: &VersionSchema,
    sources: &[SourceFile],
    loaded: &'a Loaded,
) -> (Vec<Item<'a>>, Vec<(String, String)>, usize) {
    let mut kinds: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut items = Vec::new();
    let mut all = 0;
    for (fid, (source, stream)) in sources.iter().zip(&loaded.streams).enumerate() {
        if source.load_error.is_some() {
            continue;
        }
        for doc in &stream.documents {
            let DocObjects::Objects(objs) = doc_objects(doc) else {
                continue;
            };
            for (item, node) in objs {
                let obj = Object::new(all, fid as u32, doc.index, item, node);
                all += 1;
                let Some(ty) = s.lookup(obj.api_version, obj.kind) else {
                    continue;
                };
                let next = kinds.len();
                let kind = *kinds
                    .entry((obj.api_version.to_string(), obj.kind.to_string()))
                    .or_insert(next);
                items.push(Item { obj, ty, kind });
            }
        }
    }
    let mut names = vec![(String::new(), String::new()); kinds.len()];
    for (k, i) in kinds {
        names[i] = k;
    }
    (items, names, all)
}

// ---------------------------------------------------- jsonschema's input --

fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn octal(field: &[u8]) -> Option<usize> {
    let s = std::str::from_utf8(field).ok()?;
    let s = s.trim_matches(|c: char| c == '\0' || c == ' ');
    if s.is_empty() {
        return Some(0);
    }
    usize::from_str_radix(s, 8).ok()
}

/// The regular files of a tar archive: 512-byte headers (name at 0..100,
/// size in octal at 124..136, type at 156, ustar prefix at 345..500), data
/// padded to 512 bytes, two zero blocks at the end. GNU long names (`L`) are
/// followed; other entry types are skipped.
fn tar_entries(tar: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let mut out = Vec::new();
    let mut long_name: Option<String> = None;
    let mut pos = 0;
    while pos + 512 <= tar.len() {
        let header = &tar[pos..pos + 512];
        if header.iter().all(|b| *b == 0) {
            break;
        }
        let size = octal(&header[124..136]).ok_or_else(|| format!("tar: bad size in the header at byte {pos}"))?;
        let start = pos + 512;
        let data = start
            .checked_add(size)
            .and_then(|end| tar.get(start..end))
            .ok_or_else(|| format!("tar: the entry at byte {pos} runs past the end"))?;
        match header[156] {
            b'0' | 0 => {
                let name = long_name.take().unwrap_or_else(|| {
                    let name = c_string(&header[0..100]);
                    let prefix = if &header[257..262] == b"ustar" {
                        c_string(&header[345..500])
                    } else {
                        String::new()
                    };
                    if prefix.is_empty() {
                        name
                    } else {
                        format!("{prefix}/{name}")
                    }
                });
                out.push((name, data));
            }
            b'L' => long_name = Some(c_string(data)),
            _ => {}
        }
        pos = start + size.div_ceil(512) * 512;
    }
    Ok(out)
}

fn is_wanted_entry(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base == format!("{ENTRY_VERSION}.json") || (name.contains(ENTRY_VERSION) && base == "_definitions.json")
}

/// Draft 4 knows `definitions`, not 2020-12's `$defs`: point the references
/// there. (Only string `$ref`s: `JSONSchemaProps` has a *property* `$ref`.)
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                match x {
                    Value::String(s) if k == "$ref" => {
                        if let Some(rest) = s.strip_prefix("#/$defs/") {
                            *s = format!("#/definitions/{rest}");
                        }
                    }
                    _ => rewrite_refs(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// The 1.37 definitions from the archive, references rewritten for Draft 4.
fn read_definitions(compressed: &[u8]) -> Result<Map<String, Value>, String> {
    let mut tar = Vec::with_capacity(compressed.len() * 20);
    ruzstd::decoding::StreamingDecoder::new(compressed)
        .map_err(|e| format!("zstd: {e}"))?
        .read_to_end(&mut tar)
        .map_err(|e| format!("zstd: {e}"))?;
    let entries = tar_entries(&tar)?;
    let Some((_, data)) = entries.iter().find(|(name, _)| is_wanted_entry(name)) else {
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        return Err(format!("no {ENTRY_VERSION} entry in the archive; it has {names:?}"));
    };
    let mut doc: Value = serde_json::from_slice(data).map_err(|e| format!("{ENTRY_VERSION}: {e}"))?;
    let key = if doc.get("$defs").is_some() {
        "$defs"
    } else {
        "definitions"
    };
    let Some(Value::Object(mut defs)) = doc.get_mut(key).map(Value::take) else {
        return Err(format!("{ENTRY_VERSION}: no `$defs` or `definitions` object"));
    };
    for d in defs.values_mut() {
        rewrite_refs(d);
    }
    Ok(defs)
}

/// The definition whose `x-kubernetes-group-version-kind` is this kind's.
fn definition_for<'d>(defs: &'d Map<String, Value>, api_version: &str, kind: &str) -> Option<&'d str> {
    let gv = GroupVersion::parse(api_version);
    let field = |g: &Value, k: &str| g.get(k).and_then(Value::as_str).map(str::to_owned);
    defs.iter()
        .find(|(_, d)| {
            d.get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .is_some_and(|gvks| {
                    gvks.iter().any(|g| {
                        field(g, "group").as_deref() == Some(gv.group)
                            && field(g, "version").as_deref() == Some(gv.version)
                            && field(g, "kind").as_deref() == Some(kind)
                    })
                })
        })
        .map(|(name, _)| name.as_str())
}

/// The brief's schema for one kind, built once; `$ref` is set per kind.
fn inline_root(defs: &Map<String, Value>) -> Value {
    json!({"$schema": DRAFT4, "definitions": Value::Object(defs.clone()), "$ref": ""})
}

/// One validator per kind (`None` where no definition matches), from the
/// schema of the brief: every definition inline, `$ref` to the kind's.
fn compile_inline(root: &mut Value, names: &[Option<String>]) -> Result<Vec<Option<Validator>>, String> {
    let opts = jsonschema::options().with_draft(Draft::Draft4).offline();
    names
        .iter()
        .map(|name| {
            let Some(name) = name else { return Ok(None) };
            root["$ref"] = Value::String(format!("#/definitions/{name}"));
            opts.build(root).map(Some).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

/// The same validators compiled against one prepared registry holding the
/// definitions document.
fn compile_with_registry(
    registry: &jsonschema::Registry<'_>,
    names: &[Option<String>],
) -> Result<Vec<Option<Validator>>, String> {
    let opts = jsonschema::options()
        .with_draft(Draft::Draft4)
        .with_registry(registry)
        .offline();
    names
        .iter()
        .map(|name| {
            let Some(name) = name else { return Ok(None) };
            let schema = json!({"$schema": DRAFT4, "$ref": format!("{DEFS_URI}#/definitions/{name}")});
            opts.build(&schema).map(Some).map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

fn registry(defs: &Map<String, Value>) -> Result<jsonschema::Registry<'static>, String> {
    let doc = json!({"$schema": DRAFT4, "definitions": Value::Object(defs.clone())});
    jsonschema::Registry::new()
        .draft(Draft::Draft4)
        .add(DEFS_URI, doc)
        .and_then(|b| b.prepare())
        .map_err(|e| format!("registry: {e}"))
}

// ------------------------------------------------------------ comparison --

/// One finding, in a form both validators can be put in.
struct Finding {
    /// kvet's dotted path (`spec.template.spec.containers[0].image`).
    path: String,
    class: &'static str,
    message: String,
    span: Option<Span>,
    /// kvet's finding carries a hint or a suggestion.
    helped: bool,
}

fn ours_findings(problems: &[Problem]) -> Vec<Finding> {
    problems
        .iter()
        .filter_map(|p| {
            let (class, message, helped) = match &p.kind {
                ProblemKind::Deprecated { .. } => return None,
                ProblemKind::UnknownField { name, suggestion, .. } => (
                    "unknown-field",
                    match suggestion {
                        Some(s) => format!("unknown field `{name}` (did you mean `{s}`?)"),
                        None => format!("unknown field `{name}`"),
                    },
                    suggestion.is_some(),
                ),
                ProblemKind::InvalidType {
                    expected, found, hint, ..
                } => (
                    "type",
                    match hint {
                        Some(h) => format!("expected {expected}, found {found}: {h}"),
                        None => format!("expected {expected}, found {found}"),
                    },
                    hint.is_some(),
                ),
                ProblemKind::MissingRequired { field, .. } => {
                    ("missing-required", format!("`{field}` is required"), false)
                }
                ProblemKind::InvalidValue { message, .. } => {
                    ("value", message.clone(), message.contains("did you mean"))
                }
            };
            Some(Finding {
                path: p.path.clone(),
                class,
                message,
                span: Some(p.span),
                helped,
            })
        })
        .collect()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// The child of a mapping (the later of duplicate keys, as JSON keeps it).
fn child<'n>(node: &'n Node, key: &str) -> Option<(&'n Node, Span)> {
    match &node.value {
        Yaml::Map(entries) => entries
            .iter()
            .rev()
            .find(|e| &*e.key == key)
            .map(|e| (&e.value, e.key_span)),
        _ => None,
    }
}

/// Follows a jsonschema instance location down kvet's tree: the node, the
/// span of the key holding it (none for sequence items), and kvet's dotted
/// path. This is all it takes to put jsonschema's errors at YAML positions,
/// given that the tree is kept next to its JSON copy.
fn locate<'n>(root: &'n Node, loc: &Location) -> Option<(&'n Node, Option<Span>, String)> {
    let mut node = root;
    let mut key = None;
    let mut path = String::new();
    for seg in loc.iter() {
        match (seg, &node.value) {
            (LocationSegment::Index(i), Yaml::Seq(items)) => {
                node = items.get(i)?;
                key = None;
                path.push_str(&format!("[{i}]"));
            }
            // A numeric key of a mapping reads as an index in a pointer.
            (LocationSegment::Index(i), Yaml::Map(_)) => {
                let k = i.to_string();
                let (n, span) = child(node, &k)?;
                (node, key) = (n, Some(span));
                path = join(&path, &k);
            }
            (LocationSegment::Property(k), Yaml::Map(_)) => {
                let (n, span) = child(node, &k)?;
                (node, key) = (n, Some(span));
                path = join(&path, &k);
            }
            _ => return None,
        }
    }
    Some((node, key, path))
}

fn shorten(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

/// jsonschema's errors as findings; `unmapped` counts those whose pointer
/// does not lead to a node of the tree.
fn their_findings(root: &Node, errors: &[ValidationError<'_>], unmapped: &mut usize) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in errors {
        let Some((node, key, path)) = locate(root, e.instance_path()) else {
            *unmapped += 1;
            continue;
        };
        let message = shorten(e.to_string(), 160);
        match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    out.push(Finding {
                        path: join(&path, name),
                        class: "unknown-field",
                        message: message.clone(),
                        span: child(node, name).map(|(_, s)| s),
                        helped: false,
                    });
                }
            }
            ValidationErrorKind::Required { property } => out.push(Finding {
                path: join(&path, property.as_str().unwrap_or("?")),
                class: "missing-required",
                message,
                span: Some(key.unwrap_or(node.span)),
                helped: false,
            }),
            kind => {
                let class = match kind {
                    ValidationErrorKind::Type { .. }
                    | ValidationErrorKind::OneOfNotValid { .. }
                    | ValidationErrorKind::OneOfMultipleValid { .. }
                    | ValidationErrorKind::AnyOf { .. } => "type",
                    _ => "value",
                };
                out.push(Finding {
                    path,
                    class,
                    message,
                    span: Some(node.span),
                    helped: false,
                });
            }
        }
    }
    out
}

/// Why a finding only one side has, as far as the finding itself tells.
fn reason(side: &str, f: &Finding, root: &Node) -> String {
    let top = f.path.split(['.', '[']).next().unwrap_or("");
    let value = root_path_value(root, &f.path);
    let is_null = value.is_some_and(Node::is_null);
    match (side, f.class) {
        ("jsonschema", _) if top == "status" => "status: the server's; kvet skips it at the root".into(),
        ("jsonschema", _) if f.path.rsplit('.').next().is_some_and(|k| k.starts_with('$')) => {
            "`$patch`-style directive: kvet skips `$` keys".into()
        }
        ("jsonschema", "type") if is_null && f.message.contains("oneOf") => {
            "null int-or-string/quantity: matches both `oneOf` branches".into()
        }
        ("jsonschema", "type") if is_null => "null where the schema does not allow it".into(),
        ("kvet", "missing-required") if value.is_some() => {
            "required field present but null: kvet reads `key:` as absent".into()
        }
        ("kvet", "value") if f.message.contains("base64") => "`format: byte`: kvet checks base64".into(),
        ("kvet", "value") => "enum: kvet's curated enums; the JSON schema's only pin apiVersion and kind".into(),
        ("jsonschema", "value") if f.message.contains("is not one of") => {
            "enum: the schema's enum, kvet has none or another".into()
        }
        (_, "type") if f.message.contains("integer") || f.message.contains("number") => {
            format!("type ({side} only): number/integer")
        }
        (_, class) => format!("{class} ({side} only)"),
    }
}

/// The node at a kvet dotted path (best effort: keys with dots are ambiguous).
fn root_path_value<'n>(root: &'n Node, path: &str) -> Option<&'n Node> {
    let mut node = root;
    for part in path.split('.') {
        let (key, idx) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            node = child(node, key)?.0;
        }
        for i in idx.split(['[', ']']).filter(|s| !s.is_empty()) {
            let i: usize = i.parse().ok()?;
            node = match &node.value {
                Yaml::Seq(items) => items.get(i)?,
                _ => return None,
            };
        }
    }
    Some(node)
}

struct Example {
    at: String,
    object: String,
    path: String,
    message: String,
}

/// What [`compare`] counts.
#[derive(Default)]
struct Tally {
    objects: usize,
    skipped: usize,
    both: usize,
    only_ours: usize,
    only_theirs: usize,
    neither: usize,
    ours: usize,
    theirs: usize,
    shared: usize,
    shared_helped: usize,
    deprecations: usize,
    unmapped: usize,
    /// Reason → (kvet only, jsonschema only, examples).
    reasons: BTreeMap<String, (usize, usize, Vec<Example>)>,
    /// Shared findings where kvet says more, a few.
    helped_examples: Vec<Example>,
}

/// Validates every object with both and sets their findings side by side;
/// `verbose` prints every finding of every object (`=` both, `<` kvet
/// only, `>` jsonschema only).
fn compare(
    s: &VersionSchema,
    sources: &[SourceFile],
    items: &[Item<'_>],
    jsons: &[Value],
    validators: &[Option<Validator>],
    verbose: bool,
) -> Tally {
    let mut t = Tally::default();
    for (it, j) in items.iter().zip(jsons) {
        let Some(v) = &validators[it.kind] else {
            t.skipped += 1;
            continue;
        };
        t.objects += 1;
        let source = &sources[it.obj.file as usize];
        let problems = validate(s, it.ty, it.obj.root, &source.text, it.obj.kind_span());
        t.deprecations += problems
            .iter()
            .filter(|p| matches!(p.kind, ProblemKind::Deprecated { .. }))
            .count();
        let ours = ours_findings(&problems);
        let errors: Vec<ValidationError<'_>> = v.iter_errors(j).collect();
        let theirs = their_findings(it.obj.root, &errors, &mut t.unmapped);
        match (ours.is_empty(), errors.is_empty()) {
            (false, false) => t.both += 1,
            (false, true) => t.only_ours += 1,
            (true, false) => t.only_theirs += 1,
            (true, true) => t.neither += 1,
        }
        t.ours += ours.len();
        t.theirs += theirs.len();
        let key = |f: &Finding| (f.path.clone(), f.class);
        let ours_keys: HashSet<_> = ours.iter().map(key).collect();
        let their_keys: HashSet<_> = theirs.iter().map(key).collect();
        t.shared += ours_keys.intersection(&their_keys).count();
        let example = |side: &str, f: &Finding| {
            let lc = source.line_col(f.span.map_or(it.obj.span().start, |s| s.start));
            Example {
                at: format!("{}:{}:{}", source.name, lc.line, lc.column),
                object: it.obj.display(),
                path: f.path.clone(),
                message: format!("[{side}] {}", f.message),
            }
        };
        if verbose {
            println!("  {} ({}):", it.obj.display(), source.name);
        }
        for f in &ours {
            let shared = their_keys.contains(&key(f));
            if verbose {
                let mark = if shared { '=' } else { '<' };
                println!("    {mark} kvet       {}: {}", f.path, f.message);
            }
            if shared && f.helped {
                t.shared_helped += 1;
                if t.helped_examples.len() < 4 {
                    t.helped_examples.push(example("kvet", f));
                }
            }
        }
        for f in &theirs {
            if verbose {
                let mark = if ours_keys.contains(&key(f)) { '=' } else { '>' };
                println!("    {mark} jsonschema {}: {}", f.path, f.message);
            }
        }
        let one_sided = ours
            .iter()
            .filter(|f| !their_keys.contains(&key(f)))
            .map(|f| ("kvet", f))
            .chain(
                theirs
                    .iter()
                    .filter(|f| !ours_keys.contains(&key(f)))
                    .map(|f| ("jsonschema", f)),
            );
        for (side, f) in one_sided {
            let entry = t.reasons.entry(reason(side, f, it.obj.root)).or_default();
            if side == "kvet" {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
            if entry.2.len() < 3 {
                entry.2.push(example(side, f));
            }
        }
    }
    t
}

fn print_tally(t: &Tally) {
    if t.skipped > 0 {
        println!(
            "objects skipped (no jsonschema definition for their kind): {}",
            t.skipped
        );
    }
    println!(
        "objects: {}; invalid for both: {}; only for kvet: {}; only for jsonschema: {}; valid for both: {}",
        t.objects, t.both, t.only_ours, t.only_theirs, t.neither
    );
    println!(
        "findings: kvet {} (+{} deprecation notes jsonschema cannot give), jsonschema {} (an additionalProperties error counted once per key); same path and class: {}, of which kvet adds a hint or suggestion: {}",
        t.ours, t.deprecations, t.theirs, t.shared, t.shared_helped
    );
    println!(
        "jsonschema errors whose pointer did not lead back to a node of the YAML tree: {}",
        t.unmapped
    );
    if !t.helped_examples.is_empty() {
        println!("shared findings where kvet says more:");
        for e in &t.helped_examples {
            println!("      {}  {}  {}: {}", e.at, e.object, e.path, e.message);
        }
    }
    println!("one-sided findings by reason (kvet only / jsonschema only), with examples:");
    for (why, (ours, theirs, examples)) in &t.reasons {
        println!("  {ours:>6} / {theirs:<6} {why}");
        for e in examples {
            println!("      {}  {}  {}: {}", e.at, e.object, e.path, e.message);
        }
    }
    println!();
}

/// YAML traps and schema corners the corpus has few of.
const TRAPS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: traps}
spec:
  replica: 2
  replicas: 1.0
  selector: {matchLabels: {app: traps}}
  strategy: {rollingUpdate: {maxSurge: null, maxUnavailable: 1.5}}
  template:
    metadata: {labels: {app: traps}}
    spec:
      containers:
      - name: app
        image: 1.10
        ports: [{containerPort: "8080", protocol: tcp}]
        env: [{name: DEBUG, value: yes}, {name: PORT, value: 8080}]
        resources: {limits: {cpu: 0.5, memory: 1e9}, requests: {memory: true}}
        readinessProbe: {httpGet: {port: http}}
status: {replicas: many}
---
apiVersion: v1
kind: Service
metadata: {name: traps}
spec:
  ports: [{port: 80, targetPort: 8080.0}]
  type: nodeport
---
apiVersion: v1
kind: Secret
metadata: {name: traps}
data: {password: hunter2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: null-spec}
spec:
---
apiVersion: v1
kind: ConfigMap
metadata: {name: traps, $patch: replace}
data: {on: yes, port: 8080}
"#;

/// [`TRAPS`] through both validators, every finding printed.
fn traps(s: &VersionSchema, root: &mut Value) {
    let sources = vec![SourceFile::from_text("traps.yaml", None, TRAPS.to_string())];
    let loaded = load(&sources, &|| {});
    let (items, kinds, _) = served_objects(s, &sources, &loaded);
    let Some(defs) = root.get("definitions").and_then(Value::as_object) else {
        return;
    };
    let names: Vec<Option<String>> = kinds
        .iter()
        .map(|(av, k)| definition_for(defs, av, k).map(str::to_owned))
        .collect();
    let validators = match compile_inline(root, &names) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("schema_choice: traps: cannot compile: {e}");
            return;
        }
    };
    let jsons: Vec<Value> = items.iter().map(|it| it.obj.root.to_json()).collect();
    println!("== schema_choice: YAML traps, every finding (= both, < kvet only, > jsonschema only) ==");
    print_tally(&compare(s, &sources, &items, &jsons, &validators, true));
}

// ------------------------------------------------------------- benchmark --

/// Prints the resident set size, where `/proc` tells it (Linux): rough
/// attribution of memory to the steps of the setup.
fn rss_note(after: &str) {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<f64>().ok());
    if let Some(pages) = pages {
        println!("schema_choice: RSS after {after}: {:.1} MB", pages * 4096.0 / 1e6);
    }
}

/// What the jsonschema side needs, set up once.
struct JsonschemaSide {
    compressed: Vec<u8>,
    defs: Map<String, Value>,
    /// Definition name per apiVersion+kind of the corpus.
    names: Vec<Option<String>>,
    /// The brief's schema (all definitions inline), `$ref` set per kind.
    root: Value,
    validators: Vec<Option<Validator>>,
    /// The objects as `serde_json::Value`, in `items` order.
    jsons: Vec<Value>,
}

fn jsonschema_side(items: &[Item<'_>], kinds: &[(String, String)]) -> Result<JsonschemaSide, String> {
    let archive = manifest_path(ARCHIVE);
    let compressed = std::fs::read(&archive).map_err(|e| format!("cannot read {}: {e}", archive.display()))?;
    let t = Instant::now();
    let defs = read_definitions(&compressed)?;
    let defs_load = t.elapsed();
    rss_note("reading the definitions");
    let names: Vec<Option<String>> = kinds
        .iter()
        .map(|(av, k)| definition_for(&defs, av, k).map(str::to_owned))
        .collect();
    for ((av, k), name) in kinds.iter().zip(&names) {
        if name.is_none() {
            println!("schema_choice: no jsonschema definition for {av} {k}");
        }
    }
    let mut root = inline_root(&defs);
    rss_note("building the inline root schema (a copy of the definitions)");
    let t = Instant::now();
    let validators = compile_inline(&mut root, &names).map_err(|e| format!("cannot compile: {e}"))?;
    let compile_once = t.elapsed();
    rss_note("compiling the validators");
    let t = Instant::now();
    let jsons: Vec<Value> = items.iter().map(|it| it.obj.root.to_json()).collect();
    let convert_once = t.elapsed();
    rss_note("converting the objects to JSON");
    println!(
        "schema_choice: jsonschema: definitions {defs_load:?} ({} of them), first compile of {} validators {compile_once:?}, first conversion {convert_once:?} (single runs)",
        defs.len(),
        names.iter().flatten().count()
    );
    Ok(JsonschemaSide {
        compressed,
        defs,
        names,
        root,
        validators,
        jsons,
    })
}

fn bench(c: &mut Criterion) {
    let only = only();
    // First, before anything else loads it: the one-time schema load.
    let t = Instant::now();
    let Some(s) = schema(VERSION) else {
        eprintln!("schema_choice: kvet has no schema for {VERSION}; nothing to benchmark");
        return;
    };
    let schema_load = t.elapsed();

    let sources = match read_corpus() {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("schema_choice: {e}; nothing to benchmark");
            return;
        }
    };
    let t = Instant::now();
    let loaded = load(&sources, &|| {});
    let parse = t.elapsed();
    let (items, kinds, all) = served_objects(s, &sources, &loaded);
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let nodes: usize = items.iter().map(|it| it.obj.root.count()).sum();
    println!(
        "schema_choice: {} files ({:.1} MB), {all} objects, {} served by {VERSION} ({nodes} nodes) in {} apiVersion+kind pairs",
        sources.len(),
        bytes as f64 / 1e6,
        items.len(),
        kinds.len()
    );
    println!("schema_choice: parsing the corpus (kvet::lint::load, parallel, once, for scale): {parse:?}");
    println!(
        "schema_choice: ours: first schema(\"{VERSION}\") call (decompress + decode, once per process): {schema_load:?}"
    );
    rss_note("loading the corpus and kvet's schema");
    if items.is_empty() || only == Only::Corpus {
        return;
    }
    let n = items.len() as u64;

    let mut js = None;
    if only != Only::Ours {
        match jsonschema_side(&items, &kinds) {
            Ok(side) => js = Some(side),
            Err(e) => eprintln!("schema_choice: {e}; jsonschema not benchmarked"),
        }
    }

    if let Some(js) = &mut js {
        if only == Only::Both {
            println!("\n== schema_choice: both validators on the same corpus objects ==");
            print_tally(&compare(s, &sources, &items, &js.jsons, &js.validators, false));
            traps(s, &mut js.root);
        }
        let mut g = c.benchmark_group("schema_choice/jsonschema-setup");
        g.sample_size(10);
        g.bench_function("load_definitions", |b| {
            b.iter(|| black_box(read_definitions(&js.compressed)))
        });
        g.throughput(Throughput::Elements(js.names.iter().flatten().count() as u64));
        g.bench_function("compile_inline", |b| {
            b.iter(|| black_box(compile_inline(&mut js.root, &js.names)))
        });
        match registry(&js.defs) {
            Ok(reg) => {
                g.bench_function("compile_registry", |b| {
                    b.iter(|| black_box(compile_with_registry(&reg, &js.names)))
                });
            }
            Err(e) => eprintln!("schema_choice: {e}; registry variant not benchmarked"),
        }
        g.finish();
    }

    // The head-to-head, back to back in one group.
    let mut g = c.benchmark_group("schema_choice/validate");
    g.throughput(Throughput::Elements(n));
    g.sample_size(30);
    if only != Only::Jsonschema {
        g.bench_function("kvet", |b| {
            b.iter(|| {
                for it in &items {
                    let text = &sources[it.obj.file as usize].text;
                    black_box(validate(s, it.ty, it.obj.root, text, it.obj.kind_span()));
                }
            })
        });
    }
    if let Some(js) = &js {
        let validators = &js.validators;
        // Objects whose apiVersion+kind has no jsonschema definition are
        // skipped by the validating loops: count only what each validates.
        let validated = items.iter().filter(|it| validators[it.kind].is_some()).count() as u64;
        println!(
            "schema_choice: jsonschema validates {validated} of the {n} objects (the rest have no definition); its validating loops are counted per validated object"
        );
        g.bench_function("jsonschema_to_json", |b| {
            b.iter(|| {
                for it in &items {
                    black_box(it.obj.root.to_json());
                }
            })
        });
        g.throughput(Throughput::Elements(validated));
        g.bench_function("jsonschema_iter_errors", |b| {
            b.iter(|| {
                for (it, j) in items.iter().zip(&js.jsons) {
                    if let Some(v) = &validators[it.kind] {
                        let errors: Vec<ValidationError<'_>> = v.iter_errors(j).collect();
                        black_box(errors);
                    }
                }
            })
        });
        g.bench_function("jsonschema_is_valid", |b| {
            b.iter(|| {
                for (it, j) in items.iter().zip(&js.jsons) {
                    if let Some(v) = &validators[it.kind] {
                        black_box(v.is_valid(j));
                    }
                }
            })
        });
        // What a linter using jsonschema pays per run: convert, validate, drop.
        g.bench_function("jsonschema_to_json_and_iter_errors", |b| {
            b.iter(|| {
                for it in &items {
                    if let Some(v) = &validators[it.kind] {
                        let j = it.obj.root.to_json();
                        let errors: Vec<ValidationError<'_>> = v.iter_errors(&j).collect();
                        black_box(errors.len());
                    }
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
