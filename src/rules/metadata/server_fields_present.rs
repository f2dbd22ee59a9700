//! `server-fields-present`: an object dumped from a live cluster, with the
//! fields the API server owns (`resourceVersion`, `uid`, `status`...).

use crate::diagnostic::{Applicability, Fix};
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct ServerFieldsPresent;

/// `metadata` fields the API server sets and owns.
const METADATA: &[&str] = &[
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "generation",
];

impl Rule for ServerFieldsPresent {
    fn id(&self) -> &str {
        "server-fields-present"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let meta = object.root.get("metadata").filter(|m| m.is_map());
        let in_meta: Vec<&str> = meta.map_or(Vec::new(), |m| {
            METADATA
                .iter()
                .copied()
                .filter(|k| m.entry(k).is_some_and(|e| !e.value.is_null()))
                .collect()
        });
        // A status of empty values (`status: {}`, controller-gen's
        // `acceptedNames: {kind: ""}`, `conditions: []`) is what generators
        // write; it is harmless and says nothing of a live cluster.
        let status = object.root.entry("status").filter(|e| !all_empty(&e.value));
        if in_meta.is_empty() && status.is_none() {
            return;
        }
        let mut listed: Vec<String> = in_meta.iter().map(|k| format!("`metadata.{k}`")).collect();
        if status.is_some() {
            listed.push("`status`".into());
        }
        let first = in_meta
            .first()
            .and_then(|k| meta.and_then(|m| m.entry(k)))
            .map(|e| e.key_span)
            .or(status.map(|e| e.key_span))
            .unwrap_or_else(|| object.kind_span());
        let rv = in_meta.contains(&"resourceVersion");
        let file = ctx.source(object);
        let mut edits = Vec::new();
        if let (Some(f), Some(m)) = (file, meta) {
            edits.extend(
                in_meta
                    .iter()
                    .filter_map(|k| crate::fix::remove_entry(f, object.file, m, k)),
            );
        }
        if let (Some(f), Some(_)) = (file, status) {
            edits.extend(crate::fix::remove_entry(f, object.file, object.root, "status"));
        }
        let d = ctx.report(
            object,
            first,
            format!(
                "{} holds fields the API server owns ({}): it looks dumped from a live cluster",
                object.display(),
                listed.join(", ")
            ),
        );
        d.help(if rv {
            "remove them: with `metadata.resourceVersion` set, creating the object fails, and applying it later conflicts with the live version"
        } else {
            "remove them: the API server sets them itself and ignores or overwrites what the manifest says"
        });
        if let Some(m) = meta {
            for k in in_meta.iter().skip(1) {
                if let Some(e) = m.entry(k) {
                    d.label(e.key_span, "set by the API server");
                }
            }
        }
        if let Some(e) = status
            && !in_meta.is_empty()
        {
            d.label(e.key_span, "written by the controllers");
        }
        if edits.len() == listed.len() {
            d.fix(Fix {
                title: "remove the server-owned fields".into(),
                applicability: Applicability::Safe,
                edits,
            });
        }
    }
}

/// Whether a value holds nothing but nulls, empty strings and empty
/// collections.
fn all_empty(n: &crate::yaml::Node) -> bool {
    if n.is_null() || n.as_str() == Some("") {
        return true;
    }
    if n.is_map() {
        return n.entries().iter().all(|e| all_empty(&e.value));
    }
    n.as_seq().is_some_and(|items| items.iter().all(all_empty))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    const RULE: &str = "server-fields-present";

    #[test]
    fn one_finding_per_object_with_a_fix() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  resourceVersion: \"123\"\n  uid: 0b1c\n  creationTimestamp: \"2024-01-01T00:00:00Z\"\ndata:\n  a: b\nstatus:\n  phase: Active\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(text, &d[0]), "resourceVersion");
        assert!(d[0].message.contains("`metadata.uid`"), "{}", d[0].message);
        assert_eq!(
            fixed(text, &d[0]),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"
        );
    }

    #[test]
    fn clean_objects_and_empty_status_are_quiet() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\nstatus: {}\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\nstatus:\n  loadBalancer: {}\n  conditions: []\n  note: \"\"\n",
        );
    }
}
