//! The generator's intermediate form: one arena of type nodes per Kubernetes
//! version, and the served kinds pointing into it. Every source format is
//! turned into this shape before types are deduplicated across versions.

use std::collections::BTreeMap;

/// Index of a node in an [`Arena`].
pub type NodeId = usize;

/// One type, as validation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Placeholder while a recursive definition is being built.
    Pending,
    /// A closed object: only the listed fields are allowed. `name` is the
    /// short name of the definition it came from (`LabelSelector`), if any.
    Object {
        name: String,
        fields: Vec<Field>,
    },
    Array(NodeId),
    /// An object with free keys whose values all have one type.
    Map(NodeId),
    String {
        enums: Vec<String>,
        format: Option<String>,
    },
    Integer,
    Number,
    Boolean,
    IntOrString,
    Quantity,
    /// Accepts any value.
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: NodeId,
    pub required: bool,
    /// Short note when the source marks the field deprecated.
    pub deprecated: Option<String>,
}

#[derive(Debug, Default)]
pub struct Arena {
    pub nodes: Vec<Shape>,
}

impl Arena {
    pub fn push(&mut self, shape: Shape) -> NodeId {
        self.nodes.push(shape);
        self.nodes.len() - 1
    }

    pub fn set(&mut self, id: NodeId, shape: Shape) {
        self.nodes[id] = shape;
    }

    pub fn get(&self, id: NodeId) -> &Shape {
        &self.nodes[id]
    }

    pub fn string(&mut self) -> NodeId {
        self.push(Shape::String {
            enums: Vec::new(),
            format: None,
        })
    }

    pub fn any(&mut self) -> NodeId {
        self.push(Shape::Any)
    }

    /// Follows fields by name (`[]` for array items, `*` for map values).
    pub fn walk(&self, mut id: NodeId, path: &[&str]) -> Option<NodeId> {
        for seg in path {
            id = match (self.get(id), *seg) {
                (Shape::Array(e), "[]") => *e,
                (Shape::Map(v), "*") => *v,
                (Shape::Object { fields, .. }, name) => fields.iter().find(|f| f.name == name)?.ty,
                _ => return None,
            };
        }
        Some(id)
    }
}

/// `(apiVersion, kind)`.
pub type Gvk = (String, String);

/// Everything the generator knows about one minor version.
#[derive(Debug)]
pub struct VersionIr {
    /// `"1.25"`.
    pub name: String,
    pub approximate: bool,
    /// Short provenance, e.g. `"swagger 2.0 (v1.7.13)"`.
    pub source: String,
    pub arena: Arena,
    /// Kinds present in the published schema of this version (before the
    /// removal table is applied).
    pub kinds: BTreeMap<Gvk, NodeId>,
}

impl VersionIr {
    pub fn minor(&self) -> u32 {
        minor_of(&self.name).unwrap_or(0)
    }
}

/// `"1.25"` → 25.
pub fn minor_of(v: &str) -> Option<u32> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut it = v.split('.');
    if it.next()? != "1" {
        return None;
    }
    it.next()?.parse().ok()
}

/// Short name of a definition: the part after the last dot.
pub fn short_name(def: &str) -> &str {
    def.rsplit('.').next().unwrap_or(def)
}

/// `group` + `version` → apiVersion (`""` group is the core API).
pub fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}
