//! Tests of the CRD compiler and validator, grouped by theme in the
//! submodules; this module holds the example CRD and the helpers they share.

use super::*;
use crate::model::{DocObjects, Object, doc_objects};
use crate::yaml::{Limits, parse_yaml};

mod corpus;
mod encoding;
mod index;
mod pod_template;
mod validate;

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
