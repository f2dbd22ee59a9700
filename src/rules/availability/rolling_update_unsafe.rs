//! `rolling-update-unsafe`: a Deployment whose rolling update may take every
//! pod down at once.

use super::budget::IntOrPercent;
use super::hpa::{Autoscalers, Replication};
use crate::model::{Catalog, Workload};
use crate::rules::selectors::matching::label_in;
use crate::rules::{Ctx, Rule};

pub struct RollingUpdateUnsafe;

impl Rule for RollingUpdateUnsafe {
    fn id(&self) -> &str {
        "rolling-update-unsafe"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let hpas = Autoscalers::new(catalog, ctx.sources);
        for o in catalog.subjects_of_kind("Deployment") {
            let Some(node) = o.get(&["spec", "strategy", "rollingUpdate", "maxUnavailable"]) else {
                continue;
            };
            if o.get(&["spec", "strategy", "type"]).and_then(|n| n.as_str()) == Some("Recreate") {
                continue;
            }
            let Some(w) = Workload::of(o) else { continue };
            let Some(rep) = hpas.replication(&w) else { continue };
            let replicas = rep.count();
            let value = IntOrPercent::of(node);
            // The Deployment controller rounds a percentage down here.
            let Some(down) = value.scaled(replicas, false) else {
                continue;
            };
            if replicas < 1 || down < replicas {
                continue;
            }
            // One replica has nothing to lose but itself: only an explicit
            // 100% says "all at once" there (replicas-low covers the rest).
            if replicas == 1 && !matches!(value, IntOrPercent::Percent(_)) {
                continue;
            }
            let (written, count_note) = match (value, &rep) {
                (IntOrPercent::Percent(p), _) => (format!("{p}%"), String::new()),
                (_, Replication::Default) => (down.to_string(), " (`replicas` unset: 1)".to_string()),
                _ => (down.to_string(), String::new()),
            };
            let d = ctx.report(
                o,
                node.span,
                format!(
                    "`maxUnavailable: {written}` lets a rollout stop all {replicas} replica{}{count_note} at once: the Deployment is down until new pods are ready",
                    if replicas == 1 { "" } else { "s" }
                ),
            );
            d.help("keep `maxUnavailable` below the replica count (e.g. `maxUnavailable: 0` with `maxSurge: 1` to replace pods one by one); if downtime is intended, say so with `strategy.type: Recreate`");
            match rep {
                Replication::Spec(n, _) => {
                    d.label(n.span, "the replica count");
                }
                Replication::Autoscaler(h, _) => label_in(
                    d,
                    h.object,
                    h.min_span(),
                    format!(
                        "HorizontalPodAutoscaler `{}` may scale down to this",
                        h.object.name.unwrap_or("")
                    ),
                ),
                Replication::Default => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn deploy(replicas: &str, ru: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n{replicas}  strategy:\n    rollingUpdate: {ru}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n"
        )
    }

    #[test]
    fn everything_may_go() {
        let t = deploy("  replicas: 3\n", "{maxUnavailable: 100%}");
        let d = assert_fires("rolling-update-unsafe", &t);
        assert_eq!(spanned(&t, &d[0]), "100%");
        assert_fires(
            "rolling-update-unsafe",
            &deploy("  replicas: 2\n", "{maxUnavailable: 2}"),
        );
        assert_fires("rolling-update-unsafe", &deploy("", "{maxUnavailable: 100%}"));
    }

    #[test]
    fn some_stay() {
        assert_quiet(
            "rolling-update-unsafe",
            &deploy("  replicas: 3\n", "{maxUnavailable: 2}"),
        );
        assert_quiet(
            "rolling-update-unsafe",
            &deploy("  replicas: 3\n", "{maxUnavailable: 50%}"),
        );
        assert_quiet("rolling-update-unsafe", &deploy("", "{maxSurge: 1}"));
        assert_quiet("rolling-update-unsafe", &deploy("", "{maxUnavailable: 1}"));
    }
}
