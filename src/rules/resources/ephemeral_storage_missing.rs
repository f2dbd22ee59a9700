//! `ephemeral-storage-missing`: containers that declare neither a request
//! nor a limit for local ephemeral storage. A LimitRange default of the run
//! or a pod-level value counts.

use super::LimitRanges;
use crate::model::{Catalog, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct EphemeralStorageMissing;

const RES: &str = "ephemeral-storage";

impl Rule for EphemeralStorageMissing {
    fn id(&self) -> &str {
        "ephemeral-storage-missing"
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
    let set = |n: &crate::yaml::Node| {
        n.path(&["resources", "requests", RES]).is_some() || n.path(&["resources", "limits", RES]).is_some()
    };
    if set(w.pod_spec) || ranges.default_for(object, "requests", RES).is_some() {
        return;
    }
    for c in w.app_containers() {
        if set(c.node) {
            continue;
        }
        ctx.report(
            object,
            c.anchor_span(&["resources"]),
            format!("{} sets no ephemeral-storage request or limit", c.display()),
        )
        .help("set `resources.requests.ephemeral-storage` to what the container writes to its writable layer, logs and emptyDir volumes, and a limit above it: the scheduler then counts it, and a runaway writer is evicted alone instead of filling the node's disk");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "ephemeral-storage-missing";

    #[test]
    fn missing() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {cpu: 100m}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "resources");
    }

    #[test]
    fn request_or_limit_is_enough() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    resources: {requests: {ephemeral-storage: 1Gi}}\n  - name: b\n    resources: {limits: {ephemeral-storage: 2Gi}}\n",
        );
    }
}
