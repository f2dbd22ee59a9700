//! `service-external-traffic-policy`: a NodePort or LoadBalancer Service
//! that routes external traffic through any node (domain fact C5).

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct ServiceExternalTrafficPolicy;

impl Rule for ServiceExternalTrafficPolicy {
    fn id(&self) -> &str {
        "service-external-traffic-policy"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "Service" {
            return;
        }
        let Some(ty) = object.get(&["spec", "type"]) else {
            return;
        };
        let Some(ty_str) = ty.as_str().filter(|t| matches!(*t, "NodePort" | "LoadBalancer")) else {
            return;
        };
        let policy = object.get(&["spec", "externalTrafficPolicy"]);
        if policy.and_then(Node::as_str) == Some("Local") {
            return;
        }
        let name = object.name.unwrap_or("");
        let (span, message) = match policy {
            Some(p) => (
                p.span,
                format!(
                    "{ty_str} Service `{name}` uses externalTrafficPolicy `{}`: external traffic may take an extra hop and loses the client's address",
                    p.scalar_text().unwrap_or_default()
                ),
            ),
            None => (
                ty.span,
                format!(
                    "{ty_str} Service `{name}` has no externalTrafficPolicy (default Cluster): external traffic may take an extra hop and loses the client's address"
                ),
            ),
        };
        ctx.report(object, span, message).help(
            "set `externalTrafficPolicy: Local` so nodes only forward to pods on themselves, keeping the client IP; check first that every node that receives traffic runs a ready pod (load balancers use the health check node port for that, plain NodePort clients do not)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "service-external-traffic-policy";

    fn svc(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n{spec}  ports: [{{port: 80}}]\n")
    }

    #[test]
    fn cluster_policy() {
        let text = svc("  type: LoadBalancer\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "LoadBalancer");
        let text = svc("  type: NodePort\n  externalTrafficPolicy: Cluster\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "Cluster");
    }

    #[test]
    fn local_or_internal() {
        assert_quiet(RULE, &svc("  type: LoadBalancer\n  externalTrafficPolicy: Local\n"));
        assert_quiet(RULE, &svc("  type: ClusterIP\n"));
        assert_quiet(RULE, &svc(""));
    }
}
