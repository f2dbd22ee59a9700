//! How the tree builder turns parser events into nodes: scalars,
//! collections, anchors and aliases (with their budgets), merge values.

use saphyr_parser::{Event, ScalarStyle as PStyle};

use super::{Abort, Builder, Chars, Frame, Weight};
use crate::yaml::builder::{MapBuilder, attach, pending_key};
use crate::yaml::scalar::{resolve_plain, resolve_tagged};
use crate::yaml::{Entry, LoadDiagnostic, Node, ScalarStyle, Span, Value};

impl Builder<'_> {
    pub(super) fn byte(&self, char_index: usize) -> u32 {
        match &self.chars {
            Chars::Whole { map, base_chars } => map.byte(base_chars.saturating_add(char_index)),
            Chars::Own(map) => {
                let b = map.byte(char_index);
                self.base + self.shift.map_or(b, |s| s.original(b))
            }
        }
    }

    /// A copy of `n` with every placeholder replaced by a copy of its
    /// anchored node.
    fn materialize(&self, n: &Node) -> Node {
        let value = match &n.value {
            Value::Null => match self.placeholders.get(&n.span).and_then(|id| self.anchors.get(id)) {
                Some((a, _)) => return self.materialize(a),
                None => Value::Null,
            },
            Value::Seq(items) => Value::Seq(items.iter().map(|i| self.materialize(i)).collect()),
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: self.materialize(&e.value),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            span: n.span,
            value,
            style: n.style,
        }
    }

    /// Puts the anchored nodes back in place of their placeholders.
    pub(super) fn fill(&mut self, n: &mut Node) {
        match &mut n.value {
            Value::Null => {
                if let Some(id) = self.placeholders.remove(&n.span)
                    && let Some((a, _)) = self.anchors.remove(&id)
                {
                    *n = a;
                    self.fill(n);
                }
            }
            Value::Seq(items) => items.iter_mut().for_each(|i| self.fill(i)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| self.fill(&mut e.value)),
            _ => {}
        }
    }

    /// Counts a copy of `w` against the document's and the file's alias
    /// budgets.
    fn charge(&mut self, w: Weight, at: u32) -> Result<(), Abort> {
        self.alias_nodes = self.alias_nodes.saturating_add(w.nodes);
        self.budget.nodes = self.budget.nodes.saturating_add(w.nodes);
        self.budget.bytes = self.budget.bytes.saturating_add(w.bytes);
        let l = self.limits;
        let message = if self.alias_nodes > l.max_alias_nodes {
            format!(
                "aliases expand to more than {} nodes: the document is rejected (an alias bomb?)",
                l.max_alias_nodes
            )
        } else if self.budget.nodes > l.max_file_alias_nodes {
            format!(
                "aliases in this file expand to more than {} nodes in all: the document is rejected (an alias bomb?)",
                l.max_file_alias_nodes
            )
        } else if self.budget.bytes > l.max_alias_bytes {
            format!(
                "aliases in this file copy more than {} MiB of text: the document is rejected (an alias bomb?)",
                l.max_alias_bytes / (1024 * 1024)
            )
        } else {
            return Ok(());
        };
        let help = if self.budget.bytes > l.max_alias_bytes {
            "Kubernetes expands every alias; alias fewer or smaller scalars (or raise KVET_MAX_ALIAS_BYTES)"
        } else if self.alias_nodes > l.max_alias_nodes {
            "Kubernetes expands every alias; use fewer nested aliases (or raise KVET_MAX_ALIAS_NODES)"
        } else {
            "Kubernetes expands every alias; use fewer nested aliases (or raise KVET_MAX_FILE_ALIAS_NODES)"
        };
        Err(Abort {
            at,
            rule: "yaml-limits",
            message,
            help: Some(help.into()),
        })
    }

    pub(super) fn span(&self, sp: &saphyr_parser::Span) -> Span {
        Span::new(self.byte(sp.start.index()), self.byte(sp.end.index()))
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn complete(&mut self, node: Node, anchor: usize, mut weight: Weight) -> Result<(), Abort> {
        let collection = matches!(node.value, Value::Seq(_) | Value::Map(_));
        // Where the node goes: an item, a value, a merge value, a key, the root.
        let (is_value, is_merge) = match self.frames.last() {
            None => (false, false),
            Some(Frame::Seq { .. }) => (true, false),
            Some(Frame::Map { key, .. }) => (key.is_some(), key.as_ref().is_some_and(|k| k.is_merge)),
        };
        let node = if anchor == 0 || self.frames.is_empty() {
            // The root completes last: no alias can refer to it.
            node
        } else if collection && is_value && !is_merge {
            let placeholder = Node {
                span: node.span,
                value: Value::Null,
                style: ScalarStyle::Plain,
            };
            self.placeholders.insert(node.span, anchor);
            self.anchors.insert(anchor, (node, weight));
            weight.holes = true;
            placeholder
        } else {
            if collection {
                // A complex key or a merge value: kept as a copy, which
                // counts like an alias.
                self.charge(weight, node.span.start)?;
            }
            self.anchors.insert(anchor, (node.clone(), weight));
            node
        };
        let node = if is_merge && weight.holes {
            self.charge(weight, node.span.start)?;
            weight.holes = false;
            self.materialize(&node)
        } else {
            node
        };
        let Some(top) = self.frames.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match top {
            Frame::Seq { items, weight: w, .. } => {
                w.add(weight);
                items.push(node);
            }
            Frame::Map {
                map,
                key,
                last_end,
                weight: w,
                ..
            } => {
                w.add(weight);
                *last_end = (*last_end).max(node.span.end);
                match key.take() {
                    Some(k) => attach(map, k, node, &mut self.diags),
                    None => *key = Some(pending_key(self.source, node, &mut self.diags)),
                }
            }
        }
        Ok(())
    }

    fn open(&mut self, frame: Frame, at: u32) -> Result<(), Abort> {
        if self.frames.len() >= self.limits.max_depth {
            return Err(Abort {
                at,
                rule: "yaml-limits",
                message: format!(
                    "nesting deeper than {} levels: the document is rejected",
                    self.limits.max_depth
                ),
                help: Some("Kubernetes objects are never this deep; is the file generated by mistake? (KVET_MAX_DEPTH raises the limit)".into()),
            });
        }
        self.frames.push(frame);
        Ok(())
    }

    pub(super) fn event(&mut self, ev: Event<'_>, sp: &saphyr_parser::Span) -> Result<(), Abort> {
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let span = self.span(sp);
                let (value, style) = match style {
                    PStyle::Plain => {
                        let v = match &tag {
                            Some(t) if t.is_yaml_core_schema() => {
                                resolve_tagged(&t.suffix, &value).unwrap_or_else(|| {
                                    self.diags.push(LoadDiagnostic {
                                        rule: "yaml-syntax",
                                        span,
                                        message: format!("`{value}` is not a valid !!{}", t.suffix),
                                        labels: vec![],
                                        help: None,
                                        shadowed: None,
                                    });
                                    Value::Str(value.as_ref().into())
                                })
                            }
                            _ => resolve_plain(&value),
                        };
                        (v, ScalarStyle::Plain)
                    }
                    other => {
                        let v = match &tag {
                            Some(t) if t.is_yaml_core_schema() && t.suffix != "str" => {
                                resolve_tagged(&t.suffix, &value).unwrap_or_else(|| Value::Str(value.as_ref().into()))
                            }
                            _ => Value::Str(value.as_ref().into()),
                        };
                        let style = match other {
                            PStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                            PStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                            PStyle::Literal => ScalarStyle::Literal,
                            _ => ScalarStyle::Folded,
                        };
                        (v, style)
                    }
                };
                let span = match style {
                    // The full parser's end mark can run past a trailing
                    // comment; the fast path's ends at the closing quote.
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        Span::new(span.start, quoted_end(self.source, span).unwrap_or(span.end))
                    }
                    _ => span,
                };
                let weight = Weight::scalar(&value);
                let node = Node { span, value, style };
                self.complete(node, anchor, weight)
            }
            Event::SequenceStart(anchor, _) => {
                let at = self.byte(sp.start.index());
                let items = self.item_pool.pop().unwrap_or_default();
                self.open(
                    Frame::Seq {
                        start: at,
                        anchor,
                        items,
                        weight: Weight::default(),
                    },
                    at,
                )
            }
            Event::MappingStart(anchor, _) => {
                let at = self.byte(sp.start.index());
                let map = MapBuilder::with_scratch(self.entry_pool.pop().unwrap_or_default());
                self.open(
                    Frame::Map {
                        start: at,
                        anchor,
                        weight: Weight::default(),
                        map,
                        key: None,
                        last_end: at,
                    },
                    at,
                )
            }
            Event::SequenceEnd => {
                let end_span = self.span(sp);
                if let Some(Frame::Seq {
                    start,
                    anchor,
                    mut items,
                    mut weight,
                }) = self.frames.pop()
                {
                    let mut exact = Vec::with_capacity(items.len());
                    exact.append(&mut items);
                    self.item_pool.push(items);
                    let items = exact;
                    let end = if end_span.is_empty() {
                        items.last().map_or(start, |n| n.span.end)
                    } else {
                        end_span.end
                    };
                    weight.nodes = weight.nodes.saturating_add(1);
                    let node = Node::new(Span::new(start, end.max(start)), Value::Seq(items));
                    self.complete(node, anchor, weight)?;
                }
                Ok(())
            }
            Event::MappingEnd => {
                let end_span = self.span(sp);
                if let Some(Frame::Map {
                    start,
                    anchor,
                    map,
                    last_end,
                    mut weight,
                    ..
                }) = self.frames.pop()
                {
                    let end = if end_span.is_empty() { last_end } else { end_span.end };
                    weight.nodes = weight.nodes.saturating_add(1);
                    let node = Node::new(
                        Span::new(start, end.max(start)),
                        Value::Map(map.finish_into(&mut self.entry_pool)),
                    );
                    self.complete(node, anchor, weight)?;
                }
                Ok(())
            }
            Event::Alias(id) => {
                let span = self.span(sp);
                let Some(&(_, weight)) = self.anchors.get(&id) else {
                    return Err(Abort {
                        at: span.start,
                        rule: "yaml-syntax",
                        message: "alias to an unknown anchor".into(),
                        help: None,
                    });
                };
                self.charge(weight, span.start)?;
                if self.frames.len() + weight.height >= self.limits.max_depth {
                    return Err(Abort {
                        at: span.start,
                        rule: "yaml-limits",
                        message: format!(
                            "the alias nests the document deeper than {} levels: the document is rejected",
                            self.limits.max_depth
                        ),
                        help: Some("Kubernetes objects are never this deep; use fewer nested aliases (KVET_MAX_DEPTH raises the limit)".into()),
                    });
                }
                let mut copy = match self.anchors.get(&id) {
                    Some((node, _)) => self.materialize(node),
                    None => Node::null(span.start),
                };
                // The copy is reported where the alias is written.
                copy.span = span;
                self.complete(copy, 0, Weight { holes: false, ..weight })
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) | Event::DocumentEnd => Ok(()),
        }
    }
}

/// The byte after the closing quote of the quoted scalar starting at
/// `span.start`, searching no further than `span.end`.
fn quoted_end(text: &str, span: Span) -> Option<u32> {
    let b = text.as_bytes();
    let quote = *b.get(span.start as usize)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let limit = (span.end as usize).min(b.len());
    let mut i = span.start as usize + 1;
    while i < limit {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i as u32 + 1),
            _ => i += 1,
        }
    }
    None
}
