//! `kustomization-invalid-type`: a kustomization value of a type Kustomize
//! cannot decode (`newTag: 1.20`, `count: "3"`, `pairs: [a]`).

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::kustomize_lint::spec::{self, ProblemKind};
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::schema::validate::{Expect, type_fix, type_hint};

pub struct KustomizationInvalidType;

fn expect_of(expected: &str) -> Expect {
    Expect {
        string: expected == "a string",
        integer: expected == "an integer",
        number: false,
        boolean: expected == "a boolean",
        structure: matches!(expected, "a mapping" | "a list"),
    }
}

impl Rule for KustomizationInvalidType {
    fn id(&self) -> &str {
        "kustomization-invalid-type"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !super::applies(object, ctx) {
            return;
        }
        let text = ctx.source(object).map(|s| s.text.as_str()).unwrap_or("");
        for p in spec::check(object.root) {
            let ProblemKind::InvalidType { expected, found } = p.kind else {
                continue;
            };
            let Some(node) = find(object.root, p.span) else {
                continue;
            };
            let written = text.get(p.span.start as usize..p.span.end as usize).unwrap_or("");
            let hint = type_hint(node, written, expect_of(expected));
            let replacement = type_fix(node, written, expect_of(expected));
            let d = ctx.report(
                object,
                p.span,
                format!("`{}` must be {expected}, found {found}", p.path),
            );
            d.help(hint.unwrap_or_else(|| {
                "Kustomize decodes kustomizations strictly: `kustomize build` fails on a value of the wrong type".into()
            }));
            // The build fails as written: the value in the expected type is
            // what the author meant.
            if let Some(r) = replacement {
                d.fix(Fix {
                    title: format!("write it as {r}"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        file: object.file,
                        span: p.span,
                        replacement: r,
                    }],
                });
            }
        }
    }
}

/// The node at exactly `span` under `root`.
fn find(root: &crate::yaml::Node, span: crate::yaml::Span) -> Option<&crate::yaml::Node> {
    if root.span == span {
        return Some(root);
    }
    let children: Box<dyn Iterator<Item = &crate::yaml::Node>> = match &root.value {
        crate::yaml::Value::Map(entries) => Box::new(entries.iter().map(|e| &e.value)),
        crate::yaml::Value::Seq(items) => Box::new(items.iter()),
        _ => return None,
    };
    for c in children {
        if c.span.start <= span.start
            && span.end <= c.span.end
            && let Some(n) = find(c, span)
        {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    #[test]
    fn wrong_types_at_the_value_with_fixes_where_the_intent_is_clear() {
        let text = "resources: [a.yaml]\nimages:\n- name: nginx\n  newTag: 1.20\nreplicas:\n- name: web\n  count: \"3\"\nlabels:\n- pairs: [a]\n";
        let d = assert_fires("kustomization-invalid-type", text);
        assert_eq!(d.len(), 3);
        assert_eq!(spanned(text, &d[0]), "1.20");
        assert_eq!(d[0].message, "`images[0].newTag` must be a string, found a number");
        assert!(fixed(text, &d[0]).contains("newTag: \"1.20\""));
        assert!(fixed(text, &d[1]).contains("count: 3\n"));
        assert!(d[2].fix.is_none());
    }

    #[test]
    fn right_types_are_quiet() {
        assert_quiet(
            "kustomization-invalid-type",
            "resources: [a.yaml]\nimages:\n- {name: nginx, newTag: '1.20'}\nreplicas:\n- {name: web, count: 3}\n",
        );
    }
}
