//! Which kinds count as "served" top-level kinds.
//!
//! With paths (1.0–1.13, and the OpenAPI v3 cross-check), a kind is served
//! when it is read or written at a resource collection or item path
//! (`/api/v1/namespaces/{namespace}/pods`, `/api/v1/namespaces/{name}`), not
//! only at a subresource (`.../deployments/{name}/scale`). Without paths
//! (1.14+), every kind named by `x-kubernetes-group-version-kind` is served
//! except the kinds in [`NOT_TOP_LEVEL`] and lists. Both rules agree on
//! every version that has paths (checked by the generator).

/// Kinds that have a group-version-kind but only exist as subresources,
/// options or API machinery.
pub const NOT_TOP_LEVEL: &[&str] = &[
    "APIGroup",
    "APIGroupList",
    "APIResourceList",
    "APIVersions",
    "DeleteOptions",
    "DeploymentRollback",
    "EphemeralContainers",
    "Eviction",
    "NodeConfigSource",
    "Scale",
    "Status",
    "TokenRequest",
    "WatchEvent",
    "Patch",
];

pub fn is_top_level_kind(kind: &str) -> bool {
    !kind.ends_with("List") && !NOT_TOP_LEVEL.contains(&kind) && !kind.is_empty()
}

/// Splits an API path into (apiVersion, rest): `/apis/apps/v1/deployments`
/// → `("apps/v1", "deployments")`.
pub fn split_path(path: &str) -> Option<(String, &str)> {
    if let Some(rest) = path.strip_prefix("/api/") {
        let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if version.is_empty() {
            return None;
        }
        return Some((version.to_string(), rest));
    }
    let rest = path.strip_prefix("/apis/")?;
    let (group, rest) = rest.split_once('/')?;
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if group.is_empty() || version.is_empty() {
        return None;
    }
    Some((format!("{group}/{version}"), rest))
}

/// Whether the part after the group-version is a resource collection or a
/// named item of one (optionally inside a namespace), not a subresource,
/// a watch or a proxy path.
pub fn is_resource_path(rest: &str) -> bool {
    let mut seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if seg.first().is_some_and(|s| *s == "watch" || *s == "proxy") {
        return false;
    }
    if seg.len() >= 3 && seg[0] == "namespaces" && seg[1] == "{namespace}" {
        seg.drain(..2);
    }
    let is_var = |s: &str| s.starts_with('{');
    match seg.as_slice() {
        [plural] => !is_var(plural),
        [plural, name] => !is_var(plural) && is_var(name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(split_path("/api/v1/pods"), Some(("v1".into(), "pods")));
        assert_eq!(
            split_path("/apis/apps/v1/namespaces/{namespace}/deployments"),
            Some(("apps/v1".into(), "namespaces/{namespace}/deployments"))
        );
        assert!(is_resource_path("namespaces/{namespace}/deployments"));
        assert!(is_resource_path("namespaces/{namespace}/deployments/{name}"));
        assert!(is_resource_path("namespaces/{name}"));
        assert!(is_resource_path("namespaces"));
        assert!(is_resource_path("namespaces/{namespace}/bindings"));
        assert!(!is_resource_path("namespaces/{namespace}/deployments/{name}/scale"));
        assert!(!is_resource_path("namespaces/{name}/finalize"));
        assert!(!is_resource_path("watch/namespaces/{namespace}/pods"));
        assert!(!is_resource_path(""));
    }
}
