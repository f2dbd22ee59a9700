//! `rbac-pod-create`: a role that can create pods, directly or through a
//! workload controller that creates them.

use super::policy::{join_names, policy_rules, scope};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RbacPodCreate;

/// (API group, resource) pairs whose creation makes pods run: pods
/// themselves and the built-in controllers that create pods from a
/// template.
pub(crate) const POD_CREATING: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("extensions", "deployments"),
    ("extensions", "replicasets"),
    ("extensions", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
];

impl Rule for RbacPodCreate {
    fn id(&self) -> &str {
        "rbac-pod-create"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        for rule in policy_rules(object) {
            if rule.has_resource_names() {
                continue;
            }
            let mut hits: Vec<(&str, &Node, &Node)> = Vec::new();
            for (group, resource) in POD_CREATING {
                if let Some((r, v)) = rule.grants(group, resource, "create")
                    && !hits.iter().any(|(name, _, _)| name == resource)
                {
                    hits.push((resource, r, v));
                }
            }
            let Some(&(_, first, verb)) = hits.iter().min_by_key(|(_, r, _)| r.span.start) else {
                continue;
            };
            let what = if first.as_str() == Some("*") {
                "create every resource, pods and workload controllers included".to_string()
            } else {
                let names: Vec<&str> = hits.iter().map(|(n, _, _)| *n).collect();
                format!("create {}", join_names(&names))
            };
            let message = format!(
                "{}: {} lets its subjects {what}, {}; a new pod can run as any ServiceAccount of its namespace and mount any of its Secrets",
                object.display(),
                rule.label(),
                scope(object)
            );
            let source = source_of(ctx, object);
            ctx.report(object, value_span(source, first), message)
                .label(value_span(source, verb), if verb.as_str() == Some("*") { "`*` includes create" } else { "create" })
                .help("whoever can create pods in a namespace holds the permissions of every ServiceAccount there; grant it only to controllers and deployers that need it, in the namespaces they manage, and keep powerful ServiceAccounts in namespaces of their own");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn role(rules: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r, namespace: ci}}\nrules:\n{rules}"
        )
    }

    #[test]
    fn create_pods() {
        let text = role("- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, create]\n");
        let d = assert_fires("rbac-pod-create", &text);
        assert_eq!(spanned(&text, &d[0]), "pods");
        assert!(
            d[0].message.contains("create pods, in namespace ci"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn workload_controllers() {
        let text = role("- apiGroups: [apps, batch]\n  resources: [jobs, deployments]\n  verbs: [create, update]\n");
        let d = assert_fires("rbac-pod-create", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "jobs");
        assert!(d[0].message.contains("create deployments and jobs"), "{}", d[0].message);
    }

    #[test]
    fn read_only_and_wrong_group_are_quiet() {
        assert_quiet(
            "rbac-pod-create",
            &role("- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list, watch, delete]\n"),
        );
        // Deployments are not in the core group.
        assert_quiet(
            "rbac-pod-create",
            &role("- apiGroups: [\"\"]\n  resources: [deployments]\n  verbs: [create]\n"),
        );
        // The `pods/eviction` subresource is not pod creation.
        assert_quiet(
            "rbac-pod-create",
            &role("- apiGroups: [\"\"]\n  resources: [pods/eviction]\n  verbs: [create]\n"),
        );
    }
}
