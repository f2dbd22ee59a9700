//! `probes-identical`: a liveness probe that checks the same thing as the
//! readiness probe and gives up no later than it (domain fact C4).

use super::{Timing, handler};
use crate::model::{ContainerKind, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ProbesIdentical;

impl Rule for ProbesIdentical {
    fn id(&self) -> &str {
        "probes-identical"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let containers = w
            .containers_of(ContainerKind::Container)
            .chain(w.containers_of(ContainerKind::Init).filter(|c| c.is_sidecar()));
        for c in containers {
            let (Some(live), Some(ready)) = (c.entry(&["livenessProbe"]), c.entry(&["readinessProbe"])) else {
                continue;
            };
            let (Some(lh), Some(rh)) = (handler(&live.value, &c), handler(&ready.value, &c)) else {
                continue;
            };
            if lh != rh {
                continue;
            }
            let (lt, rt) = (Timing::of(&live.value), Timing::of(&ready.value));
            if lt.failure_window() > rt.failure_window() {
                // Same check, but liveness tolerates failure longer than
                // readiness: the recommended pattern.
                continue;
            }
            let message = if lt == rt {
                format!(
                    "{}: the liveness probe is identical to the readiness probe",
                    c.display()
                )
            } else {
                format!(
                    "{}: the liveness probe runs the same check as the readiness probe and gives up no later ({}s vs {}s of failures)",
                    c.display(),
                    lt.failure_window(),
                    rt.failure_window()
                )
            };
            ctx.report(object, live.key_span, message)
                .label(ready.key_span, "the readiness probe")
                .help("when the app is busy both probes fail together: the pod is restarted instead of only taken out of the Service; give the liveness probe a cheaper check or a higher failureThreshold × periodSeconds than readiness, or drop it");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn pod(live: &str, ready: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    ports: [{{name: http, containerPort: 8080}}]\n    livenessProbe: {live}\n    readinessProbe: {ready}\n"
        )
    }

    #[test]
    fn identical_probes() {
        let text = pod(
            "{httpGet: {path: /healthz, port: 8080}}",
            "{httpGet: {path: /healthz, port: http}, periodSeconds: 10}",
        );
        let d = assert_fires("probes-identical", &text);
        assert_eq!(spanned(&text, &d[0]), "livenessProbe");
        assert!(d[0].message.contains("identical"));
    }

    #[test]
    fn liveness_less_tolerant() {
        let text = pod(
            "{tcpSocket: {port: 8080}, failureThreshold: 1}",
            "{tcpSocket: {port: 8080}}",
        );
        let d = assert_fires("probes-identical", &text);
        assert!(d[0].message.contains("10s vs 30s"), "{}", d[0].message);
    }

    #[test]
    fn more_tolerant_liveness_is_the_recommended_pattern() {
        assert_quiet(
            "probes-identical",
            &pod(
                "{httpGet: {path: /healthz, port: 8080}, failureThreshold: 6}",
                "{httpGet: {path: /healthz, port: 8080}}",
            ),
        );
    }

    #[test]
    fn different_handlers() {
        assert_quiet(
            "probes-identical",
            &pod(
                "{httpGet: {path: /livez, port: 8080}}",
                "{httpGet: {path: /readyz, port: 8080}}",
            ),
        );
    }
}
