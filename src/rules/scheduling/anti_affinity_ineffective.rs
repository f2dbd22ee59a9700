//! `anti-affinity-ineffective`: spreading rules that do not select the
//! workload's own pods, so its replicas are not spread (domain fact C6).

use super::{replicated, spread_terms};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct AntiAffinityIneffective;

impl Rule for AntiAffinityIneffective {
    fn id(&self) -> &str {
        "anti-affinity-ineffective"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some((_, n)) = replicated(&w) else { return };
        let terms = spread_terms(&w);
        if terms.is_empty() || terms.iter().any(|t| t.selects_own_pods) {
            return;
        }
        let first = &terms[0];
        let d = ctx.report(
            object,
            first.span,
            format!(
                "this {} does not select the workload's own pods, so its {n} replicas are not spread over nodes",
                first.what
            ),
        );
        if let Some(labels) = w.pod_labels() {
            d.label(labels.span, "the pod template's labels");
        }
        d.help("make the labelSelector match the pod template's labels (and set a topologyKey such as `kubernetes.io/hostname`)");
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
