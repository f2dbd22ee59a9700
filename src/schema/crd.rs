//! Custom resources validated against the CustomResourceDefinitions of the
//! run.
//!
//! [`CrdIndex::build`] reads every `apiextensions.k8s.io` v1 and v1beta1
//! CustomResourceDefinition among the objects and compiles each
//! `openAPIV3Schema` once into an owned arena of schema nodes (no borrow of
//! the CRD trees, so the index outlives them and can be shared between
//! threads). [`CrdSchema::validate`] then walks a custom resource's spanned
//! tree like [`super::validate`] does for built-in kinds, with the same
//! [`Problem`] shape and paths.
//!
//! What is checked follows the apiextensions semantics:
//!
//! - `type`, `properties`, `required`, `items`, `additionalProperties`,
//!   `nullable`, `enum`, `pattern` (when the `regex` crate compiles it),
//!   `minimum`/`maximum` (and their exclusive forms), `multipleOf`,
//!   `minLength`/`maxLength`, `minItems`/`maxItems`,
//!   `minProperties`/`maxProperties`, `x-kubernetes-int-or-string`;
//! - unknown fields are reported only where the API server would prune them:
//!   v1 CRDs prune unless `x-kubernetes-preserve-unknown-fields: true` (which
//!   still checks the listed properties, and carries through array items, as
//!   the server's pruning does); v1beta1 CRDs only with
//!   `spec.preserveUnknownFields: false`. `apiVersion`, `kind` and
//!   `metadata` are always allowed at the root and in
//!   `x-kubernetes-embedded-resource` objects; `metadata` is only checked to
//!   be an object;
//! - a required field with a `default` is never missing (the server fills
//!   it in), and a `null` value counts as absent unless the field is
//!   `nullable`, as the server drops such nulls;
//! - `allOf` branches are checked like the schema itself; `anyOf` and
//!   `oneOf` need one branch to match (and `oneOf` no more than one), and a
//!   value must not match `not`. Constraints kvet does not model (CEL rules,
//!   formats, list types, patterns the `regex` crate does not compile) make
//!   a branch's match uncertain: uncertain results never produce a problem.
//!
//! Compilation depth is bounded (64 levels): deeper schema parts accept
//! anything.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use super::validate::{Expect, Problem, ProblemKind, Seg, enum_mismatch, path_string, suggest, type_fix, type_hint};
use crate::model::Object;
use crate::yaml::{Node, Span, Value};

/// Schema nesting deeper than this accepts anything.
const MAX_DEPTH: usize = 64;
/// Enum values listed in a message before `…`.
const MAX_LISTED: usize = 20;

type Id = u32;

// JSON types a schema accepts (`type`); 0 means unconstrained.
const OBJECT: u8 = 1;
const ARRAY: u8 = 2;
const STRING: u8 = 4;
const INTEGER: u8 = 8;
const NUMBER: u8 = 16;
const BOOLEAN: u8 = 32;
const NULL: u8 = 64;

// Schema node flags.
const PRESERVE: u16 = 1;
const EMBEDDED: u16 = 2;
const NULLABLE: u16 = 4;
const HAS_DEFAULT: u16 = 8;
/// `patternProperties` or `$ref`: keys not listed may be fine.
const OPEN_KEYS: u16 = 16;
/// A constraint kvet does not model (CEL rules, list types, tuples, ...).
const UNMODELED: u16 = 32;
const INT_OR_STRING: u16 = 64;

/// Keys `apiVersion`, `kind` and `metadata`, always allowed at the root of a
/// resource and in embedded resources.
const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

#[derive(Debug, Clone, Copy, Default, PartialEq)]
enum Additional {
    /// Not given: keys not in `properties` are unknown.
    #[default]
    None,
    /// `additionalProperties: true`.
    Any,
    /// `additionalProperties: false`.
    Forbid,
    /// A map: every other key's value follows this schema.
    Schema(Id),
}

/// A compiled `pattern`; the regex is built on first use (most patterns of a
/// large CRD are never needed) and `None` when it does not compile.
#[derive(Debug)]
struct Pattern {
    source: Box<str>,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.regex.get_or_init(|| Regex::new(&self.source).ok()).as_ref()
    }
}

/// The less common constraints of a node, kept out of line.
#[derive(Debug, Default)]
struct Checks {
    enums: Option<Box<[Node]>>,
    pattern: Option<Pattern>,
    /// Bound and whether it is exclusive.
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    multiple_of: Option<f64>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    min_properties: Option<u64>,
    max_properties: Option<u64>,
    all_of: Box<[Id]>,
    any_of: Box<[Id]>,
    one_of: Box<[Id]>,
    not: Option<Id>,
}

/// One schema node of the arena.
#[derive(Debug, Default)]
struct SchemaNode {
    types: u8,
    flags: u16,
    /// Sorted by name.
    props: Box<[(Box<str>, Id)]>,
    required: Box<[Box<str>]>,
    items: Option<Id>,
    additional: Additional,
    checks: Option<Box<Checks>>,
}

impl SchemaNode {
    fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    fn prop(&self, name: &str) -> Option<Id> {
        self.props
            .binary_search_by(|(n, _)| (**n).cmp(name))
            .ok()
            .map(|i| self.props[i].1)
    }

    /// Whether the node describes an object's keys (so that keys it does not
    /// list are pruned).
    fn is_object_schema(&self) -> bool {
        self.types & OBJECT != 0 || !self.props.is_empty()
    }

    /// `type: ..` and nothing else that constrains (`anyOf: [{type: integer}, {type: string}]`).
    fn type_only(&self) -> Option<u8> {
        let plain = self.props.is_empty()
            && self.required.is_empty()
            && self.items.is_none()
            && self.additional == Additional::None
            && self.checks.is_none()
            && self.flags & UNMODELED == 0;
        let mask = accepted(self);
        (plain && mask != 0).then_some(mask)
    }

    /// `required: [..]` and nothing else that constrains (the usual `oneOf`
    /// branch): its names.
    fn required_only(&self) -> Option<&[Box<str>]> {
        let plain = self.types == 0
            && self.props.is_empty()
            && self.items.is_none()
            && self.additional == Additional::None
            && self.checks.is_none()
            && self.flags & (UNMODELED | INT_OR_STRING) == 0;
        (plain && !self.required.is_empty()).then_some(&*self.required)
    }
}

/// The compiled schema of one custom resource version.
#[derive(Debug)]
pub struct CrdSchema {
    nodes: Vec<SchemaNode>,
    root: Id,
    /// Unknown fields are pruned (and so reported) where the schema does not
    /// preserve them.
    prune: bool,
}

/// How a custom resource's apiVersion and kind resolve against the CRDs of
/// the run.
#[derive(Debug)]
pub enum CrdLookup<'i> {
    /// No CRD in the run defines this group + kind.
    Undefined,
    /// A CRD defines the kind, but not this version (or the version is not served): the served versions.
    VersionNotServed { served: Vec<String> },
    /// Defined, with a schema to validate against.
    Schema(&'i CrdSchema),
    /// Defined without a structural schema (v1beta1 CRD without validation): nothing to check.
    NoSchema,
}

#[derive(Debug)]
struct VersionDef {
    name: String,
    served: bool,
    storage: bool,
    /// `deprecated: true`, with the CRD's `deprecationWarning` if any.
    deprecated: Option<Option<String>>,
    schema: Option<Arc<CrdSchema>>,
}

/// A custom resource version its CRD marks deprecated.
#[derive(Debug)]
pub struct CrdDeprecation<'i> {
    /// The CRD's `deprecationWarning`.
    pub warning: Option<&'i str>,
    /// A served version that is not deprecated (the storage version when it
    /// is one), with its schema.
    pub alternative: Option<(&'i str, Option<&'i CrdSchema>)>,
}

#[derive(Debug)]
struct KindDef {
    group: String,
    kind: String,
    versions: Vec<VersionDef>,
}

/// The custom resource kinds defined by the CRDs of a run, with their
/// compiled schemas.
#[derive(Debug, Default)]
pub struct CrdIndex {
    /// Sorted by (group, kind).
    kinds: Vec<KindDef>,
}

impl CrdIndex {
    /// Compiles every CustomResourceDefinition among `objects` (apiextensions.k8s.io v1 and v1beta1).
    ///
    /// When several CRDs define the same group, kind and version, the first
    /// one wins (a later one only fills in a schema the first lacks).
    pub fn build<'a>(objects: impl Iterator<Item = &'a Object<'a>>) -> CrdIndex {
        let mut by_name: HashMap<(String, String), usize> = HashMap::new();
        let mut kinds: Vec<KindDef> = Vec::new();
        for o in objects {
            if o.kind != "CustomResourceDefinition" {
                continue;
            }
            let v1 = match o.api_version {
                "apiextensions.k8s.io/v1" => true,
                "apiextensions.k8s.io/v1beta1" => false,
                _ => continue,
            };
            add_crd(o.root, v1, &mut by_name, &mut kinds);
        }
        kinds.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
        CrdIndex { kinds }
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Number of kinds defined.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Resolves a resource's `apiVersion` (`group/version`) and `kind`.
    /// Whether the CRD of `api_version` `kind` marks that version
    /// deprecated (and what to use instead).
    pub fn deprecation(&self, api_version: &str, kind: &str) -> Option<CrdDeprecation<'_>> {
        let (def, version) = self.kind_def(api_version, kind)?;
        let warning = def
            .versions
            .iter()
            .find(|v| v.name == version && v.served)?
            .deprecated
            .as_ref()?;
        let usable = || def.versions.iter().filter(|v| v.served && v.deprecated.is_none());
        let alternative = usable()
            .find(|v| v.storage)
            .or_else(|| usable().next())
            .map(|v| (v.name.as_str(), v.schema.as_deref()));
        Some(CrdDeprecation {
            warning: warning.as_deref(),
            alternative,
        })
    }

    /// The CRD definition of `kind` in the group of `api_version`, and the
    /// version part of `api_version`.
    fn kind_def<'v>(&self, api_version: &'v str, kind: &str) -> Option<(&KindDef, &'v str)> {
        let (group, version) = api_version.rsplit_once('/')?;
        let i = self
            .kinds
            .binary_search_by(|k| (k.group.as_str(), k.kind.as_str()).cmp(&(group, kind)))
            .ok()?;
        Some((&self.kinds[i], version))
    }

    pub fn lookup(&self, api_version: &str, kind: &str) -> CrdLookup<'_> {
        let Some((def, version)) = self.kind_def(api_version, kind) else {
            return CrdLookup::Undefined;
        };
        match def.versions.iter().find(|v| v.name == version && v.served) {
            Some(v) => match &v.schema {
                Some(s) => CrdLookup::Schema(s),
                None => CrdLookup::NoSchema,
            },
            None => CrdLookup::VersionNotServed {
                served: def
                    .versions
                    .iter()
                    .filter(|v| v.served)
                    .map(|v| v.name.clone())
                    .collect(),
            },
        }
    }
}

/// Reads one CRD into the index.
fn add_crd(crd: &Node, v1: bool, by_name: &mut HashMap<(String, String), usize>, kinds: &mut Vec<KindDef>) {
    let Some(spec) = crd.get("spec") else { return };
    let (Some(group), Some(kind)) = (
        spec.get("group").and_then(Node::as_str),
        spec.path(&["names", "kind"]).and_then(Node::as_str),
    ) else {
        return;
    };
    let preserve_flag = spec.get("preserveUnknownFields").and_then(Node::as_bool);
    // v1 prunes unless told otherwise; v1beta1 keeps unknown fields unless
    // `preserveUnknownFields: false`.
    let prune = if v1 {
        preserve_flag != Some(true)
    } else {
        preserve_flag == Some(false)
    };

    let mut versions: Vec<(&Node, &str, bool, Option<&Node>)> = Vec::new();
    for v in spec.get("versions").map(Node::items).unwrap_or(&[]) {
        let Some(name) = v.get("name").and_then(Node::as_str) else {
            continue;
        };
        let served = v.get("served").and_then(Node::as_bool).unwrap_or(true);
        let schema = v.path(&["schema", "openAPIV3Schema"]).filter(|n| n.is_map());
        versions.push((v, name, served, schema));
    }
    // v1beta1's single `version` and shared `validation` schema. A v1 CRD
    // cannot use them (the CRD's own validation reports that); reading them
    // anyway spares its resources a second, confusing finding.
    if versions.is_empty() {
        if let Some(name) = spec.get("version").and_then(Node::as_str) {
            versions.push((spec, name, true, None));
        }
    }
    let shared = spec.path(&["validation", "openAPIV3Schema"]).filter(|n| n.is_map());

    let index = *by_name.entry((group.to_string(), kind.to_string())).or_insert_with(|| {
        kinds.push(KindDef {
            group: group.to_string(),
            kind: kind.to_string(),
            versions: Vec::new(),
        });
        kinds.len() - 1
    });
    let def = &mut kinds[index];
    let mut shared_compiled: Option<Arc<CrdSchema>> = None;
    let single = versions.len() == 1;
    for (node, name, served, schema) in versions {
        let existing = def.versions.iter().position(|v| v.name == name);
        if existing.is_some_and(|i| def.versions[i].schema.is_some()) {
            continue;
        }
        let compiled = match (schema, shared) {
            (Some(s), _) => Some(Arc::new(CrdSchema::compile(s, prune))),
            (None, Some(s)) => Some(Arc::clone(
                shared_compiled.get_or_insert_with(|| Arc::new(CrdSchema::compile(s, prune))),
            )),
            (None, None) => None,
        };
        match existing {
            Some(i) => def.versions[i].schema = compiled,
            None => def.versions.push(VersionDef {
                name: name.to_string(),
                served,
                storage: node.get("storage").and_then(Node::as_bool).unwrap_or(single),
                deprecated: (node.get("deprecated").and_then(Node::as_bool) == Some(true)).then(|| {
                    node.get("deprecationWarning")
                        .and_then(Node::as_str)
                        .map(str::to_string)
                }),
                schema: compiled,
            }),
        }
    }
}

impl CrdSchema {
    fn compile(schema: &Node, prune: bool) -> CrdSchema {
        let mut nodes = Vec::new();
        let root = compile_node(schema, &mut nodes, 0);
        CrdSchema { nodes, root, prune }
    }

    /// Whether unknown fields are reported (the CRD prunes them).
    pub fn prunes_unknown_fields(&self) -> bool {
        self.prune
    }

    /// Validates a custom resource; `anchor` is where missing top-level fields are reported.
    pub fn validate(&self, root: &Node, source: &str, anchor: Span) -> Vec<Problem> {
        let mut w = Walker {
            schema: self,
            source,
            path: Vec::new(),
            out: Vec::new(),
            uncertain: false,
        };
        let ctx = Ctx {
            prune: self.prune,
            preserve: false,
            branch: false,
            structural: None,
            resource: true,
        };
        w.walk(root, self.root, anchor, ctx);
        dedup(w.out)
    }

    fn node(&self, id: Id) -> &SchemaNode {
        &self.nodes[id as usize]
    }

    /// `integer`, `integer or string`, `array of string`, `object`.
    fn describe(&self, id: Id, depth: usize) -> String {
        let s = self.node(id);
        let mask = accepted(s);
        if mask == ARRAY {
            if let Some(items) = s.items.filter(|_| depth < 3) {
                let inner = self.describe(items, depth + 1);
                if !inner.is_empty() {
                    return format!("array of {inner}");
                }
            }
        }
        describe_mask(mask)
    }
}

/// The JSON types a node accepts (0: any).
fn accepted(s: &SchemaNode) -> u8 {
    if s.has(INT_OR_STRING) {
        INTEGER | STRING
    } else {
        s.types
    }
}

fn describe_mask(mask: u8) -> String {
    let names = [
        (OBJECT, "object"),
        (ARRAY, "array"),
        (INTEGER, "integer"),
        (NUMBER, "number"),
        (STRING, "string"),
        (BOOLEAN, "boolean"),
        (NULL, "null"),
    ];
    let mut mask = mask;
    if mask & NUMBER != 0 {
        // Every integer is a number.
        mask &= !INTEGER;
    }
    let parts: Vec<&str> = names.iter().filter(|(b, _)| mask & b != 0).map(|(_, n)| *n).collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].to_string(),
        _ => {
            let (last, init) = parts.split_last().unwrap_or((&"", &[]));
            format!("{} or {last}", init.join(", "))
        }
    }
}

fn type_bit(name: &str) -> u8 {
    match name {
        "object" => OBJECT,
        "array" => ARRAY,
        "string" => STRING,
        "integer" => INTEGER,
        "number" => NUMBER,
        "boolean" => BOOLEAN,
        "null" => NULL,
        _ => 0,
    }
}

fn count(n: &Node) -> Option<u64> {
    n.as_i64().and_then(|i| u64::try_from(i).ok())
}

fn compile_list(n: &Node, nodes: &mut Vec<SchemaNode>, depth: usize) -> Box<[Id]> {
    n.items()
        .iter()
        .filter(|b| b.is_map())
        .map(|b| compile_node(b, nodes, depth + 1))
        .collect()
}

/// Compiles one schema node (and its children) into the arena.
fn compile_node(n: &Node, nodes: &mut Vec<SchemaNode>, depth: usize) -> Id {
    let id = nodes.len() as Id;
    nodes.push(SchemaNode::default());
    if depth > MAX_DEPTH || !n.is_map() {
        nodes[id as usize].flags = PRESERVE | OPEN_KEYS | UNMODELED;
        return id;
    }
    if n.get("$ref").is_some() {
        // Not allowed in CRDs; nothing sensible to check.
        nodes[id as usize].flags = PRESERVE | OPEN_KEYS | UNMODELED;
        return id;
    }
    let mut s = SchemaNode::default();
    let mut c = Checks::default();
    let mut has_checks = false;
    let mut type_unknown = false;
    for e in n.entries() {
        let v = &e.value;
        match &*e.key {
            "type" => match &v.value {
                Value::Str(t) => {
                    let b = type_bit(t);
                    type_unknown |= b == 0;
                    s.types |= b;
                }
                Value::Seq(ts) => {
                    for t in ts {
                        let b = t.as_str().map_or(0, type_bit);
                        type_unknown |= b == 0;
                        s.types |= b;
                    }
                }
                _ => type_unknown = true,
            },
            "properties" => {
                let mut props: Vec<(Box<str>, Id)> = v
                    .entries()
                    .iter()
                    .map(|p| (p.key.clone(), compile_node(&p.value, nodes, depth + 1)))
                    .collect();
                // Stable: of duplicate keys the later one wins, as when decoding JSON.
                props.sort_by(|a, b| a.0.cmp(&b.0));
                let mut dedup: Vec<(Box<str>, Id)> = Vec::with_capacity(props.len());
                for p in props {
                    match dedup.last_mut() {
                        Some(last) if last.0 == p.0 => *last = p,
                        _ => dedup.push(p),
                    }
                }
                s.props = dedup.into_boxed_slice();
            }
            "required" => {
                s.required = v.items().iter().filter_map(Node::as_str).map(Box::from).collect();
            }
            "items" => match &v.value {
                Value::Map(_) => s.items = Some(compile_node(v, nodes, depth + 1)),
                _ => s.flags |= UNMODELED,
            },
            "additionalProperties" => {
                s.additional = match &v.value {
                    Value::Bool(true) => Additional::Any,
                    Value::Bool(false) => Additional::Forbid,
                    Value::Map(_) => Additional::Schema(compile_node(v, nodes, depth + 1)),
                    _ => Additional::Any,
                }
            }
            "x-kubernetes-preserve-unknown-fields" if v.as_bool() == Some(true) => s.flags |= PRESERVE,
            "x-kubernetes-int-or-string" if v.as_bool() == Some(true) => s.flags |= INT_OR_STRING,
            "x-kubernetes-embedded-resource" if v.as_bool() == Some(true) => s.flags |= EMBEDDED,
            "nullable" if v.as_bool() == Some(true) => s.flags |= NULLABLE,
            "default" => s.flags |= HAS_DEFAULT,
            "format" => match v.as_str() {
                Some("int-or-string") => s.flags |= INT_OR_STRING,
                // Numeric formats are not checked by the API server either.
                Some("int32" | "int64" | "float" | "double") | None => {}
                // String formats (`date-time`, `byte`, ...) are not checked here.
                Some(_) => s.flags |= UNMODELED,
            },
            "enum" => {
                if let Value::Seq(values) = &v.value {
                    c.enums = Some(values.clone().into_boxed_slice());
                    has_checks = true;
                }
            }
            "pattern" => {
                if let Some(p) = v.as_str() {
                    c.pattern = Some(Pattern {
                        source: p.into(),
                        regex: OnceLock::new(),
                    });
                    has_checks = true;
                }
            }
            "minimum" | "maximum" => {
                if let Some(f) = v.as_f64() {
                    let exclusive_key = if &*e.key == "minimum" {
                        "exclusiveMinimum"
                    } else {
                        "exclusiveMaximum"
                    };
                    let exclusive = n.get(exclusive_key).and_then(Node::as_bool).unwrap_or(false);
                    if &*e.key == "minimum" {
                        c.minimum = Some((f, exclusive));
                    } else {
                        c.maximum = Some((f, exclusive));
                    }
                    has_checks = true;
                }
            }
            // JSON Schema draft 6 form: the bound itself.
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if let Some(f) = v.as_f64() {
                    if &*e.key == "exclusiveMinimum" {
                        c.minimum = Some((f, true));
                    } else {
                        c.maximum = Some((f, true));
                    }
                    has_checks = true;
                }
            }
            "multipleOf" => {
                if let Some(f) = v.as_f64().filter(|f| *f > 0.0) {
                    c.multiple_of = Some(f);
                    has_checks = true;
                }
            }
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                if let Some(k) = count(v) {
                    let slot = match &*e.key {
                        "minLength" => &mut c.min_length,
                        "maxLength" => &mut c.max_length,
                        "minItems" => &mut c.min_items,
                        "maxItems" => &mut c.max_items,
                        "minProperties" => &mut c.min_properties,
                        _ => &mut c.max_properties,
                    };
                    *slot = Some(k);
                    has_checks = true;
                }
            }
            "allOf" => {
                c.all_of = compile_list(v, nodes, depth);
                has_checks |= !c.all_of.is_empty();
            }
            "anyOf" => {
                c.any_of = compile_list(v, nodes, depth);
                has_checks |= !c.any_of.is_empty();
            }
            "oneOf" => {
                c.one_of = compile_list(v, nodes, depth);
                has_checks |= !c.one_of.is_empty();
            }
            "not" if v.is_map() => {
                c.not = Some(compile_node(v, nodes, depth + 1));
                has_checks = true;
            }
            "patternProperties" => s.flags |= OPEN_KEYS | UNMODELED,
            "x-kubernetes-list-type" if matches!(v.as_str(), Some("set" | "map")) => s.flags |= UNMODELED,
            "x-kubernetes-validations" | "uniqueItems" | "dependencies" | "x-kubernetes-map-type" => {
                s.flags |= UNMODELED
            }
            _ => {}
        }
    }
    if type_unknown {
        // A type kvet does not know: do not check types at all.
        s.types = 0;
        s.flags |= UNMODELED;
    }
    if has_checks {
        s.checks = Some(Box::new(c));
    }
    nodes[id as usize] = s;
    id
}

/// Field names handed out in problems (`&'static str`), interned so that
/// repeated runs (the language server) do not leak more than once per name.
fn intern(s: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&k) = set.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.into());
    set.insert(k);
    k
}

fn dedup(problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() < 2 {
        return problems;
    }
    let mut seen = HashSet::new();
    problems
        .into_iter()
        .filter(|p| seen.insert((p.path.clone(), p.span, format!("{:?}", p.kind))))
        .collect()
}

#[derive(Clone, Copy)]
struct Ctx {
    /// Report keys the schema does not list (the CRD prunes them).
    prune: bool,
    /// An enclosing `x-kubernetes-preserve-unknown-fields` reaches this value
    /// through array items.
    preserve: bool,
    /// Checking a junctor branch (`allOf`, `anyOf`, `oneOf`, `not`): no
    /// pruning, and `structural` is the main schema node at this level.
    branch: bool,
    /// In a branch, the main schema node of the value (for defaults and
    /// nullability); `None` outside branches or when it has none.
    structural: Option<Id>,
    /// At the root of a resource: `apiVersion`, `kind` and `metadata` are
    /// always allowed.
    resource: bool,
}

/// What a junctor branch concluded.
struct Outcome {
    problems: Vec<Problem>,
    /// The branch met a constraint kvet does not model: a clean result may
    /// be wrong.
    uncertain: bool,
}

impl Outcome {
    fn matched(&self) -> bool {
        self.problems.is_empty()
    }

    fn surely_matched(&self) -> bool {
        self.problems.is_empty() && !self.uncertain
    }
}

struct Walker<'a, 's> {
    schema: &'s CrdSchema,
    source: &'a str,
    path: Vec<Seg<'a>>,
    out: Vec<Problem>,
    uncertain: bool,
}

fn value_matches(node: &Node, mask: u8) -> bool {
    if mask == 0 {
        return true;
    }
    let bits = match &node.value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Int(_) => INTEGER | NUMBER,
        // YAML→JSON conversion writes a whole float as an integer.
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => INTEGER | NUMBER,
        Value::Float(_) => NUMBER,
        Value::Str(_) => STRING,
        Value::Seq(_) => ARRAY,
        Value::Map(_) => OBJECT,
    };
    bits & mask != 0
}

/// A value as written in messages: strings bare, the rest as JSON.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.to_string(),
        _ => node.to_json().to_string(),
    }
}

fn quoted_list<'n>(names: impl Iterator<Item = &'n str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn format_number(f: f64) -> String {
    crate::yaml::format_float(f)
}

impl<'a> Walker<'a, '_> {
    fn path_string(&self, extra: Option<&str>) -> String {
        path_string(&self.path, extra)
    }

    fn push(&mut self, kind: ProblemKind, span: Span, extra: Option<&str>) {
        let path = self.path_string(extra);
        self.out.push(Problem { kind, span, path });
    }

    fn invalid(&mut self, message: String, span: Span) {
        self.push(
            ProblemKind::InvalidValue {
                message,
                replacement: None,
            },
            span,
            None,
        );
    }

    fn text(&self, node: &Node) -> &'a str {
        self.source
            .get(node.span.start as usize..node.span.end as usize)
            .unwrap_or("")
    }

    /// Why a value has a surprising type, for YAML's usual traps.
    /// What a mask of accepted types expects, for the shared hints.
    fn expect(mask: u8) -> Expect {
        Expect {
            string: mask & STRING != 0,
            integer: mask & INTEGER != 0,
            number: mask & NUMBER != 0,
            boolean: mask & BOOLEAN != 0,
            structure: mask & (OBJECT | ARRAY) != 0,
        }
    }

    fn invalid_type(&self, node: &Node, expected: String, mask: u8) -> ProblemKind {
        let written = self.text(node);
        let e = Self::expect(mask);
        ProblemKind::InvalidType {
            expected,
            found: node.type_name(),
            hint: type_hint(node, written, e),
            replacement: type_fix(node, written, e),
        }
    }

    /// Validates `node` against schema node `id`. `anchor` is the key the
    /// value belongs to (where a missing field is reported).
    fn walk(&mut self, node: &'a Node, id: Id, anchor: Span, ctx: Ctx) {
        if node.is_null() {
            // Dropped by the server unless nullable; nothing to check either way.
            return;
        }
        let schema = self.schema;
        let s = schema.node(id);
        if s.has(UNMODELED) {
            self.uncertain = true;
        }
        let mask = accepted(s);
        if !value_matches(node, mask) {
            let expected = schema.describe(id, 0);
            let kind = self.invalid_type(node, expected, mask);
            self.push(kind, node.span, None);
            return;
        }
        // The main schema node at this level (defaults, nullability).
        let structural = if ctx.branch { ctx.structural } else { Some(id) };
        if let Some(c) = &s.checks {
            self.check_value(node, c);
        }
        match &node.value {
            Value::Map(entries) => self.walk_map(node, entries, id, anchor, ctx, structural),
            Value::Seq(items) => {
                if let Some(item_id) = s.items {
                    let item_ctx = Ctx {
                        prune: ctx.prune,
                        preserve: ctx.preserve || s.has(PRESERVE),
                        branch: ctx.branch,
                        structural: structural.and_then(|st| schema.node(st).items),
                        resource: false,
                    };
                    for (i, it) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.walk(it, item_id, it.span, item_ctx);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
        if let Some(c) = &s.checks {
            self.junctors(node, c, anchor, ctx, structural);
        }
    }

    fn walk_map(
        &mut self,
        node: &'a Node,
        entries: &'a [crate::yaml::Entry],
        id: Id,
        anchor: Span,
        ctx: Ctx,
        structural: Option<Id>,
    ) {
        let schema = self.schema;
        let s = schema.node(id);
        let resource = ctx.resource || s.has(EMBEDDED);
        let keeps_unknown = ctx.preserve || s.has(PRESERVE) || s.has(OPEN_KEYS);
        let child_ctx = |key: &str, additional: bool| Ctx {
            prune: ctx.prune,
            preserve: false,
            branch: ctx.branch,
            structural: structural.and_then(|st| {
                let st = schema.node(st);
                match (additional, st.prop(key), st.additional) {
                    (false, Some(p), _) => Some(p),
                    (_, None, Additional::Schema(a)) => Some(a),
                    _ => None,
                }
            }),
            resource: false,
        };
        for e in entries {
            if resource && META_FIELDS.contains(&&*e.key) {
                if &*e.key == "metadata" {
                    if !e.value.is_null() && !e.value.is_map() {
                        self.path.push(Seg::Key(&e.key));
                        self.push(
                            ProblemKind::InvalidType {
                                expected: "object".into(),
                                found: e.value.type_name(),
                                hint: None,
                                replacement: None,
                            },
                            e.value.span,
                            None,
                        );
                        self.path.pop();
                    }
                } else if let Some(p) = s.prop(&e.key) {
                    self.path.push(Seg::Key(&e.key));
                    self.walk(&e.value, p, e.key_span, child_ctx(&e.key, false));
                    self.path.pop();
                }
                continue;
            }
            if let Some(p) = s.prop(&e.key) {
                self.path.push(Seg::Key(&e.key));
                self.walk(&e.value, p, e.key_span, child_ctx(&e.key, false));
                self.path.pop();
                continue;
            }
            let report = match s.additional {
                Additional::Schema(a) => {
                    self.path.push(Seg::Key(&e.key));
                    self.walk(&e.value, a, e.key_span, child_ctx(&e.key, true));
                    self.path.pop();
                    false
                }
                Additional::Any => false,
                Additional::Forbid => true,
                Additional::None => ctx.prune && !ctx.branch && !keeps_unknown && s.is_object_schema(),
            };
            if report {
                let meta = META_FIELDS.iter().copied().filter(|_| resource);
                let suggestion = suggest(&e.key, s.props.iter().map(|(n, _)| &**n).chain(meta)).map(intern);
                self.push(
                    ProblemKind::UnknownField {
                        name: e.key.to_string(),
                        suggestion,
                    },
                    e.key_span,
                    Some(&e.key),
                );
            }
        }
        for r in s.required.iter() {
            if !self.present(entries, r, structural) {
                self.push(ProblemKind::MissingRequired { field: intern(r) }, anchor, Some(r));
            }
        }
        if let Some(c) = &s.checks {
            let n = entries.len() as u64;
            if let Some(min) = c.min_properties.filter(|m| n < *m) {
                self.invalid(
                    format!("needs at least {}, has {n}", plural(min, "field", "fields")),
                    anchor_or(anchor, node),
                );
            }
            if let Some(max) = c.max_properties.filter(|m| n > *m) {
                self.invalid(
                    format!("allows at most {}, has {n}", plural(max, "field", "fields")),
                    anchor_or(anchor, node),
                );
            }
        }
    }

    /// Whether a required key counts as set once the server has dropped
    /// non-nullable nulls and applied defaults.
    fn present(&self, entries: &[crate::yaml::Entry], name: &str, structural: Option<Id>) -> bool {
        let prop = structural
            .and_then(|st| self.schema.node(st).prop(name))
            .map(|p| self.schema.node(p));
        if prop.is_some_and(|p| p.has(HAS_DEFAULT)) {
            return true;
        }
        entries
            .iter()
            .any(|e| &*e.key == name && (!e.value.is_null() || prop.is_some_and(|p| p.has(NULLABLE))))
    }

    /// `enum`, `pattern`, bounds and lengths.
    fn check_value(&mut self, node: &Node, c: &Checks) {
        if let Some(allowed) = &c.enums {
            if !allowed.iter().any(|a| a.same_value(node)) {
                self.enum_problem(node, allowed);
            }
        }
        match &node.value {
            Value::Str(s) => {
                if let Some(p) = &c.pattern {
                    match p.regex() {
                        Some(re) => {
                            if !re.is_match(s) {
                                self.invalid(format!("`{s}` does not match the pattern `{}`", p.source), node.span);
                            }
                        }
                        None => self.uncertain = true,
                    }
                }
                let len = s.chars().count() as u64;
                if let Some(min) = c.min_length.filter(|m| len < *m) {
                    let what = if min == 1 {
                        "must not be empty".to_string()
                    } else {
                        format!(
                            "must be at least {} long, is {len}",
                            plural(min, "character", "characters")
                        )
                    };
                    self.invalid(what, node.span);
                }
                if let Some(max) = c.max_length.filter(|m| len > *m) {
                    self.invalid(
                        format!(
                            "must be at most {} long, is {len}",
                            plural(max, "character", "characters")
                        ),
                        node.span,
                    );
                }
            }
            Value::Int(_) | Value::Float(_) => {
                let v = node.as_f64().unwrap_or(0.0);
                if let Some((min, exclusive)) = c.minimum {
                    if v < min || (exclusive && v == min) {
                        let rel = if exclusive { "greater than" } else { "at least" };
                        self.invalid(
                            format!("must be {rel} {}, is {}", format_number(min), format_number(v)),
                            node.span,
                        );
                    }
                }
                if let Some((max, exclusive)) = c.maximum {
                    if v > max || (exclusive && v == max) {
                        let rel = if exclusive { "less than" } else { "at most" };
                        self.invalid(
                            format!("must be {rel} {}, is {}", format_number(max), format_number(v)),
                            node.span,
                        );
                    }
                }
                if let Some(m) = c.multiple_of {
                    let q = v / m;
                    if (q - q.round()).abs() > 1e-9 {
                        self.invalid(format!("must be a multiple of {}", format_number(m)), node.span);
                    }
                }
            }
            Value::Seq(items) => {
                let n = items.len() as u64;
                if let Some(min) = c.min_items.filter(|m| n < *m) {
                    let what = if min == 1 {
                        "must not be empty".to_string()
                    } else {
                        format!("needs at least {}, has {n}", plural(min, "item", "items"))
                    };
                    self.invalid(what, node.span);
                }
                if let Some(max) = c.max_items.filter(|m| n > *m) {
                    self.invalid(
                        format!("allows at most {}, has {n}", plural(max, "item", "items")),
                        node.span,
                    );
                }
            }
            _ => {}
        }
    }

    fn enum_problem(&mut self, node: &Node, allowed: &[Node]) {
        let shown: Vec<String> = allowed.iter().map(show).collect();
        let mut list = quoted_list(shown.iter().take(MAX_LISTED).map(String::as_str));
        if shown.len() > MAX_LISTED {
            list.push_str(&format!(" and {} more", shown.len() - MAX_LISTED));
        }
        if let Value::Str(s) = &node.value {
            let strings = allowed.iter().filter_map(Node::as_str);
            let kind = enum_mismatch(node, s, &list, strings, self.source);
            let path = self.path_string(None);
            self.out.push(Problem {
                kind,
                span: node.span,
                path,
            });
            return;
        }
        self.invalid(format!("`{}` is not one of {list}", show(node)), node.span);
    }

    /// Checks `node` against a junctor branch on the side.
    fn branch(&mut self, node: &'a Node, id: Id, anchor: Span, ctx: Ctx, structural: Option<Id>) -> Outcome {
        let saved_out = std::mem::take(&mut self.out);
        let saved_uncertain = std::mem::replace(&mut self.uncertain, false);
        let bctx = Ctx {
            prune: false,
            preserve: ctx.preserve,
            branch: true,
            structural,
            resource: ctx.resource,
        };
        self.walk(node, id, anchor, bctx);
        let problems = std::mem::replace(&mut self.out, saved_out);
        let uncertain = std::mem::replace(&mut self.uncertain, saved_uncertain);
        Outcome { problems, uncertain }
    }

    fn junctors(&mut self, node: &'a Node, c: &Checks, anchor: Span, ctx: Ctx, structural: Option<Id>) {
        let bctx = Ctx {
            prune: false,
            preserve: ctx.preserve,
            branch: true,
            structural,
            resource: ctx.resource,
        };
        for &b in c.all_of.iter() {
            self.walk(node, b, anchor, bctx);
        }
        let span = anchor_or(anchor, node);
        if !c.any_of.is_empty() {
            let outcomes: Vec<Outcome> = c
                .any_of
                .iter()
                .map(|&b| self.branch(node, b, anchor, ctx, structural))
                .collect();
            if !outcomes.iter().any(Outcome::surely_matched) {
                if outcomes.iter().any(Outcome::matched) {
                    self.uncertain = true;
                } else {
                    self.none_matched(node, "anyOf", &c.any_of, &outcomes, span);
                }
            }
        }
        if !c.one_of.is_empty() {
            let outcomes: Vec<Outcome> = c
                .one_of
                .iter()
                .map(|&b| self.branch(node, b, anchor, ctx, structural))
                .collect();
            let sure: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].surely_matched()).collect();
            let any = outcomes.iter().filter(|o| o.matched()).count();
            if any == 0 {
                self.none_matched(node, "oneOf", &c.one_of, &outcomes, span);
            } else if sure.len() >= 2 {
                self.more_than_one(node, c, &sure, span);
            } else if any > sure.len() {
                self.uncertain = true;
            }
        }
        if let Some(not) = c.not {
            let o = self.branch(node, not, anchor, ctx, structural);
            if o.surely_matched() {
                self.not_problem(node, not, span);
            } else if o.matched() {
                self.uncertain = true;
            }
        }
    }

    /// Reports an `anyOf`/`oneOf` none of whose branches matches.
    fn none_matched(&mut self, node: &Node, junctor: &str, branches: &[Id], outcomes: &[Outcome], span: Span) {
        let schema = self.schema;
        // Alternatives that are only types: a type error.
        if let Some(masks) = branches
            .iter()
            .map(|&b| schema.node(b).type_only())
            .collect::<Option<Vec<u8>>>()
        {
            let mask = masks.iter().fold(0, |a, m| a | m);
            let kind = self.invalid_type(node, describe_mask(mask), mask);
            self.push(kind, node.span, None);
            return;
        }
        let message = self.none_matched_message(junctor, branches, outcomes);
        self.invalid(message, span);
    }

    /// Message for `anyOf`/`oneOf` when no branch matches.
    fn none_matched_message(&self, junctor: &str, branches: &[Id], outcomes: &[Outcome]) -> String {
        let schema = self.schema;
        let required: Option<Vec<&str>> = branches
            .iter()
            .map(|&b| {
                schema
                    .node(b)
                    .required_only()
                    .map(|r| r.iter().map(|n| &**n).collect::<Vec<_>>())
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flat_map(|r| r.into_iter()).collect());
        if let Some(names) = required {
            return format!("one of {} must be set", quoted_list(names.into_iter()));
        }
        let reasons: Vec<String> = outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.problems.first().map(|p| format!("{}: {}", i + 1, short(p))))
            .collect();
        format!(
            "the value matches none of the `{junctor}` alternatives ({})",
            reasons.join("; ")
        )
    }

    /// `oneOf` with more than one branch surely matching.
    fn more_than_one(&mut self, node: &Node, c: &Checks, sure: &[usize], span: Span) {
        let schema = self.schema;
        let names: Option<Vec<&str>> = sure
            .iter()
            .map(|&i| {
                schema
                    .node(c.one_of[i])
                    .required_only()
                    .map(|r| r.iter().map(|n| &**n).collect::<Vec<_>>())
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect());
        match names {
            Some(names) => {
                // Point at the second of the conflicting keys.
                let second = node.entries().iter().filter(|e| names.contains(&&*e.key)).nth(1);
                let message = format!("only one of {} may be set", quoted_list(names.iter().copied()));
                match second {
                    Some(e) => self.push(
                        ProblemKind::InvalidValue {
                            message,
                            replacement: None,
                        },
                        e.key_span,
                        Some(&e.key),
                    ),
                    None => self.invalid(message, span),
                }
            }
            None => self.invalid(
                "the value matches more than one `oneOf` alternative; it must match exactly one".into(),
                span,
            ),
        }
    }

    /// The value surely matches a `not` schema.
    fn not_problem(&mut self, node: &Node, not: Id, span: Span) {
        let schema = self.schema;
        let s = schema.node(not);
        let mut names: Vec<&str> = match s.required_only() {
            Some(r) => r.iter().map(|n| &**n).collect(),
            None => Vec::new(),
        };
        let mut any = false;
        // `not: {anyOf: [{required: [a]}, {required: [b]}]}`: none of them.
        if names.is_empty() {
            if let Some(c) = s.checks.as_ref().filter(|_| s.types == 0 && s.props.is_empty()) {
                let only_any_of = c.all_of.is_empty() && c.one_of.is_empty() && c.not.is_none() && c.enums.is_none();
                if only_any_of {
                    if let Some(all) = c
                        .any_of
                        .iter()
                        .map(|&b| schema.node(b).required_only())
                        .collect::<Option<Vec<_>>>()
                    {
                        names = all.into_iter().flatten().map(|n| &**n).collect();
                        any = true;
                    }
                }
            }
        }
        let message = match (names.len(), any) {
            (0, _) => "the value matches a schema it must not match (`not`)".to_string(),
            (1, _) => format!("`{}` must not be set here", names[0]),
            (_, false) => format!("{} must not all be set together", quoted_list(names.iter().copied())),
            (_, true) => format!("none of {} may be set here", quoted_list(names.iter().copied())),
        };
        let first = node.entries().iter().find(|e| names.contains(&&*e.key));
        match first {
            Some(e) if names.len() == 1 || any => self.push(
                ProblemKind::InvalidValue {
                    message,
                    replacement: None,
                },
                e.key_span,
                Some(&e.key),
            ),
            _ => self.invalid(message, span),
        }
    }
}

/// Where to point for a whole value: the key for structures (a block can be
/// long), the value itself for scalars.
fn anchor_or(anchor: Span, node: &Node) -> Span {
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) && !anchor.is_empty() {
        anchor
    } else {
        node.span
    }
}

/// One problem in a few words, for a summary of failed alternatives.
fn short(p: &Problem) -> String {
    let at = if p.path.is_empty() {
        String::new()
    } else {
        format!("`{}` ", p.path)
    };
    match &p.kind {
        ProblemKind::UnknownField { name, .. } => format!("unknown field `{name}`"),
        ProblemKind::InvalidType { expected, found, .. } => format!("{at}is {found}, expected {expected}"),
        ProblemKind::MissingRequired { field } => format!("`{field}` is required"),
        ProblemKind::InvalidValue { message, .. } => format!("{at}{message}"),
        ProblemKind::Deprecated { note } => format!("{at}deprecated: {note}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocObjects, doc_objects};
    use crate::yaml::{Limits, parse_yaml};

    /// Objects of a multi-document text.
    fn objects(st: &crate::yaml::Stream) -> Vec<Object<'_>> {
        let mut out = Vec::new();
        for doc in &st.documents {
            if let DocObjects::Objects(items) = doc_objects(doc) {
                for (item, node) in items {
                    out.push(Object::new(out.len(), 0, doc.index, item, node));
                }
            }
        }
        out
    }

    const V1_CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, green, blue]}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 8}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              enabled: {type: boolean}
              mode: {type: string, default: fast}
              tags: {type: array, items: {type: string}, minItems: 1}
              labels: {type: object, additionalProperties: {type: string}}
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  known: {type: integer}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
              endpoints:
                type: array
                items:
                  type: object
                  required: [port]
                  properties:
                    port: {type: string}
                    path: {type: string}
              backend:
                type: object
                oneOf:
                - not:
                    anyOf:
                    - required: [service]
                    - required: [resource]
                - required: [service]
                - required: [resource]
                properties:
                  service: {type: string}
                  resource: {type: string}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

    fn check(crds: &str, cr: &str) -> Vec<Problem> {
        let st = parse_yaml(crds, Limits::default());
        let objs = objects(&st);
        let index = CrdIndex::build(objs.iter());
        let crst = parse_yaml(cr, Limits::default());
        let root = crst.documents[0].root.as_ref().expect("a document");
        let av = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        match index.lookup(av, kind) {
            CrdLookup::Schema(s) => s.validate(root, cr, root.get("kind").map_or(root.span, |k| k.span)),
            other => panic!("{av} {kind}: {other:?}"),
        }
    }

    fn show_all(p: &[Problem]) -> Vec<String> {
        p.iter().map(|p| format!("{} {:?}", p.path, p.kind)).collect()
    }

    fn text_at(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn a_valid_resource_has_no_problems() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}, annotations: {x: y}}\nspec:\n  size: 3\n  color: red\n  name: abc\n  port: http\n  enabled: true\n  tags: [a]\n  labels: {team: core}\n  extra: {known: 1, anything: {goes: [1, 2]}}\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}\n  endpoints: [{port: web, path: /metrics}]\n  backend: {service: s}\nstatus: {phase: Ready}\n";
        let p = check(V1_CRD, cr);
        assert!(p.is_empty(), "{:#?}", show_all(&p));
        // A whole float is an integer once the YAML is read as JSON.
        let p = check(
            V1_CRD,
            "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 2.0, port: 8080}\n",
        );
        assert!(p.is_empty(), "{:#?}", show_all(&p));
    }

    #[test]
    fn unknown_fields_are_reported_with_a_suggestion() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 3\n  colour: red\n  endpoints:\n  - port: web\n    pth: /x\nspek: {}\n";
        let p = check(V1_CRD, cr);
        let show = show_all(&p);
        assert_eq!(p.len(), 3, "{show:#?}");
        let colour = p.iter().find(|p| p.path == "spec.colour").expect("spec.colour");
        assert_eq!(
            colour.kind,
            ProblemKind::UnknownField {
                name: "colour".into(),
                suggestion: Some("color")
            }
        );
        assert_eq!(text_at(cr, colour.span), "colour");
        let pth = p.iter().find(|p| p.path == "spec.endpoints[0].pth").expect("pth");
        assert!(matches!(
            &pth.kind,
            ProblemKind::UnknownField {
                suggestion: Some("path"),
                ..
            }
        ));
        let spek = p.iter().find(|p| p.path == "spek").expect("spek");
        assert!(matches!(
            &spek.kind,
            ProblemKind::UnknownField {
                suggestion: Some("spec"),
                ..
            }
        ));
    }

    #[test]
    fn wrong_types_with_hints() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: \"3\"\n  name: yes\n  enabled: \"true\"\n  tags: a\n  labels: {a: 1}\n  port: true\n";
        let p = check(V1_CRD, cr);
        let show = show_all(&p);
        assert_eq!(p.len(), 6, "{show:#?}");
        let find = |path: &str| {
            p.iter()
                .find(|p| p.path == path)
                .unwrap_or_else(|| panic!("{path}: {show:#?}"))
        };
        let size = find("spec.size");
        assert!(
            matches!(&size.kind, ProblemKind::InvalidType { expected, found: "string", hint: Some(h), .. } if expected == "integer" && h.contains("remove the quotes")),
            "{show:#?}"
        );
        assert_eq!(text_at(cr, size.span), "\"3\"");
        assert!(
            matches!(&find("spec.name").kind, ProblemKind::InvalidType { found: "boolean", hint: Some(h), .. } if h.contains("quote it"))
        );
        assert!(
            matches!(&find("spec.enabled").kind, ProblemKind::InvalidType { expected, .. } if expected == "boolean")
        );
        assert!(
            matches!(&find("spec.tags").kind, ProblemKind::InvalidType { expected, found: "string", .. } if expected == "array of string")
        );
        assert!(
            matches!(&find("spec.labels.a").kind, ProblemKind::InvalidType { expected, hint: Some(_), .. } if expected == "string")
        );
        assert!(
            matches!(&find("spec.port").kind, ProblemKind::InvalidType { expected, .. } if expected == "integer or string")
        );
    }

    #[test]
    fn missing_required_fields() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: red\n  endpoints:\n  - path: /x\n";
        let p = check(V1_CRD, cr);
        let show = show_all(&p);
        assert_eq!(p.len(), 2, "{show:#?}");
        assert_eq!(p[0].path, "spec.endpoints[0].port");
        assert_eq!(p[0].kind, ProblemKind::MissingRequired { field: "port" });
        assert_eq!(p[1].path, "spec.size");
        assert_eq!(text_at(cr, p[1].span), "spec");
        // Null is absent.
        let p = check(V1_CRD, "apiVersion: example.com/v1\nkind: Widget\nspec: {size: null}\n");
        assert_eq!(show_all(&p), ["spec.size MissingRequired { field: \"size\" }"]);
    }

    #[test]
    fn values_enum_pattern_bounds() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 11\n  color: gren\n  name: Abc123456\n  tags: []\n";
        let p = check(V1_CRD, cr);
        let show = show_all(&p);
        let find = |path: &str| p.iter().filter(|p| p.path == path).collect::<Vec<_>>();
        let color = find("spec.color");
        assert!(
            matches!(&color[0].kind, ProblemKind::InvalidValue { message, .. } if message.contains("`gren` is not one of `red`, `green`, `blue`") && message.contains("did you mean `green`")),
            "{show:#?}"
        );
        assert_eq!(text_at(cr, color[0].span), "gren");
        assert!(
            matches!(&find("spec.size")[0].kind, ProblemKind::InvalidValue { message, .. } if message == "must be at most 10, is 11")
        );
        let name = find("spec.name");
        assert_eq!(name.len(), 2, "{show:#?}");
        assert!(
            matches!(&find("spec.tags")[0].kind, ProblemKind::InvalidValue { message, .. } if message == "must not be empty")
        );
        assert_eq!(p.len(), 5, "{show:#?}");
    }

    #[test]
    fn one_of_and_not() {
        let both =
            "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 1\n  backend:\n    service: s\n    resource: r\n";
        let p = check(V1_CRD, both);
        assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
        assert_eq!(p[0].path, "spec.backend.resource");
        assert_eq!(text_at(both, p[0].span), "resource");
        assert!(
            matches!(&p[0].kind, ProblemKind::InvalidValue { message, .. } if message == "only one of `service`, `resource` may be set")
        );
        let none = check(
            V1_CRD,
            "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 1, backend: {}}\n",
        );
        assert!(none.is_empty(), "{:#?}", show_all(&none));
    }

    #[test]
    fn preserve_unknown_fields_is_respected() {
        let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 1\n  extra: {known: x, unknown: {deep: 1}}\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, whatever: 1}\nstatus: {anything: [1]}\n";
        let p = check(V1_CRD, cr);
        // Only the known field under the preserving object is checked.
        assert_eq!(show_all(&p).len(), 1, "{:#?}", show_all(&p));
        assert_eq!(p[0].path, "spec.extra.known");
        // A version whose whole schema preserves unknown fields.
        let p = check(
            V1_CRD,
            "apiVersion: example.com/v1beta1\nkind: Widget\nspec: {anything: 1}\n",
        );
        assert!(p.is_empty(), "{:#?}", show_all(&p));
        // Preservation reaches through array items, as in the server's pruning.
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: g.io\n  names: {kind: K}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          list:\n            type: array\n            x-kubernetes-preserve-unknown-fields: true\n            items: {type: object, properties: {a: {type: string}}}\n";
        let p = check(crd, "apiVersion: g.io/v1\nkind: K\nlist: [{a: x, b: y}]\nother: 1\n");
        assert_eq!(
            show_all(&p),
            ["other UnknownField { name: \"other\", suggestion: None }"]
        );
    }

    #[test]
    fn int_or_string() {
        for v in ["8080", "http", "\"8080\""] {
            let p = check(
                V1_CRD,
                &format!("apiVersion: example.com/v1\nkind: Widget\nspec: {{size: 1, port: {v}}}\n"),
            );
            assert!(p.is_empty(), "{v}: {:#?}", show_all(&p));
        }
        let p = check(
            V1_CRD,
            "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 1, port: [1]}\n",
        );
        assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
    }

    #[test]
    fn uncertain_alternatives_never_report() {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: u.io\n  names: {kind: U}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          a:\n            type: object\n            properties: {x: {type: string}, y: {type: string}}\n            oneOf:\n            - {required: [x], x-kubernetes-validations: [{rule: 'self.x != \"\"'}]}\n            - {required: [y]}\n          b:\n            type: object\n            properties: {v: {type: string}}\n            not: {properties: {v: {pattern: '^(?!keep)'}}}\n          c:\n            type: object\n            properties: {v: {type: string}}\n            not: {properties: {v: {enum: [bad]}}}\n";
        let p = check(
            crd,
            "apiVersion: u.io/v1\nkind: U\na: {x: '1', y: '2'}\nb: {v: drop}\nc: {v: fine}\nmetadata: {name: u}\n",
        );
        assert!(p.is_empty(), "{:#?}", show_all(&p));
        // The same shapes, surely matched, are reported.
        let cr = "apiVersion: u.io/v1\nkind: U\nc: {v: bad}\nmetadata: [u]\n";
        let p = check(crd, cr);
        let show = show_all(&p);
        assert_eq!(p.len(), 2, "{show:#?}");
        assert!(
            matches!(&p[0].kind, ProblemKind::InvalidValue { message, .. } if message.contains("`not`")),
            "{show:#?}"
        );
        assert_eq!(text_at(cr, p[0].span), "c");
        assert_eq!(p[1].path, "metadata");
        assert!(
            matches!(&p[1].kind, ProblemKind::InvalidType { found: "array", .. }),
            "{show:#?}"
        );
    }

    const V1BETA1_CRD: &str = "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nspec:\n  group: old.io\n  version: v1alpha1\n  names: {kind: Thing}\n  validation:\n    openAPIV3Schema:\n      properties:\n        spec:\n          properties:\n            replicas: {type: integer}\n            port: {anyOf: [{type: integer}, {type: string}]}\n            target: {properties: {a: {}, b: {}}, anyOf: [{required: [a]}, {required: [b]}]}\n          required: [replicas]\n";

    #[test]
    fn v1beta1_keeps_unknown_fields_by_default() {
        let p = check(
            V1BETA1_CRD,
            "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: 1, unknown: 2}\nextra: 1\n",
        );
        assert!(p.is_empty(), "{:#?}", show_all(&p));
        let p = check(
            V1BETA1_CRD,
            "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: x}\n",
        );
        assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
        // Alternatives of types make a type error; of required fields, a value error at the key.
        let cr = "apiVersion: old.io/v1alpha1\nkind: Thing\nspec:\n  replicas: 1\n  port: on\n  target: {c: 1}\n";
        let p = check(V1BETA1_CRD, cr);
        let show = show_all(&p);
        assert_eq!(p.len(), 2, "{show:#?}");
        assert!(
            matches!(&p[0].kind, ProblemKind::InvalidType { expected, found: "boolean", hint: Some(h), .. } if expected == "integer or string" && h.contains("\"on\"")),
            "{show:#?}"
        );
        assert_eq!(text_at(cr, p[0].span), "on");
        assert_eq!(p[1].path, "spec.target");
        assert_eq!(text_at(cr, p[1].span), "target");
        assert!(
            matches!(&p[1].kind, ProblemKind::InvalidValue { message, .. } if message == "one of `a`, `b` must be set"),
            "{show:#?}"
        );
        // With pruning asked for, unknown fields are reported.
        let pruning = V1BETA1_CRD.replace(
            "  version: v1alpha1\n",
            "  version: v1alpha1\n  preserveUnknownFields: false\n",
        );
        let p = check(
            &pruning,
            "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: 1, unknown: 2}\n",
        );
        assert_eq!(
            show_all(&p),
            ["spec.unknown UnknownField { name: \"unknown\", suggestion: None }"]
        );
    }

    #[test]
    fn deprecated_versions_name_a_served_alternative() {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: d.io\n  \
                   names: {kind: D}\n  versions:\n  - {name: v1alpha1, served: true, deprecated: true}\n  \
                   - {name: v1beta1, served: true, deprecated: true, deprecationWarning: gone soon}\n  \
                   - {name: v2, served: false}\n  - {name: v1beta2, served: true}\n  - {name: v1, served: true, storage: true}\n";
        let st = parse_yaml(crd, Limits::default());
        let objs = objects(&st);
        let index = CrdIndex::build(objs.iter());
        let dep = index.deprecation("d.io/v1alpha1", "D").expect("deprecated");
        assert_eq!(dep.warning, None);
        // The storage version is preferred over an earlier served one.
        assert_eq!(dep.alternative.map(|(v, _)| v), Some("v1"));
        let dep = index.deprecation("d.io/v1beta1", "D").expect("deprecated");
        assert_eq!(dep.warning, Some("gone soon"));
        assert!(index.deprecation("d.io/v1", "D").is_none());
        assert!(index.deprecation("d.io/v1beta2", "D").is_none());
        // Not served: reported as such elsewhere, not as deprecated.
        assert!(index.deprecation("d.io/v2", "D").is_none());
        assert!(index.deprecation("d.io/v1", "E").is_none());
    }

    #[test]
    fn lookups() {
        let text = format!(
            "{V1_CRD}---\napiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nspec:\n  group: bare.io\n  version: v1\n  names: {{kind: Bare}}\n"
        );
        let st = parse_yaml(&text, Limits::default());
        let objs = objects(&st);
        let index = CrdIndex::build(objs.iter());
        assert!(!index.is_empty());
        assert!(matches!(index.lookup("example.com/v1", "Widget"), CrdLookup::Schema(_)));
        match index.lookup("example.com/v1alpha1", "Widget") {
            CrdLookup::VersionNotServed { served } => assert_eq!(served, ["v1", "v1beta1"]),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            index.lookup("example.com/v2", "Widget"),
            CrdLookup::VersionNotServed { .. }
        ));
        assert!(matches!(index.lookup("example.com/v1", "Gadget"), CrdLookup::Undefined));
        assert!(matches!(index.lookup("other.com/v1", "Widget"), CrdLookup::Undefined));
        assert!(matches!(index.lookup("v1", "Widget"), CrdLookup::Undefined));
        assert!(matches!(index.lookup("bare.io/v1", "Bare"), CrdLookup::NoSchema));
        assert!(CrdIndex::build(std::iter::empty()).is_empty());
        fn shared<T: Send + Sync>(_: &T) {}
        shared(&index);
    }

    #[test]
    fn deep_schemas_are_bounded() {
        let mut schema = String::from("{type: string}");
        for _ in 0..100 {
            schema = format!("{{type: object, properties: {{a: {schema}}}}}");
        }
        let crd = format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: d.io\n  names: {{kind: D}}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema: {schema}\n"
        );
        let mut value = String::from("1");
        for _ in 0..90 {
            value = format!("{{a: {value}}}");
        }
        let p = check(&crd, &format!("apiVersion: d.io/v1\nkind: D\na: {value}\n"));
        assert!(p.is_empty(), "{:#?}", show_all(&p));
    }

    /// Every custom resource of the corpus whose CRD is in the same project
    /// folder, validated against it.
    #[test]
    fn corpus_custom_resources() {
        use crate::source::SourceFile;
        let root = std::path::Path::new("/work/shared/corpus");
        if !root.is_dir() {
            return;
        }
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(rd) = std::fs::read_dir(dir) else { return };
            let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
            entries.sort();
            for p in entries {
                if p.is_dir() {
                    files(&p, out);
                } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
                    out.push(p);
                }
            }
        }
        let mut folders: Vec<_> = std::fs::read_dir(root)
            .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
            .unwrap_or_default();
        folders.sort();
        let (mut build_time, mut validate_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        let (mut crds, mut crs, mut no_schema, mut not_served) = (0, 0, 0, 0);
        let mut all: Vec<String> = Vec::new();
        let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
        let (mut mutations, mut detected) = (0, 0);
        for folder in folders {
            let mut paths = Vec::new();
            files(&folder, &mut paths);
            let sources: Vec<SourceFile> = paths
                .iter()
                .map(|p| SourceFile::read(p, p.display().to_string()))
                .collect();
            let loaded = crate::lint::load(&sources, &|| {});
            let mut objs = Vec::new();
            for (fid, stream) in loaded.streams.iter().enumerate() {
                for doc in &stream.documents {
                    if let DocObjects::Objects(items) = doc_objects(doc) {
                        for (item, node) in items {
                            objs.push(Object::new(objs.len(), fid as u32, doc.index, item, node));
                        }
                    }
                }
            }
            crds += objs.iter().filter(|o| o.kind == "CustomResourceDefinition").count();
            // Best of a few runs: the machine is shared.
            let mut built = std::time::Duration::MAX;
            let mut index = CrdIndex::default();
            for _ in 0..5 {
                let t = std::time::Instant::now();
                index = CrdIndex::build(objs.iter());
                built = built.min(t.elapsed());
            }
            build_time += built;
            if !index.is_empty() {
                eprintln!("{}: {} kinds, index built in {built:?}", folder.display(), index.len());
            }
            // Timed: lookups and validation only, best of a few runs.
            let run = || -> Vec<(&Object, CrdLookup, Vec<Problem>)> {
                objs.iter()
                    .map(|o| {
                        let found = index.lookup(o.api_version, o.kind);
                        let problems = match &found {
                            CrdLookup::Schema(s) => s.validate(o.root, &sources[o.file as usize].text, o.kind_span()),
                            _ => Vec::new(),
                        };
                        (o, found, problems)
                    })
                    .collect()
            };
            let mut best = std::time::Duration::MAX;
            for _ in 0..4 {
                let t = std::time::Instant::now();
                drop(run());
                best = best.min(t.elapsed());
            }
            validate_time += best;
            let results = run();
            let folder = folder
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_default();
            for (o, found, problems) in results {
                let src = &sources[o.file as usize];
                let s = match found {
                    CrdLookup::Schema(s) => s,
                    CrdLookup::NoSchema => {
                        no_schema += 1;
                        continue;
                    }
                    CrdLookup::VersionNotServed { served } => {
                        not_served += 1;
                        all.push(format!("{} {}: version not served ({served:?})", o.api_version, o.kind));
                        continue;
                    }
                    CrdLookup::Undefined => continue,
                };
                crs += 1;
                let pruning = if s.prunes_unknown_fields() {
                    "pruning"
                } else {
                    "keeps unknown fields"
                };
                *tally
                    .entry(format!("{folder}: {} {} ({pruning})", o.api_version, o.kind))
                    .or_default() += 1;
                for p in &problems {
                    let lc = src.line_col(p.span.start);
                    all.push(format!(
                        "{}:{}:{} {} {}: {} {:?}",
                        src.name,
                        lc.line + 1,
                        lc.column + 1,
                        o.kind,
                        o.name.unwrap_or("-"),
                        p.path,
                        p.kind
                    ));
                }
                // A misspelt first key of `spec` (a known one) must be caught, with the right suggestion.
                if !s.prunes_unknown_fields() {
                    continue;
                }
                let mut mutated = o.root.clone();
                let spec = match &mut mutated.value {
                    Value::Map(es) => es.iter_mut().find(|e| &*e.key == "spec").map(|e| &mut e.value.value),
                    _ => None,
                };
                let Some(Value::Map(entries)) = spec else { continue };
                let Some(first) = entries.first_mut() else { continue };
                let original = first.key.to_string();
                if problems.iter().any(|p| p.path == format!("spec.{original}")) {
                    continue;
                }
                first.key = format!("{original}x").into();
                mutations += 1;
                let found = s.validate(&mutated, &src.text, o.kind_span()).iter().any(|p| {
                    p.path == format!("spec.{original}x")
                        && matches!(&p.kind, ProblemKind::UnknownField { suggestion: Some(s), .. } if *s == original)
                });
                if found {
                    detected += 1;
                } else {
                    eprintln!("  not detected: {} {} spec.{original}x", src.name, o.kind);
                }
            }
        }
        eprintln!(
            "corpus: {crds} CRDs, {crs} custom resources validated ({no_schema} without schema, {not_served} version not served); build {build_time:?}, validate {validate_time:?}; {} problems",
            all.len()
        );
        eprintln!("misspelt first key of spec: {detected} of {mutations} detected");
        for (k, n) in &tally {
            eprintln!("  {n:>3} {k}");
        }
        for p in &all {
            eprintln!("  {p}");
        }
        assert!(crs > 50, "{crs} custom resources validated");
        assert!(all.len() <= 5, "{all:#?}");
        assert_eq!(detected, mutations);
    }
}
