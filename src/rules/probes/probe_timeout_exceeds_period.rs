//! `probe-timeout-exceeds-period`: a probe whose timeout is at least its
//! period, with Kubernetes' defaults (1 s and 10 s) applied (domain fact C4).

use super::{Timing, probed_containers, probes_of};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ProbeTimeoutExceedsPeriod;

impl Rule for ProbeTimeoutExceedsPeriod {
    fn id(&self) -> &str {
        "probe-timeout-exceeds-period"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in probed_containers(&w) {
            for (probe, noun) in probes_of(&c) {
                let t = Timing::of(&probe.value);
                if t.timeout < t.period || t.period <= 0 {
                    continue;
                }
                let timeout = probe.value.get("timeoutSeconds");
                let period = probe.value.get("periodSeconds");
                let (span, other) = match (timeout, period) {
                    (Some(t), p) => (t.span, p.map(|p| (p.span, "the period"))),
                    (None, Some(p)) => (p.span, None),
                    (None, None) => continue,
                };
                let shown_timeout = if timeout.is_some() {
                    format!("{}s", t.timeout)
                } else {
                    format!("{}s (the default)", t.timeout)
                };
                let shown_period = if period.is_some() {
                    format!("{}s", t.period)
                } else {
                    format!("{}s (the default)", t.period)
                };
                let d = ctx.report(
                    object,
                    span,
                    format!(
                        "the {noun} probe of {} has a timeout of {shown_timeout}, not shorter than its period of {shown_period}",
                        c.display()
                    ),
                );
                if let Some((s, m)) = other {
                    d.label(s, m);
                }
                d.help(
                    "the kubelet runs one probe at a time: a probe that hangs until its timeout delays the next one, so failures are detected later than periodSeconds × failureThreshold suggests; make timeoutSeconds clearly shorter than periodSeconds",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "probe-timeout-exceeds-period";

    fn pod(probe: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    readinessProbe: {probe}\n"
        )
    }

    #[test]
    fn timeout_not_below_period() {
        let text = pod("{tcpSocket: {port: 80}, timeoutSeconds: 10, periodSeconds: 5}");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "10");
        assert_eq!(d[0].labels.len(), 1);
        // The default period is 10 s.
        let text = pod("{tcpSocket: {port: 80}, timeoutSeconds: 10}");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("10s (the default)"), "{}", d[0].message);
        // The default timeout is 1 s.
        let text = pod("{tcpSocket: {port: 80}, periodSeconds: 1}");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "1");
    }

    #[test]
    fn sane_timing() {
        assert_quiet(RULE, &pod("{tcpSocket: {port: 80}}"));
        assert_quiet(
            RULE,
            &pod("{tcpSocket: {port: 80}, timeoutSeconds: 5, periodSeconds: 10}"),
        );
        assert_quiet(RULE, &pod("{tcpSocket: {port: 80}, periodSeconds: 2}"));
    }
}
