//! `rbac-escalation-verbs`: a role that grants `escalate`, `bind` or
//! `impersonate`, the verbs that step around RBAC's own limits.

use super::policy::{PolicyRule, RBAC_GROUP, join_names, policy_rules, scope};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RbacEscalationVerbs;

/// The resource item of `rule` that the verb applies to, if any.
fn target<'a>(rule: &PolicyRule<'a>, verb: &str) -> Option<&'a Node> {
    match verb {
        "escalate" | "bind" => {
            rule.group_item(RBAC_GROUP)?;
            rule.resource_item("roles")
                .or_else(|| rule.resource_item("clusterroles"))
        }
        "impersonate" => {
            let core = rule.group_item("").and_then(|_| {
                ["users", "groups", "serviceaccounts"]
                    .iter()
                    .find_map(|r| rule.resource_item(r))
            });
            core.or_else(|| {
                rule.group_item("authentication.k8s.io")?;
                rule.resources().iter().find(|n| {
                    n.as_str()
                        .is_some_and(|r| r == "*" || r == "uids" || r.starts_with("userextras/"))
                })
            })
        }
        _ => None,
    }
}

fn effect(verb: &str) -> &'static str {
    match verb {
        "escalate" => "edit roles to grant permissions they do not hold themselves (escalate)",
        "bind" => "bind roles with permissions they do not hold themselves (bind)",
        _ => "act as other users, groups or ServiceAccounts (impersonate)",
    }
}

impl Rule for RbacEscalationVerbs {
    fn id(&self) -> &str {
        "rbac-escalation-verbs"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        for rule in policy_rules(object) {
            if rule.has_resource_names() {
                continue;
            }
            // Findings keyed by the verb item that grants them (`*` grants all three).
            let mut by_item: Vec<(&Node, Vec<&str>, &Node)> = Vec::new();
            for verb in ["escalate", "bind", "impersonate"] {
                let (Some(item), Some(res)) = (rule.verb_item(verb), target(&rule, verb)) else {
                    continue;
                };
                match by_item.iter_mut().find(|(i, _, _)| i.span == item.span) {
                    Some((_, verbs, _)) => verbs.push(verb),
                    None => by_item.push((item, vec![verb], res)),
                }
            }
            for (item, verbs, res) in by_item {
                let effects: Vec<&str> = verbs.iter().map(|v| effect(v)).collect();
                let star = item.as_str() == Some("*");
                let message = format!(
                    "{}: {} lets its subjects {}{}, {}",
                    object.display(),
                    rule.label(),
                    join_names(&effects),
                    if star { " through `*` verbs" } else { "" },
                    scope(object)
                );
                let source = source_of(ctx, object);
                let (item_span, res_span) = (value_span(source, item), value_span(source, res));
                ctx.report(object, item_span, message)
                    .label(res_span, "on these resources")
                    .help("these verbs bypass RBAC's escalation checks: whoever holds them can reach any permission in their scope; grant them only to trusted controllers, limited with `resourceNames` to the roles or identities they must handle");
            }
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
    fn explicit_verbs() {
        let text = role(
            "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [get, bind, escalate]\n- apiGroups: [\"\"]\n  resources: [serviceaccounts]\n  verbs: [impersonate]\n",
        );
        let d = assert_fires("rbac-escalation-verbs", &text);
        let spans: Vec<&str> = d.iter().map(|d| spanned(&text, d)).collect();
        assert_eq!(spans, ["bind", "escalate", "impersonate"]);
        assert!(d[2].message.contains("rule 2"), "{}", d[2].message);
    }

    #[test]
    fn star_verbs_on_roles() {
        let text = role("- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n");
        let d = assert_fires("rbac-escalation-verbs", &text);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("(escalate), bind"), "{}", d[0].message);
        assert!(d[0].message.contains("through `*` verbs"), "{}", d[0].message);
    }

    #[test]
    fn star_verbs_elsewhere_and_named_roles_are_quiet() {
        assert_quiet(
            "rbac-escalation-verbs",
            &role("- apiGroups: [apps]\n  resources: [deployments]\n  verbs: ['*']\n"),
        );
        assert_quiet(
            "rbac-escalation-verbs",
            &role(
                "- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  resourceNames: [view]\n  verbs: [bind]\n",
            ),
        );
    }
}
