//! `rc-selector-set-based`: a ReplicationController with a set-based
//! selector (`matchLabels` / `matchExpressions`), which only ReplicaSets,
//! Deployments and the other apps/v1 controllers understand (domain fact D2).

use crate::diagnostic::{Applicability, Fix};
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Value};

pub struct RcSelectorSetBased;

impl Rule for RcSelectorSetBased {
    fn id(&self) -> &str {
        "rc-selector-set-based"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "ReplicationController" {
            return;
        }
        let Some(entry) = object.root.path_entry(&["spec", "selector"]) else {
            return;
        };
        let Some(set_based) = set_based_key(&entry.value) else {
            return;
        };
        let match_labels = entry.value.get("matchLabels");
        let only_labels = entry.value.entries().len() == 1 && match_labels.is_some_and(Node::is_map);
        let file = ctx.source(object);
        let d = ctx.report(
            object,
            set_based.key_span,
            format!(
                "a ReplicationController's selector is a map of labels: `{}` is not supported",
                set_based.key
            ),
        );
        d.help(if only_labels {
            "write the labels directly under `selector` (`selector: {app: web}`); `kvet check --fix` does it"
        } else {
            "a ReplicationController selects by label equality only; for `matchExpressions` (In, NotIn, Exists, DoesNotExist) use an apps/v1 Deployment"
        });
        // `selector: {matchLabels: {…}}` → `selector: {…}` selects the same pods.
        if only_labels
            && let (Some(file), Some(labels)) = (file, match_labels)
            && let Some(flow) = crate::fix::flow_map_of(labels)
            && let Some(edit) = crate::fix::replace_value_inline(file, object.file, entry, &flow)
        {
            d.fix(Fix {
                title: "move the labels out of `matchLabels`".into(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
    }
}

/// The first `matchLabels` or `matchExpressions` entry of a selector that
/// uses them as the set-based form (a mapping or list, not a label value).
pub fn set_based_key(selector: &Node) -> Option<&crate::yaml::Entry> {
    selector.entries().iter().find(|e| {
        matches!(&*e.key, "matchLabels" | "matchExpressions") && matches!(e.value.value, Value::Map(_) | Value::Seq(_))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    fn rc(selector: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ReplicationController\nmetadata: {{name: r}}\nspec:\n  replicas: 2\n  selector:\n{selector}\n  template:\n    metadata:\n      labels: {{app: web, tier: api}}\n    spec:\n      containers: [{{name: c, image: \"nginx:1.27\"}}]\n"
        )
    }

    #[test]
    fn match_labels_is_reported_and_flattened() {
        let text = rc("    matchLabels:\n      app: web\n      tier: api");
        let d = assert_fires("rc-selector-set-based", &text);
        assert_eq!(spanned(&text, &d[0]), "matchLabels");
        let after = fixed(&text, &d[0]);
        assert!(
            after.contains("  selector: {app: web, tier: api}\n  template:"),
            "{after}"
        );
        assert_quiet("rc-selector-set-based", &after);
    }

    #[test]
    fn expressions_have_no_fix() {
        let text = rc("    matchExpressions:\n    - {key: app, operator: In, values: [web]}");
        let d = assert_fires("rc-selector-set-based", &text);
        assert!(d[0].fix.is_none());
        // A comment inside the selector would be lost: no fix either.
        let text = rc("    matchLabels:\n      # the front end\n      app: web");
        assert!(assert_fires("rc-selector-set-based", &text)[0].fix.is_none());
    }

    #[test]
    fn equality_selectors_and_other_kinds_are_fine() {
        assert_quiet("rc-selector-set-based", &rc("    app: web"));
        // A label literally named matchLabels is a label.
        assert_quiet("rc-selector-set-based", &rc("    matchLabels: web"));
        let deploy = rc("    matchLabels: {app: web}").replace(
            "apiVersion: v1\nkind: ReplicationController",
            "apiVersion: apps/v1\nkind: Deployment",
        );
        assert_quiet("rc-selector-set-based", &deploy);
    }
}
