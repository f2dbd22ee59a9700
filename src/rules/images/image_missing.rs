//! `image-missing`: a container without an image.

use crate::model::{ContainerKind, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ImageMissing;

impl Rule for ImageMissing {
    fn id(&self) -> &str {
        "image-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        // A PodTemplate is a template for others to fill in, and so may be
        // a custom resource's (an operator merges it with its defaults).
        if object.kind == "PodTemplate" || object.custom_pod_template() {
            return;
        }
        let Some(w) = Workload::of(object) else { return };
        let containers = w
            .containers_of(ContainerKind::Container)
            .chain(w.containers_of(ContainerKind::Init));
        for c in containers {
            match c.get(&["image"]) {
                Some(n) if n.is_null() => {
                    ctx.report(object, n.span, format!("{} has an empty `image`", c.display()))
                        .help("set `image` to the image to run, e.g. `nginx:1.27.3`");
                }
                Some(n) => {
                    let Some(s) = n.as_str() else { continue };
                    // A single space is a placeholder that image-change
                    // triggers (OpenShift) fill in for templates.
                    let placeholder = s == " " && object.kind != "Pod";
                    if s.trim().is_empty() && !placeholder {
                        ctx.report(object, n.span, format!("{} has an empty `image`", c.display()))
                            .help("set `image` to the image to run, e.g. `nginx:1.27.3`");
                    }
                }
                None => {
                    ctx.report(object, c.name_span(), format!("{} has no `image`", c.display()))
                        .help("add `image:` with the image to run, e.g. `nginx:1.27.3`; the API server rejects containers without one");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "image-missing";

    #[test]
    fn missing_or_empty() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: init\n    image: ''\n  containers:\n  - name: app\n    command: [run]\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "''");
        assert_eq!(spanned(text, &d[1]), "app");
        assert_eq!(d[1].message, "container `app` has no `image`");
    }

    #[test]
    fn pod_templates_and_images_are_quiet() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: t}\ntemplate:\n  spec:\n    containers:\n    - name: app\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n",
        );
    }
}
