//! The shape of a kustomization file, as Kustomize v5.5 decodes it: every
//! key it accepts and the JSON type of each value. Kustomize decodes the
//! file strictly (an unknown key or a value of the wrong type makes
//! `kustomize build` fail), so each difference is an error. The key set was
//! checked one key at a time against `kubectl kustomize` (Kustomize v5.5.0).

use crate::schema::validate::suggest;
use crate::yaml::{Node, Span, Value};

/// A value's expected shape.
#[derive(Debug)]
pub enum Shape {
    Str,
    Bool,
    Int,
    /// Anything (Helm values, which Kustomize passes through).
    Any,
    /// A mapping of strings to `Shape`.
    MapOf(&'static Shape),
    /// A list of `Shape`.
    ListOf(&'static Shape),
    /// A mapping with exactly these keys.
    Obj(&'static [(&'static str, Shape)]),
}

use Shape::{Any, Bool, Int, ListOf, MapOf, Obj, Str};

const STRS: Shape = ListOf(&Str);
const STR_MAP: Shape = MapOf(&Str);

const METADATA: &[(&str, Shape)] = &[
    ("name", Str),
    ("namespace", Str),
    ("labels", STR_MAP),
    ("annotations", STR_MAP),
];

/// A resource selector (`patches[].target`, replacement targets).
const SELECTOR: &[(&str, Shape)] = &[
    ("group", Str),
    ("version", Str),
    ("kind", Str),
    ("name", Str),
    ("namespace", Str),
    ("labelSelector", Str),
    ("annotationSelector", Str),
];

const PATCH: &[(&str, Shape)] = &[
    ("path", Str),
    ("patch", Str),
    ("target", Obj(SELECTOR)),
    ("options", MapOf(&Bool)),
];

const IMAGE: &[(&str, Shape)] = &[
    ("name", Str),
    ("newName", Str),
    ("newTag", Str),
    ("digest", Str),
    ("tagSuffix", Str),
];

const FIELD_SPEC: &[(&str, Shape)] = &[
    ("group", Str),
    ("version", Str),
    ("kind", Str),
    ("path", Str),
    ("create", Bool),
];

const LABEL: &[(&str, Shape)] = &[
    ("pairs", STR_MAP),
    ("includeSelectors", Bool),
    ("includeTemplates", Bool),
    ("fields", ListOf(&Obj(FIELD_SPEC))),
];

const GENERATOR_OPTIONS: &[(&str, Shape)] = &[
    ("labels", STR_MAP),
    ("annotations", STR_MAP),
    ("disableNameSuffixHash", Bool),
    ("immutable", Bool),
];

const CONFIGMAP_ARGS: &[(&str, Shape)] = &[
    ("name", Str),
    ("namespace", Str),
    ("behavior", Str),
    ("literals", STRS),
    ("files", STRS),
    ("envs", STRS),
    ("env", Str),
    ("options", Obj(GENERATOR_OPTIONS)),
];

const SECRET_ARGS: &[(&str, Shape)] = &[
    ("name", Str),
    ("namespace", Str),
    ("behavior", Str),
    ("literals", STRS),
    ("files", STRS),
    ("envs", STRS),
    ("env", Str),
    ("options", Obj(GENERATOR_OPTIONS)),
    ("type", Str),
];

const REPLICA: &[(&str, Shape)] = &[("name", Str), ("count", Int)];

const OBJREF: &[(&str, Shape)] = &[
    ("group", Str),
    ("version", Str),
    ("kind", Str),
    ("name", Str),
    ("namespace", Str),
    ("apiVersion", Str),
];

const VAR: &[(&str, Shape)] = &[
    ("name", Str),
    ("objref", Obj(OBJREF)),
    ("fieldref", Obj(&[("fieldpath", Str)])),
];

const REPLACEMENT_SOURCE: &[(&str, Shape)] = &[
    ("group", Str),
    ("version", Str),
    ("kind", Str),
    ("name", Str),
    ("namespace", Str),
    ("fieldPath", Str),
    ("options", Obj(FIELD_OPTIONS)),
];

const FIELD_OPTIONS: &[(&str, Shape)] = &[("delimiter", Str), ("index", Int), ("create", Bool)];

const REPLACEMENT_TARGET: &[(&str, Shape)] = &[
    ("select", Obj(SELECTOR)),
    ("reject", ListOf(&Obj(SELECTOR))),
    ("fieldPaths", STRS),
    ("options", Obj(FIELD_OPTIONS)),
];

const REPLACEMENT: &[(&str, Shape)] = &[
    ("path", Str),
    ("source", Obj(REPLACEMENT_SOURCE)),
    ("targets", ListOf(&Obj(REPLACEMENT_TARGET))),
];

const SORT_OPTIONS: &[(&str, Shape)] = &[
    ("order", Str),
    ("legacySortOptions", Obj(&[("orderFirst", STRS), ("orderLast", STRS)])),
];

const HELM_CHART: &[(&str, Shape)] = &[
    ("name", Str),
    ("version", Str),
    ("repo", Str),
    ("releaseName", Str),
    ("namespace", Str),
    ("additionalValuesFiles", STRS),
    ("valuesFile", Str),
    ("valuesInline", Any),
    ("valuesMerge", Str),
    ("includeCRDs", Bool),
    ("skipHooks", Bool),
    ("apiVersions", STRS),
    ("kubeVersion", Str),
    ("nameTemplate", Str),
    ("skipTests", Bool),
    ("debug", Bool),
];

/// Every top-level key of a kustomization (and of a `Component`).
pub const KUSTOMIZATION: &[(&str, Shape)] = &[
    ("apiVersion", Str),
    ("kind", Str),
    ("metadata", Obj(METADATA)),
    ("openapi", STR_MAP),
    ("namePrefix", Str),
    ("nameSuffix", Str),
    ("namespace", Str),
    ("commonLabels", STR_MAP),
    ("labels", ListOf(&Obj(LABEL))),
    ("commonAnnotations", STR_MAP),
    ("patchesStrategicMerge", STRS),
    ("patchesJson6902", ListOf(&Obj(PATCH))),
    ("patches", ListOf(&Obj(PATCH))),
    ("images", ListOf(&Obj(IMAGE))),
    ("imageTags", ListOf(&Obj(IMAGE))),
    ("replacements", ListOf(&Obj(REPLACEMENT))),
    ("replicas", ListOf(&Obj(REPLICA))),
    ("vars", ListOf(&Obj(VAR))),
    ("sortOptions", Obj(SORT_OPTIONS)),
    ("resources", STRS),
    ("components", STRS),
    ("crds", STRS),
    ("bases", STRS),
    ("configMapGenerator", ListOf(&Obj(CONFIGMAP_ARGS))),
    ("secretGenerator", ListOf(&Obj(SECRET_ARGS))),
    ("helmGlobals", Obj(&[("chartHome", Str), ("configHome", Str)])),
    ("helmCharts", ListOf(&Obj(HELM_CHART))),
    ("helmChartInflationGenerator", ListOf(&Any)),
    ("generatorOptions", Obj(GENERATOR_OPTIONS)),
    ("configurations", STRS),
    ("generators", STRS),
    ("transformers", STRS),
    ("validators", STRS),
    ("buildMetadata", STRS),
];

/// What is wrong with a key or value of a kustomization.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A key Kustomize does not accept, with a close known name.
    UnknownField {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// A value of the wrong JSON type.
    InvalidType { expected: &'static str, found: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The key (unknown field) or the value (wrong type).
    pub span: Span,
    /// Dotted path (`images[0].newTag`).
    pub path: String,
}

fn describe(shape: &Shape) -> &'static str {
    match shape {
        Str => "a string",
        Bool => "a boolean",
        Int => "an integer",
        Any => "any value",
        MapOf(_) | Obj(_) => "a mapping",
        ListOf(_) => "a list",
    }
}

/// `a number`, `an integer`.
fn with_article(word: &str) -> String {
    let a = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {word}")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(node: &Node, shape: &Shape, path: &str, out: &mut Vec<Problem>) {
    // `key:` and `key: null` decode as the zero value.
    if node.is_null() {
        return;
    }
    let ok = match (shape, &node.value) {
        (Any, _) => true,
        (Str, Value::Str(_)) | (Bool, Value::Bool(_)) | (Int, Value::Int(_)) => true,
        (MapOf(inner), Value::Map(entries)) => {
            for e in entries {
                walk(&e.value, inner, &join(path, &e.key), out);
            }
            true
        }
        (ListOf(inner), Value::Seq(items)) => {
            for (i, it) in items.iter().enumerate() {
                walk(it, inner, &format!("{path}[{i}]"), out);
            }
            true
        }
        (Obj(fields), Value::Map(entries)) => {
            for e in entries {
                // Go's JSON decoder matches keys case-insensitively: Kustomize
                // reads `fieldPath` as `fieldpath`, `Resources` as `resources`.
                let known = fields
                    .iter()
                    .find(|(k, _)| *k == &*e.key)
                    .or_else(|| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(&e.key)));
                match known {
                    Some((_, s)) => walk(&e.value, s, &join(path, &e.key), out),
                    None => out.push(Problem {
                        kind: ProblemKind::UnknownField {
                            name: e.key.to_string(),
                            suggestion: suggest(&e.key, fields.iter().map(|(k, _)| *k)),
                        },
                        span: e.key_span,
                        path: join(path, &e.key),
                    }),
                }
            }
            true
        }
        _ => false,
    };
    if !ok {
        out.push(Problem {
            kind: ProblemKind::InvalidType {
                expected: describe(shape),
                found: with_article(node.type_name()),
            },
            span: node.span,
            path: path.to_string(),
        });
    }
}

/// Every unknown key and wrongly typed value of a kustomization's root.
pub fn check(root: &Node) -> Vec<Problem> {
    let mut out = Vec::new();
    walk(root, &Obj(KUSTOMIZATION), "", &mut out);
    out
}

/// The expected shape of a top-level key (`None` for an unknown one).
pub fn top_level(key: &str) -> Option<&'static Shape> {
    KUSTOMIZATION.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn problems(text: &str) -> Vec<Problem> {
        let st = parse_yaml(text, Limits::default());
        let root = st.documents[0].root.as_ref().expect("a document");
        check(root)
    }

    #[test]
    fn a_full_kustomization_is_clean() {
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: x}\nresources: [a.yaml]\nnamespace: ns\nnamePrefix: p-\nlabels:\n- pairs: {app: web}\n  includeSelectors: true\n  fields: [{kind: Deployment, path: spec/x, create: true}]\nimages:\n- {name: nginx, newTag: '1.2', digest: sha256:abc}\nreplicas:\n- {name: web, count: 3}\npatches:\n- path: p.yaml\n  target: {kind: Deployment, labelSelector: a=b}\n  options: {allowNameChange: true}\nconfigMapGenerator:\n- name: c\n  literals: [a=b]\n  options: {disableNameSuffixHash: true}\nsecretGenerator:\n- {name: s, type: Opaque, envs: [a.env]}\nreplacements:\n- source: {kind: ConfigMap, fieldPath: data.a}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas]\n    options: {create: true, index: 0}\nhelmCharts:\n- {name: c, valuesInline: {a: [1, 2]}, includeCRDs: true}\nsortOptions: {order: legacy, legacySortOptions: {orderFirst: [Namespace]}}\n";
        assert_eq!(problems(text), vec![]);
    }

    #[test]
    fn unknown_keys_at_every_level_with_suggestions() {
        let p = problems("resourcez: [a]\nimages:\n- {name: a, newTags: '1'}\nmetadata: {foo: x}\n");
        let got: Vec<(String, Option<&str>)> = p
            .iter()
            .map(|p| match &p.kind {
                ProblemKind::UnknownField { suggestion, .. } => (p.path.clone(), *suggestion),
                k => panic!("{k:?}"),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("resourcez".into(), Some("resources")),
                ("images[0].newTags".into(), Some("newTag")),
                ("metadata.foo".into(), None),
            ]
        );
    }

    #[test]
    fn keys_match_case_insensitively_as_go_decodes_them() {
        assert_eq!(
            problems("Resources: [a]\nvars:\n- name: X\n  fieldref: {fieldPath: spec.x}\n"),
            vec![]
        );
        let p = problems("NamePrefix: 3\n");
        assert!(matches!(p[0].kind, ProblemKind::InvalidType { .. }), "{p:?}");
    }

    #[test]
    fn wrong_types_as_kustomize_decodes_them() {
        let p = problems(
            "images:\n- {name: a, newTag: 1.2}\nreplicas:\n- {name: a, count: '3'}\nlabels:\n- pairs: [a]\nresources: [1]\nnamespace: true\ncommonLabels: {a: b}\nbases:\n",
        );
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| match &p.kind {
                ProblemKind::InvalidType { expected, .. } => (p.path.as_str(), *expected),
                k => panic!("{k:?}"),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("images[0].newTag", "a string"),
                ("replicas[0].count", "an integer"),
                ("labels[0].pairs", "a mapping"),
                ("resources[0]", "a string"),
                ("namespace", "a string"),
            ]
        );
    }
}
