//! `networkpolicy-no-match`: a NetworkPolicy whose pod selector matches no
//! pod template of its namespace in the run, so it isolates nothing.

use super::matching::report_unselected_of_kind;
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};

pub struct NetworkpolicyNoMatch;

impl Rule for NetworkpolicyNoMatch {
    fn id(&self) -> &str {
        "networkpolicy-no-match"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        // An empty podSelector applies to every pod of the namespace (never reported).
        report_unselected_of_kind(
            catalog,
            ctx,
            "NetworkPolicy",
            &["spec", "podSelector"],
            "a NetworkPolicy applies only to the pods its podSelector matches in its own namespace; fix the selector, or remove the policy if the workload is gone",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(selector: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: web, namespace: shop}}\nspec:\n  podSelector: {selector}\n  policyTypes: [Ingress]\n"
        )
    }

    #[test]
    fn selects_nothing() {
        let t = text("{matchLabels: {app: wbe}}");
        let d = assert_fires("networkpolicy-no-match", &t);
        assert_eq!(spanned(&t, &d[0]), "app");
    }

    #[test]
    fn empty_or_matching() {
        assert_quiet("networkpolicy-no-match", &text("{}"));
        assert_quiet("networkpolicy-no-match", &text("{matchLabels: {app: web}}"));
        assert_quiet(
            "networkpolicy-no-match",
            &text("{matchLabels: {app: api}}").replacen("namespace: shop", "namespace: other", 1),
        );
    }
}
