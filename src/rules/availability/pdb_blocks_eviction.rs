//! `pdb-blocks-eviction`: a PodDisruptionBudget that allows no voluntary
//! disruption at all, so node drains wait for it forever.

use super::budget::{Budget, IntOrPercent};
use super::hpa::{Autoscalers, Replication};
use crate::model::{Catalog, Workload};
use crate::rules::selectors::matching::{label_in, nearby, pod_index};
use crate::rules::{Ctx, Rule};

pub struct PdbBlocksEviction;

const HELP: &str = "with this budget no pod may ever be evicted, so `kubectl drain`, node upgrades and the cluster autoscaler wait forever; allow at least one disruption (`maxUnavailable: 1`, or a `minAvailable` below the number of pods)";

impl Rule for PdbBlocksEviction {
    fn id(&self) -> &str {
        "pdb-blocks-eviction"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        // The budgets reported on (in the language server, those of the
        // open documents); the run's pods are indexed only when there are.
        let subjects: Vec<_> = catalog.subjects_of_kind("PodDisruptionBudget").collect();
        if subjects.is_empty() {
            return;
        }
        let hpas = Autoscalers::new(catalog, ctx.sources);
        let mut local = None;
        let pods = pod_index(catalog, ctx, &mut local);
        for pdb in subjects {
            let Some(budget) = Budget::of(pdb) else { continue };
            if let Some(node) = pdb.get(&["spec", "maxUnavailable"]) {
                if IntOrPercent::of(node).is_zero() {
                    ctx.report(
                        pdb,
                        node.span,
                        "`maxUnavailable` of 0 allows no voluntary disruption: node drains block on these pods",
                    )
                    .help(HELP);
                }
                continue;
            }
            let Some(node) = pdb.get(&["spec", "minAvailable"]) else {
                continue;
            };
            let min = IntOrPercent::of(node);
            if let IntOrPercent::Percent(p) = min
                && p >= 100
            {
                ctx.report(
                    pdb,
                    node.span,
                    format!("`minAvailable` of {p}% allows no voluntary disruption: node drains block on these pods"),
                )
                .help(HELP);
                continue;
            }
            // Compare with the pods the budget covers, when the run shows
            // all of them: replicated workloads only, none made elsewhere.
            if budget.selects_all {
                continue;
            }
            let Some(sel) = &budget.selector else { continue };
            let covered: Vec<&Workload> = pods
                .workloads
                .iter()
                .filter(|w| budget.covers(w) && nearby(ctx.sources, pdb, w.object))
                .collect();
            if covered.is_empty()
                || covered.iter().any(|w| !w.is_replicated())
                || pods.custom_source(sel, pdb).is_some()
            {
                continue;
            }
            // An autoscaled workload may run up to maxReplicas.
            let total: Option<i64> = covered
                .iter()
                .map(|w| match hpas.replication(w)? {
                    Replication::Autoscaler(h, _) => h.max_replicas(),
                    r => Some(r.count()),
                })
                .sum();
            let Some(total) = total else { continue };
            let Some(required) = min.scaled(total, true) else {
                continue;
            };
            if total == 0 || required < total {
                continue;
            }
            let d = ctx.report(
                pdb,
                node.span,
                format!(
                    "`minAvailable` requires {required} of the {total} pod{} it covers to stay up{}: no pod may ever be evicted",
                    if total == 1 { "" } else { "s" },
                    match min {
                        IntOrPercent::Percent(p) => format!(" ({p}% rounded up)"),
                        _ => String::new(),
                    }
                ),
            );
            d.help(HELP);
            for w in covered {
                let span = w.replicas_node().map_or(w.object.name_span(), |n| n.span);
                let what = match w.replicas_node() {
                    Some(_) => format!("{} `{}` runs these pods", w.kind(), w.object.name.unwrap_or("")),
                    None => format!(
                        "{} `{}` runs these pods (`replicas` unset: 1)",
                        w.kind(),
                        w.object.name.unwrap_or("")
                    ),
                };
                label_in(d, w.object, span, what);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(replicas: &str, budget: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n{replicas}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  {budget}\n  selector: {{matchLabels: {{app: web}}}}\n"
        )
    }

    #[test]
    fn zero_disruptions() {
        let t = text("  replicas: 3\n", "maxUnavailable: 0");
        let d = assert_fires("pdb-blocks-eviction", &t);
        assert_eq!(spanned(&t, &d[0]), "0");
        assert_fires("pdb-blocks-eviction", &text("  replicas: 3\n", "minAvailable: 100%"));
        assert_fires("pdb-blocks-eviction", &text("  replicas: 3\n", "maxUnavailable: 0%"));
    }

    #[test]
    fn min_available_against_replicas() {
        let t = text("  replicas: 2\n", "minAvailable: 2");
        let d = assert_fires("pdb-blocks-eviction", &t);
        assert_eq!(d[0].labels.len(), 1);
        assert_fires("pdb-blocks-eviction", &text("", "minAvailable: 1"));
        assert_fires("pdb-blocks-eviction", &text("", "minAvailable: 50%"));
        assert_quiet("pdb-blocks-eviction", &text("  replicas: 3\n", "minAvailable: 2"));
        assert_quiet("pdb-blocks-eviction", &text("  replicas: 3\n", "minAvailable: 60%"));
        assert_quiet("pdb-blocks-eviction", &text("", "maxUnavailable: 1"));
    }
}
