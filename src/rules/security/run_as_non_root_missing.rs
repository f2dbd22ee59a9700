//! `run-as-non-root-missing`: nothing guarantees the container runs as a
//! non-root user.

use super::{Decided, effective, is_windows, missing_anchor, names, report_decided};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RunAsNonRootMissing;

impl Rule for RunAsNonRootMissing {
    fn id(&self) -> &str {
        "run-as-non-root-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        let mut found = Vec::new();
        for c in w.app_containers() {
            let non_root = effective(&w, &c, &["runAsNonRoot"]);
            if non_root.is_some_and(|s| s.node.as_bool() == Some(true)) {
                continue;
            }
            let user = effective(&w, &c, &["runAsUser"]).and_then(|s| s.node.as_i64());
            // A non-zero UID is enough; UID 0 is `run-as-root-user`'s.
            if user.is_some_and(|u| u >= 0) {
                continue;
            }
            found.push(match non_root {
                Some(s) => Decided {
                    container: c,
                    value: Some(s.node),
                    span: s.node.span,
                    from_pod: s.from_pod,
                    flag: false,
                },
                None => Decided {
                    container: c,
                    value: None,
                    span: missing_anchor(&c),
                    from_pod: false,
                    flag: false,
                },
            });
        }
        report_decided(
            object,
            ctx,
            &found,
            |d| match d.value {
                Some(v) => format!(
                    "{} may run as root: `runAsNonRoot` is {} and no non-zero `runAsUser` is set",
                    d.container.display(),
                    v.scalar_text().unwrap_or_default()
                ),
                None => format!(
                    "{} may run as root: neither it nor the pod sets `runAsNonRoot: true` or a non-zero `runAsUser`",
                    d.container.display()
                ),
            },
            |ds| {
                format!(
                    "the pod's `runAsNonRoot: {}` lets {} run as root (no non-zero `runAsUser` is set)",
                    ds[0].value.and_then(|v| v.scalar_text()).unwrap_or_default(),
                    names(ds)
                )
            },
            "set `securityContext.runAsNonRoot: true` (on the pod, to cover every container) and give the image a numeric non-root `USER`, or set `runAsUser` to a non-zero UID",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "run-as-non-root-missing";

    fn pod(pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}  - name: side\n    image: side:1.0\n"
        )
    }

    #[test]
    fn missing_everywhere() {
        let text = pod("", "    securityContext: {readOnlyRootFilesystem: true}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(&text, &d[0]), "securityContext");
        assert_eq!(spanned(&text, &d[1]), "side");
    }

    #[test]
    fn pod_level_false_is_reported_once() {
        let text = pod("  securityContext: {runAsNonRoot: false}\n", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "false");
        assert!(
            d[0].message.contains("container `app` and container `side`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn container_overrides_pod() {
        let text = pod(
            "  securityContext: {runAsNonRoot: true}\n",
            "    securityContext: {runAsNonRoot: false}\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.starts_with("container `app`"));
    }

    #[test]
    fn pod_level_settings_satisfy_it() {
        assert_quiet(RULE, &pod("  securityContext: {runAsNonRoot: true}\n", ""));
        assert_quiet(RULE, &pod("  securityContext: {runAsUser: 1000}\n", ""));
        // UID 0 is reported by run-as-root-user instead.
        assert_quiet(RULE, &pod("  securityContext: {runAsUser: 0}\n", ""));
    }
}
