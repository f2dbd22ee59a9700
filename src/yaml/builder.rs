//! Mapping construction shared by the YAML and JSON readers: duplicate-key
//! detection (hash index once a mapping grows, so huge ConfigMaps stay
//! linear) and YAML merge keys.

use std::collections::HashMap;

use super::{Entry, LoadDiagnostic, Node, Span, Text, Value};

/// Mappings smaller than this are searched linearly.
const INDEX_AT: usize = 16;

#[derive(Default)]
pub(crate) struct MapBuilder {
    entries: Vec<Entry>,
    index: Option<HashMap<Text, usize>>,
    /// Values of `<<` merge keys, applied at the end (explicit keys win).
    merges: Vec<Node>,
}

impl MapBuilder {
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.entries.iter().position(|e| &*e.key == key),
        }
    }

    fn push(&mut self, entry: Entry) {
        if let Some(ix) = &mut self.index {
            ix.insert(entry.key.clone(), self.entries.len());
        } else if self.entries.len() + 1 >= INDEX_AT {
            let mut ix: HashMap<Text, usize> = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
            ix.insert(entry.key.clone(), self.entries.len());
            self.index = Some(ix);
        }
        self.entries.push(entry);
    }

    /// Adds an entry; a repeated key is reported (pointing at both keys) and
    /// the later value wins, as Kubernetes' YAML reader keeps it.
    pub fn insert(&mut self, entry: Entry, diags: &mut Vec<LoadDiagnostic>) {
        match self.position(&entry.key) {
            Some(i) => {
                let first = self.entries[i].key_span;
                let first_end = self.entries[i].value.span.end.max(first.end);
                // An empty key (`? ` with nothing, `: v`) has no text of its
                // own to remove: no fix is offered for it.
                let written = first.start < first.end && entry.key_span.start < entry.key_span.end;
                diags.push(LoadDiagnostic {
                    rule: "yaml-duplicate-key",
                    span: entry.key_span,
                    message: format!("duplicate key `{}`", entry.key),
                    labels: vec![(first, "first defined here".into())],
                    help: Some(
                        "remove one of the two; Kubernetes keeps only the last value, and strict \
                         validation (`kubectl apply`, server-side field validation) rejects the object"
                            .into(),
                    ),
                    shadowed: written.then_some((first, first_end)),
                });
                self.entries[i] = entry;
            }
            None => self.push(entry),
        }
    }

    /// Records the value of a `<<` key.
    pub fn merge(&mut self, value: Node, key_span: Span, diags: &mut Vec<LoadDiagnostic>) {
        let ok = match &value.value {
            Value::Map(_) => true,
            Value::Seq(items) => items.iter().all(Node::is_map),
            _ => false,
        };
        if ok {
            self.merges.push(value);
        } else {
            diags.push(LoadDiagnostic {
                rule: "yaml-syntax",
                span: key_span.cover(value.span),
                message: "a merge key `<<` needs a mapping or a sequence of mappings".into(),
                labels: vec![],
                help: Some("use `<<: *anchor` where the anchor names a mapping".into()),
                shadowed: None,
            });
        }
    }

    /// A mapping that collects its entries in `scratch` (an empty `Vec`
    /// whose capacity an earlier mapping left: see [`MapBuilder::finish`]).
    pub fn with_scratch(scratch: Vec<Entry>) -> Self {
        MapBuilder {
            entries: scratch,
            ..MapBuilder::default()
        }
    }

    /// The entries, in a `Vec` of their exact size; the emptied scratch
    /// (with its capacity) goes to `pool` for the next mapping. One
    /// allocation per mapping instead of a growing one and a shrink
    /// (on the corpus, 98,000 mappings of two or three entries).
    pub fn finish_into(self, pool: &mut Vec<Vec<Entry>>) -> Vec<Entry> {
        let mut scratch = self.finish_merged();
        let mut exact = Vec::with_capacity(scratch.len());
        exact.append(&mut scratch);
        pool.push(scratch);
        exact
    }

    pub fn finish(self) -> Vec<Entry> {
        let mut entries = self.finish_merged();
        // Trees are kept for the whole run: no spare capacity (a doubling
        // Vec holds a third more than it uses on the corpus's small maps).
        entries.shrink_to_fit();
        entries
    }

    fn finish_merged(mut self) -> Vec<Entry> {
        let merges = std::mem::take(&mut self.merges);
        for m in merges {
            let sources: Vec<Node> = match m.value {
                Value::Seq(items) => items,
                other => vec![Node::new(m.span, other)],
            };
            for src in sources {
                if let Value::Map(entries) = src.value {
                    for e in entries {
                        if self.position(&e.key).is_none() {
                            self.push(e);
                        }
                    }
                }
            }
        }
        self.entries
    }
}
