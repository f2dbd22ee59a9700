//! `rbac-secrets-access`: a role that can read Secrets (`get`, `list` or
//! `watch`, directly or through `*`) in the core API group.

use super::policy::{join_names, policy_rules, scope};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RbacSecretsAccess;

const READ_VERBS: [&str; 3] = ["get", "list", "watch"];

impl Rule for RbacSecretsAccess {
    fn id(&self) -> &str {
        "rbac-secrets-access"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        for rule in policy_rules(object) {
            if rule.has_resource_names() || rule.group_item("").is_none() {
                continue;
            }
            let Some(resource) = rule.resource_item("secrets") else {
                continue;
            };
            let granted: Vec<(&str, &Node)> = READ_VERBS
                .iter()
                .filter_map(|v| rule.verb_item(v).map(|n| (*v, n)))
                .collect();
            let Some((_, first_verb)) = granted.first() else {
                continue;
            };
            let verbs: Vec<&str> = granted.iter().map(|(v, _)| *v).collect();
            let through = if resource.as_str() == Some("*") {
                " (`*` covers secrets)"
            } else {
                ""
            };
            let message = format!(
                "{}: {} lets its subjects {} Secrets{through}, {}",
                object.display(),
                rule.label(),
                join_names(&verbs),
                scope(object)
            );
            let verb_label = if first_verb.as_str() == Some("*") {
                "`*` includes get, list and watch".to_string()
            } else {
                "this verb reads Secret contents".to_string()
            };
            let help = if object.kind == "ClusterRole" {
                "Secrets hold credentials (ServiceAccount tokens, TLS keys, passwords) and `list`/`watch` return their contents too; grant `get` on the Secrets the workload needs (`resourceNames`), in a Role of the namespace that holds them, or limit the controller to its namespaces"
            } else {
                "Secrets hold credentials (ServiceAccount tokens, TLS keys, passwords) and `list`/`watch` return their contents too; grant `get` on the Secrets the workload needs, named in `resourceNames`"
            };
            let source = source_of(ctx, object);
            ctx.report(object, value_span(source, resource), message)
                .label(value_span(source, first_verb), verb_label)
                .help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn role(rules: &str) -> String {
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n{rules}")
    }

    #[test]
    fn list_watch_on_secrets() {
        let text = role("- apiGroups: [\"\"]\n  resources: [configmaps, secrets]\n  verbs: [list, watch]\n");
        let d = assert_fires("rbac-secrets-access", &text);
        assert_eq!(spanned(&text, &d[0]), "secrets");
        assert_eq!(d[0].labels.len(), 1);
        assert!(d[0].message.contains("list and watch Secrets"), "{}", d[0].message);
    }

    #[test]
    fn wildcards_count() {
        let text = role("- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n");
        let d = assert_fires("rbac-secrets-access", &text);
        assert!(d[0].message.contains("`*` covers secrets"), "{}", d[0].message);
    }

    #[test]
    fn named_secrets_writes_and_other_groups_are_quiet() {
        assert_quiet(
            "rbac-secrets-access",
            &role("- apiGroups: [\"\"]\n  resources: [secrets]\n  resourceNames: [tls]\n  verbs: [get]\n"),
        );
        assert_quiet(
            "rbac-secrets-access",
            &role("- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [create, delete]\n"),
        );
        assert_quiet(
            "rbac-secrets-access",
            &role("- apiGroups: [example.com]\n  resources: [secrets]\n  verbs: [get]\n"),
        );
    }
}
