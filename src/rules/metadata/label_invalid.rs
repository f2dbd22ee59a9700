//! `label-invalid`: label keys and values that the API server rejects, in
//! `metadata.labels`, pod template labels and label selectors.

use super::names;
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Value};

pub struct LabelInvalid;

const KEY_HELP: &str = "a label key is an optional DNS-subdomain prefix and `/` (e.g. `app.kubernetes.io/`), then a name of at most 63 letters, digits, `-`, `_` or `.` that starts and ends with a letter or digit";
const VALUE_HELP: &str = "a label value is empty, or at most 63 letters, digits, `-`, `_` or `.` that start and end with a letter or digit; put free text in an annotation instead";

/// Unrendered template placeholders (`{{ .Values.x }}`) are not judged.
fn templated(s: &str) -> bool {
    s.contains("{{")
}

fn check_key(object: &Object, ctx: &mut Ctx, key: &str, span: crate::yaml::Span, place: &str) {
    if templated(key) {
        return;
    }
    if let Some(why) = names::label_key(key) {
        ctx.report(object, span, format!("invalid label key `{key}` in {place}: {why}"))
            .help(KEY_HELP);
    }
}

fn check_value(object: &Object, ctx: &mut Ctx, key: &str, value: &Node, place: &str) {
    match &value.value {
        Value::Str(s) if templated(s) => {}
        Value::Str(s) => {
            if let Some(why) = names::label_value(s) {
                ctx.report(
                    object,
                    value.span,
                    format!("invalid value `{s}` for label `{key}` in {place}: {why}"),
                )
                .help(VALUE_HELP);
            }
        }
        Value::Null => {}
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
            let text = value.scalar_text().unwrap_or_default();
            ctx.report(
                object,
                value.span,
                format!(
                    "the value of label `{key}` in {place} is {} {}, not a string",
                    if matches!(value.value, Value::Int(_)) {
                        "an"
                    } else {
                        "a"
                    },
                    value.type_name()
                ),
            )
            .help(format!(
                "label values are strings and Kubernetes rejects other types: quote it (`\"{text}\"`)"
            ));
        }
        Value::Seq(_) | Value::Map(_) => {
            ctx.report(
                object,
                value.span,
                format!(
                    "the value of label `{key}` in {place} is {}, not a string",
                    value.type_name()
                ),
            )
            .help(VALUE_HELP);
        }
    }
}

/// A `key: value` label map.
fn check_map(object: &Object, ctx: &mut Ctx, map: Option<&Node>, place: &str) {
    for e in map.map(Node::entries).unwrap_or(&[]) {
        check_key(object, ctx, &e.key, e.key_span, place);
        check_value(object, ctx, &e.key, &e.value, place);
    }
}

/// A selector: set-based (`matchLabels`, `matchExpressions`) or an
/// equality map (Services, ReplicationControllers).
fn check_selector(object: &Object, ctx: &mut Ctx, sel: Option<&Node>, place: &str) {
    let Some(sel) = sel else { return };
    if sel.get("matchLabels").is_none() && sel.get("matchExpressions").is_none() {
        if sel
            .entries()
            .iter()
            .all(|e| !e.value.is_map() && e.value.as_seq().is_none())
        {
            check_map(object, ctx, Some(sel), place);
        }
        return;
    }
    check_map(object, ctx, sel.get("matchLabels"), place);
    for expr in sel.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
        if let Some(k) = expr.get("key")
            && let Some(key) = k.as_str()
        {
            check_key(object, ctx, key, k.span, place);
            for v in expr.get("values").map(Node::items).unwrap_or(&[]) {
                check_value(object, ctx, key, v, place);
            }
        }
    }
}

impl Rule for LabelInvalid {
    fn id(&self) -> &str {
        "label-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        check_map(object, ctx, object.labels(), "metadata.labels");
        let template: &[&str] = match object.kind {
            "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet" | "Job" => {
                &["spec", "template", "metadata", "labels"]
            }
            "CronJob" => &["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
            "PodTemplate" => &["template", "metadata", "labels"],
            _ => &[],
        };
        if !template.is_empty() {
            check_map(object, ctx, object.get(template), "the pod template's labels");
        }
        match object.kind {
            "NetworkPolicy" => check_selector(object, ctx, object.get(&["spec", "podSelector"]), "spec.podSelector"),
            "CronJob" => check_selector(
                object,
                ctx,
                object.get(&["spec", "jobTemplate", "spec", "selector"]),
                "the job template's selector",
            ),
            _ => check_selector(object, ctx, object.get(&["spec", "selector"]), "spec.selector"),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "label-invalid";

    #[test]
    fn bad_keys_and_values() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app name: web\n    version: 1.0+build\n    replicas: 3\nspec:\n  selector:\n    matchLabels: {tier: front end}\n    matchExpressions:\n    - {key: -env, operator: In, values: [prod]}\n  template:\n    metadata:\n      labels: {Example.com/app: web, tier: 'front end'}\n";
        let d = assert_fires(RULE, text);
        let spans: Vec<&str> = d.iter().map(|d| spanned(text, d)).collect();
        assert_eq!(
            spans,
            vec![
                "app name",
                "1.0+build",
                "3",
                "front end",
                "-env",
                "Example.com/app",
                "'front end'"
            ]
        );
        assert!(d[2].message.contains("an integer, not a string"), "{}", d[2].message);
        assert!(d[5].message.contains("pod template"), "{}", d[5].message);
    }

    #[test]
    fn good_labels_and_service_selectors() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels: {app.kubernetes.io/name: web, version: v1.2.3_rc-1, empty: ''}\nspec:\n  selector: {app.kubernetes.io/name: web}\n",
        );
        // Pod labels are not reported twice.
        let d = assert_fires(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a b: c}\nspec:\n  containers: [{name: c}]\n",
        );
        assert_eq!(d.len(), 1);
    }
}
