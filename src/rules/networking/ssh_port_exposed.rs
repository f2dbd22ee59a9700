//! `ssh-port-exposed`: port 22 as a container port, or as a Service's port
//! or target port.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct SshPortExposed;

const HELP: &str = "containers are not machines to log into: use `kubectl exec` or `kubectl debug` for access, and ship changes as new images; if the workload really is an SSH service (a Git server, a bastion), keep it behind a NetworkPolicy and suppress this finding";

fn is_22(n: &Node) -> bool {
    n.as_i64() == Some(22)
}

impl Rule for SshPortExposed {
    fn id(&self) -> &str {
        "ssh-port-exposed"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind == "Service" {
            for p in object.get(&["spec", "ports"]).map(Node::items).unwrap_or(&[]) {
                let hit = ["port", "targetPort"]
                    .into_iter()
                    .find_map(|k| p.get(k).filter(|n| is_22(n)).map(|n| (k, n)));
                if let Some((key, node)) = hit {
                    ctx.report(
                        object,
                        node.span,
                        format!(
                            "Service `{}` exposes the SSH port 22 (`{key}`)",
                            object.name.unwrap_or("")
                        ),
                    )
                    .help(HELP);
                }
            }
            return;
        }
        let Some(w) = Workload::of(object) else { return };
        for c in w.app_containers() {
            for p in c.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
                if let Some(node) = p.get("containerPort").filter(|n| is_22(n)) {
                    ctx.report(object, node.span, format!("{} exposes the SSH port 22", c.display()))
                        .help(HELP);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "ssh-port-exposed";

    #[test]
    fn container_and_service() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: box\n    ports: [{containerPort: 22}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 2222, targetPort: 22}\n  - {port: 22, targetPort: 22}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 3);
        assert!(d.iter().all(|d| spanned(text, d) == "22"));
    }

    #[test]
    fn other_ports() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 2222, targetPort: ssh}\n  - {port: 220}\n",
        );
    }
}
