//! `anti-affinity-ineffective`: spreading rules that do not select the
//! workload's own pods, so its replicas are not spread (domain fact C6).

use super::{SpreadTerm, autoscaled, replicated, spread_terms};
use crate::diagnostic::Diagnostic;
use crate::model::{Catalog, Object, Workload};
use crate::rules::selectors::matching::label_in;
use crate::rules::{Ctx, Rule};

/// The first term, when terms exist and none selects the workload's own pods.
fn ineffective(terms: &[SpreadTerm]) -> Option<&SpreadTerm> {
    if terms.iter().any(|t| t.selects_own_pods) {
        return None;
    }
    terms.first()
}

fn finish(d: &mut Diagnostic, w: &Workload) {
    if let Some(labels) = w.pod_labels() {
        d.label(labels.span, "the pod template's labels");
    }
    d.help("make the labelSelector match the pod template's labels (and set a topologyKey such as `kubernetes.io/hostname`)");
}

pub struct AntiAffinityIneffective;

impl Rule for AntiAffinityIneffective {
    fn id(&self) -> &str {
        "anti-affinity-ineffective"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some((_, n)) = replicated(&w) else { return };
        let terms = spread_terms(&w);
        let Some(first) = ineffective(&terms) else { return };
        let d = ctx.report(
            object,
            first.span,
            format!(
                "this {} does not select the workload's own pods, so its {n} replicas are not spread over nodes",
                first.what
            ),
        );
        finish(d, &w);
    }

    /// Replicas an autoscaler keeps, where `spec.replicas` does not say.
    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for (w, h, n) in autoscaled(catalog, ctx.sources) {
            let terms = spread_terms(&w);
            let Some(first) = ineffective(&terms) else { continue };
            let d = ctx.report(
                w.object,
                first.span,
                format!(
                    "this {} does not select the workload's own pods, so its (at least {n}, autoscaled) replicas are not spread over nodes",
                    first.what
                ),
            );
            finish(d, &w);
            label_in(
                d,
                h.object,
                h.min_span(),
                format!(
                    "HorizontalPodAutoscaler `{}` keeps at least {n}",
                    h.object.name.unwrap_or("")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn deploy(selector: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector: {selector}\n            topologyKey: kubernetes.io/hostname\n      containers: [{{name: web}}]\n"
        )
    }

    #[test]
    fn selector_typo() {
        let text = deploy("{matchLabels: {app: webb}}");
        let d = assert_fires("anti-affinity-ineffective", &text);
        assert_eq!(spanned(&text, &d[0]), "labelSelector");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn matching_selector() {
        assert_quiet(
            "anti-affinity-ineffective",
            &deploy("{matchExpressions: [{key: app, operator: In, values: [web]}]}"),
        );
    }
}
