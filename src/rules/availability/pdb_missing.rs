//! `pdb-missing`: a replicated workload that no PodDisruptionBudget of the
//! run protects, so a node drain may evict all its pods at once (domain
//! fact C7).

use super::budget::Budget;
use super::hpa::{Autoscalers, Replication};
use crate::model::Catalog;
use crate::rules::selectors::matching::label_in;
use crate::rules::{Ctx, Rule};

pub struct PdbMissing;

impl Rule for PdbMissing {
    fn id(&self) -> &str {
        "pdb-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let hpas = Autoscalers::new(catalog, ctx.sources);
        let budgets: Vec<Budget> = catalog.of_kind("PodDisruptionBudget").filter_map(Budget::of).collect();
        for w in catalog.subject_workloads() {
            let Some(rep) = hpas.replication(&w) else { continue };
            let n = rep.count();
            if n < 2 || budgets.iter().any(|b| b.covers(&w)) {
                continue;
            }
            let help = "add a PodDisruptionBudget (policy/v1) whose selector matches the pod template labels, e.g. `maxUnavailable: 1`, so drains and cluster upgrades evict these pods one at a time";
            match rep {
                Replication::Spec(node, _) => {
                    ctx.report(
                        w.object,
                        node.span,
                        format!("{n} replicas and no PodDisruptionBudget in the run selects them: a node drain may evict them all at once"),
                    )
                    .help(help);
                }
                Replication::Autoscaler(h, _) => {
                    let d = ctx.report(
                        w.object,
                        w.object.name_span(),
                        format!("autoscaled to at least {n} replicas and no PodDisruptionBudget in the run selects them: a node drain may evict them all at once"),
                    );
                    d.help(help);
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
                Replication::Default => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";

    #[test]
    fn unprotected() {
        let d = assert_fires("pdb-missing", DEPLOY);
        assert_eq!(spanned(DEPLOY, &d[0]), "3");
        let t = format!(
            "{DEPLOY}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: other}}\nspec:\n  maxUnavailable: 1\n  selector: {{matchLabels: {{app: api}}}}\n"
        );
        assert_fires("pdb-missing", &t);
    }

    #[test]
    fn autoscaled() {
        let t = format!(
            "{}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: 2\n  maxReplicas: 6\n",
            DEPLOY.replace("  replicas: 3\n", "")
        );
        let d = assert_fires("pdb-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "web");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn protected_or_single() {
        let t = format!(
            "{DEPLOY}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web}}\nspec:\n  maxUnavailable: 1\n  selector: {{matchLabels: {{app: web}}}}\n"
        );
        assert_quiet("pdb-missing", &t);
        // An empty policy/v1 selector covers the whole namespace.
        assert_quiet("pdb-missing", &t.replace("{matchLabels: {app: web}}", "{}"));
        assert_quiet("pdb-missing", &DEPLOY.replace("replicas: 3", "replicas: 1"));
    }
}
