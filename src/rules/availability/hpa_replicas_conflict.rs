//! `hpa-replicas-conflict`: a workload that sets `spec.replicas` while an
//! autoscaler of the run scales it.

use super::hpa::Autoscalers;
use crate::model::Catalog;
use crate::rules::selectors::matching::{label_in, nearby};
use crate::rules::{Ctx, Rule};

pub struct HpaReplicasConflict;

impl Rule for HpaReplicasConflict {
    fn id(&self) -> &str {
        "hpa-replicas-conflict"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let sources = ctx.sources;
        let hpas = Autoscalers::new(catalog, sources);
        if hpas.is_empty() {
            return;
        }
        for o in catalog
            .subject_workloads()
            .filter(|w| w.is_replicated())
            .map(|w| w.object)
        {
            let Some(entry) = o.root.path_entry(&["spec", "replicas"]) else {
                continue;
            };
            let scaling: Vec<_> = hpas
                .all
                .iter()
                .filter(|h| h.targets(o) && nearby(sources, o, h.object))
                .collect();
            let Some(first) = scaling.first() else { continue };
            let value = entry.value.scalar_text().unwrap_or_default();
            let d = ctx.report(
                o,
                entry.key_span,
                format!(
                    "`replicas: {value}` is set while HorizontalPodAutoscaler `{}` scales this {}: every apply resets the replica count the autoscaler chose",
                    first.object.name.unwrap_or(""),
                    o.kind
                ),
            );
            d.help("remove `spec.replicas` from the manifest and let the autoscaler own it (set the floor with the autoscaler's `minReplicas`)");
            for h in &scaling {
                label_in(
                    d,
                    h.object,
                    h.target_span,
                    format!("HorizontalPodAutoscaler `{}` scales it", h.object.name.unwrap_or("")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(replicas: &str, target: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n{replicas}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n---\napiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}\n  maxReplicas: 5\n"
        )
    }

    #[test]
    fn replicas_with_autoscaler() {
        let t = text("  replicas: 3\n", "web");
        let d = assert_fires("hpa-replicas-conflict", &t);
        assert_eq!(spanned(&t, &d[0]), "replicas");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn no_replicas_or_other_target() {
        assert_quiet("hpa-replicas-conflict", &text("", "web"));
        assert_quiet("hpa-replicas-conflict", &text("  replicas: 3\n", "api"));
    }
}
