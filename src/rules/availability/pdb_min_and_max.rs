//! `pdb-min-and-max-available`: a PodDisruptionBudget sets both
//! `minAvailable` and `maxUnavailable`, which the API server rejects.

use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct PdbMinAndMaxAvailable;

impl Rule for PdbMinAndMaxAvailable {
    fn id(&self) -> &str {
        "pdb-min-and-max-available"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "PodDisruptionBudget" || object.group() != "policy" {
            return;
        }
        let Some(spec) = object.root.get("spec") else { return };
        let present = |k: &str| spec.entry(k).filter(|e| !e.value.is_null());
        let (Some(min), Some(max)) = (present("minAvailable"), present("maxUnavailable")) else {
            return;
        };
        ctx.report(
            object,
            max.key_span,
            format!(
                "{} sets both `minAvailable` and `maxUnavailable`: the API server accepts only one",
                object.display()
            ),
        )
        .label(min.key_span, "also set here")
        .help("keep the one that states the budget (`maxUnavailable` also follows scaling), and remove the other");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "pdb-min-and-max-available";

    fn pdb(spec: &str) -> String {
        format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n{spec}"
        )
    }

    #[test]
    fn both_set() {
        let text = pdb("  minAvailable: 1\n  maxUnavailable: 1\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "maxUnavailable");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn one_is_quiet() {
        assert_quiet(RULE, &pdb("  minAvailable: 1\n"));
        assert_quiet(RULE, &pdb("  maxUnavailable: 25%\n"));
    }
}
