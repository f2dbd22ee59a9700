//! `apparmor-unconfined`: a container runs without AppArmor confinement.

use super::{Decided, Profile, apparmor, names, report_decided};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ApparmorUnconfined;

impl Rule for ApparmorUnconfined {
    fn id(&self) -> &str {
        "apparmor-unconfined"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let mut found = Vec::new();
        for c in w.all_containers() {
            let Some(s) = apparmor(&w, &c, ctx) else { continue };
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
        report_decided(
            object,
            ctx,
            &found,
            |d| {
                let value = d.value.and_then(|v| v.scalar_text()).unwrap_or_default();
                let source = if d.flag {
                    "AppArmor annotation"
                } else {
                    "`appArmorProfile`"
                };
                format!(
                    "{} runs without AppArmor: its {source} is `{value}`",
                    d.container.display()
                )
            },
            |ds| {
                format!(
                    "the pod's `appArmorProfile` is `Unconfined`, which applies to {}",
                    names(ds)
                )
            },
            "remove the override to get the runtime's default AppArmor profile (`RuntimeDefault`), or load a `Localhost` profile that allows what the app needs",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "apparmor-unconfined";

    fn pod(annotations: &str, pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{annotations}spec:\n{pod_sc}  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn field_and_annotation() {
        let text = pod("", "  securityContext: {appArmorProfile: {type: Unconfined}}\n", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "Unconfined");
        let text = pod(
            "  annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}\n",
            "",
            "",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "unconfined");
    }

    #[test]
    fn confined_or_overridden() {
        assert_quiet(RULE, &pod("", "", ""));
        assert_quiet(
            RULE,
            &pod(
                "",
                "  securityContext: {appArmorProfile: {type: Unconfined}}\n",
                "    securityContext: {appArmorProfile: {type: RuntimeDefault}}\n",
            ),
        );
        assert_quiet(
            RULE,
            &pod(
                "  annotations: {container.apparmor.security.beta.kubernetes.io/other: unconfined}\n",
                "",
                "",
            ),
        );
        assert_quiet(
            RULE,
            &pod(
                "  annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default}\n",
                "",
                "",
            ),
        );
    }
}
