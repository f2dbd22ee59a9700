//! `qos-not-guaranteed`: pods whose QoS class is not Guaranteed, with the
//! containers and resources that break it (domain fact C3).

use crate::model::{Object, QosClass, Workload, pod_qos};
use crate::rules::{Ctx, Rule};

pub struct QosNotGuaranteed;

impl Rule for QosNotGuaranteed {
    fn id(&self) -> &str {
        "qos-not-guaranteed"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if w.all_containers().next().is_none() {
            return;
        }
        let qos = pod_qos(&w);
        if qos.class == QosClass::Guaranteed {
            return;
        }
        let Some(((span, first), rest)) = qos.reasons.split_first() else {
            return;
        };
        let more = match rest.len() {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        let d = ctx.report(
            object,
            *span,
            format!(
                "pods get the {} QoS class, not Guaranteed: {first}{more}",
                qos.class.as_str()
            ),
        );
        for (s, r) in rest {
            d.label(*s, r.clone());
        }
        d.help("for a critical workload set CPU and memory limits on every container (init containers too) and make each request equal its limit");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn burstable_pod_is_reported_with_reasons() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {cpu: 100m, memory: 64Mi}\n      limits: {cpu: 100m, memory: 128Mi}\n";
        let d = assert_fires("qos-not-guaranteed", text);
        assert!(
            d[0].message.starts_with("pods get the Burstable QoS class"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("requests 64Mi memory but its limit is 128Mi"));
        assert_eq!(spanned(text, &d[0]), "64Mi");
    }

    #[test]
    fn guaranteed_pod_is_quiet() {
        assert_quiet(
            "qos-not-guaranteed",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {cpu: 100m, memory: 64Mi}\n",
        );
    }
}
