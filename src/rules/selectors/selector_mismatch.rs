//! `selector-mismatch`: a controller whose selector does not select its own
//! pod template (the API server rejects it; domain fact D1).

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct SelectorMismatch;

impl Rule for SelectorMismatch {
    fn id(&self) -> &str {
        "selector-mismatch"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let (Some(entry), Some(selector)) = (w.selector_entry(), w.selector()) else {
            return;
        };
        if entry.value.is_null() {
            return;
        }
        // An RC with `matchLabels`/`matchExpressions` is rc-selector-set-based's finding.
        if object.kind == "ReplicationController" && super::rc_selector_set_based::set_based_key(&entry.value).is_some()
        {
            return;
        }
        let labels = w.pod_labels();
        let labels_span = labels
            .map(|l| l.span)
            .or_else(|| w.pod_metadata.map(|m| m.span))
            .unwrap_or(w.pod_spec.span);
        if selector.is_empty() {
            if object.kind == "ReplicationController" {
                // An empty RC selector defaults to the template labels.
                return;
            }
            ctx.report(object, entry.key_span, format!("the {} has an empty selector", object.kind))
                .label(labels_span, "the pod template's labels")
                .help("an empty selector is rejected (it would select every pod in the namespace); select the pod template's labels with `matchLabels`");
            return;
        }
        if let Some((span, why)) = selector.unmatched(labels) {
            ctx.report(
                object,
                span,
                format!("the selector `{}` does not select the pod template: {why}", selector.describe()),
            )
            .label(labels_span, if labels.is_some() { "the pod template's labels" } else { "the pod template has no labels" })
            .help("the API server rejects a controller whose selector does not match `spec.template.metadata.labels`; make the two agree");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn deploy(selector: &str, labels: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  selector:\n{selector}\n  template:\n    metadata:\n      labels:\n{labels}\n    spec:\n      containers: [{{name: web}}]\n"
        )
    }

    #[test]
    fn value_mismatch_points_at_the_selector_label() {
        let text = deploy("    matchLabels:\n      app: web", "        app: frontend");
        let d = assert_fires("selector-mismatch", &text);
        assert_eq!(spanned(&text, &d[0]), "app");
        assert_eq!(d[0].labels.len(), 1);
        assert!(
            d[0].message
                .contains("`app: web` does not match the label value `frontend`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn expressions_are_evaluated() {
        let text = deploy(
            "    matchExpressions:\n    - {key: tier, operator: NotIn, values: [cache]}",
            "        app: web\n        tier: cache",
        );
        assert_fires("selector-mismatch", &text);
        assert_quiet(
            "selector-mismatch",
            &deploy(
                "    matchExpressions:\n    - {key: tier, operator: In, values: [web, api]}",
                "        tier: web",
            ),
        );
    }

    #[test]
    fn rc_equality_selector_and_default() {
        let rc = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  selector: {app: a}\n  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c}]}\n";
        assert_fires("selector-mismatch", rc);
        let rc_default = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c}]}\n";
        assert_quiet("selector-mismatch", rc_default);
    }

    #[test]
    fn empty_selector() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c}]}\n";
        assert_fires("selector-mismatch", text);
    }
}
