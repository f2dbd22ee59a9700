//! Custom resources validated against the example CRD: unknown fields,
//! types, required fields, values, alternatives and deep nesting.

use super::*;

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
