//! `capabilities-drop-all-missing`: a container keeps the runtime's default
//! Linux capabilities.

use super::{is_privileged, is_windows, missing_anchor};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct CapabilitiesDropAllMissing;

const HELP: &str = "add `securityContext.capabilities.drop: [ALL]` and add back only what the app needs (e.g. `NET_BIND_SERVICE` to listen on a port below 1024)";

impl Rule for CapabilitiesDropAllMissing {
    fn id(&self) -> &str {
        "capabilities-drop-all-missing"
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
            let drop = c.entry(&["securityContext", "capabilities", "drop"]);
            let items = drop.map(|e| e.value.items()).unwrap_or(&[]);
            if items.iter().any(|n| n.as_str() == Some("ALL")) {
                continue;
            }
            // `all` or `CAP_ALL`: not the form Kubernetes recognises.
            let near = items.iter().find(|n| {
                n.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case("all") || s.eq_ignore_ascii_case("cap_all"))
            });
            if let Some(n) = near {
                ctx.report(
                    object,
                    n.span,
                    format!(
                        "{}: `capabilities.drop` has `{}`, not `ALL`",
                        c.display(),
                        n.as_str().unwrap_or_default()
                    ),
                )
                .help("write `ALL` exactly: Pod Security admission (restricted) only recognises that spelling");
                continue;
            }
            let span = match drop {
                Some(e) => e.key_span,
                None => c
                    .entry(&["securityContext", "capabilities"])
                    .map_or_else(|| missing_anchor(&c), |e| e.key_span),
            };
            let what = if drop.is_some_and(|e| !e.value.items().is_empty()) {
                let listed: Vec<String> = items.iter().filter_map(Node::scalar_text).collect();
                format!("`capabilities.drop` lists only {}", listed.join(", "))
            } else {
                "`capabilities.drop` does not include `ALL`".to_string()
            };
            ctx.report(
                object,
                span,
                format!("{} keeps the runtime's default capabilities: {what}", c.display()),
            )
            .help(HELP);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "capabilities-drop-all-missing";

    fn pod(sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn points_at_the_nearest_key() {
        let text = pod("    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "drop");
        assert!(d[0].message.ends_with("lists only NET_RAW"), "{}", d[0].message);
        let text = pod("    securityContext:\n      capabilities:\n        add: [NET_BIND_SERVICE]\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "capabilities");
        let text = pod("");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "app");
    }

    #[test]
    fn wrong_spelling() {
        let text = pod("    securityContext: {capabilities: {drop: [all]}}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "all");
    }

    #[test]
    fn drop_all_is_quiet() {
        assert_quiet(
            RULE,
            &pod("    securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}\n"),
        );
    }

    #[test]
    fn privileged_is_left_to_its_own_rule() {
        assert_quiet(RULE, &pod("    securityContext: {privileged: true}\n"));
        assert_fires(RULE, &pod("    securityContext: {privileged: false}\n"));
    }
}
