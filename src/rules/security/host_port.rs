//! `host-port`: a container port bound on the node's own address.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct HostPort;

impl Rule for HostPort {
    fn id(&self) -> &str {
        "host-port"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        // On the host network every port is a host port: `host-network`
        // reports that, and Kubernetes requires hostPort = containerPort.
        if w.pod_spec.get("hostNetwork").and_then(Node::as_bool) == Some(true) {
            return;
        }
        for c in w.app_containers() {
            for port in c.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
                let Some(hp) = port.get("hostPort") else { continue };
                let Some(n) = hp.as_i64().filter(|n| *n != 0) else {
                    continue;
                };
                let name = port
                    .get("name")
                    .and_then(Node::as_str)
                    .map(|s| format!(" (`{s}`)"))
                    .unwrap_or_default();
                ctx.report(
                    object,
                    hp.span,
                    format!("{} binds port {n}{name} on the node's address (`hostPort`)", c.display()),
                )
                .help("remove `hostPort` and expose the pods through a Service (ClusterIP, NodePort or LoadBalancer); a host port allows one such pod per node and makes it reachable from outside the cluster network");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "host-port";

    fn pod(extra: &str, ports: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{extra}  containers:\n  - name: app\n    image: app:1.0\n    ports: {ports}\n"
        )
    }

    #[test]
    fn fires_on_non_zero_host_port() {
        let text = pod(
            "",
            "[{name: http, containerPort: 8080, hostPort: 80}, {containerPort: 9090, hostPort: 0}]",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "80");
        assert_eq!(
            d[0].message,
            "container `app` binds port 80 (`http`) on the node's address (`hostPort`)"
        );
    }

    #[test]
    fn host_network_pods_are_left_to_host_network() {
        assert_quiet(
            RULE,
            &pod("  hostNetwork: true\n", "[{containerPort: 80, hostPort: 80}]"),
        );
        assert_quiet(RULE, &pod("", "[{containerPort: 80}]"));
    }
}
