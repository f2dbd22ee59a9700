//! Enum values for string fields.
//!
//! Of all the sources, only the 1.23.0 JSON schema lists enums (45 fields,
//! from the short-lived `+enum` markers of the 1.23 OpenAPI; the OpenAPI v3
//! documents carry none). Several of those are wrong for validation (e.g.
//! `PodReadinessGate.conditionType` lists only the built-in conditions, but
//! custom ones are the point) or describe status fields that change with new
//! releases. So enums come from this curated list instead: spec fields whose
//! values are fixed since before 1.23 and have not changed through 1.37,
//! applied from 1.23 on. The generator checks each entry against the 1.23
//! source.

/// First version the curated enums apply to.
pub const FIRST_MINOR: u32 = 23;

/// (definition name, property, allowed values). `Toleration.effect` is left
/// out on purpose: an empty value is valid there ("match all effects").
pub const CURATED: &[(&str, &str, &[&str])] = &[
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        &["OnDelete", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        &["Recreate", "RollingUpdate"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        &["OrderedReady", "Parallel"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
        "type",
        &["OnDelete", "RollingUpdate"],
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "terminationMessagePolicy",
        &["FallbackToLogsOnError", "File"],
    ),
    (
        "io.k8s.api.core.v1.EphemeralContainer",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "io.k8s.api.core.v1.EphemeralContainer",
        "terminationMessagePolicy",
        &["FallbackToLogsOnError", "File"],
    ),
    ("io.k8s.api.core.v1.ContainerPort", "protocol", &["SCTP", "TCP", "UDP"]),
    ("io.k8s.api.core.v1.ServicePort", "protocol", &["SCTP", "TCP", "UDP"]),
    ("io.k8s.api.core.v1.EndpointPort", "protocol", &["SCTP", "TCP", "UDP"]),
    ("io.k8s.api.core.v1.HTTPGetAction", "scheme", &["HTTP", "HTTPS"]),
    (
        "io.k8s.api.core.v1.LimitRangeItem",
        "type",
        &["Container", "PersistentVolumeClaim", "Pod"],
    ),
    (
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        "operator",
        &["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "persistentVolumeReclaimPolicy",
        &["Delete", "Recycle", "Retain"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        &["Always", "Never", "OnFailure"],
    ),
    (
        "io.k8s.api.core.v1.SeccompProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "externalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        &["ClientIP", "None"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    ),
    (
        "io.k8s.api.core.v1.Taint",
        "effect",
        &["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ),
    ("io.k8s.api.core.v1.Toleration", "operator", &["Equal", "Exists"]),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "whenUnsatisfiable",
        &["DoNotSchedule", "ScheduleAnyway"],
    ),
    (
        "io.k8s.api.discovery.v1.EndpointSlice",
        "addressType",
        &["FQDN", "IPv4", "IPv6"],
    ),
];

/// Curated values for `definition.property` in this minor version.
pub fn curated_enum(definition: &str, property: &str, minor: u32) -> Option<&'static [&'static str]> {
    if minor < FIRST_MINOR {
        return None;
    }
    CURATED
        .iter()
        .find(|(d, p, _)| *d == definition && *p == property)
        .map(|(_, _, v)| *v)
}
