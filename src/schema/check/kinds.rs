//! Which objects are of Kubernetes' own API groups: the groups the embedded
//! versions serve, the configuration files of components and tools that
//! share the shape, and the custom resources whose CRD declares a pod
//! template.

use std::collections::HashSet;

use crate::config::Config;
use crate::model::Object;
use crate::schema::crd::CrdLookup;
use crate::source::SourceFile;

pub(super) fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Every API group any embedded version serves, sorted: a group not among
/// them is a custom resource's (Gateway API and other `*.k8s.io` projects
/// included: they are installed as CRDs), or another tool's configuration.
/// Written out rather than read from the embedded schemas, so that a run
/// whose objects' findings all come from its caches never decodes them; a
/// test checks it against every embedded version.
pub(super) const BUILTIN_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "auditregistration.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "extensions",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "lifecycle.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "settings.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// Configuration files of Kubernetes components and tools, which share the
/// apiVersion/kind shape but are not API objects: no schema to check them
/// against (kubeadm's have their own rules).
pub(super) fn component_config(api_version: &str, kind: &str) -> bool {
    const GROUPS: &[&str] = &[
        "kubeadm.k8s.io",
        "kubelet.config.k8s.io",
        "kubeproxy.config.k8s.io",
        "kubescheduler.config.k8s.io",
        "kubecontrollermanager.config.k8s.io",
        "apiserver.config.k8s.io",
        "apiserver.k8s.io",
        "audit.k8s.io",
        "client.authentication.k8s.io",
        "kustomize.config.k8s.io",
        "credentialprovider.kubelet.k8s.io",
        "pod-security.admission.config.k8s.io",
        "eventratelimit.admission.k8s.io",
    ];
    GROUPS.contains(&group_of(api_version))
        // A kubeconfig file.
        || (api_version == "v1" && kind == "Config")
}

/// Whether an object is of a built-in Kubernetes API group (not a custom
/// resource, not a component's or tool's configuration): its checks need
/// no CRD.
pub fn is_builtin_object(api_version: &str, kind: &str) -> bool {
    !api_version.is_empty() && builtin_group(api_version) && !component_config(api_version, kind)
}

/// Whether an apiVersion's group belongs to Kubernetes itself.
pub(super) fn builtin_group(api_version: &str) -> bool {
    BUILTIN_GROUPS.binary_search(&group_of(api_version)).is_ok()
}

/// Marks the custom resources whose CRD (of the run, of `--crd`/`crds:`
/// or of the embedded catalog) declares `spec.template` as a pod template,
/// so that the pod rules see their pods ([`Object::mark_custom_pod_template`]).
/// The CRDs are indexed only when some custom resource has a
/// `spec.template`.
pub fn mark_custom_pod_templates(objects: &mut [Object], sources: &[SourceFile], config: &Config) {
    let candidate = |o: &Object| {
        !o.api_version.is_empty()
            && !builtin_group(o.api_version)
            && !component_config(o.api_version, o.kind)
            && o.root.path(&["spec", "template"]).is_some_and(|t| t.is_map())
    };
    let found: Vec<usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| candidate(o))
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() {
        return;
    }
    let marked: Vec<usize> = {
        // Only the CRDs of the candidates' kinds are compiled (a workspace
        // may define hundreds of others).
        let wanted: HashSet<(&str, &str)> = found
            .iter()
            .filter_map(|&i| objects.get(i))
            .map(|o| (o.group(), o.kind))
            .collect();
        let crds = super::super::crd::catalog::index_for_kinds(objects.iter(), sources, config, Some(&wanted));
        found
            .into_iter()
            .filter(|&i| {
                objects.get(i).is_some_and(
                    |o| matches!(crds.lookup(o.api_version, o.kind), CrdLookup::Schema(s) if s.declares_pod_template()),
                )
            })
            .collect()
    };
    for i in marked {
        if let Some(o) = objects.get_mut(i) {
            o.mark_custom_pod_template();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BUILTIN_GROUPS, group_of};
    use crate::schema::{schema, versions};

    #[test]
    fn the_builtin_groups_are_the_groups_of_every_embedded_version() {
        let mut served: Vec<&str> = versions()
            .iter()
            .filter_map(|v| schema(v.name))
            .flat_map(|s| s.kinds().map(|(av, _, _)| group_of(av)))
            .collect();
        served.sort_unstable();
        served.dedup();
        assert!(served.len() > 20, "the embedded schemas are read");
        assert_eq!(BUILTIN_GROUPS, served.as_slice(), "sorted, as binary_search needs");
    }
}
