//! `limit-below-request`: a resource limit lower than the request for the
//! same resource, which the API server rejects.

use crate::model::{Container, Object, Quantity, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct LimitBelowRequest;

/// Compares the `requests` and `limits` maps of one resources block.
fn check_block(object: &Object, ctx: &mut Ctx, resources: Option<&Node>, who: &str) {
    let Some(resources) = resources else { return };
    let Some(limits) = resources.get("limits") else { return };
    for req in resources.get("requests").map(Node::entries).unwrap_or(&[]) {
        let Some(lim) = limits.get(&req.key) else { continue };
        let (Ok(rq), Ok(lq)) = (Quantity::from_node(&req.value), Quantity::from_node(lim)) else {
            continue;
        };
        if lq >= rq {
            continue;
        }
        let (r, l) = (
            req.value.scalar_text().unwrap_or_default(),
            lim.scalar_text().unwrap_or_default(),
        );
        ctx.report(
            object,
            lim.span,
            format!(
                "{who} limits {} to {l}, below its request of {r}",
                super::resource_noun(&req.key)
            ),
        )
        .label(req.value.span, "the request")
        .help(format!(
            "a limit must be at least the request, and Kubernetes rejects the object otherwise; raise the limit to {r} or more, or lower the request"
        ));
    }
}

impl Rule for LimitBelowRequest {
    fn id(&self) -> &str {
        "limit-below-request"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.all_containers() {
            check_block(object, ctx, c.get(&["resources"]), &Container::display(&c));
        }
        check_block(object, ctx, w.pod_spec.get("resources"), "the pod-level resources");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "limit-below-request";

    fn pod(resources: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    resources: {resources}\n"
        )
    }

    #[test]
    fn limit_below_request() {
        let text = pod(
            "{requests: {cpu: '1', memory: 1Gi, nvidia.com/gpu: 2}, limits: {cpu: 500m, memory: 512Mi, nvidia.com/gpu: 1}}",
        );
        let d = assert_fires(RULE, &text);
        let spans: Vec<&str> = d.iter().map(|d| spanned(&text, d)).collect();
        assert_eq!(spans, vec!["500m", "512Mi", "1"]);
        assert_eq!(d[0].labels.len(), 1);
        assert!(
            d[0].message.contains("limits CPU to 500m, below its request of 1"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn equal_higher_or_unset() {
        assert_quiet(
            RULE,
            &pod("{requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: '0.5', memory: 2Gi}}"),
        );
        assert_quiet(RULE, &pod("{requests: {cpu: 500m}, limits: {memory: 2Gi}}"));
        assert_quiet(RULE, &pod("{requests: {cpu: lots}, limits: {cpu: 1m}}"));
    }
}
