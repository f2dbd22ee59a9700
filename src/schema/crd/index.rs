//! The index of a run's custom resource kinds ([`CrdIndex`]): the CRDs of
//! the run compiled and merged by group and kind, and the lookups of a
//! resource's apiVersion and kind against them.

use std::collections::HashMap;
use std::sync::Arc;

use super::{CrdSchema, KindDef, Origin, SchemaCache, VersionDef, catalog};
use crate::model::Object;
use crate::yaml::Node;

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

/// A custom resource version its CRD marks deprecated.
#[derive(Debug)]
pub struct CrdDeprecation<'i> {
    /// The CRD's `deprecationWarning`.
    pub warning: Option<&'i str>,
    /// A served version that is not deprecated (the storage version when it
    /// is one), with its schema.
    pub alternative: Option<(&'i str, Option<&'i CrdSchema>)>,
}

/// The custom resource kinds defined by the CRDs of a run, with their
/// compiled schemas; kinds the run does not define come from the catalog
/// folders of `--crd`/`crds:` and then from the embedded catalog.
#[derive(Debug, Default)]
pub struct CrdIndex {
    /// Sorted by (group, kind).
    pub(super) kinds: Vec<KindDef>,
    /// Catalog folders, in the order given.
    pub(super) folders: Vec<catalog::SchemaFolder>,
    /// Which kinds of the embedded catalog may be used (`None`: none).
    pub(super) embedded: Option<catalog::Channel>,
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
pub(super) fn add_crd(
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

/// One CRD's definition, on its own.
///
/// `skip(group, kind, version)`: a version whose schema the caller already
/// has (it is left out, as [`merge_kind`] would ignore it).
pub(super) fn compile_crd(
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
pub(super) fn merge_kind(def: KindDef, by_name: &mut HashMap<(String, String), usize>, kinds: &mut Vec<KindDef>) {
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
