//! `anti-affinity-missing`: replicas that may all land on one node
//! (domain fact C6).

use super::{autoscaled, replicated, spread_terms};
use crate::model::{Catalog, Object, Workload};
use crate::rules::selectors::matching::label_in;
use crate::rules::{Ctx, Rule};

const HELP: &str = "add `affinity.podAntiAffinity` on `kubernetes.io/hostname` (preferred or required) or a `topologySpreadConstraints` entry whose labelSelector matches the pod template's labels";

pub struct AntiAffinityMissing;

impl Rule for AntiAffinityMissing {
    fn id(&self) -> &str {
        "anti-affinity-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some((replicas, n)) = replicated(&w) else { return };
        // Any spreading term, effective or not: ineffective ones are
        // `anti-affinity-ineffective`'s to report.
        if !spread_terms(&w).is_empty() {
            return;
        }
        ctx.report(
            object,
            replicas.span,
            format!(
                "{n} replicas with no pod anti-affinity or topology spread constraint: they may all run on one node"
            ),
        )
        .help(HELP);
    }

    /// Replicas an autoscaler keeps, where `spec.replicas` does not say.
    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for (w, h, n) in autoscaled(catalog, ctx.sources) {
            if !spread_terms(&w).is_empty() {
                continue;
            }
            let d = ctx.report(
                w.object,
                w.object.name_span(),
                format!("autoscaled to at least {n} replicas with no pod anti-affinity or topology spread constraint: they may all run on one node"),
            );
            d.help(HELP);
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

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\nSPREAD      containers: [{name: web, image: 'nginx:1.27'}]\n";

    #[test]
    fn no_spreading() {
        let text = DEPLOY.replace("SPREAD", "");
        let d = assert_fires("anti-affinity-missing", &text);
        assert_eq!(spanned(&text, &d[0]), "3");
    }

    #[test]
    fn autoscaled_replicas() {
        let hpa = "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: MIN\n  maxReplicas: 6\n";
        let text = format!(
            "{}{}",
            DEPLOY.replace("SPREAD", "").replace("  replicas: 3\n", ""),
            hpa.replace("MIN", "2")
        );
        let d = assert_fires("anti-affinity-missing", &text);
        assert_eq!(spanned(&text, &d[0]), "web");
        assert_eq!(d[0].labels.len(), 1);
        let text = format!(
            "{}{}",
            DEPLOY.replace("SPREAD", "").replace("  replicas: 3\n", ""),
            hpa.replace("MIN", "1")
        );
        assert_quiet("anti-affinity-missing", &text);
    }

    #[test]
    fn spread_or_single_replica() {
        assert_quiet("anti-affinity-missing", &DEPLOY.replace("SPREAD", "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n"));
        assert_quiet(
            "anti-affinity-missing",
            &DEPLOY.replace("SPREAD", "").replace("replicas: 3", "replicas: 1"),
        );
    }
}
