//! Pod and container security context, host access, capabilities.
//!
//! Shared here: the effective value of a security setting (a container's
//! value overrides the pod's default), Windows pods (where the Linux
//! settings do not apply), seccomp and AppArmor profiles with their legacy
//! annotations, `hostPath` volumes, and reporting a pod-level value once for
//! all the containers it decides.

mod apparmor_unconfined;
mod capabilities_dangerous;
mod capabilities_drop_all_missing;
mod container_runtime_socket_mounted;
mod host_path_sensitive;
mod host_path_volume;
mod host_port;
mod pod_os_field_forbidden;
mod privilege_escalation_allowed;
mod read_only_root_fs_missing;
mod run_as_non_root_missing;
mod run_as_root_group;
mod run_as_root_user;
mod seccomp_profile_missing;
mod seccomp_unconfined;
mod service_account_token_automount;
mod sysctls_unsafe;
mod windows_host_process;

pub use apparmor_unconfined::ApparmorUnconfined;
pub use capabilities_dangerous::CapabilitiesDangerous;
pub use capabilities_drop_all_missing::CapabilitiesDropAllMissing;
pub use container_runtime_socket_mounted::ContainerRuntimeSocketMounted;
pub use host_path_sensitive::HostPathSensitive;
pub use host_path_volume::HostPathVolume;
pub use host_port::HostPort;
pub use pod_os_field_forbidden::PodOsFieldForbidden;
pub use privilege_escalation_allowed::PrivilegeEscalationAllowed;
pub use read_only_root_fs_missing::ReadOnlyRootFsMissing;
pub use run_as_non_root_missing::RunAsNonRootMissing;
pub use run_as_root_group::RunAsRootGroup;
pub use run_as_root_user::RunAsRootUser;
pub use seccomp_profile_missing::SeccompProfileMissing;
pub use seccomp_unconfined::SeccompUnconfined;
pub use service_account_token_automount::ServiceAccountTokenAutomount;
pub use sysctls_unsafe::SysctlsUnsafe;
pub use windows_host_process::WindowsHostProcess;

use crate::model::{Container, Object, Workload};
use crate::rules::Ctx;
use crate::rules::metadata::annotation_deprecated::pod_annotation_read;
pub(crate) use crate::rules::metadata::annotation_deprecated::pod_annotation_unread_since;
use crate::yaml::{Node, Span};

/// A security setting's value and whether it came from the pod.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setting<'a> {
    pub node: &'a Node,
    pub from_pod: bool,
}

fn non_null(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| !n.is_null())
}

/// `securityContext.<path>` of the container alone (fields with no pod-level
/// default: `privileged`, `allowPrivilegeEscalation`, `capabilities`...).
pub(crate) fn own<'a>(c: &Container<'a>, path: &[&str]) -> Option<&'a Node> {
    non_null(c.get(&["securityContext"]).and_then(|sc| sc.path(path)))
}

/// Whether the container runs `privileged: true`: it gets every capability
/// and the runtimes start it unconfined (no seccomp, no AppArmor), so
/// advice to drop capabilities or set a profile changes nothing for it;
/// `privileged-container` reports the cause.
pub(crate) fn is_privileged(c: &Container) -> bool {
    own(c, &["privileged"]).and_then(Node::as_bool) == Some(true)
}

/// The effective `securityContext.<path>` of a container: its own value,
/// else the pod's (`runAsUser`, `runAsNonRoot`, `seccompProfile`...).
pub(crate) fn effective<'a>(w: &Workload<'a>, c: &Container<'a>, path: &[&str]) -> Option<Setting<'a>> {
    if let Some(node) = own(c, path) {
        return Some(Setting { node, from_pod: false });
    }
    non_null(w.pod_spec.get("securityContext").and_then(|sc| sc.path(path)))
        .map(|node| Setting { node, from_pod: true })
}

/// Where to point when a container lacks a setting: its `securityContext`
/// key, else its name.
pub(crate) fn missing_anchor(c: &Container) -> Span {
    c.anchor_span(&["securityContext"])
}

/// Whether the pod runs on Windows, where the Linux settings (users,
/// capabilities, seccomp, read-only root...) do not apply and are rejected.
pub(crate) fn is_windows(w: &Workload) -> bool {
    let spec = w.pod_spec;
    let windows = |n: Option<&Node>| n.and_then(Node::as_str) == Some("windows");
    windows(spec.path(&["os", "name"]))
        || windows(spec.path(&["nodeSelector", "kubernetes.io/os"]))
        || windows(spec.path(&["nodeSelector", "beta.kubernetes.io/os"]))
        || spec
            .path(&["securityContext", "windowsOptions", "hostProcess"])
            .and_then(Node::as_bool)
            == Some(true)
}

/// A capability name as Kubernetes and the runtimes compare it: upper case,
/// without the `CAP_` prefix.
pub(crate) fn cap_name(n: &Node) -> Option<String> {
    let s = n.as_str()?.trim().to_ascii_uppercase();
    Some(s.strip_prefix("CAP_").map(str::to_string).unwrap_or(s))
}

/// A container's finding and the value that decides it.
pub(crate) struct Decided<'a> {
    pub container: Container<'a>,
    /// The deciding value; `None` when the finding is about a missing one.
    pub value: Option<&'a Node>,
    pub span: Span,
    pub from_pod: bool,
    /// A rule-specific detail for the message.
    pub flag: bool,
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The containers of some findings, for a message.
pub(crate) fn names(ds: &[&Decided]) -> String {
    let v: Vec<String> = ds.iter().map(|d| d.container.display()).collect();
    join_and(&v)
}

/// Reports container findings. Those decided by the container's own value
/// (or a missing one) are reported each at their place; those decided by
/// the same pod-level value are reported once, at that value.
pub(crate) fn report_decided(
    object: &Object,
    ctx: &mut Ctx,
    found: &[Decided],
    own_message: impl Fn(&Decided) -> String,
    pod_message: impl Fn(&[&Decided]) -> String,
    help: &str,
) {
    let mut groups: Vec<(Span, Vec<&Decided>)> = Vec::new();
    for d in found {
        if d.from_pod {
            match groups.iter_mut().find(|(s, _)| *s == d.span) {
                Some((_, v)) => v.push(d),
                None => groups.push((d.span, vec![d])),
            }
        } else {
            ctx.report(object, d.span, own_message(d)).help(help);
        }
    }
    for (span, ds) in groups {
        ctx.report(object, span, pod_message(&ds)).help(help);
    }
}

/// What a seccomp or AppArmor profile does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// `RuntimeDefault`, `Localhost` (or their legacy annotation forms).
    Confined,
    Unconfined,
    /// A value this module does not know (the schema rules report it).
    Unknown,
}

/// The effective seccomp or AppArmor profile of a container.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProfileSetting<'a> {
    pub profile: Profile,
    pub node: &'a Node,
    pub from_pod: bool,
    /// From a legacy annotation rather than the field.
    pub legacy: bool,
}

fn field_profile(n: &Node) -> Profile {
    match n.as_str() {
        Some("RuntimeDefault" | "Localhost") => Profile::Confined,
        Some("Unconfined") => Profile::Unconfined,
        _ => Profile::Unknown,
    }
}

fn annotation_profile(n: &Node) -> Profile {
    match n.as_str().map(str::trim) {
        Some("runtime/default" | "docker/default") => Profile::Confined,
        Some(s) if s.starts_with("localhost/") => Profile::Confined,
        Some("unconfined") => Profile::Unconfined,
        _ => Profile::Unknown,
    }
}

/// Looks a profile up in order: the container's field, the container's
/// annotation, the pod's field, the pod's annotation. An annotation that
/// Kubernetes no longer reads at the version checked counts as unset.
fn profile<'a>(
    w: &Workload<'a>,
    c: &Container<'a>,
    ctx: &Ctx,
    field: &str,
    container_annotation: &str,
    pod_annotation: Option<&str>,
) -> Option<ProfileSetting<'a>> {
    let from_field = |sc: Option<&'a Node>, from_pod| {
        non_null(sc.and_then(|sc| sc.path(&[field, "type"]))).map(|node| ProfileSetting {
            profile: field_profile(node),
            node,
            from_pod,
            legacy: false,
        })
    };
    let from_annotation = |key: &str, from_pod| {
        if !pod_annotation_read(ctx, key) {
            return None;
        }
        non_null(w.pod_annotations().and_then(|a| a.get(key))).map(|node| ProfileSetting {
            profile: annotation_profile(node),
            node,
            from_pod,
            legacy: true,
        })
    };
    from_field(c.get(&["securityContext"]), false)
        .or_else(|| {
            c.name()
                .and_then(|name| from_annotation(&format!("{container_annotation}{name}"), false))
        })
        .or_else(|| from_field(w.pod_spec.get("securityContext"), true))
        .or_else(|| pod_annotation.and_then(|key| from_annotation(key, true)))
}

/// The effective seccomp profile of a container (`seccompProfile`, or the
/// annotations used before Kubernetes 1.19, which the API server stopped
/// copying into the field in 1.27: from there they count as unset).
pub(crate) fn seccomp<'a>(w: &Workload<'a>, c: &Container<'a>, ctx: &Ctx) -> Option<ProfileSetting<'a>> {
    profile(
        w,
        c,
        ctx,
        "seccompProfile",
        "container.seccomp.security.alpha.kubernetes.io/",
        Some("seccomp.security.alpha.kubernetes.io/pod"),
    )
}

/// The legacy seccomp annotation a container has (its own, else the
/// pod's), whether or not Kubernetes still reads it.
pub(crate) fn seccomp_annotation<'a>(w: &Workload<'a>, c: &Container<'a>) -> Option<(String, &'a Node)> {
    let annotations = w.pod_annotations()?;
    let own = c
        .name()
        .map(|name| format!("container.seccomp.security.alpha.kubernetes.io/{name}"));
    own.into_iter()
        .chain(std::iter::once("seccomp.security.alpha.kubernetes.io/pod".to_string()))
        .find_map(|key| non_null(annotations.get(&key)).map(|n| (key, n)))
}

/// The effective AppArmor profile of a container (`appArmorProfile`, or the
/// annotation used before Kubernetes 1.30, which is deprecated but still
/// read).
pub(crate) fn apparmor<'a>(w: &Workload<'a>, c: &Container<'a>, ctx: &Ctx) -> Option<ProfileSetting<'a>> {
    profile(
        w,
        c,
        ctx,
        "appArmorProfile",
        "container.apparmor.security.beta.kubernetes.io/",
        None,
    )
}

/// A `hostPath` volume of a pod.
pub(crate) struct HostPathMount<'a> {
    pub name: Option<&'a str>,
    /// The span of the `hostPath` key.
    pub key_span: Span,
    /// The `path` value.
    pub path: Option<&'a Node>,
}

impl HostPathMount<'_> {
    pub fn display(&self) -> String {
        match self.name {
            Some(n) => format!("volume `{n}`"),
            None => "a volume".to_string(),
        }
    }
}

pub(crate) fn host_path_volumes<'a>(w: &Workload<'a>) -> Vec<HostPathMount<'a>> {
    w.pod_spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| {
            let e = v.entry("hostPath")?;
            Some(HostPathMount {
                name: v.get("name").and_then(Node::as_str),
                key_span: e.key_span,
                path: e.value.get("path"),
            })
        })
        .collect()
}

/// An absolute path without empty, `.` and `..` segments or a trailing
/// slash; `None` for relative paths.
pub(crate) fn normalize_path(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether normalised `path` is `dir` or below it.
pub(crate) fn within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether every mount of the volume is read-only (true when unmounted).
pub(crate) fn mounted_read_only(w: &Workload, volume: &str) -> bool {
    w.all_containers()
        .flat_map(|c| c.get(&["volumeMounts"]).map(Node::items).unwrap_or(&[]))
        .filter(|m| m.get("name").and_then(Node::as_str) == Some(volume))
        .all(|m| m.get("readOnly").and_then(Node::as_bool) == Some(true))
}

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(PrivilegeEscalationAllowed),
        Box::new(RunAsNonRootMissing),
        Box::new(RunAsRootUser),
        Box::new(RunAsRootGroup),
        Box::new(ReadOnlyRootFsMissing),
        Box::new(CapabilitiesDropAllMissing),
        Box::new(CapabilitiesDangerous),
        Box::new(HostPort),
        Box::new(HostPathVolume),
        Box::new(HostPathSensitive),
        Box::new(ContainerRuntimeSocketMounted),
        Box::new(SeccompProfileMissing),
        Box::new(SeccompUnconfined),
        Box::new(ApparmorUnconfined),
        Box::new(SysctlsUnsafe),
        Box::new(ServiceAccountTokenAutomount),
        Box::new(WindowsHostProcess),
        Box::new(PodOsFieldForbidden),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(normalize_path("/etc/kubernetes/").as_deref(), Some("/etc/kubernetes"));
        assert_eq!(normalize_path("//var/./lib/../run").as_deref(), Some("/var/run"));
        assert_eq!(normalize_path("/").as_deref(), Some("/"));
        assert_eq!(normalize_path("data"), None);
        assert!(within("/etc/kubernetes/pki", "/etc/kubernetes"));
        assert!(within("/etc", "/etc"));
        assert!(!within("/etcd", "/etc"));
        assert!(within("/anything", "/"));
    }

    #[test]
    fn joins() {
        let s = |v: &[&str]| join_and(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["a"]), "a");
        assert_eq!(s(&["a", "b"]), "a and b");
        assert_eq!(s(&["a", "b", "c"]), "a, b and c");
    }
}
