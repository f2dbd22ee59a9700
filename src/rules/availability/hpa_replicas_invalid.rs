//! `hpa-replicas-invalid`: replica bounds the API server rejects.

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct HpaReplicasInvalid;

impl Rule for HpaReplicasInvalid {
    fn id(&self) -> &str {
        "hpa-replicas-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "HorizontalPodAutoscaler" {
            return;
        }
        let min = object.get(&["spec", "minReplicas"]);
        let max = object.get(&["spec", "maxReplicas"]);
        let (min_n, max_n) = (min.and_then(Node::as_i64), max.and_then(Node::as_i64));
        if let (Some(node), Some(n)) = (max, max_n)
            && n < 1
        {
            ctx.report(
                object,
                node.span,
                format!("`maxReplicas` is {n}: it must be at least 1"),
            )
            .help("set `maxReplicas` to the most replicas the workload may scale out to (1 or more)");
            return;
        }
        if let (Some(node), Some(n)) = (min, min_n)
            && n < 1
        {
            ctx.report(object, node.span, format!("`minReplicas` is {n}: it must be at least 1"))
                    .help("set `minReplicas` to 1 or more (scaling to zero needs the alpha HPAScaleToZero feature gate and object or external metrics), or remove it to default to 1");
            return;
        }
        if let (Some(node), Some(lo), Some(max_node), Some(hi)) = (min, min_n, max, max_n)
            && lo > hi
        {
            ctx.report(
                    object,
                    node.span,
                    format!("`minReplicas` ({lo}) is greater than `maxReplicas` ({hi})"),
                )
                .label(max_node.span, "the upper bound")
                .help("the API server rejects an autoscaler whose minReplicas exceeds maxReplicas; swap or correct the bounds");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn hpa(bounds: &str) -> String {
        format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n{bounds}"
        )
    }

    #[test]
    fn invalid_bounds() {
        let t = hpa("  minReplicas: 5\n  maxReplicas: 3\n");
        let d = assert_fires("hpa-replicas-invalid", &t);
        assert_eq!(spanned(&t, &d[0]), "5");
        assert_eq!(d[0].labels.len(), 1);
        let t = hpa("  minReplicas: 0\n  maxReplicas: 3\n");
        let d = assert_fires("hpa-replicas-invalid", &t);
        assert_eq!(spanned(&t, &d[0]), "0");
        assert_fires("hpa-replicas-invalid", &hpa("  maxReplicas: 0\n"));
    }

    #[test]
    fn valid_bounds() {
        assert_quiet("hpa-replicas-invalid", &hpa("  minReplicas: 2\n  maxReplicas: 2\n"));
        assert_quiet("hpa-replicas-invalid", &hpa("  maxReplicas: 4\n"));
    }
}
