//! `memory-limit-not-equal-request`: a memory request below its limit lets
//! the node overcommit memory; under pressure the container is OOM-killed
//! (domain fact C3).

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct MemoryLimitNotEqualRequest;

impl Rule for MemoryLimitNotEqualRequest {
    fn id(&self) -> &str {
        "memory-limit-not-equal-request"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.app_containers() {
            let (Some((req, rq)), Some((lim, lq))) = (
                super::resource(&c, "requests", "memory"),
                super::resource(&c, "limits", "memory"),
            ) else {
                continue;
            };
            if rq < lq {
                ctx.report(
                    object,
                    req.span,
                    format!(
                        "{} requests {} of memory but may use up to {}",
                        c.display(),
                        req.scalar_text().unwrap_or_default(),
                        lim.scalar_text().unwrap_or_default()
                    ),
                )
                .label(lim.span, "the memory limit")
                .help("memory is not compressible: when the node runs short, containers above their request are OOM-killed first; set the request equal to the limit");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn request_below_limit() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {memory: 64Mi}\n      limits: {memory: 128Mi}\n";
        let d = assert_fires("memory-limit-not-equal-request", text);
        assert_eq!(spanned(text, &d[0]), "64Mi");
    }

    #[test]
    fn equal_or_defaulted() {
        assert_quiet(
            "memory-limit-not-equal-request",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      requests: {memory: 128Mi}\n      limits: {memory: 0.125Gi}\n  - name: b\n    resources:\n      limits: {memory: 1Gi}\n",
        );
    }
}
