//! `host-path-sensitive`: a `hostPath` volume that exposes the node's
//! credentials, configuration, kernel interfaces or container storage.

use super::{host_path_volumes, mounted_read_only, normalize_path, within};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct HostPathSensitive;

struct Sensitive {
    path: &'static str,
    what: &'static str,
    /// Paths below it are just as sensitive.
    subtree: bool,
    /// Mounting it read-only everywhere is acceptable (monitoring agents).
    read_only_ok: bool,
}

const fn s(path: &'static str, what: &'static str, subtree: bool, read_only_ok: bool) -> Sensitive {
    Sensitive {
        path,
        what,
        subtree,
        read_only_ok,
    }
}

/// Directories whose exposure gives away the node (documented in the rule).
const SENSITIVE: &[Sensitive] = &[
    s(
        "/etc/kubernetes",
        "the node's Kubernetes credentials and certificates",
        true,
        false,
    ),
    s(
        "/var/lib/kubelet",
        "the kubelet's state, including the Secrets of every pod on the node",
        true,
        false,
    ),
    s(
        "/var/lib/etcd",
        "etcd's data: the whole cluster state, Secrets included",
        true,
        false,
    ),
    s(
        "/var/lib/docker",
        "Docker's storage: every container's files and configuration",
        true,
        false,
    ),
    s(
        "/var/lib/containerd",
        "containerd's storage: every container's files",
        true,
        false,
    ),
    s(
        "/var/lib/containers",
        "CRI-O's and Podman's storage: every container's files",
        true,
        false,
    ),
    s("/root", "the home directory of the node's root user", true, false),
    s("/boot", "the node's kernel and boot loader", true, false),
    s(
        "/etc",
        "the node's configuration, including password hashes",
        false,
        false,
    ),
    s(
        "/proc",
        "the node's processes and kernel settings, mounted writable",
        false,
        true,
    ),
    s(
        "/sys",
        "the node's kernel and device settings, mounted writable",
        false,
        true,
    ),
    s("/usr", "the node's programs and libraries", false, false),
    s("/bin", "the node's programs", false, false),
    s("/sbin", "the node's system programs", false, false),
    s("/lib", "the node's libraries", false, false),
    s("/lib64", "the node's libraries", false, false),
];

/// Kubelet integration points that node plugins (CSI, device plugins,
/// monitoring agents) are meant to mount.
const EXEMPT: &[&str] = &[
    "/var/lib/kubelet/plugins",
    "/var/lib/kubelet/plugins_registry",
    "/var/lib/kubelet/device-plugins",
    "/var/lib/kubelet/pod-resources",
];

/// Why a normalised path is sensitive, or `None`.
fn classify(path: &str) -> Option<String> {
    if path == "/" {
        return Some(
            "the node's whole file system, with its credentials and the Secrets of every pod on it".to_string(),
        );
    }
    if EXEMPT.iter().any(|e| within(path, e)) {
        return None;
    }
    if let Some(e) = SENSITIVE.iter().find(|e| e.path == path) {
        return Some(e.what.to_string());
    }
    if let Some(e) = SENSITIVE.iter().find(|e| e.subtree && within(path, e.path)) {
        return Some(format!("it is inside `{}`, {}", e.path, e.what));
    }
    SENSITIVE
        .iter()
        .find(|e| within(e.path, path))
        .map(|e| format!("it contains `{}`, {}", e.path, e.what))
}

impl Rule for HostPathSensitive {
    fn id(&self) -> &str {
        "host-path-sensitive"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for v in host_path_volumes(&w) {
            let Some(node) = v.path else { continue };
            let Some(written) = node.as_str() else { continue };
            let Some(path) = normalize_path(written) else { continue };
            let Some(why) = classify(&path) else { continue };
            let read_only_ok = SENSITIVE.iter().any(|e| e.path == path && e.read_only_ok);
            if read_only_ok && v.name.is_some_and(|n| mounted_read_only(&w, n)) {
                continue;
            }
            ctx.report(
                object,
                node.span,
                format!("{} mounts the node's `{written}`: {why}", v.display()),
            )
            .help("mount only the specific file or directory the container needs, read-only, or get the data another way (a Secret, a ConfigMap, the kubelet or API server)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::classify;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "host-path-sensitive";

    fn pod(path: &str, read_only: bool) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    volumeMounts: [{{name: host, mountPath: /host, readOnly: {read_only}}}]\n  volumes:\n  - name: host\n    hostPath:\n      path: {path}\n"
        )
    }

    #[test]
    fn classification() {
        assert!(classify("/").is_some());
        assert!(classify("/etc").is_some());
        assert!(classify("/etc/kubernetes/pki").is_some_and(|w| w.contains("inside `/etc/kubernetes`")));
        assert!(classify("/var").is_some_and(|w| w.contains("contains `/var/lib/kubelet`")));
        assert!(classify("/var/lib/kubelet/pods").is_some());
        assert!(classify("/var/lib/kubelet/plugins_registry").is_none());
        assert!(classify("/etc/ssl/certs").is_none());
        assert!(classify("/etc/localtime").is_none());
        assert!(classify("/var/log").is_none());
        assert!(classify("/lib/modules").is_none());
        assert!(classify("/etcd").is_none());
    }

    #[test]
    fn fires_on_written_path_with_trailing_slash() {
        let text = pod("/etc/kubernetes/", true);
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "/etc/kubernetes/");
        assert!(
            d[0].message
                .starts_with("volume `host` mounts the node's `/etc/kubernetes/`")
        );
    }

    #[test]
    fn proc_and_sys_read_only_are_accepted() {
        assert_quiet(RULE, &pod("/proc", true));
        assert_quiet(RULE, &pod("/sys/", true));
        assert_fires(RULE, &pod("/proc", false));
        assert_fires(RULE, &pod("/", true));
    }
}
