//! `name-invalid`: a `metadata.name` that the API server rejects for the
//! object's kind. Kinds whose rule is not known (custom resources, most
//! rarely written kinds) are not checked.

use super::names;
use super::scope::builtin_group;
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct NameInvalid;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Subdomain,
    Label,
    /// Service names: DNS-1035 labels (DNS-1123 labels from 1.36).
    ServiceName,
    /// CronJob names: subdomains of at most 52 characters.
    CronJob,
    PathSegment,
}

fn format_of(kind: &str) -> Option<Format> {
    Some(match kind {
        "Service" => Format::ServiceName,
        "Namespace" | "StatefulSet" => Format::Label,
        "CronJob" => Format::CronJob,
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => Format::PathSegment,
        "Pod"
        | "PodTemplate"
        | "ReplicationController"
        | "ConfigMap"
        | "Secret"
        | "ServiceAccount"
        | "PersistentVolume"
        | "PersistentVolumeClaim"
        | "Node"
        | "Endpoints"
        | "LimitRange"
        | "ResourceQuota"
        | "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "ControllerRevision"
        | "Job"
        | "Ingress"
        | "IngressClass"
        | "NetworkPolicy"
        | "StorageClass"
        | "CSIDriver"
        | "PriorityClass"
        | "RuntimeClass"
        | "HorizontalPodAutoscaler"
        | "EndpointSlice"
        | "ValidatingWebhookConfiguration"
        | "MutatingWebhookConfiguration" => Format::Subdomain,
        _ => return None,
    })
}

/// Whether the configured cluster version is at least 1.36, where Service
/// names may start with a digit (RelaxedServiceNameValidation, beta).
fn relaxed_service_names(ctx: &Ctx) -> bool {
    let Some(v) = ctx.config.kubernetes_version.as_deref() else {
        return false;
    };
    let mut parts = v.trim_start_matches('v').split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= (1, 36)
}

impl Rule for NameInvalid {
    fn id(&self) -> &str {
        "name-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !builtin_group(object.group()) {
            return;
        }
        let Some(format) = format_of(object.kind) else { return };
        let Some(node) = object.get(&["metadata", "name"]) else {
            return;
        };
        let Some(name) = node.as_str() else { return };
        if name.is_empty() || name.contains("{{") {
            // `generateName` objects leave the name empty; unrendered
            // templates are not judged.
            return;
        }
        let (why, rule) = match format {
            Format::Subdomain => (
                names::dns1123_subdomain(name),
                "a DNS subdomain: at most 253 lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit",
            ),
            Format::Label => (
                names::dns1123_label(name),
                "a DNS label: at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit (no dots)",
            ),
            Format::ServiceName => {
                let why = if relaxed_service_names(ctx) {
                    names::dns1123_label(name)
                } else {
                    names::dns1035_label(name)
                };
                (
                    why,
                    "a DNS label that starts with a letter: at most 63 lower-case letters, digits and `-` (no dots); Kubernetes 1.36 and later also accept a leading digit",
                )
            }
            Format::CronJob => {
                let why = names::dns1123_subdomain(name).or_else(|| {
                    (name.len() > 52).then(|| {
                        format!(
                            "it is {} characters long, more than 52 (the Job controller appends 11 characters to it)",
                            name.len()
                        )
                    })
                });
                (
                    why,
                    "a DNS subdomain of at most 52 characters: lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit",
                )
            }
            Format::PathSegment => (
                names::path_segment(name),
                "any string without `/` or `%`, other than `.` and `..`",
            ),
        };
        let Some(why) = why else { return };
        ctx.report(
            object,
            node.span,
            format!("`{name}` is not a valid {} name: {why}", object.kind),
        )
        .help(format!("a {} name must be {rule}", object.kind));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "name-invalid";

    fn obj(api: &str, kind: &str, name: &str) -> String {
        format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n")
    }

    #[test]
    fn invalid_names() {
        let text = obj("apps/v1", "Deployment", "My_App");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "My_App");
        assert_fires(RULE, &obj("v1", "Service", "web.front"));
        assert_fires(RULE, &obj("v1", "Service", "2048-game"));
        assert_fires(RULE, &obj("apps/v1", "StatefulSet", "db.primary"));
        assert_fires(RULE, &obj("v1", "Namespace", "Team-A"));
        assert_fires(RULE, &obj("batch/v1", "CronJob", &"a".repeat(53)));
        assert_fires(RULE, &obj("rbac.authorization.k8s.io/v1", "ClusterRole", "a/b"));
    }

    #[test]
    fn valid_names() {
        assert_quiet(RULE, &obj("apps/v1", "Deployment", "my-app.v2"));
        assert_quiet(RULE, &obj("v1", "Service", "web-1"));
        assert_quiet(RULE, &obj("batch/v1", "CronJob", &"a".repeat(52)));
        assert_quiet(
            RULE,
            &obj("rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:Foo"),
        );
        // Custom resources are not checked.
        assert_quiet(RULE, &obj("example.com/v1", "Service", "Anything_Goes"));
    }
}
