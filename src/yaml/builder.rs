//! Mapping construction shared by the YAML and JSON readers: duplicate-key
//! detection (hash index once a mapping grows, so huge ConfigMaps stay
//! linear) and YAML merge keys; and the mapping keys of both YAML tree
//! builders ([`pending_key`], [`attach`]).

use std::collections::HashMap;

use super::{Entry, LoadDiagnostic, Node, ScalarStyle, Span, Text, Value};

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

pub(super) struct PendingKey {
    text: Text,
    span: Span,
    pub(super) is_merge: bool,
    /// The key as written, when YAML 1.1 reads it as something else
    /// (`on` → `true`).
    written: Option<Box<str>>,
    /// A sequence or mapping used as a key (`? [a, b]`): already a
    /// `yaml-syntax` error, and left out of the map. Kubernetes cannot read
    /// it, and two different ones are not duplicates of each other.
    complex: bool,
}

/// A mapping key read from its node: its text as Kubernetes reads it, and
/// how it was written when YAML 1.1 reads it as something else.
pub(super) fn pending_key(source: &str, node: Node, diags: &mut Vec<LoadDiagnostic>) -> PendingKey {
    let span = node.span;
    let is_merge = node.style == ScalarStyle::Plain && matches!(&node.value, Value::Str(s) if &**s == "<<");
    let written = match (&node.value, node.style) {
        (Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Null, ScalarStyle::Plain) => Some(Box::<str>::from(
            source.get(span.start as usize..span.end as usize).unwrap_or(""),
        )),
        _ => None,
    };
    let complex = matches!(node.value, Value::Seq(_) | Value::Map(_));
    let text: Text = match node.value {
        Value::Str(s) => s,
        Value::Null => "null".into(),
        Value::Seq(_) | Value::Map(_) => {
            diags.push(LoadDiagnostic {
                rule: "yaml-syntax",
                span,
                message: "a mapping key must be a scalar".into(),
                labels: vec![],
                help: Some(
                    "Kubernetes objects only use string keys; complex keys (`? [a, b]`) cannot be converted to JSON"
                        .into(),
                ),
                shadowed: None,
            });
            "<complex key>".into()
        }
        ref other => Node::new(span, other.clone()).scalar_text().unwrap_or_default().into(),
    };
    let written = written.filter(|w| **w != *text);
    // An empty key (`? ` with nothing after it, `: v`) has no text: its
    // event's position is the next token's, which a fix must not take for
    // the key.
    let empty = written
        .as_deref()
        .is_some_and(|w| text.as_ref() == "null" && !matches!(w, "~" | "Null" | "NULL"));
    let (span, written) = if empty {
        (Span::new(span.start, span.start), Some(Box::<str>::from("")))
    } else {
        (span, written)
    };
    PendingKey {
        text,
        span,
        is_merge,
        written,
        complex,
    }
}

/// Puts a key's value in its mapping: an entry (a repeated key is
/// reported, saying how YAML 1.1 read it), a merge, or nothing for a
/// complex key (reported when it was read, see [`PendingKey::complex`]).
pub(super) fn attach(map: &mut MapBuilder, k: PendingKey, node: Node, diags: &mut Vec<LoadDiagnostic>) {
    if k.complex {
        return;
    }
    if k.is_merge {
        map.merge(node, k.span, diags);
        return;
    }
    let before = diags.len();
    map.insert(
        Entry {
            key: k.text,
            key_span: k.span,
            value: node,
        },
        diags,
    );
    if let (Some(written), Some(d)) = (k.written, diags.get_mut(before)) {
        let read = d.message.trim_start_matches("duplicate key ").to_string();
        d.message = if written.is_empty() {
            format!("{} (an empty key reads as {read})", d.message)
        } else {
            format!("{} (YAML 1.1 reads `{written}` as {read})", d.message)
        };
    }
}
