//! `rbac-cluster-admin-binding`: a RoleBinding or ClusterRoleBinding that
//! grants the `cluster-admin` ClusterRole.

use super::policy::{join_names, role_ref, subjects};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};

pub struct RbacClusterAdminBinding;

impl Rule for RbacClusterAdminBinding {
    fn id(&self) -> &str {
        "rbac-cluster-admin-binding"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(("ClusterRole", "cluster-admin", name)) = role_ref(object) else {
            return;
        };
        let subs = subjects(object);
        if subs.is_empty() {
            // A binding without subjects grants nothing.
            return;
        }
        let who = join_names(&subs.iter().map(|s| s.display()).collect::<Vec<_>>());
        let message = if object.kind == "ClusterRoleBinding" {
            format!(
                "{} grants cluster-admin to {who}: full control of every resource in every namespace",
                object.display()
            )
        } else {
            let ns = object
                .namespace
                .map_or("its namespace".to_string(), |n| format!("namespace {n}"));
            format!(
                "{} grants cluster-admin's permissions in {ns} to {who}: full control of that namespace, its Secrets and RoleBindings included",
                object.display()
            )
        };
        let source = source_of(ctx, object);
        let d = ctx.report(object, value_span(source, name), message);
        d.help("bind a role that lists only what the subjects need (the built-in `admin`, `edit` or `view`, or your own); keep cluster-admin for break-glass human access");
        for s in &subs {
            d.label(s.name_span(source), format!("{} gets cluster-admin", s.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn cluster_role_binding_to_cluster_admin() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ci}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: ci\n- kind: Group\n  name: devs\n";
        let d = assert_fires("rbac-cluster-admin-binding", text);
        assert_eq!(spanned(text, &d[0]), "cluster-admin");
        assert_eq!(d[0].labels.len(), 2);
        assert!(
            d[0].message.contains("to ServiceAccount ci/deployer and Group devs"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn role_binding_is_namespaced() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci, namespace: apps}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: alice}]\n";
        let d = assert_fires("rbac-cluster-admin-binding", text);
        assert!(d[0].message.contains("in namespace apps"), "{}", d[0].message);
    }

    #[test]
    fn other_roles_and_empty_subjects_are_quiet() {
        assert_quiet(
            "rbac-cluster-admin-binding",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: v}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: alice}]\n",
        );
        assert_quiet(
            "rbac-cluster-admin-binding",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: v}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n",
        );
        // A namespaced Role that happens to be called cluster-admin.
        assert_quiet(
            "rbac-cluster-admin-binding",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: v, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cluster-admin}\nsubjects: [{kind: User, name: alice}]\n",
        );
    }
}
