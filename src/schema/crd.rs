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

use super::validate::{
    Expect, Problem, ProblemKind, Seg, enum_mismatch, problem, suggest, type_fix, type_hint, unknown_field,
};
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

/// A kind's version as [`CompiledCrd::encode_once`] tells kinds apart: its
/// name, served and storage flags, deprecation, and the address of its
/// compiled schema.
type EncodedVersion = (String, bool, bool, Option<Option<String>>, Option<usize>);

/// The encodings [`CompiledCrd::encode_once`] made, with the schemas they
/// encode: held, so that no other schema takes the address of one of them
/// while the encoding is kept.
#[derive(Default)]
pub struct Encoded(Mutex<crate::hash::Map<Vec<EncodedVersion>, PinnedEncoding>>);

/// An encoding, with the schemas it encodes.
type PinnedEncoding = (Vec<Arc<CrdSchema>>, Arc<[u8]>);

/// Kinds decoded by [`CompiledCrd::decode`], by chunk, group and kind.
pub type DecodedCrds = Mutex<crate::hash::Map<(Vec<u8>, String, String), CompiledCrd>>;

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

    /// The compiled kind in the embedded catalog's chunk format, for the
    /// cache of unchanged files.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode_kind(&self.0)
    }

    /// [`CompiledCrd::encode`], once per distinct kind of a run: a kind
    /// with the same versions and the same compiled schemas (compiling
    /// shares identical ones) as one encoded before reuses its bytes.
    pub fn encode_once(&self, encoded: &Encoded) -> Arc<[u8]> {
        let key: Vec<EncodedVersion> = self
            .0
            .versions
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    v.served,
                    v.storage,
                    v.deprecated.clone(),
                    v.schema.as_ref().map(|s| Arc::as_ptr(s) as usize),
                )
            })
            .collect();
        if let Some((_, bytes)) = encoded.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Arc::clone(bytes);
        }
        let bytes: Arc<[u8]> = self.encode().into();
        let pins = self.0.versions.iter().filter_map(|v| v.schema.clone()).collect();
        encoded
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (pins, Arc::clone(&bytes)));
        bytes
    }

    /// A kind [`CompiledCrd::encode`] wrote, compiled from a CRD in `file`.
    /// Its schemas are shared with a kind decoded before from the same
    /// chunk (`seen`: chunk, group and kind → kind), as compiling shares
    /// identical schemas ([`SchemaCache`]): a repository that holds the same
    /// CRD in many places keeps one copy.
    pub fn decode(chunk: &[u8], group: &str, kind: &str, file: &str, seen: &DecodedCrds) -> Option<CompiledCrd> {
        let origin = Origin::Run(file.to_string());
        let key = (chunk.to_vec(), group.to_string(), kind.to_string());
        let earlier = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        let def = match earlier {
            Some(c) => KindDef {
                origin,
                ..KindDef::clone(&c.0)
            },
            None => {
                let def = codec::decode_kind(chunk, group, kind, origin).ok()?;
                let shared = CompiledCrd(Arc::new(def.clone()));
                seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key, shared);
                def
            }
        };
        Some(CompiledCrd(Arc::new(def)))
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
        let root = compile::compile_node(schema, &mut nodes, 0);
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
        walk::validate(self, root, source, anchor)
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

mod cache;
mod compile;
pub use cache::SchemaCache;
pub mod catalog;
mod codec;
#[cfg(test)]
mod tests;
mod walk;
