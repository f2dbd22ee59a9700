//! `seccomp-profile-missing`: a container runs with no seccomp profile, so
//! every system call is allowed.

use super::{is_privileged, is_windows, missing_anchor, seccomp};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct SeccompProfileMissing;

impl Rule for SeccompProfileMissing {
    fn id(&self) -> &str {
        "seccomp-profile-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        for c in w.app_containers() {
            if is_privileged(&c) {
                continue;
            }
            // Any profile, even `Unconfined` (`seccomp-unconfined`'s to
            // report) or one this rule does not know, is a decision.
            if seccomp(&w, &c).is_some() {
                continue;
            }
            ctx.report(
                object,
                missing_anchor(&c),
                format!(
                    "{} has no seccomp profile: neither it nor the pod sets `seccompProfile`, so every system call is allowed",
                    c.display()
                ),
            )
            .help("set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it applies to every container), or `Localhost` with a custom profile");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "seccomp-profile-missing";

    fn deploy(annotations: &str, pod_sc: &str, sc: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  selector: {{matchLabels: {{app: d}}}}\n  template:\n    metadata:\n      labels: {{app: d}}\n{annotations}    spec:\n{pod_sc}      containers:\n      - name: app\n        image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn missing() {
        let text = deploy("", "", "        securityContext: {runAsNonRoot: true}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "securityContext");
    }

    #[test]
    fn pod_field_container_field_or_legacy_annotations() {
        assert_quiet(
            RULE,
            &deploy(
                "",
                "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
                "",
            ),
        );
        assert_quiet(
            RULE,
            &deploy(
                "",
                "",
                "        securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}\n",
            ),
        );
        assert_quiet(
            RULE,
            &deploy(
                "      annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}\n",
                "",
                "",
            ),
        );
        assert_quiet(
            RULE,
            &deploy(
                "      annotations: {container.seccomp.security.alpha.kubernetes.io/app: docker/default}\n",
                "",
                "",
            ),
        );
    }

    #[test]
    fn annotation_for_another_container_does_not_count() {
        assert_fires(
            RULE,
            &deploy(
                "      annotations: {container.seccomp.security.alpha.kubernetes.io/other: runtime/default}\n",
                "",
                "",
            ),
        );
    }

    #[test]
    fn privileged_is_left_to_its_own_rule() {
        assert_quiet(RULE, &deploy("", "", "        securityContext: {privileged: true}\n"));
        assert_fires(RULE, &deploy("", "", "        securityContext: {privileged: false}\n"));
    }
}
