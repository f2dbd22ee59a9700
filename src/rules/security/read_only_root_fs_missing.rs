//! `read-only-root-fs-missing`: a container can write to its image's file
//! system.

use super::{is_windows, missing_anchor, own};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ReadOnlyRootFsMissing;

const HELP: &str = "set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` volume where the app must write (e.g. `/tmp`)";

impl Rule for ReadOnlyRootFsMissing {
    fn id(&self) -> &str {
        "read-only-root-fs-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if is_windows(&w) {
            return;
        }
        for c in w.app_containers() {
            match own(&c, &["readOnlyRootFilesystem"]) {
                Some(v) if v.as_bool() == Some(true) => {}
                Some(v) => {
                    let shown = v.scalar_text().unwrap_or_else(|| v.type_name().to_string());
                    ctx.report(
                        object,
                        v.span,
                        format!(
                            "{} has a writable root filesystem: `readOnlyRootFilesystem` is {shown}",
                            c.display()
                        ),
                    )
                    .help(HELP);
                }
                None => {
                    ctx.report(
                        object,
                        missing_anchor(&c),
                        format!(
                            "{} has a writable root filesystem: `readOnlyRootFilesystem` is not set",
                            c.display()
                        ),
                    )
                    .help(HELP);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "read-only-root-fs-missing";

    fn pod(sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn fires() {
        let text = pod("    securityContext: {readOnlyRootFilesystem: false}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "false");
        let text = pod("");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "app");
        assert!(d[0].message.contains("not set"));
    }

    #[test]
    fn quiet() {
        assert_quiet(RULE, &pod("    securityContext: {readOnlyRootFilesystem: true}\n"));
    }
}
