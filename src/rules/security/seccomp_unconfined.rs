//! `seccomp-unconfined`: a container's effective seccomp profile is
//! `Unconfined`.

use super::{Decided, Profile, names, report_decided, seccomp};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct SeccompUnconfined;

impl Rule for SeccompUnconfined {
    fn id(&self) -> &str {
        "seccomp-unconfined"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let mut found = Vec::new();
        for c in w.all_containers() {
            let Some(s) = seccomp(&w, &c, ctx) else { continue };
            if s.profile != Profile::Unconfined {
                continue;
            }
            found.push(Decided {
                container: c,
                value: Some(s.node),
                span: s.node.span,
                from_pod: s.from_pod,
                flag: s.legacy,
            });
        }
        // `its `seccompProfile` is `Unconfined`` / `its annotation is `unconfined``.
        let source = |d: &Decided| {
            let value = d.value.and_then(|v| v.scalar_text()).unwrap_or_default();
            if d.flag {
                format!("seccomp annotation is `{value}`")
            } else {
                format!("`seccompProfile` is `{value}`")
            }
        };
        report_decided(
            object,
            ctx,
            &found,
            |d| format!("{} runs without seccomp: its {}", d.container.display(), source(d)),
            |ds| format!("the pod's {}, which applies to {}", source(ds[0]), names(ds)),
            "use `seccompProfile.type: RuntimeDefault`, or a `Localhost` profile that allows the few extra system calls the app needs",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, run_rule_at, spanned};

    const RULE: &str = "seccomp-unconfined";

    fn pod(annotations: &str, pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{annotations}spec:\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}  - name: side\n    image: side:1.0\n"
        )
    }

    #[test]
    fn pod_level_once_for_all_containers() {
        let text = pod("", "  securityContext: {seccompProfile: {type: Unconfined}}\n", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "Unconfined");
        assert!(
            d[0].message.ends_with("container `app` and container `side`"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn container_override_wins() {
        let text = pod(
            "",
            "  securityContext: {seccompProfile: {type: Unconfined}}\n",
            "    securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
        );
        let d = assert_fires(RULE, &text);
        assert!(
            d[0].message.ends_with("applies to container `side`"),
            "{}",
            d[0].message
        );
        assert_quiet(
            RULE,
            &pod(
                "",
                "  securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
                "    securityContext: {seccompProfile: {type: Localhost, localhostProfile: x}}\n",
            ),
        );
    }

    #[test]
    fn legacy_annotation_while_read() {
        let text = pod(
            "  annotations:\n    container.seccomp.security.alpha.kubernetes.io/app: unconfined\n",
            "",
            "",
        );
        let d = run_rule_at(RULE, "1.26", &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "unconfined");
        assert!(d[0].message.contains("annotation"));
    }

    #[test]
    fn legacy_annotation_unread_from_1_27() {
        for a in [
            "  annotations:\n    container.seccomp.security.alpha.kubernetes.io/app: unconfined\n",
            "  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n",
        ] {
            let text = pod(a, "", "");
            assert!(run_rule_at(RULE, "1.26", &text).len() == 1);
            assert!(run_rule_at(RULE, "1.27", &text).is_empty());
            assert_quiet(RULE, &text);
        }
        // An unread `runtime/default` annotation no longer hides the pod's
        // `Unconfined` from the container.
        let text = pod(
            "  annotations:\n    container.seccomp.security.alpha.kubernetes.io/app: runtime/default\n",
            "  securityContext: {seccompProfile: {type: Unconfined}}\n",
            "",
        );
        let d = assert_fires(RULE, &text);
        assert!(
            d[0].message.contains("container `app` and container `side`"),
            "{}",
            d[0].message
        );
        let d = run_rule_at(RULE, "1.26", &text);
        assert!(
            d[0].message.ends_with("applies to container `side`"),
            "{}",
            d[0].message
        );
    }
}
