//! What the API server does that its OpenAPI data does not say: required
//! fields it fills in, pod specs it requires, and a deprecated field whose
//! only accepted value may be written out.

use super::bracketless;
use super::kinds::group_of;
use crate::model::Object;
use crate::schema::validate::{Problem, ProblemKind};
use crate::yaml::Span;

/// Fields the API data marks required that the API server fills in or
/// accepts absent, by apiVersion group, kind and path (`[]` for any list
/// item). Curated: the OpenAPI `default` of a required field is the Go
/// zero value (`""`, `0`, `{}`), not the server's defaulting, so it cannot
/// be derived. The later versions' data confirm the last three: they no
/// longer mark those fields required (NetworkPolicy from 1.34, StatefulSet
/// from 1.33, the pod-condition pattern from 1.35).
const SERVER_FILLED: &[(&str, &[&str], &str)] = &[
    // SetDefaults_RoleBinding/ClusterRoleBinding: rbac.authorization.k8s.io.
    (
        "rbac.authorization.k8s.io",
        &["RoleBinding", "ClusterRoleBinding"],
        "roleRef.apiGroup",
    ),
    // An absent selector decodes as the empty one: every pod of the namespace.
    ("networking.k8s.io", &["NetworkPolicy"], "spec.podSelector"),
    // Never validated as required: the API server accepts it empty.
    ("apps", &["StatefulSet"], "spec.serviceName"),
    // Defaulted to `True`.
    (
        "batch",
        &["Job", "CronJob"],
        "podFailurePolicy.rules[].onPodConditions[].status",
    ),
];

/// A pod spec the schema leaves optional but the API server's validation
/// requires: a Pod's `spec` (its containers are required), the `spec` of a
/// workload's pod template, and at least one container in either (an
/// empty `containers` list is as missing as none).
pub(super) fn pod_spec_required(object: &Object) -> Vec<Problem> {
    let missing = |n: Option<&crate::yaml::Node>| n.is_none_or(|n| n.is_null());
    let problem = |path: &str, span: Span| Problem {
        kind: ProblemKind::MissingRequired { field: "spec" },
        span,
        path: path.to_string(),
    };
    // `containers: []`: the schema sees a list, validation an empty one.
    let no_containers = |spec: &crate::yaml::Node, path: &str| {
        spec.entry("containers")
            .filter(|e| matches!(&e.value.value, crate::yaml::Value::Seq(items) if items.is_empty()))
            .map(|e| Problem {
                kind: ProblemKind::MissingRequired { field: "containers" },
                span: e.key_span,
                path: format!("{path}.containers"),
            })
    };
    let template_path: &[&str] = match object.kind {
        "Pod" if object.api_version == "v1" => {
            return match object.root.get("spec") {
                s if missing(s) => vec![problem("spec", object.kind_span())],
                Some(spec) => no_containers(spec, "spec").into_iter().collect(),
                None => Vec::new(),
            };
        }
        "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet" | "Job" => {
            &["spec", "template"]
        }
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        _ => return Vec::new(),
    };
    let Some(parent) = object.root.path(&template_path[..template_path.len() - 1]) else {
        return Vec::new();
    };
    let Some(entry) = parent.entry("template").filter(|e| e.value.is_map()) else {
        return Vec::new();
    };
    let spec_path = format!("{}.spec", template_path.join("."));
    match entry.value.get("spec") {
        s if missing(s) => vec![problem(&spec_path, entry.key_span)],
        Some(spec) => no_containers(spec, &spec_path).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Whether a problem is a "missing" field the API server fills in.
pub(super) fn server_filled(object: &Object, p: &Problem) -> bool {
    if !matches!(p.kind, ProblemKind::MissingRequired { .. }) {
        return false;
    }
    let path = bracketless(&p.path);
    let group = group_of(object.api_version);
    SERVER_FILLED.iter().any(|(g, kinds, field)| {
        *g == group && kinds.contains(&object.kind) && (path == *field || path.ends_with(&format!(".{field}")))
    })
}

/// A field the API marks deprecated whose value is the only one the
/// version accepts: apiextensions.k8s.io/v1 requires
/// `preserveUnknownFields` to be false (pruning is always on), so writing
/// it out is not deprecated usage.
pub(super) fn deprecated_value_required(object: &Object, p: &Problem) -> bool {
    object.api_version == "apiextensions.k8s.io/v1"
        && object.kind == "CustomResourceDefinition"
        && p.path == "spec.preserveUnknownFields"
        && object
            .root
            .path(&["spec", "preserveUnknownFields"])
            .and_then(crate::yaml::Node::as_bool)
            == Some(false)
}
