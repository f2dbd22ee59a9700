//! CRDs built into the index: v1beta1 defaults, deprecated and unserved
//! versions, lookups.

use super::*;

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
