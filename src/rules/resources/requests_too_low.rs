//! `requests-too-low`: CPU or memory requests so small they mean nothing.

use crate::model::{Object, Quantity, Workload};
use crate::rules::{Ctx, Rule};

pub struct RequestsTooLow;

impl Rule for RequestsTooLow {
    fn id(&self) -> &str {
        "requests-too-low"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let thresholds: Vec<(&str, Quantity, String)> = [("cpu", "min-cpu"), ("memory", "min-memory")]
            .into_iter()
            .filter_map(|(res, opt)| {
                let text = ctx.option_str(opt)?;
                Quantity::parse(text).ok().map(|q| (res, q, text.to_string()))
            })
            .collect();
        for c in w.app_containers() {
            for (res, min, min_text) in &thresholds {
                let Some((node, q)) = super::resource(&c, "requests", res) else {
                    continue;
                };
                if q < *min {
                    let shown = node.scalar_text().unwrap_or_default();
                    ctx.report(
                        object,
                        node.span,
                        format!(
                            "{} requests only {shown} of {}, below {min_text}",
                            c.display(),
                            super::resource_noun(res)
                        ),
                    )
                    .help(match *res {
                        "cpu" => "a CPU request this low gives the container almost no CPU time when the node is busy; request what it uses at steady state (measure it), e.g. `100m`",
                        _ => "a memory request this low lets the scheduler pack the pod onto a node without room for it; request the working-set size",
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {cpu: CPU, memory: 64Mi}\n";

    #[test]
    fn one_millicore_is_too_low() {
        let text = POD.replace("CPU", "1m");
        let d = assert_fires("requests-too-low", &text);
        assert_eq!(spanned(&text, &d[0]), "1m");
        assert!(d[0].message.contains("below 10m"));
    }

    #[test]
    fn normal_requests_pass() {
        assert_quiet("requests-too-low", &POD.replace("CPU", "100m"));
        assert_quiet("requests-too-low", &POD.replace("CPU", "0.01"));
    }
}
