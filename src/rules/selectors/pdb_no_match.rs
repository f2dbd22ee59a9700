//! `pdb-no-match`: a PodDisruptionBudget whose selector matches no pod
//! template of the run, so it protects nothing (domain facts C7, D4).

use super::matching::report_unselected_of_kind;
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};

pub struct PdbNoMatch;

impl Rule for PdbNoMatch {
    fn id(&self) -> &str {
        "pdb-no-match"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        report_unselected_of_kind(
            catalog,
            ctx,
            "PodDisruptionBudget",
            &["spec", "selector"],
            "a PodDisruptionBudget only limits evictions of the pods its selector matches; make the selector match the pod template labels of the workload it protects",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";

    fn pdb(selector: &str) -> String {
        format!(
            "{DEPLOY}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  minAvailable: 1\n  selector: {selector}\n"
        )
    }

    #[test]
    fn typo() {
        let text = pdb("{matchLabels: {app: wep}}");
        let d = assert_fires("pdb-no-match", &text);
        assert_eq!(spanned(&text, &d[0]), "app");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn expressions_and_matches() {
        let text = pdb("{matchExpressions: [{key: app, operator: In, values: [api]}]}");
        let d = assert_fires("pdb-no-match", &text);
        assert!(d[0].message.contains("app in (api)"), "{}", d[0].message);
        assert_quiet("pdb-no-match", &pdb("{matchLabels: {app: web}}"));
        assert_quiet("pdb-no-match", &pdb("{}"));
    }
}
