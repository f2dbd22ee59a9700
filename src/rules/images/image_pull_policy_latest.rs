//! `image-pull-policy-latest`: a moving image that nodes do not re-pull.

use super::images;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ImagePullPolicyLatest;

impl Rule for ImagePullPolicyLatest {
    fn id(&self) -> &str {
        "image-pull-policy-latest"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for (c, node, image) in images(&w) {
            if !image.is_latest() {
                continue;
            }
            let Some(policy) = c.get(&["imagePullPolicy"]) else {
                continue;
            };
            let what = match policy.as_str() {
                Some("IfNotPresent") => "each node keeps running whichever version it pulled first",
                Some("Never") => "each node runs whichever version it already has",
                _ => continue,
            };
            let written = node.as_str().unwrap_or_default();
            ctx.report(
                object,
                policy.span,
                format!(
                    "{} runs the moving image `{written}` with `imagePullPolicy: {}`: {what}",
                    c.display(),
                    policy.as_str().unwrap_or_default()
                ),
            )
            .label(node.span, "an image without a fixed version")
            .help("pin a version tag or a digest; if the image must follow `latest`, remove `imagePullPolicy` (it then defaults to `Always`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "image-pull-policy-latest";

    fn pod(image: &str, policy: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: {image}\n    imagePullPolicy: {policy}\n"
        )
    }

    #[test]
    fn latest_with_if_not_present_or_never() {
        let text = pod("app", "IfNotPresent");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "IfNotPresent");
        assert_eq!(d[0].labels.len(), 1);
        assert_fires(RULE, &pod("app:latest", "Never"));
    }

    #[test]
    fn quiet_cases() {
        assert_quiet(RULE, &pod("app:latest", "Always"));
        assert_quiet(RULE, &pod("app:1.0", "IfNotPresent"));
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: app\n",
        );
    }
}
