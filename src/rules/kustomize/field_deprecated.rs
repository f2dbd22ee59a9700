//! `kustomization-field-deprecated`: `bases`, `commonLabels`,
//! `patchesStrategicMerge`, `patchesJson6902`, `imageTags` and `vars`, with
//! the rewrite `kustomize edit fix` makes (none for `vars`).

use crate::diagnostic::{Applicability, Fix};
use crate::kustomize_lint::upgrade::{deprecated, fix};
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct KustomizationFieldDeprecated;

impl Rule for KustomizationFieldDeprecated {
    fn id(&self) -> &str {
        "kustomization-field-deprecated"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !super::applies(object, ctx) {
            return;
        }
        let file = ctx.source(object);
        for e in object.root.entries() {
            let Some(dep) = deprecated(&e.key) else { continue };
            let edits = if dep.fixable {
                file.and_then(|f| fix(f, object.file, object.root, dep.key))
            } else {
                None
            };
            let help = match (&edits, dep.fixable) {
                (Some(_), _) => format!(
                    "{}; `kvet check --fix` rewrites it as `kustomize edit fix` does",
                    dep.note
                ),
                (None, true) => format!(
                    "{}; no automatic rewrite here (comments in the entries, or an unusual layout): move it by hand",
                    dep.note
                ),
                (None, false) => dep.note.to_string(),
            };
            let d = ctx.report(
                object,
                e.key_span,
                format!("`{}` is deprecated in Kustomize v5: use `{}`", dep.key, dep.replacement),
            );
            d.help(help);
            if let Some(edits) = edits {
                d.fix(Fix {
                    title: format!("move `{}` to `{}`", dep.key, dep.replacement),
                    applicability: Applicability::Safe,
                    edits,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    const RULE: &str = "kustomization-field-deprecated";

    /// A kustomization with apiVersion and kind, then `body`.
    fn k(body: &str) -> String {
        format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{body}")
    }

    #[test]
    fn bases_merge_into_resources() {
        let text = k("resources:\n- a.yaml\nbases:\n- ../base\nnamePrefix: x-\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "bases");
        assert_eq!(
            fixed(&text, &d[0]),
            k("resources:\n- a.yaml\n- ../base\nnamePrefix: x-\n")
        );
        let alone = k("bases: [../base]\n");
        assert_eq!(
            fixed(&alone, &assert_fires(RULE, &alone)[0]),
            k("resources: [../base]\n")
        );
    }

    #[test]
    fn common_labels_become_labels_with_selectors() {
        let text = k("resources: [a.yaml]\ncommonLabels:\n  app: web\n  tier: \"1\"\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(
            fixed(&text, &d[0]),
            k("resources: [a.yaml]\nlabels:\n- pairs:\n    app: web\n    tier: \"1\"\n  includeSelectors: true\n")
        );
        let both = k("labels:\n- pairs: {a: b}\ncommonLabels: {app: web}\n");
        assert_eq!(
            fixed(&both, &assert_fires(RULE, &both)[0]),
            k("labels:\n- pairs: {a: b}\n- pairs:\n    app: web\n  includeSelectors: true\n")
        );
    }

    #[test]
    fn patches_merge_in_application_order() {
        let text = k(
            "patchesJson6902:\n- path: j.yaml\n  target:\n    kind: Service\n    name: s\npatches:\n- path: p.yaml\npatchesStrategicMerge:\n- smp.yaml\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        let want = k(
            "patches:\n- path: smp.yaml\n- path: p.yaml\n- path: j.yaml\n  target:\n    kind: Service\n    name: s\n",
        );
        assert_eq!(fixed(&text, &d[0]), want);
        assert_eq!(fixed(&text, &d[1]), want);
    }

    #[test]
    fn image_tags_become_images() {
        let text = k("imageTags:\n  - name: nginx\n    newTag: \"2\"\n");
        assert_eq!(
            fixed(&text, &assert_fires(RULE, &text)[0]),
            k("images:\n  - name: nginx\n    newTag: \"2\"\n")
        );
        let text = k("images:\n- name: redis\nimageTags:\n  - name: nginx\n    newTag: \"2\"\n");
        assert_eq!(
            fixed(&text, &assert_fires(RULE, &text)[0]),
            k("images:\n- name: redis\n- name: nginx\n  newTag: \"2\"\n")
        );
    }

    #[test]
    fn inline_strategic_merge_patches_become_literal_blocks() {
        let text = k(
            "patchesStrategicMerge:\n  - |-\n    apiVersion: v1\n    kind: Service\n\n    metadata: {name: s}\npatches:\n- patch: |\n    a: b\n\n    c: d\n",
        );
        assert_eq!(
            fixed(&text, &assert_fires(RULE, &text)[0]),
            k(
                "patches:\n- patch: |-\n    apiVersion: v1\n    kind: Service\n\n    metadata: {name: s}\n- patch: |\n    a: b\n\n    c: d\n"
            )
        );
    }

    #[test]
    fn alone_they_are_renamed_in_place_keeping_comments() {
        let text = k("bases: # shared\n- ../base # the base\n");
        assert_eq!(
            fixed(&text, &assert_fires(RULE, &text)[0]),
            k("resources: # shared\n- ../base # the base\n")
        );
        let text = k("patchesStrategicMerge:\n# first\n- a.yaml\n- \"b.yaml\" # second\n");
        assert_eq!(
            fixed(&text, &assert_fires(RULE, &text)[0]),
            k("patches:\n# first\n- path: a.yaml\n- path: \"b.yaml\" # second\n")
        );
    }

    #[test]
    fn no_fix_for_vars_or_comments_in_merged_lists() {
        for text in [
            "vars:\n- name: X\n  objref: {kind: Service, name: s, apiVersion: v1}\n",
            "resources: [a.yaml]\nbases:\n- ../base # the shared base\n",
            "patchesStrategicMerge:\n- |2-\n    indented: first line\n",
        ] {
            let d = assert_fires(RULE, &k(text));
            assert!(d[0].fix.is_none(), "{text}");
        }
    }

    #[test]
    fn current_fields_are_quiet() {
        assert_quiet(
            RULE,
            "resources: [a.yaml]\nlabels:\n- pairs: {a: b}\npatches:\n- path: p.yaml\n",
        );
    }
}
