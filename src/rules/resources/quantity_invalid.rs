//! `quantity-invalid`: resource amounts Kubernetes cannot parse.

use crate::model::{Object, Quantity, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct QuantityInvalid;

fn check_map(object: &Object, ctx: &mut Ctx, map: Option<&Node>) {
    for e in map.map(Node::entries).unwrap_or(&[]) {
        if let Err(err) = Quantity::from_node(&e.value) {
            let shown = match e.value.scalar_text() {
                Some(t) => format!("`{t}`"),
                None => format!("a {}", e.value.type_name()),
            };
            ctx.report(
                object,
                e.value.span,
                format!("{shown} is not a valid quantity for `{}`", e.key),
            )
            .help(err.to_string());
        }
    }
}

/// A PersistentVolumeClaim template (`spec.resources.requests|limits`).
fn check_claim_template(object: &Object, ctx: &mut Ctx, template: &Node) {
    for section in ["requests", "limits"] {
        check_map(object, ctx, template.path(&["spec", "resources", section]));
    }
}

impl Rule for QuantityInvalid {
    fn id(&self) -> &str {
        "quantity-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if let Some(w) = Workload::of(object) {
            for c in w.all_containers() {
                for section in ["requests", "limits"] {
                    check_map(object, ctx, c.get(&["resources", section]));
                }
            }
            check_map(object, ctx, w.pod_spec.get("overhead"));
            for section in ["requests", "limits"] {
                check_map(object, ctx, w.pod_spec.path(&["resources", section]));
            }
            for v in w.pod_spec.get("volumes").map(Node::items).unwrap_or(&[]) {
                if let Some(size) = v.path_entry(&["emptyDir", "sizeLimit"]) {
                    check_single(object, ctx, &size.value, "sizeLimit");
                }
                if let Some(t) = v.path(&["ephemeral", "volumeClaimTemplate"]) {
                    check_claim_template(object, ctx, t);
                }
            }
        }
        match object.kind {
            "StatefulSet" => {
                for t in object
                    .get(&["spec", "volumeClaimTemplates"])
                    .map(Node::items)
                    .unwrap_or(&[])
                {
                    check_claim_template(object, ctx, t);
                }
            }
            "LimitRange" => {
                for l in object.get(&["spec", "limits"]).map(Node::items).unwrap_or(&[]) {
                    for section in ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] {
                        check_map(object, ctx, l.get(section));
                    }
                }
            }
            "ResourceQuota" => check_map(object, ctx, object.get(&["spec", "hard"])),
            "PersistentVolumeClaim" => check_claim_template(object, ctx, object.root),
            "PersistentVolume" => check_map(object, ctx, object.get(&["spec", "capacity"])),
            _ => {}
        }
    }
}

fn check_single(object: &Object, ctx: &mut Ctx, node: &Node, field: &str) {
    if let Err(err) = Quantity::from_node(node) {
        let shown = node.scalar_text().unwrap_or_else(|| node.type_name().to_string());
        ctx.report(
            object,
            node.span,
            format!("`{shown}` is not a valid quantity for `{field}`"),
        )
        .help(err.to_string());
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn bad_units() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {cpu: 100mi, memory: 1GB}\n  volumes:\n  - name: v\n    emptyDir: {sizeLimit: lots}\n";
        let d = assert_fires("quantity-invalid", text);
        let spans: Vec<&str> = d.iter().map(|d| spanned(text, d)).collect();
        assert_eq!(spans, vec!["100mi", "1GB", "lots"]);
    }

    #[test]
    fn good_units_in_many_places() {
        assert_quiet(
            "quantity-invalid",
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {cpu: '10', memory: 20Gi, pods: 10, requests.nvidia.com/gpu: 4}\n",
        );
    }
}
