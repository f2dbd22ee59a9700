//! A resource of a build: its tree plus the identity history kustomize keeps
//! in build annotations (previous names, applied prefixes and suffixes).

use super::tree::{get_str, set, str_node};
use crate::yaml::{Node, Span};

#[derive(Debug, Clone)]
pub struct Res {
    pub node: Node,
    pub orig_kind: String,
    pub orig_name: String,
    pub orig_ns: String,
    /// Every name the resource had, oldest first (the current one included).
    pub names: Vec<String>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// A generated ConfigMap/Secret whose name gets the content hash.
    pub needs_hash: bool,
}

impl Res {
    pub fn new(node: Node) -> Self {
        let orig_kind = get_str(&node, &["kind"]).unwrap_or("").to_string();
        let orig_name = get_str(&node, &["metadata", "name"]).unwrap_or("").to_string();
        let orig_ns = get_str(&node, &["metadata", "namespace"]).unwrap_or("").to_string();
        Res {
            node,
            orig_kind,
            names: vec![orig_name.clone()],
            orig_name,
            orig_ns,
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
        }
    }

    pub fn kind(&self) -> &str {
        get_str(&self.node, &["kind"]).unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        get_str(&self.node, &["apiVersion"]).unwrap_or("")
    }

    pub fn group(&self) -> &str {
        split_api_version(self.api_version()).0
    }

    pub fn version(&self) -> &str {
        split_api_version(self.api_version()).1
    }

    pub fn name(&self) -> &str {
        get_str(&self.node, &["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        get_str(&self.node, &["metadata", "namespace"]).unwrap_or("")
    }

    pub fn set_name(&mut self, name: String, span: Span) {
        if let Some(meta) = super::tree::entry_or(&mut self.node, "metadata", span, || super::tree::map_node(span)) {
            set(meta, "name", str_node(&name, span));
        }
        if self.names.last() != Some(&name) {
            self.names.push(name);
        }
    }

    pub fn had_name(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(self.kind())
    }
}

/// `apps/v1` → (`apps`, `v1`); `v1` → (``, `v1`).
pub fn split_api_version(av: &str) -> (&str, &str) {
    match av.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", av),
    }
}

/// Kinds kustomize treats as cluster-scoped (its built-in list; any other
/// kind, custom resources included, is namespaced).
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "APIService"
            | "CertificateSigningRequest"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "ComponentStatus"
            | "CSIDriver"
            | "CSINode"
            | "CustomResourceDefinition"
            | "FlowSchema"
            | "IngressClass"
            | "MutatingWebhookConfiguration"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PodSecurityPolicy"
            | "PriorityClass"
            | "PriorityLevelConfiguration"
            | "RuntimeClass"
            | "SelfSubjectAccessReview"
            | "SelfSubjectRulesReview"
            | "StorageClass"
            | "SubjectAccessReview"
            | "TokenReview"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "ValidatingWebhookConfiguration"
            | "VolumeAttachment"
    )
}
