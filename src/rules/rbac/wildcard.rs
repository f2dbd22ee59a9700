//! `rbac-wildcard`: a Role or ClusterRole rule with `*` in `verbs`,
//! `resources` or `apiGroups`.

use super::policy::{PolicyRule, join_capped, join_names, policy_rules, scope};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RbacWildcard;

fn star(items: &[Node]) -> Option<&Node> {
    items.iter().find(|n| n.as_str() == Some("*"))
}

fn names(items: &[Node]) -> Vec<String> {
    items
        .iter()
        .filter_map(Node::as_str)
        .map(|s| {
            if s.is_empty() {
                "core".to_string()
            } else {
                s.to_string()
            }
        })
        .collect()
}

/// What one rule grants, in words.
fn describe(rule: &PolicyRule, verbs: bool, resources: bool, groups: bool) -> String {
    let v = if verbs {
        "every verb".to_string()
    } else {
        join_capped(&names(rule.verbs()), 6)
    };
    let r = if resources {
        "every resource".to_string()
    } else {
        join_capped(&names(rule.resources()), 5)
    };
    let g = if groups {
        "every API group (custom resources included)".to_string()
    } else {
        let gs = names(rule.api_groups());
        format!(
            "the {} API group{}",
            join_capped(&gs, 4),
            if gs.len() > 1 { "s" } else { "" }
        )
    };
    format!("{v} on {r} of {g}")
}

/// Read-only aggregated APIs (served by metrics-server and metrics
/// adapters): they offer only `get` and `list`, so `*` there grants no more
/// than reading metrics.
const METRICS_GROUPS: &[&str] = &["metrics.k8s.io", "custom.metrics.k8s.io", "external.metrics.k8s.io"];

fn only_metrics(rule: &PolicyRule) -> bool {
    let groups = rule.api_groups();
    !groups.is_empty()
        && groups
            .iter()
            .all(|g| g.as_str().is_some_and(|g| METRICS_GROUPS.contains(&g)))
}

impl Rule for RbacWildcard {
    fn id(&self) -> &str {
        "rbac-wildcard"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        for rule in policy_rules(object) {
            if rule.is_non_resource() || only_metrics(&rule) {
                continue;
            }
            let verbs = star(rule.verbs());
            let resources = star(rule.resources());
            let groups = star(rule.api_groups());
            let mut stars: Vec<(&Node, &str)> = [(verbs, "verbs"), (resources, "resources"), (groups, "apiGroups")]
                .into_iter()
                .filter_map(|(n, f)| n.map(|n| (n, f)))
                .collect();
            if stars.is_empty() {
                continue;
            }
            stars.sort_by_key(|(n, _)| n.span.start);
            let fields: Vec<String> = stars.iter().map(|(_, f)| format!("`{f}`")).collect();
            let what = describe(&rule, verbs.is_some(), resources.is_some(), groups.is_some());
            let all = verbs.is_some() && resources.is_some() && groups.is_some();
            let message = format!(
                "{}: {} has `*` in {}: it grants {what}, {}{}",
                object.display(),
                rule.label(),
                join_names(&fields),
                scope(object),
                if all { "; that is as much as cluster-admin" } else { "" },
            );
            let help = if verbs.is_some() && !all {
                "list the verbs the workload needs (e.g. get, list, watch); `*` also grants delete, deletecollection and any verb added later"
            } else {
                "list the API groups, resources and verbs the workload needs; a wildcard also covers resources and verbs added to the cluster later (CRDs included)"
            };
            let (first, _) = stars[0];
            let source = source_of(ctx, object);
            let d = ctx.report(object, value_span(source, first), message);
            d.help(help);
            for (n, f) in &stars[1..] {
                d.label(value_span(source, n), format!("`*` in {f}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn role(kind: &str, rules: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata: {{name: r, namespace: ns}}\nrules:\n{rules}"
        )
    }

    #[test]
    fn full_wildcard_points_at_the_first_star_and_labels_the_others() {
        let text = role(
            "ClusterRole",
            "- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n",
        );
        let d = assert_fires("rbac-wildcard", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "'*'");
        assert_eq!(d[0].span.start as usize, text.find("'*'").unwrap_or(0));
        assert_eq!(d[0].labels.len(), 2);
        assert!(d[0].message.contains("as much as cluster-admin"), "{}", d[0].message);
        assert!(d[0].message.contains("rule 1"), "{}", d[0].message);
    }

    #[test]
    fn verbs_wildcard_only() {
        let text = role(
            "Role",
            "- apiGroups: [apps]\n  resources: [deployments, statefulsets]\n  verbs: [get]\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [\"*\"]\n",
        );
        let d = assert_fires("rbac-wildcard", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "\"*\"");
        assert!(
            d[0].message.contains(
                "rule 2 has `*` in `verbs`: it grants every verb on configmaps of the core API group, in namespace ns"
            ),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn explicit_lists_and_non_resource_urls_are_quiet() {
        assert_quiet(
            "rbac-wildcard",
            &role(
                "ClusterRole",
                "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list, watch]\n- nonResourceURLs: ['*']\n  verbs: ['*']\n",
            ),
        );
    }

    #[test]
    fn read_only_metrics_apis_are_ignored() {
        assert_quiet(
            "rbac-wildcard",
            &role(
                "ClusterRole",
                "- apiGroups: [custom.metrics.k8s.io, external.metrics.k8s.io]\n  resources: ['*']\n  verbs: ['*']\n",
            ),
        );
    }

    #[test]
    fn other_api_groups_are_ignored() {
        let text = "apiVersion: example.com/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: ['*']\n  resources: ['*']\n  verbs: ['*']\n";
        assert_quiet("rbac-wildcard", text);
    }
}
