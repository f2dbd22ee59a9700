//! Which lists merge by key: kustomize's table of the associative lists
//! of the Kubernetes 1.21 API, and the lookup of a field's type and keys.

use super::Walk;
use crate::schema::{Type, TypeId};

/// The Kubernetes version of kustomize's builtin OpenAPI data (v1.21.2).
pub(super) const SCHEMA_VERSION: &str = "1.21";

/// The fields that are associative lists in that API: (type, field, keys).
/// No keys: a list of scalars merged as a set (`finalizers`). Taken from
/// the 1.21 definitions' `x-kubernetes-patch-strategy` (with `merge`),
/// `x-kubernetes-list-map-keys`, else `x-kubernetes-patch-merge-key`.
const ASSOCIATIVE: &[(&str, &str, &[&str])] = &[
    ("APIServiceStatus", "conditions", &["type"]),
    ("CSINodeSpec", "drivers", &["name"]),
    ("ComponentStatus", "conditions", &["type"]),
    ("Container", "env", &["name"]),
    ("Container", "ports", &["containerPort", "protocol"]),
    ("Container", "volumeDevices", &["devicePath"]),
    ("Container", "volumeMounts", &["mountPath"]),
    ("DaemonSetStatus", "conditions", &["type"]),
    ("DeploymentStatus", "conditions", &["type"]),
    ("EphemeralContainer", "env", &["name"]),
    ("EphemeralContainer", "volumeDevices", &["devicePath"]),
    ("EphemeralContainer", "volumeMounts", &["mountPath"]),
    ("EphemeralContainers", "ephemeralContainers", &["name"]),
    ("JobStatus", "conditions", &["type"]),
    ("MutatingWebhookConfiguration", "webhooks", &["name"]),
    ("NamespaceStatus", "conditions", &["type"]),
    ("NodeSpec", "podCIDRs", &[]),
    ("NodeStatus", "addresses", &["type"]),
    ("NodeStatus", "conditions", &["type"]),
    ("ObjectMeta", "finalizers", &[]),
    ("ObjectMeta", "ownerReferences", &["uid"]),
    ("PersistentVolumeClaimStatus", "conditions", &["type"]),
    ("PodDisruptionBudgetStatus", "conditions", &["type"]),
    ("PodSpec", "containers", &["name"]),
    ("PodSpec", "ephemeralContainers", &["name"]),
    ("PodSpec", "hostAliases", &["ip"]),
    ("PodSpec", "imagePullSecrets", &["name"]),
    ("PodSpec", "initContainers", &["name"]),
    (
        "PodSpec",
        "topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
    ),
    ("PodSpec", "volumes", &["name"]),
    ("PodStatus", "conditions", &["type"]),
    ("PodStatus", "podIPs", &["ip"]),
    ("ReplicationControllerStatus", "conditions", &["type"]),
    ("ReplicaSetStatus", "conditions", &["type"]),
    ("ServiceAccount", "secrets", &["name"]),
    ("ServiceSpec", "ports", &["port", "protocol"]),
    ("ServiceStatus", "conditions", &["type"]),
    ("StatefulSetStatus", "conditions", &["type"]),
    ("ValidatingWebhookConfiguration", "webhooks", &["name"]),
];

pub(super) type Keys = &'static [&'static str];

impl Walk<'_> {
    /// The type of field `key` of `ty`, and its list keys when it merges by
    /// key (an empty slice: a set of scalars).
    pub(super) fn field(&self, ty: Option<TypeId>, key: &str) -> (Option<TypeId>, Option<Keys>) {
        let (Some(s), Some(t)) = (self.schema, ty) else {
            return (None, None);
        };
        match s.ty(t) {
            Type::Object(o) => {
                let Some(f) = o.field(key) else {
                    return (None, None);
                };
                let keys = o.name().and_then(|name| {
                    ASSOCIATIVE
                        .iter()
                        .find(|(t, f, _)| *t == name && *f == key)
                        .map(|(_, _, k)| *k)
                });
                (Some(f.ty), keys)
            }
            Type::Map(v) => (Some(*v), None),
            _ => (None, None),
        }
    }

    pub(super) fn items_of(&self, ty: Option<TypeId>) -> Option<TypeId> {
        match (self.schema, ty) {
            (Some(s), Some(t)) => match s.ty(t) {
                Type::Array(e) => Some(*e),
                _ => None,
            },
            _ => None,
        }
    }
}
