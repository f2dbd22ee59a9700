//! `hpa-target-missing`: a HorizontalPodAutoscaler whose `scaleTargetRef`
//! names an object the run does not define (domain fact D4).

use std::collections::HashMap;

use super::matching::{NearbyIndex, label_in, operator_may_provide, operator_near, similar_name};
use crate::model::Catalog;
use crate::rules::availability::hpa::Hpa;
use crate::rules::{Ctx, Rule};

pub struct HpaTargetMissing;

impl Rule for HpaTargetMissing {
    fn id(&self) -> &str {
        "hpa-target-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let sources = ctx.sources;
        let mut by_kind: HashMap<&str, NearbyIndex> = HashMap::new();
        for hpa in catalog.subjects_of_kind("HorizontalPodAutoscaler").filter_map(Hpa::of) {
            let (kind, name) = (hpa.target_kind, hpa.target_name);
            // Only when the run defines objects of that kind where the HPA
            // lives: otherwise the target is deployed some other way.
            let present = by_kind
                .entry(kind)
                .or_insert_with(|| NearbyIndex::new(sources, catalog.of_kind(kind)));
            if !present.any(hpa.object) {
                continue;
            }
            if catalog.find(kind, name, hpa.object).is_some() {
                continue;
            }
            let d = ctx.report(
                hpa.object,
                hpa.target_span,
                format!("the scale target {kind} `{name}` is not defined in the run, which has other {kind}s here: this autoscaler scales nothing"),
            );
            d.help(format!("point `scaleTargetRef` at the {kind} to autoscale (kind and name must match it exactly), or delete the autoscaler"));
            if let Some(o) = similar_name(catalog, sources, kind, name, hpa.object) {
                label_in(
                    d,
                    o,
                    o.name_span(),
                    format!("did you mean {kind} `{}`?", o.name.unwrap_or("")),
                );
            } else if let Some(cr) = operator_near(catalog, sources, hpa.object) {
                operator_may_provide(d, cr, &format!("the {kind}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(target: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: frontend}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}\n  minReplicas: 2\n  maxReplicas: 5\n"
        )
    }

    #[test]
    fn typo_suggests_the_near_name() {
        let t = text("fronted");
        let d = assert_fires("hpa-target-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "fronted");
        assert!(d[0].labels[0].message.contains("frontend"));
    }

    #[test]
    fn found_or_kind_absent() {
        assert_quiet("hpa-target-missing", &text("frontend"));
        assert_quiet(
            "hpa-target-missing",
            &text("api").replace("kind: Deployment, name", "kind: StatefulSet, name"),
        );
    }
}
