//! `run-as-root-group`: a container's primary group is GID 0 (root).

use super::{Decided, effective, is_windows, names, report_decided};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RunAsRootGroup;

impl Rule for RunAsRootGroup {
    fn id(&self) -> &str {
        "run-as-root-group"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        let mut found = Vec::new();
        for c in w.app_containers() {
            let Some(group) = effective(&w, &c, &["runAsGroup"]) else {
                continue;
            };
            if group.node.as_i64() != Some(0) {
                continue;
            }
            found.push(Decided {
                container: c,
                value: Some(group.node),
                span: group.node.span,
                from_pod: group.from_pod,
                flag: false,
            });
        }
        report_decided(
            object,
            ctx,
            &found,
            |d| format!("{} runs with the root group: `runAsGroup` is 0", d.container.display()),
            |ds| format!("the pod's `runAsGroup: 0` runs {} with the root group", names(ds)),
            "set `runAsGroup` to a non-zero GID (files the app must share can use `fsGroup`)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "run-as-root-group";

    fn pod(pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn gid_zero_on_container_or_pod() {
        let text = pod("", "    securityContext: {runAsUser: 1000, runAsGroup: 0}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "0");
        let text = pod("  securityContext: {runAsGroup: 0}\n", "");
        let d = assert_fires(RULE, &text);
        assert!(
            d[0].message.starts_with("the pod's `runAsGroup: 0`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn non_zero_overrides_or_unset_are_quiet() {
        assert_quiet(RULE, &pod("", ""));
        assert_quiet(
            RULE,
            &pod(
                "  securityContext: {runAsGroup: 0}\n",
                "    securityContext: {runAsGroup: 1000}\n",
            ),
        );
    }
}
