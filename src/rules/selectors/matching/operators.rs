//! Custom resources whose operators may create pods and other objects at
//! run time, and the `info` a finding becomes next to one.

use super::{label_in, nearby};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Catalog, Object};
use crate::source::SourceFile;

/// API groups served by Kubernetes itself; other groups are custom resources.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "extensions",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "apiregistration.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "certificates.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "settings.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "internal.apiserver.k8s.io",
    "storagemigration.k8s.io",
];

/// Custom resource groups and kinds known to configure things rather than
/// run pods (routing, certificates, monitoring targets, policies).
const NON_POD_GROUPS: &[&str] = &[
    "networking.istio.io",
    "security.istio.io",
    "telemetry.istio.io",
    "extensions.istio.io",
    "cert-manager.io",
    "acme.cert-manager.io",
    "certmanager.k8s.io",
    "constraints.gatekeeper.sh",
    "templates.gatekeeper.sh",
    "networking.gke.io",
    "cloud.google.com",
];
const NON_POD_KINDS: &[(&str, &str)] = &[
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("monitoring.coreos.com", "PodMonitor"),
    ("monitoring.coreos.com", "Probe"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "AlertmanagerConfig"),
    ("monitoring.coreos.com", "ScrapeConfig"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "TCPRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"),
    ("gateway.networking.k8s.io", "UDPRoute"),
    ("gateway.networking.k8s.io", "ReferenceGrant"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("opentelemetry.io", "Instrumentation"),
];

/// Whether an object is a custom resource that may create pods (an
/// operator's resource: Prometheus, Rollout, a database cluster...).
pub(crate) fn may_run_pods(o: &Object) -> bool {
    let group = o.group();
    !BUILTIN_GROUPS.contains(&group)
        && !NON_POD_GROUPS.contains(&group)
        && !NON_POD_KINDS.iter().any(|(g, k)| *g == group && *k == o.kind)
}

/// A custom resource that an operator may act on (see [`may_run_pods`])
/// next to `near`: in its namespace and [`nearby`]. Operators create pods,
/// Services, Secrets and ConfigMaps for their resources at run time, so
/// what such a run lacks may well exist in the cluster.
pub(crate) fn operator_near<'s>(catalog: &'s Catalog, sources: &[SourceFile], near: &Object) -> Option<&'s Object<'s>> {
    catalog
        .objects
        .iter()
        .find(|o| o.id != near.id && may_run_pods(o) && o.same_namespace(near) && nearby(sources, near, o))
}

/// Turns a finding about something the run lacks into an `info` that says
/// why it may be fine: custom resource `cr` may have its operator create
/// `what`. The resource is shown as a related location.
pub(crate) fn operator_may_provide(d: &mut Diagnostic, cr: &Object, what: &str) {
    d.severity = Severity::Info;
    let resource = match cr.name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{} `{name}`", cr.kind),
        None => format!("a {}", cr.kind),
    };
    d.message.push_str(&format!(
        "; but {resource} here is a custom resource whose operator may create {what}"
    ));
    label_in(
        d,
        cr,
        cr.name_span(),
        format!("{resource}: its operator may create {what}"),
    );
}
