//! `windows-host-process`: a Windows HostProcess container, which runs
//! directly on the node with the node's privileges.

use super::{Decided, effective, names, report_decided};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct WindowsHostProcess;

impl Rule for WindowsHostProcess {
    fn id(&self) -> &str {
        "windows-host-process"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let mut found = Vec::new();
        for c in w.all_containers() {
            let Some(s) = effective(&w, &c, &["windowsOptions", "hostProcess"]) else {
                continue;
            };
            if s.node.as_bool() != Some(true) {
                continue;
            }
            found.push(Decided {
                container: c,
                value: Some(s.node),
                span: s.node.span,
                from_pod: s.from_pod,
                flag: false,
            });
        }
        report_decided(
            object,
            ctx,
            &found,
            |d| {
                format!(
                    "{} is a Windows HostProcess container: it runs on the node itself, outside any sandbox",
                    d.container.display()
                )
            },
            |ds| {
                format!(
                    "the pod's `hostProcess: true` makes {} HostProcess containers, running on the node itself",
                    names(ds)
                )
            },
            "remove `windowsOptions.hostProcess: true` unless this is a node-management component (CNI, storage, log or monitoring agent) that must act on the Windows host",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "windows-host-process";

    fn pod(pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  hostNetwork: true\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}  - name: side\n    image: side:1.0\n"
        )
    }

    #[test]
    fn pod_level_is_reported_once() {
        let text = pod(
            "  securityContext:\n    windowsOptions: {hostProcess: true, runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"}\n",
            "",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "true");
        assert!(
            d[0].message.contains("container `app` and container `side`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn container_level() {
        let text = pod("", "    securityContext: {windowsOptions: {hostProcess: true}}\n");
        let d = assert_fires(RULE, &text);
        assert!(
            d[0].message
                .starts_with("container `app` is a Windows HostProcess container")
        );
    }

    #[test]
    fn quiet_without_it() {
        assert_quiet(
            RULE,
            &pod("", "    securityContext: {windowsOptions: {hostProcess: false}}\n"),
        );
        assert_quiet(RULE, &pod("", ""));
    }
}
