//! A read-only view of RBAC objects: the `rules[]` of Roles and
//! ClusterRoles, and the `roleRef`/`subjects` of their bindings, with the
//! matching semantics of the RBAC authorizer (`*` matches every verb,
//! resource or group; `*/exec` matches the `exec` subresource of every
//! resource).

use crate::model::Object;
use crate::yaml::{Node, Span};

/// The API group of Role, ClusterRole and their bindings (v1, v1beta1 and
/// v1alpha1 share the same shape).
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Whether the object is a Role or ClusterRole of the RBAC API.
pub fn is_role(object: &Object) -> bool {
    matches!(object.kind, "Role" | "ClusterRole") && object.group() == RBAC_GROUP
}

/// Whether the object is a RoleBinding or ClusterRoleBinding of the RBAC API.
pub fn is_binding(object: &Object) -> bool {
    matches!(object.kind, "RoleBinding" | "ClusterRoleBinding") && object.group() == RBAC_GROUP
}

/// One entry of a role's `rules[]`.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRule<'a> {
    pub node: &'a Node,
    /// Position in `rules[]`, 0-based.
    pub index: usize,
}

/// The rules of a Role or ClusterRole (nothing for other objects).
pub fn policy_rules<'a>(object: &Object<'a>) -> impl Iterator<Item = PolicyRule<'a>> + 'a {
    let rules: &'a [Node] = if is_role(object) {
        object.root.get("rules").map(Node::items).unwrap_or(&[])
    } else {
        &[]
    };
    rules
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_map())
        .map(|(index, node)| PolicyRule { node, index })
}

impl<'a> PolicyRule<'a> {
    fn list(&self, key: &str) -> &'a [Node] {
        self.node.get(key).map(Node::items).unwrap_or(&[])
    }

    pub fn api_groups(&self) -> &'a [Node] {
        self.list("apiGroups")
    }

    pub fn resources(&self) -> &'a [Node] {
        self.list("resources")
    }

    pub fn verbs(&self) -> &'a [Node] {
        self.list("verbs")
    }

    /// A rule limited to named objects (`resourceNames`) grants much less
    /// than one over a whole resource type.
    pub fn has_resource_names(&self) -> bool {
        !self.list("resourceNames").is_empty()
    }

    /// A rule about non-resource URLs (`/metrics`, `/healthz`) only.
    pub fn is_non_resource(&self) -> bool {
        self.resources().is_empty() && !self.list("nonResourceURLs").is_empty()
    }

    /// The `apiGroups` item that covers `group` (`""` is the core group).
    pub fn group_item(&self, group: &str) -> Option<&'a Node> {
        self.api_groups()
            .iter()
            .find(|n| n.as_str().is_some_and(|g| g == "*" || g == group))
    }

    /// The `resources` item that covers `resource` (`pods` or `pods/exec`).
    pub fn resource_item(&self, resource: &str) -> Option<&'a Node> {
        self.resources()
            .iter()
            .find(|n| n.as_str().is_some_and(|r| resource_matches(r, resource)))
    }

    /// The `verbs` item that covers `verb`.
    pub fn verb_item(&self, verb: &str) -> Option<&'a Node> {
        self.verbs()
            .iter()
            .find(|n| n.as_str().is_some_and(|v| v == "*" || v == verb))
    }

    /// Whether the rule grants `verb` on `group`/`resource`; returns the
    /// resource item and the verb item that do it.
    pub fn grants(&self, group: &str, resource: &str, verb: &str) -> Option<(&'a Node, &'a Node)> {
        self.group_item(group)?;
        Some((self.resource_item(resource)?, self.verb_item(verb)?))
    }

    /// `rules[2]` for messages (1-based, as people count).
    pub fn label(&self) -> String {
        format!("rule {}", self.index + 1)
    }
}

/// RBAC's resource matching: exact, `*`, or `*/sub` for a subresource of
/// any resource.
pub fn resource_matches(rule: &str, resource: &str) -> bool {
    if rule == "*" || rule == resource {
        return true;
    }
    match (rule.strip_prefix("*/"), resource.split_once('/')) {
        (Some(sub), Some((_, want))) => sub == want,
        _ => false,
    }
}

/// Where a role's grants apply, for messages.
pub fn scope(object: &Object) -> String {
    match (object.kind, object.namespace) {
        ("ClusterRole", _) => "cluster-wide when bound with a ClusterRoleBinding".to_string(),
        (_, Some(ns)) => format!("in namespace {ns}"),
        _ => "in the Role's namespace".to_string(),
    }
}

/// One subject of a binding.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    pub node: &'a Node,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
}

impl Subject<'_> {
    /// The span of the subject's name (or the whole subject).
    pub fn name_span(&self, source: &str) -> Span {
        self.node
            .get("name")
            .map_or(self.node.span, |n| crate::rules::kubeadm::config::value_span(source, n))
    }

    pub fn display(&self) -> String {
        match (self.kind, self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", self.name),
            (kind, _) => format!("{kind} {}", self.name),
        }
    }
}

/// The subjects of a binding.
pub fn subjects<'a>(object: &Object<'a>) -> Vec<Subject<'a>> {
    if !is_binding(object) {
        return Vec::new();
    }
    object
        .root
        .get("subjects")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|node| {
            let s = |k: &str| node.get(k).and_then(Node::as_str);
            Some(Subject {
                node,
                kind: s("kind")?,
                name: s("name")?,
                namespace: s("namespace"),
            })
        })
        .collect()
}

/// A binding's `roleRef`: (kind, name, the name's node).
pub fn role_ref<'a>(object: &Object<'a>) -> Option<(&'a str, &'a str, &'a Node)> {
    if !is_binding(object) {
        return None;
    }
    let r = object.root.get("roleRef")?;
    let kind = r.get("kind").and_then(Node::as_str)?;
    let name = r.get("name")?;
    Some((kind, name.as_str()?, name))
}

/// Lists names for messages: `a`, `a and b`, `a, b and c`.
pub fn join_names<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter().map(|s| s.as_ref()).collect::<Vec<_>>().join(", "),
            last.as_ref()
        ),
    }
}

/// Like [`join_names`], but long lists end with `and N more`.
pub fn join_capped<S: AsRef<str>>(names: &[S], max: usize) -> String {
    if names.len() <= max {
        return join_names(names);
    }
    let shown: Vec<&str> = names[..max - 1].iter().map(|s| s.as_ref()).collect();
    format!("{} and {} more", shown.join(", "), names.len() - shown.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_matching_follows_rbac() {
        assert!(resource_matches("*", "pods/exec"));
        assert!(resource_matches("pods/exec", "pods/exec"));
        assert!(resource_matches("*/exec", "pods/exec"));
        assert!(!resource_matches("*/exec", "pods"));
        assert!(!resource_matches("pods", "pods/exec"));
        assert!(!resource_matches("pods/*", "pods/exec"));
        assert!(!resource_matches("secret", "secrets"));
    }

    #[test]
    fn names_are_joined() {
        assert_eq!(join_names::<&str>(&[]), "");
        assert_eq!(join_names(&["a"]), "a");
        assert_eq!(join_names(&["a", "b"]), "a and b");
        assert_eq!(join_names(&["a", "b", "c"]), "a, b and c");
        assert_eq!(join_capped(&["a", "b", "c"], 3), "a, b and c");
        assert_eq!(join_capped(&["a", "b", "c", "d", "e"], 3), "a, b and 3 more");
    }
}
