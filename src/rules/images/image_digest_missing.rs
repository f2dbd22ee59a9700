//! `image-digest-missing`: an image not pinned by digest.

use super::images;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ImageDigestMissing;

impl Rule for ImageDigestMissing {
    fn id(&self) -> &str {
        "image-digest-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for (c, node, image) in images(&w) {
            if image.digest.is_some() {
                continue;
            }
            ctx.report(
                object,
                node.span,
                format!(
                    "{} uses `{}` without a digest: the tag can be moved to other content",
                    c.display(),
                    node.as_str().unwrap_or_default()
                ),
            )
            .help("append the digest of the image you tested, e.g. `app:1.4.2@sha256:...` (`docker buildx imagetools inspect` or `crane digest` print it)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "image-digest-missing";

    fn pod(image: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: {image}\n"
        )
    }

    #[test]
    fn tag_only() {
        let text = pod("app:1.2");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "app:1.2");
    }

    #[test]
    fn digest() {
        assert_quiet(
            RULE,
            &pod("app:1.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        );
    }
}
