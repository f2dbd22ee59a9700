//! `limits-below-minimum`: CPU limits under 10m and memory limits under
//! 4Mi cannot be enforced as written (domain fact A4).

use crate::model::{Object, Quantity, Workload};
use crate::rules::{Ctx, Rule};

pub struct LimitsBelowMinimum;

/// (resource, smallest enforceable limit, why)
const MINIMUMS: &[(&str, &str, &str)] = &[
    (
        "cpu",
        "10m",
        "the kernel's CFS quota cannot go below 1ms per 100ms period, so the kubelet raises any CPU limit under 10m to 10m",
    ),
    (
        "memory",
        "4Mi",
        "a container runtime cannot start a container with less than 4 MiB of memory; the pod fails to start or is OOM-killed at once",
    ),
];

impl Rule for LimitsBelowMinimum {
    fn id(&self) -> &str {
        "limits-below-minimum"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.app_containers() {
            for (res, min_text, why) in MINIMUMS {
                let Some((node, q)) = super::resource(&c, "limits", res) else {
                    continue;
                };
                let Ok(min) = Quantity::parse(min_text) else { continue };
                if q < min && !q.is_zero() {
                    let shown = node.scalar_text().unwrap_or_default();
                    let d = ctx
                        .report(
                            object,
                            node.span,
                            format!(
                                "{} has a {} limit of {shown}, below the smallest that works ({min_text})",
                                c.display(),
                                super::resource_noun(res)
                            ),
                        )
                        .help(format!("{why}; set the limit to at least {min_text}"));
                    // The kubelet already enforces 10m for a smaller CPU
                    // limit: writing it down changes nothing.
                    if *res == "cpu" && crate::fix::is_inline_scalar(node) {
                        d.fix(crate::diagnostic::Fix {
                            title: format!("raise the CPU limit to {min_text}"),
                            applicability: crate::diagnostic::Applicability::Safe,
                            edits: vec![crate::fix::replace_scalar(object.file, node, min_text)],
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    #[test]
    fn tiny_limits() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {cpu: 5m, memory: 2Mi}\n";
        let d = assert_fires("limits-below-minimum", text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "5m");
        assert_eq!(spanned(text, &d[1]), "2Mi");
    }

    #[test]
    fn sane_limits() {
        assert_quiet(
            "limits-below-minimum",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {cpu: 10m, memory: 4Mi}\n",
        );
    }
}
