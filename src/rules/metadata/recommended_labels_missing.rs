//! `recommended-labels-missing`: objects (and pod templates) without the
//! labels a team has agreed on; by default Kubernetes' recommended
//! `app.kubernetes.io/name` and `app.kubernetes.io/instance`.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct RecommendedLabelsMissing;

/// Kinds that describe a cluster or tool configuration rather than an
/// application's object.
fn exempt(object: &Object) -> bool {
    let group = object.group();
    object.kind == "Namespace"
        || group == "kubeadm.k8s.io"
        || group.ends_with(".config.k8s.io")
        || object.root.get("metadata").is_none()
}

fn missing<'l>(labels: Option<&Node>, wanted: &[&'l str]) -> Vec<&'l str> {
    wanted
        .iter()
        .copied()
        .filter(|k| labels.and_then(|l| l.get(k)).is_none())
        .collect()
}

fn list(keys: &[&str]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

impl Rule for RecommendedLabelsMissing {
    fn id(&self) -> &str {
        "recommended-labels-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if exempt(object) {
            return;
        }
        let wanted = ctx.option_strings("labels");
        if wanted.is_empty() {
            return;
        }
        let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
        let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let pod_templates = ctx
            .option("pod-templates")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true);
        let anchor = |meta: Option<&crate::yaml::Entry>, fallback: Span| -> Span {
            match meta {
                Some(m) => m.value.entry("labels").map_or(m.key_span, |e| e.key_span),
                None => fallback,
            }
        };
        let absent = missing(object.labels(), &wanted);
        if !absent.is_empty() {
            let span = anchor(object.root.entry("metadata"), object.kind_span());
            ctx.report(
                object,
                span,
                format!(
                    "{} `{}` lacks the label{} {}",
                    object.kind,
                    object.name.unwrap_or(""),
                    if absent.len() == 1 { "" } else { "s" },
                    list(&absent)
                ),
            )
            .help("add the labels to `metadata.labels`: tools, dashboards and `kubectl get -l` find an application's objects by them");
        }
        if !pod_templates || object.kind == "Pod" {
            return;
        }
        let Some(w) = Workload::of(object) else { return };
        let absent = missing(w.pod_labels(), &wanted);
        if absent.is_empty() {
            return;
        }
        let template = match object.kind {
            "CronJob" => object.root.path_entry(&["spec", "jobTemplate", "spec", "template"]),
            "PodTemplate" => object.root.entry("template"),
            _ => object.root.path_entry(&["spec", "template"]),
        };
        let meta = template.and_then(|t| t.value.entry("metadata"));
        let span = anchor(meta, template.map_or(object.kind_span(), |t| t.key_span));
        ctx.report(
            object,
            span,
            format!(
                "the pod template of {} `{}` lacks the label{} {}",
                object.kind,
                object.name.unwrap_or(""),
                if absent.len() == 1 { "" } else { "s" },
                list(&absent)
            ),
        )
        .help("add the labels to the pod template's `metadata.labels` too: metrics, logs and cost reports group pods by their own labels");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "recommended-labels-missing";

    #[test]
    fn missing_on_object_and_template() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app.kubernetes.io/name: web}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers: [{name: web}]\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "labels");
        assert!(
            d[0].message.ends_with("lacks the label `app.kubernetes.io/instance`"),
            "{}",
            d[0].message
        );
        assert!(d[1].message.contains("pod template"));
    }

    #[test]
    fn complete() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {app.kubernetes.io/name: web, app.kubernetes.io/instance: web-prod}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n",
        );
    }
}
