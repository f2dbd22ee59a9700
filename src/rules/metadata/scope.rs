//! Whether a kind is namespaced: built-in kinds from a fixed list, custom
//! kinds from the CustomResourceDefinitions of the same run.

use crate::model::{Catalog, Object};
use crate::yaml::Node;

/// Built-in kinds that live outside namespaces.
pub const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterTrustBundle",
    "ComponentStatus",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "IPAddress",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceSlice",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectReview",
    "SelfSubjectRulesReview",
    "ServiceCIDR",
    "StorageClass",
    "StorageVersion",
    "StorageVersionMigration",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
];

/// Built-in kinds that live in a namespace.
pub const NAMESPACED: &[&str] = &[
    "Binding",
    "CSIStorageCapacity",
    "ConfigMap",
    "ControllerRevision",
    "CronJob",
    "DaemonSet",
    "Deployment",
    "EndpointSlice",
    "Endpoints",
    "Event",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "Lease",
    "LimitRange",
    "LocalSubjectAccessReview",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "Pod",
    "PodDisruptionBudget",
    "PodTemplate",
    "ReplicaSet",
    "ReplicationController",
    "ResourceClaim",
    "ResourceClaimTemplate",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
];

/// Whether an API group is one of Kubernetes' own (`""`, `apps`,
/// `networking.k8s.io`...), as opposed to a custom resource's group.
pub fn builtin_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

/// The scope of each custom kind that a CRD of the run defines.
pub struct Scopes<'c> {
    /// (group, kind, namespaced)
    crds: Vec<(&'c str, &'c str, bool)>,
}

impl<'c> Scopes<'c> {
    pub fn of(catalog: &'c Catalog<'c>) -> Self {
        let crds = catalog
            .of_kind("CustomResourceDefinition")
            .filter_map(|crd| {
                let spec = crd.get(&["spec"])?;
                let group = spec.get("group").and_then(Node::as_str)?;
                let kind = spec.path(&["names", "kind"]).and_then(Node::as_str)?;
                // apiextensions/v1beta1 defaulted the scope to Namespaced.
                let scope = spec.get("scope").and_then(Node::as_str).unwrap_or("Namespaced");
                Some((group, kind, scope == "Namespaced"))
            })
            .collect();
        Scopes { crds }
    }

    /// `Some(true)` for namespaced kinds, `Some(false)` for cluster-scoped
    /// ones, `None` when unknown.
    pub fn namespaced(&self, object: &Object) -> Option<bool> {
        if builtin_group(object.group()) {
            if NAMESPACED.contains(&object.kind) {
                return Some(true);
            }
            if CLUSTER_SCOPED.contains(&object.kind) {
                return Some(false);
            }
        }
        self.crds
            .iter()
            .find(|(g, k, _)| *g == object.group() && *k == object.kind)
            .map(|(_, _, n)| *n)
    }
}
