//! `deployment-paused`: a Deployment committed with `spec.paused: true`
//! (domain fact A6).

use crate::diagnostic::{Applicability, Fix};
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Value;

pub struct DeploymentPaused;

impl Rule for DeploymentPaused {
    fn id(&self) -> &str {
        "deployment-paused"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "Deployment" {
            return;
        }
        let Some(spec) = object.root.get("spec") else { return };
        let Some(entry) = spec.entry("paused") else { return };
        if !matches!(entry.value.value, Value::Bool(true)) {
            return;
        }
        let file = ctx.source(object);
        let d = ctx.report(
            object,
            entry.key_span,
            "the Deployment is paused: changes to its pod template are not rolled out",
        );
        d.help("a paused Deployment keeps running its current pods but ignores template changes, and `kubectl rollout undo` refuses it; remove `paused: true` from the manifest and pause by hand (`kubectl rollout pause`) only for the length of a change");
        // Unpausing starts the rollouts that were held back: the author's call.
        if let Some(edit) = file.and_then(|f| crate::fix::remove_entry(f, object.file, spec, "paused")) {
            d.fix(Fix {
                title: "remove `paused: true`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    fn deploy(paused: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 2\n{paused}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: c}}]}}\n"
        )
    }

    #[test]
    fn paused_is_reported_at_the_key_and_removable() {
        let text = deploy("  paused: true # hold rollouts\n");
        let d = assert_fires("deployment-paused", &text);
        assert_eq!(spanned(&text, &d[0]), "paused");
        assert_eq!(fixed(&text, &d[0]), deploy(""));
        // YAML 1.1: `yes` is true too.
        assert_fires("deployment-paused", &deploy("  paused: yes\n"));
    }

    #[test]
    fn unpaused_and_other_kinds_are_quiet() {
        assert_quiet("deployment-paused", &deploy(""));
        assert_quiet("deployment-paused", &deploy("  paused: false\n"));
        let other = deploy("  paused: true\n").replace("kind: Deployment", "kind: StatefulSet");
        assert_quiet("deployment-paused", &other);
    }
}
