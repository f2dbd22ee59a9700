//! `image-tag-latest`: an image with the `latest` tag or no tag and no
//! digest.

use super::images;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ImageTagLatest;

impl Rule for ImageTagLatest {
    fn id(&self) -> &str {
        "image-tag-latest"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for (c, node, image) in images(&w) {
            if !image.is_latest() {
                continue;
            }
            let written = node.as_str().unwrap_or_default();
            let message = match image.tag {
                Some(_) => format!(
                    "{} uses `{written}`: the `latest` tag points at a different image over time",
                    c.display()
                ),
                None => format!("{} uses `{written}` with no tag, which means `latest`", c.display()),
            };
            ctx.report(object, node.span, message)
                .help("pin a version tag (e.g. `nginx:1.27.3`) or a digest (`@sha256:...`), so every node runs the same image and a rollback brings back the previous one");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "image-tag-latest";

    fn pod(image: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
        )
    }

    #[test]
    fn latest_or_untagged() {
        let text = pod("nginx:latest");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "nginx:latest");
        let text = pod("registry:5000/app");
        let d = assert_fires(RULE, &text);
        assert_eq!(
            d[0].message,
            "container `app` uses `registry:5000/app` with no tag, which means `latest`"
        );
    }

    #[test]
    fn pinned() {
        assert_quiet(RULE, &pod("nginx:1.27"));
        assert_quiet(RULE, &pod("registry:5000/app:2"));
        assert_quiet(
            RULE,
            &pod("app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        );
        assert_quiet(RULE, &pod("'${IMAGE}'"));
    }
}
