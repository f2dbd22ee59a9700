//! `rbac-pod-exec`: a role that can run commands in, attach to, or
//! port-forward into running pods, or inject ephemeral containers.

use super::policy::{join_names, policy_rules, scope};
use crate::model::Object;
use crate::rules::kubeadm::config::{source_of, value_span};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RbacPodExec;

/// Subresources that open a session into a running pod, the verbs that
/// open it, and what it does.
const SESSIONS: &[(&str, &[&str], &str)] = &[
    ("pods/exec", &["create", "get"], "run commands in pods"),
    ("pods/attach", &["create", "get"], "attach to pods"),
    ("pods/portforward", &["create", "get"], "port-forward into pods"),
    (
        "pods/ephemeralcontainers",
        &["update", "patch"],
        "add ephemeral (debug) containers to pods",
    ),
];

/// From Kubernetes 1.35 (`AuthorizePodWebsocketUpgradeCreatePermission`,
/// on by default) WebSocket sessions need `create` like SPDY ones; before,
/// `get` was enough for them.
const GET_STOPS_WORKING: (u32, u32) = (1, 35);

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

impl Rule for RbacPodExec {
    fn id(&self) -> &str {
        "rbac-pod-exec"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let get_counts = ctx
            .config
            .kubernetes_version
            .as_deref()
            .and_then(parse_version)
            .is_none_or(|v| v < GET_STOPS_WORKING);
        for rule in policy_rules(object) {
            if rule.has_resource_names() || rule.group_item("").is_none() {
                continue;
            }
            let mut hits: Vec<(&str, &Node, &Node, &str)> = Vec::new();
            for (resource, verbs, what) in SESSIONS {
                let Some(r) = rule.resource_item(resource) else {
                    continue;
                };
                let verbs: Vec<&str> = verbs.iter().copied().filter(|v| *v != "get" || get_counts).collect();
                let Some(v) = verbs.iter().find_map(|verb| rule.verb_item(verb)) else {
                    continue;
                };
                hits.push((resource, r, v, what));
            }
            let Some(&(_, first, verb, _)) = hits.iter().min_by_key(|(_, r, _, _)| r.span.start) else {
                continue;
            };
            let whats: Vec<String> = hits.iter().map(|(res, _, _, what)| format!("{what} ({res})")).collect();
            let only_get = hits.iter().all(|(_, _, v, _)| v.as_str() == Some("get"));
            let message = format!(
                "{}: {} lets its subjects {}, {}{}",
                object.display(),
                rule.label(),
                join_names(&whats),
                scope(object),
                if only_get {
                    " (`get` is enough for clients that connect over WebSockets, before Kubernetes 1.35)"
                } else {
                    ""
                }
            );
            let verb_label = match verb.as_str() {
                Some("*") => "`*` includes create",
                Some("get") => "`get` opens WebSocket sessions before 1.35",
                _ => "this verb opens the session",
            };
            let source = source_of(ctx, object);
            ctx.report(object, value_span(source, first), message)
                .label(value_span(source, verb), verb_label)
                .help("a session inside a pod acts with the pod's ServiceAccount token, mounted Secrets and network position; grant it only to the people and tools that debug these workloads, in the namespaces they own");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::lint;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};
    use crate::source::SourceFile;

    fn role(rules: &str) -> String {
        format!("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n{rules}")
    }

    #[test]
    fn exec_and_portforward() {
        let text = role("- apiGroups: [\"\"]\n  resources: [pods, pods/exec, pods/portforward]\n  verbs: [create]\n");
        let d = assert_fires("rbac-pod-exec", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "pods/exec");
        assert!(
            d[0].message
                .contains("run commands in pods (pods/exec) and port-forward into pods (pods/portforward)"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn get_on_exec_depends_on_the_version() {
        let text = role("- apiGroups: [\"\"]\n  resources: [pods/exec]\n  verbs: [get]\n");
        let d = assert_fires("rbac-pod-exec", &text);
        assert!(d[0].message.contains("WebSockets"), "{}", d[0].message);
        let config = Config {
            select: vec!["rbac-pod-exec".into()],
            kubernetes_version: Some("1.35".into()),
            ..Config::default()
        };
        let sources = vec![SourceFile::from_text("t.yaml", None, text.clone())];
        assert!(lint(&sources, &config).diagnostics.is_empty());
    }

    #[test]
    fn star_subresource_and_ephemeral_containers() {
        let text =
            role("- apiGroups: [\"\"]\n  resources: ['*/exec', pods/ephemeralcontainers]\n  verbs: [patch, create]\n");
        let d = assert_fires("rbac-pod-exec", &text);
        assert_eq!(spanned(&text, &d[0]), "'*/exec'");
        assert!(d[0].message.contains("ephemeral"), "{}", d[0].message);
    }

    #[test]
    fn pods_alone_or_logs_are_quiet() {
        assert_quiet(
            "rbac-pod-exec",
            &role("- apiGroups: [\"\"]\n  resources: [pods, pods/log]\n  verbs: [get, list, create]\n"),
        );
    }
}
