//! Kubernetes objects found in the loaded documents.

use std::sync::Arc;

use super::workload::PodParts;
use crate::diagnostic::ObjectMeta;
use crate::source::FileId;
use crate::yaml::{Document, Node, Span};

/// `group/version` split of an apiVersion (`v1` has the empty core group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupVersion<'a> {
    pub group: &'a str,
    pub version: &'a str,
}

impl<'a> GroupVersion<'a> {
    pub fn parse(api_version: &'a str) -> Self {
        match api_version.rsplit_once('/') {
            Some((group, version)) => GroupVersion { group, version },
            None => GroupVersion {
                group: "",
                version: api_version,
            },
        }
    }
}

/// One Kubernetes object: a document, or an item of a `*List` document.
#[derive(Debug, Clone)]
pub struct Object<'a> {
    /// Position in the run's catalog.
    pub id: usize,
    pub file: FileId,
    /// Document index in the file.
    pub doc: usize,
    /// Item index when the object comes from a `List`.
    pub item: Option<usize>,
    pub root: &'a Node,
    pub api_version: &'a str,
    /// `api_version` split once (rules ask for the group of every object,
    /// many times over).
    gv: GroupVersion<'a>,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// Shared identity attached to this object's findings.
    pub meta: Arc<ObjectMeta>,
    /// A custom resource whose CRD declares `spec.template` as a pod
    /// template (set by the lint run from the CRDs it knows, with
    /// [`Object::mark_custom_pod_template`]).
    custom_pod_template: bool,
    /// Its pod template, if it has one (see [`super::Workload::template_of`]).
    pod: Option<PodParts<'a>>,
    /// Its own checks ran when its file was read, before its tree was cut
    /// down ([`crate::lint::load_compact`]): a lint run reports the
    /// findings kept then instead of checking it again.
    pub checked_early: bool,
    /// A CustomResourceDefinition compiled when its file was read: its
    /// schemas are no longer in the tree.
    pub compiled_crd: Option<crate::schema::crd::CompiledCrd>,
}

impl<'a> Object<'a> {
    pub fn new(id: usize, file: FileId, doc: usize, item: Option<usize>, root: &'a Node) -> Self {
        let s = |k: &str| root.get(k).and_then(Node::as_str);
        let (api_version, kind) = if crate::kustomize_lint::looks_like_kustomization(root) {
            (
                crate::kustomize_lint::DEFAULT_API_VERSION,
                crate::kustomize_lint::DEFAULT_KIND,
            )
        } else {
            (s("apiVersion").unwrap_or(""), s("kind").unwrap_or(""))
        };
        let name = root.path(&["metadata", "name"]).and_then(Node::as_str);
        let namespace = root.path(&["metadata", "namespace"]).and_then(Node::as_str);
        let meta = Arc::new(ObjectMeta {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            name: name.map(str::to_string),
            namespace: namespace.map(str::to_string),
        });
        let mut object = Object {
            id,
            file,
            doc,
            item,
            root,
            api_version,
            gv: GroupVersion::parse(api_version),
            kind,
            name,
            namespace,
            meta,
            custom_pod_template: false,
            pod: None,
            checked_early: false,
            compiled_crd: None,
        };
        object.pod = PodParts::find(&object);
        object
    }

    /// Marks a custom resource whose CRD declares `spec.template` as a pod
    /// template: the pod rules then see its pods.
    pub fn mark_custom_pod_template(&mut self) {
        self.custom_pod_template = true;
        self.pod = PodParts::find(self);
    }

    /// Whether it is a custom resource with a pod template
    /// ([`Object::mark_custom_pod_template`]).
    pub fn custom_pod_template(&self) -> bool {
        self.custom_pod_template
    }

    pub(super) fn pod(&self) -> Option<PodParts<'a>> {
        self.pod
    }

    pub fn gv(&self) -> GroupVersion<'a> {
        self.gv
    }

    pub fn group(&self) -> &'a str {
        self.gv().group
    }

    pub fn span(&self) -> Span {
        self.root.span
    }

    /// The span to point at for object-level findings: the `kind` value.
    pub fn kind_span(&self) -> Span {
        self.root
            .get("kind")
            .map(|n| n.span)
            .unwrap_or(Span::new(self.root.span.start, self.root.span.start))
    }

    /// The span of `metadata.name` (or the kind when unnamed).
    pub fn name_span(&self) -> Span {
        self.root
            .path(&["metadata", "name"])
            .map(|n| n.span)
            .unwrap_or_else(|| self.kind_span())
    }

    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.root.path(path)
    }

    pub fn labels(&self) -> Option<&'a Node> {
        self.root.path(&["metadata", "labels"])
    }

    pub fn annotations(&self) -> Option<&'a Node> {
        self.root.path(&["metadata", "annotations"])
    }

    /// `kind namespace/name` for messages.
    pub fn display(&self) -> String {
        self.meta.to_string()
    }

    /// Whether two objects may live in the same namespace. An object without
    /// `metadata.namespace` goes wherever it is applied, so it may.
    pub fn same_namespace(&self, other: &Object) -> bool {
        match (self.namespace, other.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// What a document holds once read as Kubernetes objects.
pub enum DocObjects<'a> {
    /// Empty, comment-only, or failed to load.
    Nothing,
    /// A mapping with `apiVersion` and `kind`, or a `*List` whose items are.
    Objects(Vec<(Option<usize>, &'a Node)>),
    /// Not a Kubernetes object: a reason and where, and the right name
    /// when a key is only miscapitalised (`Kind` → `kind`).
    NotAnObject {
        span: Span,
        reason: String,
        rename: Option<&'static str>,
    },
    /// YAML that is clearly not a manifest (no apiVersion, kind or metadata):
    /// config files of other tools living next to the manifests.
    Foreign,
}

/// Splits a document into objects, expanding `List` kinds.
pub fn doc_objects(doc: &Document) -> DocObjects<'_> {
    let Some(root) = &doc.root else {
        return DocObjects::Nothing;
    };
    if !root.is_map() {
        return DocObjects::NotAnObject {
            span: root.span,
            reason: format!(
                "this document is {} {}, not a mapping: a Kubernetes object is a mapping with `apiVersion` and `kind`",
                article(root.type_name()),
                root.type_name()
            ),
            rename: None,
        };
    }
    let api = root.get("apiVersion");
    let kind = root.get("kind");
    let kind_str = kind.and_then(Node::as_str).unwrap_or("");
    if api.is_none() && kind.is_none() {
        // Kustomize reads a kustomization without apiVersion and kind.
        if crate::kustomize_lint::looks_like_kustomization(root) {
            return DocObjects::Objects(vec![(None, root)]);
        }
        if root.get("metadata").is_some() || root.get("spec").is_some() {
            let first_key = root.entries().first().map_or(root.span, |e| e.key_span);
            return DocObjects::NotAnObject {
                span: first_key,
                reason: "this object has no `apiVersion` and no `kind`".into(),
                rename: None,
            };
        }
        return DocObjects::Foreign;
    }
    if api.is_none() || kind.is_none() {
        let missing = if api.is_none() { "apiVersion" } else { "kind" };
        // `Kind:` or `apiversion:`: keys are case-sensitive.
        if let Some(e) = root.entries().iter().find(|e| e.key.eq_ignore_ascii_case(missing)) {
            return DocObjects::NotAnObject {
                span: e.key_span,
                reason: format!(
                    "this object has no `{missing}`: keys are case-sensitive, `{}` is not `{missing}`",
                    e.key
                ),
                rename: Some(missing),
            };
        }
        return DocObjects::NotAnObject {
            span: Span::new(root.span.start, root.span.start),
            reason: format!("this object has no `{missing}`"),
            rename: None,
        };
    }
    if kind_str.ends_with("List")
        && let Some(items) = root.get("items")
    {
        let objs = items
            .items()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_map())
            .map(|(i, n)| (Some(i), n))
            .collect();
        return DocObjects::Objects(objs);
    }
    DocObjects::Objects(vec![(None, root)])
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    #[test]
    fn group_versions() {
        assert_eq!(
            GroupVersion::parse("v1"),
            GroupVersion {
                group: "",
                version: "v1"
            }
        );
        assert_eq!(
            GroupVersion::parse("apps/v1"),
            GroupVersion {
                group: "apps",
                version: "v1"
            }
        );
    }

    #[test]
    fn lists_expand_to_items() {
        let st = parse_yaml(
            "apiVersion: v1\nkind: ConfigMapList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n",
            Limits::default(),
        );
        match doc_objects(&st.documents[0]) {
            DocObjects::Objects(v) => {
                assert_eq!(v.len(), 2);
                let o = Object::new(0, 0, 0, v[1].0, v[1].1);
                assert_eq!(o.name, Some("b"));
                assert_eq!(o.item, Some(1));
            }
            _ => panic!("expected objects"),
        }
    }

    #[test]
    fn non_objects() {
        let st = parse_yaml(
            "- a\n- b\n---\nfoo: bar\n---\nkind: Pod\nmetadata: {}\n",
            Limits::default(),
        );
        assert!(matches!(doc_objects(&st.documents[0]), DocObjects::NotAnObject { .. }));
        assert!(matches!(doc_objects(&st.documents[1]), DocObjects::Foreign));
        assert!(
            matches!(doc_objects(&st.documents[2]), DocObjects::NotAnObject { reason, .. } if reason.contains("apiVersion"))
        );
    }
}
