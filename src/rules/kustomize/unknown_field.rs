//! `kustomization-unknown-field`: a key Kustomize does not accept in a
//! kustomization (it decodes the file strictly, so the build fails).

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::kustomize_lint::spec::{self, ProblemKind};
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct KustomizationUnknownField;

impl Rule for KustomizationUnknownField {
    fn id(&self) -> &str {
        "kustomization-unknown-field"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !super::applies(object, ctx) {
            return;
        }
        for p in spec::check(object.root) {
            let ProblemKind::UnknownField { name, suggestion } = p.kind else {
                continue;
            };
            let parent = p
                .path
                .rsplit_once(['.'])
                .map_or(String::new(), |(parent, _)| format!(" in `{parent}`"));
            let d = ctx.report(
                object,
                p.span,
                format!("unknown field `{name}`{parent} of the kustomization"),
            );
            match suggestion {
                Some(s) => {
                    d.help(format!("did you mean `{s}`?"));
                    // Renaming changes what the build does: the author's call.
                    d.fix(Fix {
                        title: format!("rename to `{s}`"),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            file: object.file,
                            span: p.span,
                            replacement: s.to_string(),
                        }],
                    });
                }
                None => {
                    d.help(
                        "Kustomize decodes kustomizations strictly: `kustomize build` fails on a key it does not know",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    #[test]
    fn unknown_keys_with_suggestions_and_a_rename() {
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresourcez:\n- a.yaml\nimages:\n- name: nginx\n  newTagg: '1.2'\n  registry: x\n";
        let d = assert_fires("kustomization-unknown-field", text);
        assert_eq!(d.len(), 3);
        assert_eq!(spanned(text, &d[0]), "resourcez");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `resources`?"));
        assert!(fixed(text, &d[0]).contains("\nresources:\n"));
        assert_eq!(
            d[1].message,
            "unknown field `newTagg` in `images[0]` of the kustomization"
        );
        assert!(d[2].fix.is_none());
    }

    #[test]
    fn components_and_kustomizations_without_type_meta_are_checked() {
        assert_fires(
            "kustomization-unknown-field",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatchez: []\n",
        );
        assert_fires("kustomization-unknown-field", "resources: [a.yaml]\nnamePrefx: x-\n");
    }

    #[test]
    fn valid_kustomizations_and_other_objects_are_quiet() {
        assert_quiet(
            "kustomization-unknown-field",
            "resources: [a.yaml]\nnamePrefix: x-\nmetadata: {name: k}\n",
        );
        assert_quiet(
            "kustomization-unknown-field",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nresourcez: x\n",
        );
    }
}
