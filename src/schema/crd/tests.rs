//! Tests of the CRD compiler and validator.

use super::*;
use crate::model::{DocObjects, doc_objects};
use crate::yaml::{Limits, parse_yaml};

/// Objects of a multi-document text.
fn objects(st: &crate::yaml::Stream) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    for doc in &st.documents {
        if let DocObjects::Objects(items) = doc_objects(doc) {
            for (item, node) in items {
                out.push(Object::new(out.len(), 0, doc.index, item, node));
            }
        }
    }
    out
}

const V1_CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, green, blue]}
              name: {type: string, pattern: '^[a-z]+$', maxLength: 8}
              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
              enabled: {type: boolean}
              mode: {type: string, default: fast}
              tags: {type: array, items: {type: string}, minItems: 1}
              labels: {type: object, additionalProperties: {type: string}}
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  known: {type: integer}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
              endpoints:
                type: array
                items:
                  type: object
                  required: [port]
                  properties:
                    port: {type: string}
                    path: {type: string}
              backend:
                type: object
                oneOf:
                - not:
                    anyOf:
                    - required: [service]
                    - required: [resource]
                - required: [service]
                - required: [resource]
                properties:
                  service: {type: string}
                  resource: {type: string}
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

fn check(crds: &str, cr: &str) -> Vec<Problem> {
    let st = parse_yaml(crds, Limits::default());
    let objs = objects(&st);
    let index = CrdIndex::build(objs.iter());
    let crst = parse_yaml(cr, Limits::default());
    let root = crst.documents[0].root.as_ref().expect("a document");
    let av = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    match index.lookup(av, kind) {
        CrdLookup::Schema(s) => s.validate(root, cr, root.get("kind").map_or(root.span, |k| k.span)),
        other => panic!("{av} {kind}: {other:?}"),
    }
}

fn show_all(p: &[Problem]) -> Vec<String> {
    p.iter().map(|p| format!("{} {:?}", p.path, p.kind)).collect()
}

fn text_at(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn a_valid_resource_has_no_problems() {
    let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}, annotations: {x: y}}\nspec:\n  size: 3\n  color: red\n  name: abc\n  port: http\n  enabled: true\n  tags: [a]\n  labels: {team: core}\n  extra: {known: 1, anything: {goes: [1, 2]}}\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}\n  endpoints: [{port: web, path: /metrics}]\n  backend: {service: s}\nstatus: {phase: Ready}\n";
    let p = check(V1_CRD, cr);
    assert!(p.is_empty(), "{:#?}", show_all(&p));
    // A whole float is an integer once the YAML is read as JSON.
    let p = check(
        V1_CRD,
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 2.0, port: 8080}\n",
    );
    assert!(p.is_empty(), "{:#?}", show_all(&p));
}

#[test]
fn unknown_fields_are_reported_with_a_suggestion() {
    let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: 3\n  colour: red\n  endpoints:\n  - port: web\n    pth: /x\nspek: {}\n";
    let p = check(V1_CRD, cr);
    let show = show_all(&p);
    assert_eq!(p.len(), 3, "{show:#?}");
    let colour = p.iter().find(|p| p.path == "spec.colour").expect("spec.colour");
    assert_eq!(
        colour.kind,
        ProblemKind::UnknownField {
            name: "colour".into(),
            suggestion: Some("color")
        }
    );
    assert_eq!(text_at(cr, colour.span), "colour");
    let pth = p.iter().find(|p| p.path == "spec.endpoints[0].pth").expect("pth");
    assert!(matches!(
        &pth.kind,
        ProblemKind::UnknownField {
            suggestion: Some("path"),
            ..
        }
    ));
    let spek = p.iter().find(|p| p.path == "spek").expect("spek");
    assert!(matches!(
        &spek.kind,
        ProblemKind::UnknownField {
            suggestion: Some("spec"),
            ..
        }
    ));
}

#[test]
fn wrong_types_with_hints() {
    let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: \"3\"\n  name: yes\n  enabled: \"true\"\n  tags: a\n  labels: {a: 1}\n  port: true\n";
    let p = check(V1_CRD, cr);
    let show = show_all(&p);
    assert_eq!(p.len(), 6, "{show:#?}");
    let find = |path: &str| {
        p.iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("{path}: {show:#?}"))
    };
    let size = find("spec.size");
    assert!(
        matches!(&size.kind, ProblemKind::InvalidType { expected, found: "string", hint: Some(h), .. } if expected == "integer" && h.contains("remove the quotes")),
        "{show:#?}"
    );
    assert_eq!(text_at(cr, size.span), "\"3\"");
    assert!(
        matches!(&find("spec.name").kind, ProblemKind::InvalidType { found: "boolean", hint: Some(h), .. } if h.contains("quote it"))
    );
    assert!(matches!(&find("spec.enabled").kind, ProblemKind::InvalidType { expected, .. } if expected == "boolean"));
    assert!(
        matches!(&find("spec.tags").kind, ProblemKind::InvalidType { expected, found: "string", .. } if expected == "array of string")
    );
    assert!(
        matches!(&find("spec.labels.a").kind, ProblemKind::InvalidType { expected, hint: Some(_), .. } if expected == "string")
    );
    assert!(
        matches!(&find("spec.port").kind, ProblemKind::InvalidType { expected, .. } if expected == "integer or string")
    );
}

#[test]
fn missing_required_fields() {
    let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  color: red\n  endpoints:\n  - path: /x\n";
    let p = check(V1_CRD, cr);
    let show = show_all(&p);
    assert_eq!(p.len(), 2, "{show:#?}");
    assert_eq!(p[0].path, "spec.endpoints[0].port");
    assert_eq!(p[0].kind, ProblemKind::MissingRequired { field: "port" });
    assert_eq!(p[1].path, "spec.size");
    assert_eq!(text_at(cr, p[1].span), "spec");
    // Null is absent.
    let p = check(V1_CRD, "apiVersion: example.com/v1\nkind: Widget\nspec: {size: null}\n");
    assert_eq!(show_all(&p), ["spec.size MissingRequired { field: \"size\" }"]);
}

#[test]
fn values_enum_pattern_bounds() {
    let cr =
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 11\n  color: gren\n  name: Abc123456\n  tags: []\n";
    let p = check(V1_CRD, cr);
    let show = show_all(&p);
    let find = |path: &str| p.iter().filter(|p| p.path == path).collect::<Vec<_>>();
    let color = find("spec.color");
    assert!(
        matches!(&color[0].kind, ProblemKind::InvalidValue { message, .. } if message.contains("`gren` is not one of `red`, `green`, `blue`") && message.contains("did you mean `green`")),
        "{show:#?}"
    );
    assert_eq!(text_at(cr, color[0].span), "gren");
    assert!(
        matches!(&find("spec.size")[0].kind, ProblemKind::InvalidValue { message, .. } if message == "must be at most 10, is 11")
    );
    let name = find("spec.name");
    assert_eq!(name.len(), 2, "{show:#?}");
    assert!(
        matches!(&find("spec.tags")[0].kind, ProblemKind::InvalidValue { message, .. } if message == "must not be empty")
    );
    assert_eq!(p.len(), 5, "{show:#?}");
}

#[test]
fn one_of_and_not() {
    let both =
        "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 1\n  backend:\n    service: s\n    resource: r\n";
    let p = check(V1_CRD, both);
    assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
    assert_eq!(p[0].path, "spec.backend.resource");
    assert_eq!(text_at(both, p[0].span), "resource");
    assert!(
        matches!(&p[0].kind, ProblemKind::InvalidValue { message, .. } if message == "only one of `service`, `resource` may be set")
    );
    let none = check(
        V1_CRD,
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 1, backend: {}}\n",
    );
    assert!(none.is_empty(), "{:#?}", show_all(&none));
}

#[test]
fn preserve_unknown_fields_is_respected() {
    let cr = "apiVersion: example.com/v1\nkind: Widget\nspec:\n  size: 1\n  extra: {known: x, unknown: {deep: 1}}\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, whatever: 1}\nstatus: {anything: [1]}\n";
    let p = check(V1_CRD, cr);
    // Only the known field under the preserving object is checked.
    assert_eq!(show_all(&p).len(), 1, "{:#?}", show_all(&p));
    assert_eq!(p[0].path, "spec.extra.known");
    // A version whose whole schema preserves unknown fields.
    let p = check(
        V1_CRD,
        "apiVersion: example.com/v1beta1\nkind: Widget\nspec: {anything: 1}\n",
    );
    assert!(p.is_empty(), "{:#?}", show_all(&p));
    // Preservation reaches through array items, as in the server's pruning.
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: g.io\n  names: {kind: K}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          list:\n            type: array\n            x-kubernetes-preserve-unknown-fields: true\n            items: {type: object, properties: {a: {type: string}}}\n";
    let p = check(crd, "apiVersion: g.io/v1\nkind: K\nlist: [{a: x, b: y}]\nother: 1\n");
    assert_eq!(
        show_all(&p),
        ["other UnknownField { name: \"other\", suggestion: None }"]
    );
}

#[test]
fn int_or_string() {
    for v in ["8080", "http", "\"8080\""] {
        let p = check(
            V1_CRD,
            &format!("apiVersion: example.com/v1\nkind: Widget\nspec: {{size: 1, port: {v}}}\n"),
        );
        assert!(p.is_empty(), "{v}: {:#?}", show_all(&p));
    }
    let p = check(
        V1_CRD,
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 1, port: [1]}\n",
    );
    assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
}

#[test]
fn uncertain_alternatives_never_report() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: u.io\n  names: {kind: U}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          a:\n            type: object\n            properties: {x: {type: string}, y: {type: string}}\n            oneOf:\n            - {required: [x], x-kubernetes-validations: [{rule: 'self.x != \"\"'}]}\n            - {required: [y]}\n          b:\n            type: object\n            properties: {v: {type: string}}\n            not: {properties: {v: {pattern: '^(?!keep)'}}}\n          c:\n            type: object\n            properties: {v: {type: string}}\n            not: {properties: {v: {enum: [bad]}}}\n";
    let p = check(
        crd,
        "apiVersion: u.io/v1\nkind: U\na: {x: '1', y: '2'}\nb: {v: drop}\nc: {v: fine}\nmetadata: {name: u}\n",
    );
    assert!(p.is_empty(), "{:#?}", show_all(&p));
    // The same shapes, surely matched, are reported.
    let cr = "apiVersion: u.io/v1\nkind: U\nc: {v: bad}\nmetadata: [u]\n";
    let p = check(crd, cr);
    let show = show_all(&p);
    assert_eq!(p.len(), 2, "{show:#?}");
    assert!(
        matches!(&p[0].kind, ProblemKind::InvalidValue { message, .. } if message.contains("`not`")),
        "{show:#?}"
    );
    assert_eq!(text_at(cr, p[0].span), "c");
    assert_eq!(p[1].path, "metadata");
    assert!(
        matches!(&p[1].kind, ProblemKind::InvalidType { found: "array", .. }),
        "{show:#?}"
    );
}

const V1BETA1_CRD: &str = "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nspec:\n  group: old.io\n  version: v1alpha1\n  names: {kind: Thing}\n  validation:\n    openAPIV3Schema:\n      properties:\n        spec:\n          properties:\n            replicas: {type: integer}\n            port: {anyOf: [{type: integer}, {type: string}]}\n            target: {properties: {a: {}, b: {}}, anyOf: [{required: [a]}, {required: [b]}]}\n          required: [replicas]\n";

#[test]
fn v1beta1_keeps_unknown_fields_by_default() {
    let p = check(
        V1BETA1_CRD,
        "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: 1, unknown: 2}\nextra: 1\n",
    );
    assert!(p.is_empty(), "{:#?}", show_all(&p));
    let p = check(
        V1BETA1_CRD,
        "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: x}\n",
    );
    assert_eq!(p.len(), 1, "{:#?}", show_all(&p));
    // Alternatives of types make a type error; of required fields, a value error at the key.
    let cr = "apiVersion: old.io/v1alpha1\nkind: Thing\nspec:\n  replicas: 1\n  port: on\n  target: {c: 1}\n";
    let p = check(V1BETA1_CRD, cr);
    let show = show_all(&p);
    assert_eq!(p.len(), 2, "{show:#?}");
    assert!(
        matches!(&p[0].kind, ProblemKind::InvalidType { expected, found: "boolean", hint: Some(h), .. } if expected == "integer or string" && h.contains("\"on\"")),
        "{show:#?}"
    );
    assert_eq!(text_at(cr, p[0].span), "on");
    assert_eq!(p[1].path, "spec.target");
    assert_eq!(text_at(cr, p[1].span), "target");
    assert!(
        matches!(&p[1].kind, ProblemKind::InvalidValue { message, .. } if message == "one of `a`, `b` must be set"),
        "{show:#?}"
    );
    // With pruning asked for, unknown fields are reported.
    let pruning = V1BETA1_CRD.replace(
        "  version: v1alpha1\n",
        "  version: v1alpha1\n  preserveUnknownFields: false\n",
    );
    let p = check(
        &pruning,
        "apiVersion: old.io/v1alpha1\nkind: Thing\nspec: {replicas: 1, unknown: 2}\n",
    );
    assert_eq!(
        show_all(&p),
        ["spec.unknown UnknownField { name: \"unknown\", suggestion: None }"]
    );
}

#[test]
fn deprecated_versions_name_a_served_alternative() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: d.io\n  \
                   names: {kind: D}\n  versions:\n  - {name: v1alpha1, served: true, deprecated: true}\n  \
                   - {name: v1beta1, served: true, deprecated: true, deprecationWarning: gone soon}\n  \
                   - {name: v2, served: false}\n  - {name: v1beta2, served: true}\n  - {name: v1, served: true, storage: true}\n";
    let st = parse_yaml(crd, Limits::default());
    let objs = objects(&st);
    let index = CrdIndex::build(objs.iter());
    let dep = index.deprecation("d.io/v1alpha1", "D").expect("deprecated");
    assert_eq!(dep.warning, None);
    // The storage version is preferred over an earlier served one.
    assert_eq!(dep.alternative.map(|(v, _)| v), Some("v1"));
    let dep = index.deprecation("d.io/v1beta1", "D").expect("deprecated");
    assert_eq!(dep.warning, Some("gone soon"));
    assert!(index.deprecation("d.io/v1", "D").is_none());
    assert!(index.deprecation("d.io/v1beta2", "D").is_none());
    // Not served: reported as such elsewhere, not as deprecated.
    assert!(index.deprecation("d.io/v2", "D").is_none());
    assert!(index.deprecation("d.io/v1", "E").is_none());
}

#[test]
fn lookups() {
    let text = format!(
        "{V1_CRD}---\napiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nspec:\n  group: bare.io\n  version: v1\n  names: {{kind: Bare}}\n"
    );
    let st = parse_yaml(&text, Limits::default());
    let objs = objects(&st);
    let index = CrdIndex::build(objs.iter());
    assert!(!index.is_empty());
    assert!(matches!(index.lookup("example.com/v1", "Widget"), CrdLookup::Schema(_)));
    match index.lookup("example.com/v1alpha1", "Widget") {
        CrdLookup::VersionNotServed { served } => assert_eq!(served, ["v1", "v1beta1"]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        index.lookup("example.com/v2", "Widget"),
        CrdLookup::VersionNotServed { .. }
    ));
    assert!(matches!(index.lookup("example.com/v1", "Gadget"), CrdLookup::Undefined));
    assert!(matches!(index.lookup("other.com/v1", "Widget"), CrdLookup::Undefined));
    assert!(matches!(index.lookup("v1", "Widget"), CrdLookup::Undefined));
    assert!(matches!(index.lookup("bare.io/v1", "Bare"), CrdLookup::NoSchema));
    assert!(CrdIndex::build(std::iter::empty()).is_empty());
    fn shared<T: Send + Sync>(_: &T) {}
    shared(&index);
}

#[test]
fn deep_schemas_are_bounded() {
    let mut schema = String::from("{type: string}");
    for _ in 0..100 {
        schema = format!("{{type: object, properties: {{a: {schema}}}}}");
    }
    let crd = format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: d.io\n  names: {{kind: D}}\n  versions:\n  - name: v1\n    served: true\n    schema:\n      openAPIV3Schema: {schema}\n"
    );
    let mut value = String::from("1");
    for _ in 0..90 {
        value = format!("{{a: {value}}}");
    }
    let p = check(&crd, &format!("apiVersion: d.io/v1\nkind: D\na: {value}\n"));
    assert!(p.is_empty(), "{:#?}", show_all(&p));
}

/// Every custom resource of the corpus whose CRD is in the same project
/// folder, validated against it.
/// Skips visibly (or fails under `CI`) when `../shared/corpus` is absent.
#[test]
fn corpus_custom_resources_needs_shared_corpus() {
    use crate::source::SourceFile;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpus");
    if !root.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI must have the shared corpus",
            root.display()
        );
        eprintln!(
            "SKIPPED corpus_custom_resources_needs_shared_corpus: {} not found",
            root.display()
        );
        return;
    }
    let root = root.as_path();
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
                out.push(p);
            }
        }
    }
    let mut folders: Vec<_> = std::fs::read_dir(root)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    folders.sort();
    let (mut build_time, mut validate_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let (mut crds, mut crs, mut no_schema, mut not_served) = (0, 0, 0, 0);
    let mut all: Vec<String> = Vec::new();
    let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut mutations, mut detected) = (0, 0);
    for folder in folders {
        let mut paths = Vec::new();
        files(&folder, &mut paths);
        let sources: Vec<SourceFile> = paths
            .iter()
            .map(|p| SourceFile::read(p, p.display().to_string()))
            .collect();
        let loaded = crate::lint::load(&sources, &|| {});
        let mut objs = Vec::new();
        for (fid, stream) in loaded.streams.iter().enumerate() {
            for doc in &stream.documents {
                if let DocObjects::Objects(items) = doc_objects(doc) {
                    for (item, node) in items {
                        objs.push(Object::new(objs.len(), fid as u32, doc.index, item, node));
                    }
                }
            }
        }
        crds += objs.iter().filter(|o| o.kind == "CustomResourceDefinition").count();
        // Best of a few runs: the machine is shared.
        let mut built = std::time::Duration::MAX;
        let mut index = CrdIndex::default();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            index = CrdIndex::build(objs.iter());
            built = built.min(t.elapsed());
        }
        build_time += built;
        if !index.is_empty() {
            eprintln!("{}: {} kinds, index built in {built:?}", folder.display(), index.len());
        }
        // Timed: lookups and validation only, best of a few runs.
        let run = || -> Vec<(&Object, CrdLookup, Vec<Problem>)> {
            objs.iter()
                .map(|o| {
                    let found = index.lookup(o.api_version, o.kind);
                    let problems = match &found {
                        CrdLookup::Schema(s) => s.validate(o.root, &sources[o.file as usize].text, o.kind_span()),
                        _ => Vec::new(),
                    };
                    (o, found, problems)
                })
                .collect()
        };
        let mut best = std::time::Duration::MAX;
        for _ in 0..4 {
            let t = std::time::Instant::now();
            drop(run());
            best = best.min(t.elapsed());
        }
        validate_time += best;
        let results = run();
        let folder = folder
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        for (o, found, problems) in results {
            let src = &sources[o.file as usize];
            let s = match found {
                CrdLookup::Schema(s) => s,
                CrdLookup::NoSchema => {
                    no_schema += 1;
                    continue;
                }
                CrdLookup::VersionNotServed { served } => {
                    not_served += 1;
                    all.push(format!("{} {}: version not served ({served:?})", o.api_version, o.kind));
                    continue;
                }
                CrdLookup::Undefined => continue,
            };
            crs += 1;
            let pruning = if s.prunes_unknown_fields() {
                "pruning"
            } else {
                "keeps unknown fields"
            };
            *tally
                .entry(format!("{folder}: {} {} ({pruning})", o.api_version, o.kind))
                .or_default() += 1;
            for p in &problems {
                let lc = src.line_col(p.span.start);
                all.push(format!(
                    "{}:{}:{} {} {}: {} {:?}",
                    src.name,
                    lc.line + 1,
                    lc.column + 1,
                    o.kind,
                    o.name.unwrap_or("-"),
                    p.path,
                    p.kind
                ));
            }
            // A misspelt first key of `spec` (a known one) must be caught, with the right suggestion.
            if !s.prunes_unknown_fields() {
                continue;
            }
            let mut mutated = o.root.clone();
            let spec = match &mut mutated.value {
                Value::Map(es) => es.iter_mut().find(|e| &*e.key == "spec").map(|e| &mut e.value.value),
                _ => None,
            };
            let Some(Value::Map(entries)) = spec else { continue };
            let Some(first) = entries.first_mut() else { continue };
            let original = first.key.to_string();
            if problems.iter().any(|p| p.path == format!("spec.{original}")) {
                continue;
            }
            first.key = format!("{original}x").into();
            mutations += 1;
            let found = s.validate(&mutated, &src.text, o.kind_span()).iter().any(|p| {
                p.path == format!("spec.{original}x")
                    && matches!(&p.kind, ProblemKind::UnknownField { suggestion: Some(s), .. } if *s == original)
            });
            if found {
                detected += 1;
            } else {
                eprintln!("  not detected: {} {} spec.{original}x", src.name, o.kind);
            }
        }
    }
    eprintln!(
        "corpus: {crds} CRDs, {crs} custom resources validated ({no_schema} without schema, {not_served} version not served); build {build_time:?}, validate {validate_time:?}; {} problems",
        all.len()
    );
    eprintln!("misspelt first key of spec: {detected} of {mutations} detected");
    for (k, n) in &tally {
        eprintln!("  {n:>3} {k}");
    }
    for p in &all {
        eprintln!("  {p}");
    }
    assert!(crs > 50, "{crs} custom resources validated");
    assert!(all.len() <= 5, "{all:#?}");
    assert_eq!(detected, mutations);
}

/// A compiled kind survives the embedded catalog's encoding: the decoded
/// schema finds exactly what the compiled one finds.
#[test]
fn catalog_chunks_round_trip() {
    let st = parse_yaml(V1_CRD, Limits::default());
    let objs = objects(&st);
    let index = CrdIndex::build(objs.iter());
    let def = &index.kinds[0];
    let chunk = codec::encode_kind(def);
    let decoded =
        codec::decode_kind(&chunk, &def.group, &def.kind, Origin::Run(String::new())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decoded.versions.len(), def.versions.len());
    for (a, b) in def.versions.iter().zip(&decoded.versions) {
        assert_eq!(
            (&a.name, a.served, a.storage, &a.deprecated),
            (&b.name, b.served, b.storage, &b.deprecated)
        );
        assert_eq!(a.schema.is_some(), b.schema.is_some());
    }
    let crs = [
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 3, color: red, name: abc, port: 80, tags: [a], labels: {a: b}, endpoints: [{port: x}], backend: {service: s}}\n",
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 30, color: pink, name: ABCDEFGHIJ, port: [1], tags: [], labels: {a: 1}, endpoints: [{path: /}], backend: {service: s, resource: r}, colr: 1, extra: {known: x, other: 1}, enabled: yes}\n",
        "apiVersion: example.com/v1\nkind: Widget\nspec: {}\nstatus: {anything: 1}\n",
    ];
    let original = def
        .versions
        .iter()
        .find(|v| v.name == "v1")
        .and_then(|v| v.schema.as_deref());
    let copy = decoded
        .versions
        .iter()
        .find(|v| v.name == "v1")
        .and_then(|v| v.schema.as_deref());
    let (Some(original), Some(copy)) = (original, copy) else {
        panic!("v1 has a schema")
    };
    // Identical subtrees are merged: the copy is no larger.
    assert!(copy.nodes.len() <= original.nodes.len());
    let mut found = 0;
    for cr in crs {
        let st = parse_yaml(cr, Limits::default());
        let root = st.documents[0].root.as_ref().expect("a document");
        let a = show_all(&original.validate(root, cr, root.span));
        let b = show_all(&copy.validate(root, cr, root.span));
        assert_eq!(a, b, "{cr}");
        found += a.len();
    }
    assert!(found >= 10, "the resources exercise the checks: {found} problems");
    // Truncated or corrupted chunks are errors, never panics.
    for cut in 0..chunk.len() {
        let _ = codec::decode_kind(&chunk[..cut], "g", "k", Origin::Run(String::new()));
    }
    let mut flipped = chunk.clone();
    for i in 0..flipped.len() {
        flipped[i] ^= 0x5a;
        let _ = codec::decode_kind(&flipped, "g", "k", Origin::Run(String::new()));
        flipped[i] ^= 0x5a;
    }
}

/// The catalog kinds whose served versions declare `spec.template` as a
/// pod template (the pod rules see their pods): Argo Rollouts' Rollout
/// among them, and kinds whose template is something else not.
#[test]
fn catalog_kinds_declaring_a_pod_template() {
    let mut found: Vec<String> = Vec::new();
    for (_, group, kind, _) in catalog::embedded_kinds() {
        let Some(def) = catalog::embedded_kind(group, kind, catalog::Channel::Standard) else {
            continue;
        };
        if def
            .versions
            .iter()
            .any(|v| v.served && v.schema.as_ref().is_some_and(|s| s.declares_pod_template()))
        {
            found.push(format!("{group}/{kind}"));
        }
    }
    found.sort();
    found.dedup();
    eprintln!("catalog kinds with a pod template: {found:?}");
    assert!(found.contains(&"argoproj.io/Rollout".to_string()), "{found:?}");
    assert!(!found.iter().any(|k| k.starts_with("cert-manager.io/")), "{found:?}");
}

#[test]
fn a_pod_template_needs_containers_with_name_and_image() {
    let crd = |container: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: ws.example.com}}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {{kind: W, plural: ws}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              template:\n                type: object\n                properties:\n                  spec:\n                    type: object\n                    properties:\n                      containers:\n                        type: array\n                        items:\n                          type: object\n                          properties: {container}\n"
        )
    };
    for (props, expected) in [
        ("{name: {type: string}, image: {type: string}}", true),
        ("{name: {type: string}}", false),
    ] {
        let text = crd(props);
        let st = parse_yaml(&text, Limits::default());
        let objs = objects(&st);
        let index = CrdIndex::build(objs.iter());
        let CrdLookup::Schema(s) = index.lookup("example.com/v1", "W") else {
            panic!("no schema")
        };
        assert_eq!(s.declares_pod_template(), expected, "{props}");
    }
}
