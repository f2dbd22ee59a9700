//! `run-as-root-user`: a container explicitly runs as UID 0.

use super::{Decided, effective, is_windows, names, report_decided};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RunAsRootUser;

impl Rule for RunAsRootUser {
    fn id(&self) -> &str {
        "run-as-root-user"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        let mut found = Vec::new();
        for c in w.app_containers() {
            let Some(user) = effective(&w, &c, &["runAsUser"]) else {
                continue;
            };
            if user.node.as_i64() != Some(0) {
                continue;
            }
            // With `runAsNonRoot: true` as well, the kubelet refuses to start it.
            let refused = effective(&w, &c, &["runAsNonRoot"]).is_some_and(|s| s.node.as_bool() == Some(true));
            found.push(Decided {
                container: c,
                value: Some(user.node),
                span: user.node.span,
                from_pod: user.from_pod,
                flag: refused,
            });
        }
        let refused_note = |d: &Decided| {
            if d.flag {
                " (and with `runAsNonRoot: true` the kubelet refuses to start it)"
            } else {
                ""
            }
        };
        report_decided(
            object,
            ctx,
            &found,
            |d| {
                format!(
                    "{} runs as root: `runAsUser` is 0{}",
                    d.container.display(),
                    refused_note(d)
                )
            },
            |ds| {
                let note = if ds.iter().any(|d| d.flag) {
                    " (where `runAsNonRoot: true` also applies, the kubelet refuses to start the container)"
                } else {
                    ""
                };
                format!("the pod's `runAsUser: 0` runs {} as root{note}", names(ds))
            },
            "set `runAsUser` to a non-zero UID the image supports (and `runAsNonRoot: true`); if the process needs a root-only power, grant that single capability instead",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "run-as-root-user";

    fn pod(pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}  initContainers:\n  - name: init\n    image: init:1.0\n"
        )
    }

    #[test]
    fn container_uid_zero() {
        let text = pod("", "    securityContext: {runAsUser: 0}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "0");
        assert_eq!(d[0].message, "container `app` runs as root: `runAsUser` is 0");
    }

    #[test]
    fn pod_uid_zero_names_the_containers_it_decides() {
        let text = pod(
            "  securityContext: {runAsUser: 0}\n",
            "    securityContext: {runAsUser: 1000}\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "the pod's `runAsUser: 0` runs init container `init` as root"
        );
    }

    #[test]
    fn contradiction_with_run_as_non_root() {
        let text = pod(
            "  securityContext: {runAsNonRoot: true}\n",
            "    securityContext: {runAsUser: 0}\n",
        );
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("refuses to start"), "{}", d[0].message);
    }

    #[test]
    fn non_zero_or_unset_or_group_zero() {
        assert_quiet(RULE, &pod("", ""));
        assert_quiet(RULE, &pod("  securityContext: {runAsUser: 1000, runAsGroup: 0}\n", ""));
        assert_quiet(
            RULE,
            &pod("  securityContext: {runAsUser: 0}\n  os: {name: windows}\n", ""),
        );
    }
}
