//! `probe-success-threshold-invalid`: a liveness or startup probe with a
//! `successThreshold` other than 1, which the API server rejects (domain
//! fact C4).

use super::{probed_containers, probes_of};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ProbeSuccessThresholdInvalid;

impl Rule for ProbeSuccessThresholdInvalid {
    fn id(&self) -> &str {
        "probe-success-threshold-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in probed_containers(&w) {
            for (probe, noun) in probes_of(&c) {
                if noun == "readiness" {
                    continue;
                }
                let Some(node) = probe.value.get("successThreshold") else {
                    continue;
                };
                // 0 is the unset value and is defaulted to 1.
                let Some(n) = node.as_i64().filter(|n| *n != 1 && *n != 0) else {
                    continue;
                };
                ctx.report(
                    object,
                    node.span,
                    format!(
                        "the {noun} probe of {} has successThreshold {n}; Kubernetes only accepts 1 for {noun} probes",
                        c.display()
                    ),
                )
                .help(format!(
                    "remove `successThreshold` (it defaults to 1) or set it to 1: one success is all a {noun} probe can act on; to require several successes before traffic, use a readiness probe"
                ))
                // The only value the API accepts.
                .fix(crate::diagnostic::Fix {
                    title: "set successThreshold to 1".into(),
                    applicability: crate::diagnostic::Applicability::Safe,
                    edits: vec![crate::fix::replace(object.file, node, "1")],
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "probe-success-threshold-invalid";

    #[test]
    fn liveness_and_startup() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}\n    startupProbe: {tcpSocket: {port: 80}, successThreshold: 3}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "2");
        assert!(d[1].message.contains("startup probe"));
    }

    #[test]
    fn readiness_may_use_more() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    readinessProbe: {tcpSocket: {port: 80}, successThreshold: 3}\n    livenessProbe: {tcpSocket: {port: 80}, successThreshold: 1}\n",
        );
    }
}
