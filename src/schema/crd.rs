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

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use super::validate::{
    Expect, Problem, ProblemKind, Seg, enum_mismatch, problem, suggest, type_fix, type_hint, unknown_field,
};
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

#[derive(Debug, Clone)]
struct VersionDef {
    name: String,
    served: bool,
    storage: bool,
    /// `deprecated: true`, with the CRD's `deprecationWarning` if any.
    deprecated: Option<Option<String>>,
    schema: Option<Arc<CrdSchema>>,
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
mod compiled;
use compiled::crd_is_v1;
pub use compiled::{CompiledCrd, DecodedCrds, Encoded};
mod index;
pub use index::{CrdDeprecation, CrdIndex, CrdLookup};
use index::{add_crd, merge_kind};
#[cfg(test)]
mod tests;
mod walk;
