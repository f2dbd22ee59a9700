//! `privileged-port`: a container listening on a port below 1024, which
//! needs root or the NET_BIND_SERVICE capability.

use crate::model::{Container, Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct PrivilegedPort;

fn adds_net_bind_service(c: &Container) -> bool {
    c.get(&["securityContext", "capabilities", "add"])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .any(|cap| {
            let cap = cap.strip_prefix("CAP_").unwrap_or(cap);
            cap.eq_ignore_ascii_case("NET_BIND_SERVICE")
        })
}

/// `net.ipv4.ip_unprivileged_port_start` from the pod's sysctls.
fn unprivileged_start(w: &Workload) -> Option<i64> {
    w.pod_spec
        .path(&["securityContext", "sysctls"])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .find(|s| s.get("name").and_then(Node::as_str) == Some("net.ipv4.ip_unprivileged_port_start"))
        .and_then(|s| s.get("value"))
        .and_then(|v| v.scalar_text())
        .and_then(|v| v.trim().parse().ok())
}

impl Rule for PrivilegedPort {
    fn id(&self) -> &str {
        "privileged-port"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let start = unprivileged_start(&w).unwrap_or(1024);
        for c in w.app_containers() {
            if adds_net_bind_service(&c) {
                continue;
            }
            for p in c.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
                let Some(node) = p.get("containerPort") else { continue };
                let Some(port) = node.as_i64() else { continue };
                if port <= 0 || port >= start.min(1024) {
                    continue;
                }
                ctx.report(
                    object,
                    node.span,
                    format!("{} listens on port {port}, below 1024", c.display()),
                )
                .help("binding a port below 1024 needs root or the NET_BIND_SERVICE capability; let the container listen on an unprivileged port (e.g. 8080) and keep the well-known port on the Service (`port: 80`, `targetPort: 8080`), or add only `NET_BIND_SERVICE` to `securityContext.capabilities.add`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "privileged-port";

    fn pod(container: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{container}")
    }

    #[test]
    fn low_port() {
        let text = pod("  containers:\n  - name: web\n    ports: [{containerPort: 80}, {containerPort: 8080}]\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "80");
    }

    #[test]
    fn high_port_or_capability_or_sysctl() {
        assert_quiet(
            RULE,
            &pod("  containers:\n  - name: web\n    ports: [{containerPort: 8080}]\n"),
        );
        assert_quiet(
            RULE,
            &pod(
                "  containers:\n  - name: web\n    ports: [{containerPort: 443}]\n    securityContext:\n      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n",
            ),
        );
        assert_quiet(
            RULE,
            &pod(
                "  securityContext:\n    sysctls: [{name: net.ipv4.ip_unprivileged_port_start, value: '0'}]\n  containers:\n  - name: web\n    ports: [{containerPort: 80}]\n",
            ),
        );
    }
}
