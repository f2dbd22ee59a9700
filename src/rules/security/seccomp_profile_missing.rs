//! `seccomp-profile-missing`: a container runs with no seccomp profile, so
//! every system call is allowed.

use super::{is_privileged, is_windows, missing_anchor, pod_annotation_unread_since, seccomp, seccomp_annotation};
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
            if seccomp(&w, &c, ctx).is_some() {
                continue;
            }
            // A legacy annotation is there but no longer read at the
            // version checked (`annotation-deprecated` reports it).
            let unread = seccomp_annotation(&w, &c)
                .and_then(|(key, _)| pod_annotation_unread_since(ctx, &key).map(|since| (key, since)));
            let (message, help) = if let Some((key, since)) = unread {
                (
                    format!(
                        "{} has no seccomp profile: Kubernetes no longer reads the annotation `{key}` (since 1.{since}) and neither it nor the pod sets `seccompProfile`, so every system call is allowed",
                        c.display()
                    ),
                    "move the annotation's profile to `securityContext.seccompProfile` (`annotation-deprecated` can fix it), e.g. `type: RuntimeDefault` on the pod",
                )
            } else {
                (
                    format!(
                        "{} has no seccomp profile: neither it nor the pod sets `seccompProfile`, so every system call is allowed",
                        c.display()
                    ),
                    "set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it applies to every container), or `Localhost` with a custom profile",
                )
            };
            ctx.report(object, missing_anchor(&c), message).help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, run_rule_at, spanned};

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
    fn pod_field_or_container_field() {
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
    }

    const POD_ANNOTATION: &str = "      annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}\n";
    const CONTAINER_ANNOTATION: &str =
        "      annotations: {container.seccomp.security.alpha.kubernetes.io/app: docker/default}\n";

    #[test]
    fn legacy_annotations_count_while_read() {
        for a in [POD_ANNOTATION, CONTAINER_ANNOTATION] {
            assert!(run_rule_at(RULE, "1.18", &deploy(a, "", "")).is_empty());
            assert!(run_rule_at(RULE, "1.26", &deploy(a, "", "")).is_empty());
        }
    }

    #[test]
    fn legacy_annotations_are_unset_from_1_27() {
        for (a, key) in [
            (POD_ANNOTATION, "seccomp.security.alpha.kubernetes.io/pod"),
            (
                CONTAINER_ANNOTATION,
                "container.seccomp.security.alpha.kubernetes.io/app",
            ),
        ] {
            let d = run_rule_at(RULE, "1.27", &deploy(a, "", ""));
            assert_eq!(d.len(), 1);
            assert!(
                d[0].message
                    .contains(&format!("no longer reads the annotation `{key}` (since 1.27)")),
                "{}",
                d[0].message
            );
            // The newest version (no version given) too.
            assert_fires(RULE, &deploy(a, "", ""));
        }
        // The field still decides next to an unread annotation.
        assert_quiet(
            RULE,
            &deploy(
                POD_ANNOTATION,
                "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
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
