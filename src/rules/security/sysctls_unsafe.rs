//! `sysctls-unsafe`: a pod sets a kernel parameter outside Kubernetes' safe
//! set.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct SysctlsUnsafe;

/// The kubelet's safe sysctls (Kubernetes 1.32; the newest need recent
/// kernels, see the rule's docs).
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// A sysctl name in its dotted form: Kubernetes also accepts `/` as the
/// separator (`kernel/shm_rmid_forced`), in which case `.` and `/` swap.
fn dotted(name: &str) -> String {
    let first_sep = name.find(['.', '/']);
    if first_sep.is_some_and(|i| name.as_bytes()[i] == b'/') {
        name.chars()
            .map(|ch| match ch {
                '/' => '.',
                '.' => '/',
                other => other,
            })
            .collect()
    } else {
        name.to_string()
    }
}

/// Whether `name` matches an allowed entry: a full name, or a prefix
/// ending in `*`.
fn allowed(name: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *p,
    })
}

/// Sysctls of the IPC namespace.
fn is_ipc(name: &str) -> bool {
    name.starts_with("kernel.shm")
        || name.starts_with("kernel.msg")
        || name == "kernel.sem"
        || name.starts_with("fs.mqueue.")
}

impl Rule for SysctlsUnsafe {
    fn id(&self) -> &str {
        "sysctls-unsafe"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some(sysctls) = w.pod_spec.path(&["securityContext", "sysctls"]) else {
            return;
        };
        let host = |k: &str| w.pod_spec.get(k).and_then(Node::as_bool) == Some(true);
        let (host_network, host_ipc) = (host("hostNetwork"), host("hostIPC"));
        let extra: Vec<String> = ctx.option_strings("allowed").into_iter().map(dotted).collect();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        for item in sysctls.items() {
            let Some(name_node) = item.get("name") else { continue };
            let Some(written) = name_node.as_str() else { continue };
            let name = dotted(written.trim());
            let shared = if host_network && name.starts_with("net.") {
                Some(("network", "hostNetwork"))
            } else if host_ipc && is_ipc(&name) {
                Some(("IPC", "hostIPC"))
            } else {
                None
            };
            if let Some((ns, field)) = shared {
                ctx.report(
                    object,
                    name_node.span,
                    format!("the pod sets `{written}` but shares the node's {ns} namespace (`{field}: true`): the kubelet refuses the pod"),
                )
                .help(format!("drop `{field}: true`, or tune the parameter on the node itself"));
                continue;
            }
            if allowed(&name, SAFE) || allowed(&name, &extra) {
                continue;
            }
            ctx.report(
                object,
                name_node.span,
                format!("the pod sets the unsafe sysctl `{written}`: the kubelet refuses to start it unless the node allows that sysctl"),
            )
            .help("remove it, or have the cluster admin allow it on dedicated nodes (kubelet `--allowed-unsafe-sysctls`) and schedule the pod there; list it in this rule's `allowed` option once that is done");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dotted;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "sysctls-unsafe";

    fn pod(extra: &str, names: &[&str]) -> String {
        let list: Vec<String> = names
            .iter()
            .map(|n| format!("    - {{name: {n}, value: '1'}}\n"))
            .collect();
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{extra}  securityContext:\n    sysctls:\n{}  containers: [{{name: app, image: 'app:1.0'}}]\n",
            list.concat()
        )
    }

    #[test]
    fn slash_form() {
        assert_eq!(dotted("kernel/shm_rmid_forced"), "kernel.shm_rmid_forced");
        assert_eq!(
            dotted("net/ipv4/conf/eth0.100/rp_filter"),
            "net.ipv4.conf.eth0/100.rp_filter"
        );
        assert_eq!(dotted("net.core.somaxconn"), "net.core.somaxconn");
    }

    #[test]
    fn unsafe_names_are_reported_at_the_name() {
        let text = pod("", &["net.ipv4.tcp_syncookies", "net.core.somaxconn", "kernel.msgmax"]);
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(&text, &d[0]), "net.core.somaxconn");
    }

    #[test]
    fn safe_names_are_quiet() {
        assert_quiet(
            RULE,
            &pod(
                "",
                &[
                    "kernel/shm_rmid_forced",
                    "net.ipv4.tcp_keepalive_time",
                    "net.ipv4.tcp_rmem",
                ],
            ),
        );
    }

    #[test]
    fn host_network_refuses_net_sysctls() {
        let text = pod(
            "  hostNetwork: true\n",
            &["net.ipv4.ip_local_port_range", "kernel.shm_rmid_forced"],
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("network namespace (`hostNetwork: true`)"),
            "{}",
            d[0].message
        );
        let text = pod("  hostIPC: true\n", &["kernel.shm_rmid_forced"]);
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("IPC"));
    }
}
