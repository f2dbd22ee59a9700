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

/// Enums that the 1.23 markers did not cover, taken from the field
/// descriptions ("Valid values are ...", "One of ..."): (definition,
/// property, first minor version, allowed values). The generator applies
/// each from `max(FIRST_MINOR, since)` on and fails unless the field's
/// description in every such version names every value, so a release that
/// adds a value without this list following stops the generator instead of
/// producing false findings. Fields whose descriptions do not list their
/// values (`volumeMode`, hostPath `type`, StorageClass `volumeBindingMode`,
/// `mountPropagation`, ...) are left out for that reason.
pub const DESCRIBED: &[(&str, &str, u32, &[&str])] = &[
    (
        "io.k8s.api.admissionregistration.v1.MutatingWebhook",
        "failurePolicy",
        23,
        &["Fail", "Ignore"],
    ),
    (
        "io.k8s.api.admissionregistration.v1.MutatingWebhook",
        "matchPolicy",
        23,
        &["Equivalent", "Exact"],
    ),
    (
        "io.k8s.api.admissionregistration.v1.MutatingWebhook",
        "reinvocationPolicy",
        23,
        &["IfNeeded", "Never"],
    ),
    // `Some` and `Unknown` are accepted only from the removed v1beta1.
    (
        "io.k8s.api.admissionregistration.v1.MutatingWebhook",
        "sideEffects",
        23,
        &["None", "NoneOnDryRun"],
    ),
    (
        "io.k8s.api.admissionregistration.v1.ValidatingWebhook",
        "failurePolicy",
        23,
        &["Fail", "Ignore"],
    ),
    (
        "io.k8s.api.admissionregistration.v1.ValidatingWebhook",
        "matchPolicy",
        23,
        &["Equivalent", "Exact"],
    ),
    (
        "io.k8s.api.admissionregistration.v1.ValidatingWebhook",
        "sideEffects",
        23,
        &["None", "NoneOnDryRun"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenDeleted",
        23,
        &["Delete", "Retain"],
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
        "whenScaled",
        23,
        &["Delete", "Retain"],
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricSpec",
        "type",
        23,
        &["ContainerResource", "External", "Object", "Pods", "Resource"],
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricTarget",
        "type",
        23,
        &["AverageValue", "Utilization", "Value"],
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        23,
        &["Indexed", "NonIndexed"],
    ),
    (
        "io.k8s.api.core.v1.AppArmorProfile",
        "type",
        30,
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.PodSecurityContext",
        "fsGroupChangePolicy",
        23,
        &["Always", "OnRootMismatch"],
    ),
    ("io.k8s.api.core.v1.PodOS", "name", 23, &["linux", "windows"]),
    (
        "io.k8s.api.core.v1.PodSpec",
        "preemptionPolicy",
        23,
        &["Never", "PreemptLowerPriority"],
    ),
    (
        "io.k8s.api.core.v1.ScopedResourceSelectorRequirement",
        "operator",
        23,
        &["DoesNotExist", "Exists", "In", "NotIn"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "internalTrafficPolicy",
        23,
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ipFamilyPolicy",
        23,
        &["PreferDualStack", "RequireDualStack", "SingleStack"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "nodeAffinityPolicy",
        25,
        &["Honor", "Ignore"],
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "nodeTaintsPolicy",
        25,
        &["Honor", "Ignore"],
    ),
    (
        "io.k8s.api.discovery.v1.EndpointPort",
        "protocol",
        23,
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.networking.v1.HTTPIngressPath",
        "pathType",
        23,
        &["Exact", "ImplementationSpecific", "Prefix"],
    ),
    (
        "io.k8s.api.networking.v1.IngressClassParametersReference",
        "scope",
        23,
        &["Cluster", "Namespace"],
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        "protocol",
        23,
        &["SCTP", "TCP", "UDP"],
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        26,
        &["AlwaysAllow", "IfHealthyBudget"],
    ),
    (
        "io.k8s.api.rbac.v1.Subject",
        "kind",
        23,
        &["Group", "ServiceAccount", "User"],
    ),
    (
        "io.k8s.api.scheduling.v1.PriorityClass",
        "preemptionPolicy",
        23,
        &["Never", "PreemptLowerPriority"],
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        23,
        &["DoesNotExist", "Exists", "In", "NotIn"],
    ),
];

/// Where a field's allowed values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumSource {
    /// [`CURATED`]: checked against the 1.23 markers.
    Markers,
    /// [`DESCRIBED`]: checked against the field's description.
    Description,
}

/// Curated values for `definition.property` in this minor version.
pub fn curated_enum(definition: &str, property: &str, minor: u32) -> Option<(&'static [&'static str], EnumSource)> {
    if minor < FIRST_MINOR {
        return None;
    }
    if let Some((_, _, v)) = CURATED.iter().find(|(d, p, _)| *d == definition && *p == property) {
        return Some((v, EnumSource::Markers));
    }
    DESCRIBED
        .iter()
        .find(|(d, p, since, _)| *d == definition && *p == property && minor >= *since)
        .map(|(_, _, _, v)| (*v, EnumSource::Description))
}

/// The curated (definition, property) pairs that must be applied in this
/// minor version.
pub fn expected(minor: u32) -> impl Iterator<Item = (&'static str, &'static str)> {
    let markers = CURATED.iter().map(|(d, p, _)| (*d, *p));
    let described = DESCRIBED
        .iter()
        .filter(move |(_, _, since, _)| minor >= *since)
        .map(|(d, p, _, _)| (*d, *p));
    markers.chain(described).filter(move |_| minor >= FIRST_MINOR)
}

/// The values of `values` that `description` does not name as a word.
pub fn unnamed<'v>(description: &str, values: &[&'v str]) -> Vec<&'v str> {
    values
        .iter()
        .copied()
        .filter(|v| !description.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == *v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_must_be_named_as_whole_words() {
        let d = "Valid values are \"Cluster\" and \"Local\" (default: ClusterFirst).";
        assert!(unnamed(d, &["Cluster", "Local"]).is_empty());
        assert_eq!(unnamed(d, &["Cluster", "First"]), vec!["First"]);
    }

    #[test]
    fn described_enums_start_no_earlier_than_the_markers() {
        assert_eq!(curated_enum("io.k8s.api.core.v1.AppArmorProfile", "type", 29), None);
        assert!(curated_enum("io.k8s.api.core.v1.AppArmorProfile", "type", 30).is_some());
        assert_eq!(curated_enum("io.k8s.api.core.v1.PodOS", "name", 22), None);
        assert_eq!(expected(22).count(), 0);
        assert_eq!(expected(37).count(), CURATED.len() + DESCRIBED.len());
    }
}
