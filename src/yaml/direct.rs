//! The fast path's tree builder.
//!
//! The fast path ([`super::fast`]) emits no anchors, aliases or tags, so
//! its events need none of the general builder's alias bookkeeping
//! (weights, placeholders, budgets) or character maps (its marks are byte
//! offsets). This builder makes the same nodes, spans and findings from
//! them with less work per event: keys and values go through the same
//! [`pending_key`] and [`attach`] as in [`super::events`]. Anything it does
//! not expect (an anchor, a tag, an alias, a collection as a key, nesting
//! past the depth limit) makes it decline, and the text goes to the full
//! parser. `tests/yaml_fast_path.rs` and the `yaml_fast_path` fuzz target
//! compare the two.

use saphyr_parser::{Event, ScalarStyle as PStyle, Span as PSpan};

use super::builder::{MapBuilder, PendingKey, attach, pending_key};
use super::scalar::resolve_plain;
use super::{Document, Entry, LoadDiagnostic, Node, ScalarStyle, Span, Stream, Value};

enum Frame {
    Seq {
        start: u32,
        items: Vec<Node>,
    },
    Map {
        start: u32,
        map: MapBuilder,
        key: Option<PendingKey>,
        last_end: u32,
    },
}

/// Builds a stream's documents from the fast path's events.
pub(super) struct Direct<'t> {
    source: &'t str,
    /// Byte offset of the parsed text in `source` (a byte-order mark).
    base: u32,
    max_depth: usize,
    frames: Vec<Frame>,
    root: Option<Node>,
    doc_start: Option<u32>,
    diags: Vec<LoadDiagnostic>,
    /// Emptied scratch lists of finished collections, kept for their
    /// capacity (see `MapBuilder::finish_into`).
    entry_pool: Vec<Vec<Entry>>,
    item_pool: Vec<Vec<Node>>,
    pub(super) stream: Stream,
}

impl<'t> Direct<'t> {
    pub(super) fn new(source: &'t str, base: u32, max_depth: usize) -> Self {
        Direct {
            source,
            base,
            max_depth,
            frames: Vec::new(),
            root: None,
            doc_start: None,
            diags: Vec::new(),
            entry_pool: Vec::new(),
            item_pool: Vec::new(),
            stream: Stream::default(),
        }
    }

    #[inline(always)]
    fn at(&self, index: usize) -> u32 {
        self.base.saturating_add(index as u32)
    }

    /// Hands a finished node to its parent (or makes it the document root).
    #[inline(always)]
    fn complete(&mut self, node: Node) -> bool {
        match self.frames.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { map, key, last_end, .. }) => {
                *last_end = (*last_end).max(node.span.end);
                match key.take() {
                    Some(k) => attach(map, k, node, &mut self.diags),
                    None => {
                        if !matches!(node.value, Value::Seq(_) | Value::Map(_)) {
                            *key = Some(pending_key(self.source, node, &mut self.diags));
                        } else {
                            // A collection as a key: the full parser's case.
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    fn open(&mut self, frame: Frame) -> bool {
        if self.frames.len() >= self.max_depth {
            return false;
        }
        self.frames.push(frame);
        true
    }

    fn document_end(&mut self) {
        let root = self.root.take();
        let start = self.doc_start.take().unwrap_or(0);
        let end = root.as_ref().map_or(start, |n| n.span.end);
        // An empty, comment-only or `null` document holds no object.
        let root = root.filter(|n| !n.is_null());
        self.stream.diagnostics.append(&mut self.diags);
        let index = self.stream.documents.len();
        self.stream.documents.push(Document {
            root,
            index,
            span: Span::new(start, end),
        });
    }
}

impl<'a> super::fast::Sink<'a> for Direct<'_> {
    // Inlined into each of the fast path's events, where the event's kind
    // is known: the match below then costs nothing.
    #[inline(always)]
    fn event(&mut self, ev: Event<'a>, sp: PSpan) -> bool {
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return false;
                }
                let span = Span::new(self.at(sp.start.index()), self.at(sp.end.index()));
                let (value, style) = match style {
                    PStyle::Plain => (resolve_plain(&value), ScalarStyle::Plain),
                    PStyle::SingleQuoted => (Value::Str(value.as_ref().into()), ScalarStyle::SingleQuoted),
                    PStyle::DoubleQuoted => (Value::Str(value.as_ref().into()), ScalarStyle::DoubleQuoted),
                    PStyle::Literal => (Value::Str(value.as_ref().into()), ScalarStyle::Literal),
                    PStyle::Folded => (Value::Str(value.as_ref().into()), ScalarStyle::Folded),
                };
                self.complete(Node { span, value, style })
            }
            Event::SequenceStart(anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return false;
                }
                let start = self.at(sp.start.index());
                let items = self.item_pool.pop().unwrap_or_default();
                self.open(Frame::Seq { start, items })
            }
            Event::MappingStart(anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return false;
                }
                let start = self.at(sp.start.index());
                let map = MapBuilder::with_scratch(self.entry_pool.pop().unwrap_or_default());
                self.open(Frame::Map {
                    start,
                    map,
                    key: None,
                    last_end: start,
                })
            }
            Event::SequenceEnd => {
                let (s, e) = (self.at(sp.start.index()), self.at(sp.end.index()));
                let Some(Frame::Seq { start, mut items }) = self.frames.pop() else {
                    return false;
                };
                let mut exact = Vec::with_capacity(items.len());
                exact.append(&mut items);
                self.item_pool.push(items);
                let end = if e <= s {
                    exact.last().map_or(start, |n| n.span.end)
                } else {
                    e
                };
                self.complete(Node::new(Span::new(start, end.max(start)), Value::Seq(exact)))
            }
            Event::MappingEnd => {
                let (s, e) = (self.at(sp.start.index()), self.at(sp.end.index()));
                let Some(Frame::Map {
                    start,
                    map,
                    key: None,
                    last_end,
                }) = self.frames.pop()
                else {
                    return false;
                };
                let end = if e <= s { last_end } else { e };
                let entries = map.finish_into(&mut self.entry_pool);
                self.complete(Node::new(Span::new(start, end.max(start)), Value::Map(entries)))
            }
            Event::DocumentStart(_) => {
                self.doc_start = Some(self.at(sp.end.index()));
                self.root = None;
                true
            }
            Event::DocumentEnd => {
                self.document_end();
                true
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd => true,
            Event::Alias(_) => false,
        }
    }
}
