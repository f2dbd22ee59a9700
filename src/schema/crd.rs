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

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
struct KindDef {
    group: String,
    kind: String,
    versions: Vec<VersionDef>,
    origin: Origin,
}

/// Where the schema of a custom resource kind comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A CustomResourceDefinition among the linted files (its file name).
    Run(String),
    /// A CRD file given with `--crd` or `crds:`.
    CrdFile(String),
    /// A JSON schema of a catalog folder (`{group}/{kind}_{version}.json`).
    Folder(String),
    /// kvet's embedded catalog.
    Embedded {
        project: &'static str,
        version: &'static str,
        /// Gateway API's channel, for its kinds.
        channel: Option<&'static str>,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Run(file) => write!(f, "CustomResourceDefinition in {file}"),
            Origin::CrdFile(file) => write!(f, "CustomResourceDefinition in {file} (--crd/crds:)"),
            Origin::Folder(file) => write!(f, "JSON schema {file} (catalog folder)"),
            Origin::Embedded {
                project,
                version,
                channel,
            } => {
                write!(f, "embedded catalog: {project} {version}")?;
                match channel {
                    Some(c) => write!(f, ", {c} channel"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// The custom resource kinds defined by the CRDs of a run, with their
/// compiled schemas; kinds the run does not define come from the catalog
/// folders of `--crd`/`crds:` and then from the embedded catalog.
#[derive(Debug, Default)]
pub struct CrdIndex {
    /// Sorted by (group, kind).
    kinds: Vec<KindDef>,
    /// Catalog folders, in the order given.
    folders: Vec<catalog::SchemaFolder>,
    /// Which kinds of the embedded catalog may be used (`None`: none).
    embedded: Option<catalog::Channel>,
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
            add_crd(o.root, v1, &Origin::Run(String::new()), &mut by_name, &mut kinds);
        }
        kinds.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
        CrdIndex {
            kinds,
            ..CrdIndex::default()
        }
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
        if let Ok(i) = self
            .kinds
            .binary_search_by(|k| (k.group.as_str(), k.kind.as_str()).cmp(&(group, kind)))
        {
            return Some((&self.kinds[i], version));
        }
        if let Some(def) = self.folders.iter().find_map(|f| f.kind(group, kind)) {
            return Some((def, version));
        }
        let channel = self.embedded?;
        catalog::embedded_kind(group, kind, channel).map(|def| (def, version))
    }

    /// Where the schema of `api_version` `kind` comes from, if it is a
    /// custom resource kvet knows.
    pub fn origin(&self, api_version: &str, kind: &str) -> Option<&Origin> {
        self.kind_def(api_version, kind).map(|(def, _)| &def.origin)
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
fn add_crd(
    crd: &Node,
    v1: bool,
    origin: &Origin,
    by_name: &mut HashMap<(String, String), usize>,
    kinds: &mut Vec<KindDef>,
) {
    // A version an earlier CRD of the same kind already compiled is not
    // compiled again (a workspace often holds copies of one CRD).
    let compiled_before = |group: &str, kind: &str, version: &str| {
        by_name
            .get(&(group.to_string(), kind.to_string()))
            .and_then(|&i| kinds.get(i))
            .is_some_and(|d| d.versions.iter().any(|v| v.name == version && v.schema.is_some()))
    };
    if let Some(def) = compile_crd(crd, v1, origin, None, &compiled_before) {
        merge_kind(def, by_name, kinds);
    }
}

/// A CRD of the run compiled as soon as its file is read, so that its
/// schemas' trees can be dropped (see [`crate::lint::load_compact`]).
#[derive(Debug, Clone)]
pub struct CompiledCrd(Arc<KindDef>);

impl CompiledCrd {
    /// Compiles a CustomResourceDefinition object of the run (`None` when
    /// it is not an apiextensions v1 or v1beta1 CRD, or names no group
    /// and kind: it then defines nothing).
    pub fn of(object: &Object, file: &str, cache: &SchemaCache) -> Option<CompiledCrd> {
        let v1 = crd_is_v1(object)?;
        compile_crd(
            object.root,
            v1,
            &Origin::Run(file.to_string()),
            Some(cache),
            &|_, _, _| false,
        )
        .map(|d| CompiledCrd(Arc::new(d)))
    }

    /// Whether `CompiledCrd::of` reads this object (it is then compiled,
    /// defined or not, and its schemas are no longer needed).
    pub fn reads(object: &Object) -> bool {
        crd_is_v1(object).is_some()
    }

    fn def(&self) -> &KindDef {
        &self.0
    }

    /// The group and kind it defines.
    pub fn defines(&self) -> (&str, &str) {
        (&self.0.group, &self.0.kind)
    }
}

/// For a CustomResourceDefinition whose schemas kvet reads: whether it is
/// apiextensions v1 (`Some(true)`) or v1beta1 (`Some(false)`).
fn crd_is_v1(object: &Object) -> Option<bool> {
    match (object.kind, object.api_version) {
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1") => Some(true),
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1beta1") => Some(false),
        _ => None,
    }
}

/// One CRD's definition, on its own.
///
/// `skip(group, kind, version)`: a version whose schema the caller already
/// has (it is left out, as [`merge_kind`] would ignore it).
fn compile_crd(
    crd: &Node,
    v1: bool,
    origin: &Origin,
    cache: Option<&SchemaCache>,
    skip: &dyn Fn(&str, &str, &str) -> bool,
) -> Option<KindDef> {
    let compile = |s: &Node, prune: bool| match cache {
        Some(c) => c.compile(s, prune),
        None => Arc::new(CrdSchema::compile(s, prune)),
    };
    let spec = crd.get("spec")?;
    let group = spec.get("group").and_then(Node::as_str)?;
    let kind = spec.path(&["names", "kind"]).and_then(Node::as_str)?;
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
    if versions.is_empty()
        && let Some(name) = spec.get("version").and_then(Node::as_str)
    {
        versions.push((spec, name, true, None));
    }
    let shared = spec.path(&["validation", "openAPIV3Schema"]).filter(|n| n.is_map());

    let mut def = KindDef {
        group: group.to_string(),
        kind: kind.to_string(),
        versions: Vec::new(),
        origin: origin.clone(),
    };
    let mut shared_compiled: Option<Arc<CrdSchema>> = None;
    let single = versions.len() == 1;
    for (node, name, served, schema) in versions {
        let existing = def.versions.iter().position(|v| v.name == name);
        if existing.is_some_and(|i| def.versions[i].schema.is_some()) || skip(group, kind, name) {
            continue;
        }
        let compiled = match (schema, shared) {
            (Some(s), _) => Some(compile(s, prune)),
            (None, Some(s)) => Some(Arc::clone(shared_compiled.get_or_insert_with(|| compile(s, prune)))),
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
    Some(def)
}

/// Adds one CRD's definition to the index: of two CRDs of the same group
/// and kind, the first one's versions win, and a later one only adds the
/// versions (or the schema of a version) the first lacks.
fn merge_kind(def: KindDef, by_name: &mut HashMap<(String, String), usize>, kinds: &mut Vec<KindDef>) {
    let index = match by_name.get(&(def.group.clone(), def.kind.clone())) {
        Some(&i) => i,
        None => {
            by_name.insert((def.group.clone(), def.kind.clone()), kinds.len());
            kinds.push(def);
            return;
        }
    };
    let into = &mut kinds[index];
    for v in def.versions {
        match into.versions.iter().position(|x| x.name == v.name) {
            Some(i) if into.versions[i].schema.is_some() => {}
            Some(i) => into.versions[i].schema = v.schema,
            None => into.versions.push(v),
        }
    }
}

impl CrdSchema {
    fn compile(schema: &Node, prune: bool) -> CrdSchema {
        let mut nodes = Vec::new();
        let root = compile_node(schema, &mut nodes, 0);
        CrdSchema { nodes, root, prune }
    }

    /// Whether the schema declares `spec.template` as a pod template:
    /// `spec.template.spec.containers` is a list of objects with `name`
    /// and `image` (the shape of a PodTemplateSpec).
    pub fn declares_pod_template(&self) -> bool {
        let node = |id: Id| self.nodes.get(id as usize);
        let mut id = self.root;
        for key in ["spec", "template", "spec", "containers"] {
            match node(id).and_then(|n| n.prop(key)) {
                Some(next) => id = next,
                None => return false,
            }
        }
        node(id)
            .filter(|n| n.types & ARRAY != 0)
            .and_then(|n| n.items)
            .and_then(node)
            .is_some_and(|item| item.prop("name").is_some() && item.prop("image").is_some())
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
        if mask == ARRAY
            && let Some(items) = s.items.filter(|_| depth < 3)
        {
            let inner = self.describe(items, depth + 1);
            if !inner.is_empty() {
                return format!("array of {inner}");
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
                    .map(|p| (p.key.as_str().into(), compile_node(&p.value, nodes, depth + 1)))
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
        if let Some(allowed) = &c.enums
            && !allowed.iter().any(|a| a.same_value(node))
        {
            self.enum_problem(node, allowed);
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
                if let Some((min, exclusive)) = c.minimum
                    && (v < min || (exclusive && v == min))
                {
                    let rel = if exclusive { "greater than" } else { "at least" };
                    self.invalid(
                        format!("must be {rel} {}, is {}", format_number(min), format_number(v)),
                        node.span,
                    );
                }
                if let Some((max, exclusive)) = c.maximum
                    && (v > max || (exclusive && v == max))
                {
                    let rel = if exclusive { "less than" } else { "at most" };
                    self.invalid(
                        format!("must be {rel} {}, is {}", format_number(max), format_number(v)),
                        node.span,
                    );
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
        if names.is_empty()
            && let Some(c) = s.checks.as_ref().filter(|_| s.types == 0 && s.props.is_empty())
        {
            let only_any_of = c.all_of.is_empty() && c.one_of.is_empty() && c.not.is_none() && c.enums.is_none();
            if only_any_of
                && let Some(all) = c
                    .any_of
                    .iter()
                    .map(|&b| schema.node(b).required_only())
                    .collect::<Option<Vec<_>>>()
            {
                names = all.into_iter().flatten().map(|n| &**n).collect();
                any = true;
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

mod cache;
pub use cache::SchemaCache;
pub mod catalog;
mod codec;
#[cfg(test)]
mod tests;
