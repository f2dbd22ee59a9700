//! `memory-limit-missing`: containers without a memory limit (domain fact
//! C3). A limit that a LimitRange of the run defaults, or a pod-level
//! memory limit, counts.

use super::LimitRanges;
use crate::model::{Catalog, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct MemoryLimitMissing;

impl Rule for MemoryLimitMissing {
    fn id(&self) -> &str {
        "memory-limit-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let ranges = LimitRanges::of(catalog, ctx.sources);
        for object in catalog.objects.iter().filter(|o| catalog.in_focus(o)) {
            check(object, &ranges, ctx);
        }
    }
}

fn check(object: &Object, ranges: &LimitRanges, ctx: &mut Ctx) {
    let Some(w) = Workload::of(object) else { return };
    if w.pod_spec.path(&["resources", "limits", "memory"]).is_some() {
        return;
    }
    if ranges.default_for(object, "limits", "memory").is_some() {
        return;
    }
    for c in w.app_containers() {
        if c.get(&["resources", "limits", "memory"]).is_some() {
            continue;
        }
        let span = if c.get(&["resources", "limits"]).is_some() {
            c.anchor_span(&["resources", "limits"])
        } else {
            c.anchor_span(&["resources"])
        };
        ctx.report(object, span, format!("{} has no memory limit", c.display()))
            .help("set `resources.limits.memory` (for a critical workload equal to the memory request): without it a leak can take all of the node's memory, and the kubelet then evicts or OOM-kills other pods along with this one");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "memory-limit-missing";

    #[test]
    fn missing_limit() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {cpu: 100m}\n  - name: side\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "limits");
        assert_eq!(spanned(text, &d[1]), "side");
    }

    #[test]
    fn set_or_defaulted() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {memory: 128Mi}\n  - name: b\n";
        assert_fires(RULE, pod);
        let lr = "---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n    max: {memory: 1Gi}\n";
        // `max` without `default` becomes the default limit.
        assert_quiet(RULE, &format!("{pod}{lr}"));
        // A default request alone gives no limit.
        assert_fires(RULE, &format!("{pod}{}", lr.replace("max:", "defaultRequest:")));
    }
}
