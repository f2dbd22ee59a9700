//! `cpu-limit-throttling`: a CPU limit on a pod that is not Guaranteed
//! (domain facts A3, C2). Such a limit buys no QoS class; it only caps the
//! container's CPU time, even on an idle node.

use crate::model::{Object, QosClass, Workload, pod_qos};
use crate::rules::{Ctx, Rule};

pub struct CpuLimitThrottling;

impl Rule for CpuLimitThrottling {
    fn id(&self) -> &str {
        "cpu-limit-throttling"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let mut qos = None;
        for c in w.app_containers() {
            let Some((node, q)) = super::resource(&c, "limits", "cpu") else {
                continue;
            };
            if q.is_zero() || q.is_negative() {
                continue;
            }
            let class = *qos.get_or_insert_with(|| pod_qos(&w).class);
            if class == QosClass::Guaranteed {
                return;
            }
            ctx.report(
                object,
                node.span,
                format!(
                    "{} has a CPU limit of {}, but its pods are {}, not Guaranteed: the limit only throttles it",
                    c.display(),
                    node.scalar_text().unwrap_or_default(),
                    class.as_str()
                ),
            )
            .help("the CPU request already guarantees the container its share on a busy node; the limit additionally stops it from using idle CPU, which adds latency. Remove `resources.limits.cpu` and keep the request, or, for a latency-critical workload, make the pod Guaranteed (requests equal to limits for CPU and memory in every container, see qos-not-guaranteed)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "cpu-limit-throttling";

    fn pod(resources: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    resources: {resources}\n"
        )
    }

    #[test]
    fn burstable_with_cpu_limit() {
        let text = pod("{requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 500m, memory: 64Mi}}");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "500m");
        assert!(d[0].message.contains("Burstable"), "{}", d[0].message);
        // CPU limit equal to the request, but no memory limit: still Burstable.
        assert_fires(RULE, &pod("{requests: {cpu: 1}, limits: {cpu: 1}}"));
    }

    #[test]
    fn guaranteed_or_no_cpu_limit() {
        assert_quiet(RULE, &pod("{limits: {cpu: 500m, memory: 64Mi}}"));
        assert_quiet(
            RULE,
            &pod("{requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}"),
        );
    }
}
