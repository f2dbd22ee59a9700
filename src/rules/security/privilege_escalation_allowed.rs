//! `privilege-escalation-allowed`: a container whose processes may gain
//! more privileges than their parent (setuid binaries, file capabilities).

use super::{cap_name, is_windows, missing_anchor, own};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct PrivilegeEscalationAllowed;

impl Rule for PrivilegeEscalationAllowed {
    fn id(&self) -> &str {
        "privilege-escalation-allowed"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        for c in w.app_containers() {
            let ape = own(&c, &["allowPrivilegeEscalation"]);
            let privileged = own(&c, &["privileged"]).filter(|n| n.as_bool() == Some(true));
            let sys_admin = own(&c, &["capabilities", "add"])
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .find(|n| cap_name(n).as_deref() == Some("SYS_ADMIN"));
            let forced = privileged
                .map(|n| (n, "`privileged: true`"))
                .or(sys_admin.map(|n| (n, "the SYS_ADMIN capability")));
            let is_false = ape.is_some_and(|n| n.as_bool() == Some(false));
            match (ape, forced) {
                (Some(v), Some((f, what))) if is_false => {
                    ctx.report(
                        object,
                        v.span,
                        format!("{}: `allowPrivilegeEscalation: false` has no effect: {what} always allows privilege escalation", c.display()),
                    )
                    .label(f.span, "this always allows escalation")
                    .help("the API server rejects `allowPrivilegeEscalation: false` together with `privileged: true` or `CAP_SYS_ADMIN`; drop the privilege if the container can do without it");
                }
                // Escalation is always possible here; `privileged-container`
                // and `capabilities-dangerous` report the cause.
                (_, Some(_)) => {}
                (Some(_), None) if is_false => {}
                (Some(v), None) => {
                    let shown = v.scalar_text().unwrap_or_else(|| v.type_name().to_string());
                    ctx.report(
                        object,
                        v.span,
                        format!(
                            "{} allows privilege escalation: `allowPrivilegeEscalation` is {shown}",
                            c.display()
                        ),
                    )
                    .help("set `securityContext.allowPrivilegeEscalation: false`");
                }
                (None, None) => {
                    ctx.report(
                        object,
                        missing_anchor(&c),
                        format!(
                            "{} allows privilege escalation: `allowPrivilegeEscalation` is not set to false (it defaults to true)",
                            c.display()
                        ),
                    )
                    .help("set `securityContext.allowPrivilegeEscalation: false`");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "privilege-escalation-allowed";

    fn pod(sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn missing_points_at_security_context_or_name() {
        let text = pod("    securityContext:\n      runAsNonRoot: true\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "securityContext");
        assert!(d[0].message.starts_with("container `app` allows"), "{}", d[0].message);
        let text = pod("");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "app");
    }

    #[test]
    fn explicit_true_points_at_value() {
        let text = pod("    securityContext: {allowPrivilegeEscalation: yes}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "yes");
        assert!(d[0].message.ends_with("is true"), "{}", d[0].message);
    }

    #[test]
    fn false_is_quiet() {
        assert_quiet(RULE, &pod("    securityContext: {allowPrivilegeEscalation: false}\n"));
    }

    #[test]
    fn privileged_is_left_to_its_own_rule() {
        assert_quiet(RULE, &pod("    securityContext: {privileged: true}\n"));
        assert_quiet(
            RULE,
            &pod("    securityContext: {capabilities: {add: [cap_sys_admin]}}\n"),
        );
    }

    #[test]
    fn false_with_privileged_is_a_contradiction() {
        let text = pod("    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "false");
        assert!(d[0].message.contains("no effect"));
        let text = pod(
            "    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities: {add: [SYS_ADMIN]}\n",
        );
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("SYS_ADMIN"));
    }

    #[test]
    fn windows_pods_are_skipped() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: windows}\n  containers:\n  - name: app\n    image: app:1.0\n",
        );
    }
}
