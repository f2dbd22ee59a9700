//! Kinds whose schema declares `spec.template` as a pod template.

use super::*;

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
