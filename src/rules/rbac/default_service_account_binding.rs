//! `rbac-default-service-account-binding`: a binding that grants a role to
//! a namespace's `default` ServiceAccount.

use super::policy::{role_ref, subjects};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};

pub struct RbacDefaultServiceAccountBinding;

impl Rule for RbacDefaultServiceAccountBinding {
    fn id(&self) -> &str {
        "rbac-default-service-account-binding"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some((role_kind, role_name, role_node)) = role_ref(object) else {
            return;
        };
        let source = source_of(ctx, object);
        let role_span = value_span(source, role_node);
        for s in subjects(object) {
            if s.kind != "ServiceAccount" || s.name != "default" {
                continue;
            }
            // A RoleBinding's subject without a namespace is in the binding's namespace.
            let ns = s.namespace.or(object.namespace);
            let where_ = ns.map_or("its namespace".to_string(), |n| format!("namespace {n}"));
            let message = format!(
                "{} grants {role_kind} {role_name} to the `default` ServiceAccount of {where_}: every pod there that sets no `serviceAccountName` gets these permissions",
                object.display()
            );
            ctx.report(object, s.name_span(source), message)
                .label(role_span, "the role granted")
                .help("create a dedicated ServiceAccount for the workload that needs the role, bind the role to it, and set `serviceAccountName` in that workload's pod template");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn default_service_account() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: web}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n- kind: ServiceAccount\n  name: default\n";
        let d = assert_fires("rbac-default-service-account-binding", text);
        assert_eq!(spanned(text, &d[0]), "default");
        assert!(d[0].message.contains("Role reader"), "{}", d[0].message);
        assert!(d[0].message.contains("namespace web"), "{}", d[0].message);
    }

    #[test]
    fn named_service_accounts_are_quiet() {
        assert_quiet(
            "rbac-default-service-account-binding",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\nsubjects:\n- {kind: ServiceAccount, name: app, namespace: web}\n- {kind: User, name: default}\n",
        );
    }
}
