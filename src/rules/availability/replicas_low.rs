//! `replicas-low`: a Deployment running fewer replicas than the configured
//! minimum (opt-in).

use super::hpa::{Autoscalers, Replication};
use crate::model::{Catalog, Workload};
use crate::rules::selectors::matching::label_in;
use crate::rules::{Ctx, Rule};

pub struct ReplicasLow;

impl Rule for ReplicasLow {
    fn id(&self) -> &str {
        "replicas-low"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let min = ctx.option_f64("min").unwrap_or(2.0) as i64;
        let hpas = Autoscalers::new(catalog, ctx.sources);
        for o in catalog.subjects_of_kind("Deployment") {
            let Some(w) = Workload::of(o) else { continue };
            let Some(rep) = hpas.replication(&w) else { continue };
            let n = rep.count();
            // `replicas: 0` is a deliberate scale-down.
            if n >= min || matches!(rep, Replication::Spec(_, 0)) {
                continue;
            }
            let help = format!(
                "run at least {min} replicas (with spreading and a PodDisruptionBudget) so one pod failing, being evicted or rolling out does not interrupt the service"
            );
            match rep {
                Replication::Spec(node, _) => {
                    ctx.report(
                        o,
                        node.span,
                        format!("{n} replica{}, fewer than {min}", if n == 1 { "" } else { "s" }),
                    )
                    .help(help);
                }
                Replication::Autoscaler(h, _) => {
                    let d = ctx.report(
                        o,
                        o.name_span(),
                        format!(
                            "autoscaled down to {n} replica{}, fewer than {min}",
                            if n == 1 { "" } else { "s" }
                        ),
                    );
                    d.help(help);
                    label_in(d, h.object, h.min_span(), "the autoscaler's lower bound");
                }
                Replication::Default => {
                    let span = o.root.path_entry(&["spec"]).map_or(o.kind_span(), |e| e.key_span);
                    ctx.report(
                        o,
                        span,
                        format!("`replicas` is not set, so 1 replica runs, fewer than {min}"),
                    )
                    .help(help);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn deploy(replicas: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n{replicas}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n"
        )
    }

    #[test]
    fn low() {
        let t = deploy("  replicas: 1\n");
        let d = assert_fires("replicas-low", &t);
        assert_eq!(spanned(&t, &d[0]), "1");
        let t = deploy("");
        let d = assert_fires("replicas-low", &t);
        assert_eq!(spanned(&t, &d[0]), "spec");
    }

    #[test]
    fn enough_or_scaled_to_zero() {
        assert_quiet("replicas-low", &deploy("  replicas: 2\n"));
        assert_quiet("replicas-low", &deploy("  replicas: 0\n"));
        let t = format!(
            "{}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: 3\n  maxReplicas: 6\n",
            deploy("")
        );
        assert_quiet("replicas-low", &t);
    }
}
