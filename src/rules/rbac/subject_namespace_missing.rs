//! `rbac-subject-namespace-missing`: a ClusterRoleBinding names a
//! ServiceAccount without its namespace, which the API server rejects.

use super::policy::subjects;
use crate::model::Object;
use crate::rules::kubeadm::config::source_of;
use crate::rules::{Ctx, Rule};

pub struct RbacSubjectNamespaceMissing;

impl Rule for RbacSubjectNamespaceMissing {
    fn id(&self) -> &str {
        "rbac-subject-namespace-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        // In a RoleBinding an empty namespace means the binding's own.
        if object.kind != "ClusterRoleBinding" {
            return;
        }
        let source = source_of(ctx, object);
        for s in subjects(object) {
            if s.kind != "ServiceAccount" || s.namespace.is_some_and(|n| !n.is_empty()) {
                continue;
            }
            let span = s.name_span(source);
            ctx.report(
                object,
                span,
                format!(
                    "{}: subject ServiceAccount {} has no `namespace`; the API server rejects a ClusterRoleBinding subject of kind ServiceAccount without one",
                    object.display(),
                    s.name
                ),
            )
            .help("add `namespace:` with the namespace the ServiceAccount lives in");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "rbac-subject-namespace-missing";

    fn binding(kind: &str, subject: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: b, namespace: ci}}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n{subject}"
        )
    }

    #[test]
    fn cluster_role_binding_service_account_without_namespace() {
        let text = binding("ClusterRoleBinding", "- kind: ServiceAccount\n  name: deployer\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "deployer");
        let text = binding(
            "ClusterRoleBinding",
            "- kind: ServiceAccount\n  name: deployer\n  namespace: \"\"\n",
        );
        assert_fires(RULE, &text);
    }

    #[test]
    fn namespaced_users_groups_and_role_bindings_are_quiet() {
        assert_quiet(
            RULE,
            &binding(
                "ClusterRoleBinding",
                "- kind: ServiceAccount\n  name: deployer\n  namespace: ci\n",
            ),
        );
        assert_quiet(RULE, &binding("ClusterRoleBinding", "- kind: Group\n  name: devs\n"));
        assert_quiet(
            RULE,
            &binding("RoleBinding", "- kind: ServiceAccount\n  name: deployer\n"),
        );
    }
}
