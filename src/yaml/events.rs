//! `saphyr-parser` events → spanned documents: the general tree builder
//! (anchors, aliases and their budgets, tags, merge keys), used for every
//! text the fast path declines ([`super::load`] drives it, with recovery).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as PStyle};

use super::builder::{MapBuilder, PendingKey, attach, pending_key};
use super::relax::{Shift, is_indentation_error};
use super::scalar::{resolve_plain, resolve_tagged};
use super::{Document, Entry, Limits, LoadDiagnostic, Node, ScalarStyle, Span, Stream, Value};
use crate::source::CharToByte;

/// The help of a template's YAML errors: render it first.
pub(super) const RENDER_FIRST: &str =
    "this looks like a template (`{{ }}`): render it first, e.g. `helm template ... | kvet check -`";

/// What the parser reads: a slice of the file, or a re-indented copy of one
/// with the map back to the file's offsets.
pub(super) struct Input<'a> {
    pub(super) parsed: &'a str,
    pub(super) base: u32,
    pub(super) shift: Option<&'a Shift>,
}

/// Why a parse stopped early.
pub(super) struct Failure {
    pub(super) at: u32,
    pub(super) doc_start: u32,
    pub(super) diag: LoadDiagnostic,
    /// An indentation rule go-yaml does not enforce.
    pub(super) indentation: bool,
}

/// Character index → byte offset for the text being parsed: the file's own
/// map (shared by every restart) or one for a re-indented copy.
pub(super) enum Chars<'a> {
    Whole { map: &'a CharToByte<'a>, base_chars: usize },
    Own(CharToByte<'a>),
}

impl<'a> Chars<'a> {
    pub(super) fn whole(map: &'a CharToByte<'a>, base: u32) -> Self {
        Chars::Whole {
            map,
            base_chars: map.char_index(base),
        }
    }
}

/// What aliases have copied in so far in a file.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Budget {
    nodes: usize,
    bytes: usize,
}

/// The size of a node as an alias would copy it: nodes, scalar bytes,
/// nesting height, and whether it holds anchored subtrees not yet put back
/// (see [`Builder::placeholders`]).
#[derive(Debug, Default, Clone, Copy)]
struct Weight {
    nodes: usize,
    bytes: usize,
    height: usize,
    holes: bool,
}

impl Weight {
    fn add(&mut self, child: Weight) {
        self.nodes = self.nodes.saturating_add(child.nodes);
        self.bytes = self.bytes.saturating_add(child.bytes);
        self.height = self.height.max(child.height + 1);
        self.holes |= child.holes;
    }

    fn scalar(value: &Value) -> Weight {
        Weight {
            nodes: 1,
            bytes: match value {
                Value::Str(s) => s.len(),
                _ => 0,
            },
            height: 0,
            holes: false,
        }
    }
}

enum Frame {
    Seq {
        start: u32,
        anchor: usize,
        items: Vec<Node>,
        weight: Weight,
    },
    Map {
        start: u32,
        anchor: usize,
        weight: Weight,
        map: MapBuilder,
        /// A key waiting for its value.
        key: Option<PendingKey>,
        last_end: u32,
    },
}

struct Builder<'a> {
    source: &'a str,
    chars: Chars<'a>,
    base: u32,
    shift: Option<&'a Shift>,
    limits: Limits,
    frames: Vec<Frame>,
    /// Anchored nodes by anchor id, with their weight. An anchored
    /// collection inside another node is moved here, not copied: its parent
    /// holds a null placeholder with the same span (in `placeholders`)
    /// until the document ends and the node is put back. Defining anchors
    /// thus costs nothing, however deeply they nest.
    anchors: HashMap<usize, (Node, Weight)>,
    placeholders: HashMap<Span, usize>,
    /// Nodes copied by aliases in this document.
    alias_nodes: usize,
    /// Copied by aliases in the file so far.
    budget: Budget,
    root: Option<Node>,
    diags: Vec<LoadDiagnostic>,
    /// Emptied scratch lists of finished collections, kept for their
    /// capacity: a collection gathers its children in one, then moves them
    /// to a list of their exact size.
    entry_pool: Vec<Vec<Entry>>,
    item_pool: Vec<Vec<Node>>,
}

/// Why a document stopped loading.
struct Abort {
    at: u32,
    message: String,
    rule: &'static str,
    help: Option<String>,
}

impl Builder<'_> {
    fn byte(&self, char_index: usize) -> u32 {
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
    fn fill(&mut self, n: &mut Node) {
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

    fn span(&self, sp: &saphyr_parser::Span) -> Span {
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

    fn event(&mut self, ev: Event<'_>, sp: &saphyr_parser::Span) -> Result<(), Abort> {
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

/// Parses `input` to its end, or to the first error, which it returns.
pub(super) fn parse_from(
    text: &str,
    input: Input<'_>,
    chars: Chars<'_>,
    limits: Limits,
    budget: &mut Budget,
    stream: &mut Stream,
) -> Option<Failure> {
    let mut b = Builder::new(text, &input, chars, limits, *budget);
    let failure = drive(&mut b, text, &input, stream);
    *budget = b.budget;
    failure
}

impl<'a> Builder<'a> {
    fn new(source: &'a str, input: &Input<'a>, chars: Chars<'a>, limits: Limits, budget: Budget) -> Self {
        Builder {
            source,
            chars,
            base: input.base,
            shift: input.shift,
            limits,
            frames: Vec::new(),
            anchors: HashMap::new(),
            placeholders: HashMap::new(),
            alias_nodes: 0,
            budget,
            root: None,
            diags: Vec::new(),
            entry_pool: Vec::new(),
            item_pool: Vec::new(),
        }
    }
}

fn drive(b: &mut Builder<'_>, text: &str, input: &Input<'_>, stream: &mut Stream) -> Option<Failure> {
    let mut doc_start: Option<u32> = None;
    let mut parser = Parser::new_from_str(input.parsed);
    loop {
        let next = parser.next_event();
        let (ev, sp) = match next {
            None => return None,
            Some(Ok(pair)) => pair,
            Some(Err(err)) => {
                let at = b.byte(err.marker().index());
                stream.diagnostics.append(&mut b.diags);
                let mut diag = syntax_error(text, at, err.info());
                if err.info().contains("recursion limit") {
                    diag.rule = "yaml-limits";
                    diag.message = "nesting too deep: the document is rejected".into();
                    diag.help =
                        Some("Kubernetes objects are never this deep; is the file generated by mistake?".into());
                }
                return Some(Failure {
                    at,
                    doc_start: doc_start.unwrap_or(input.base),
                    diag,
                    indentation: is_indentation_error(err.info()),
                });
            }
        };
        match step(b, text, stream, &mut doc_start, ev, &sp) {
            Step::Continue => {}
            Step::Done => return None,
            Step::Failed(f) => return Some(f),
        }
    }
}

/// What one event did to the stream.
enum Step {
    Continue,
    Done,
    Failed(Failure),
}

/// Feeds one event to the builder; documents join `stream` as they end.
fn step(
    b: &mut Builder<'_>,
    text: &str,
    stream: &mut Stream,
    doc_start: &mut Option<u32>,
    ev: Event<'_>,
    sp: &saphyr_parser::Span,
) -> Step {
    match ev {
        Event::DocumentStart(_) => {
            let s = b.span(sp);
            *doc_start = Some(s.end);
            b.root = None;
            b.anchors.clear();
            b.placeholders.clear();
            b.alias_nodes = 0;
        }
        Event::DocumentEnd => {
            let mut root = b.root.take();
            if !b.placeholders.is_empty()
                && let Some(r) = &mut root
            {
                b.fill(r);
            }
            let start = doc_start.take().unwrap_or(0);
            let end = root.as_ref().map_or(start, |n| n.span.end);
            // An empty, comment-only or `null` document holds no object.
            let root = root.filter(|n| !n.is_null());
            stream.diagnostics.append(&mut b.diags);
            stream.documents.push(Document {
                root,
                index: stream.documents.len(),
                span: Span::new(start, end),
            });
        }
        Event::StreamEnd => return Step::Done,
        ev => {
            if let Err(abort) = b.event(ev, sp) {
                stream.diagnostics.append(&mut b.diags);
                let end = line_end(text, abort.at as usize) as u32;
                return Step::Failed(Failure {
                    at: abort.at,
                    doc_start: doc_start.unwrap_or(abort.at),
                    diag: LoadDiagnostic {
                        rule: abort.rule,
                        span: Span::new(abort.at, end.max(abort.at)),
                        message: abort.message,
                        labels: vec![],
                        help: abort.help,
                        shadowed: None,
                    },
                    indentation: false,
                });
            }
        }
    }
    Step::Continue
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

pub(super) fn line_end(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    text[from..].find(['\n', '\r']).map_or(text.len(), |i| from + i)
}

pub(super) fn syntax_error(text: &str, at: u32, info: &str) -> LoadDiagnostic {
    let (message, help) = explain_scan_error(text, at as usize, info);
    let end = (at as usize + 1).min(line_end(text, at as usize)).max(at as usize);
    LoadDiagnostic {
        rule: "yaml-syntax",
        span: Span::new(at, end as u32),
        message,
        labels: vec![],
        help,
        shadowed: None,
    }
}

/// Turns the parser's terse messages into ones that say what to do.
fn explain_scan_error(text: &str, at: usize, info: &str) -> (String, Option<String>) {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..line_end(text, line_start)];
    let has_tab_indent = line.starts_with('\t') || line.trim_start_matches(' ').starts_with('\t');
    let help = if has_tab_indent {
        Some("YAML does not allow tabs for indentation; indent with spaces".to_string())
    } else if info.contains("mapping values are not allowed") {
        Some("a `:` followed by a space inside a plain value starts a new key; quote the value".into())
    } else if info.contains("did not find expected key") || info.contains("block mapping") {
        Some("check the indentation of this line against the lines above".into())
    } else if line.contains("{{") {
        Some(RENDER_FIRST.into())
    } else {
        None
    };
    (format!("YAML syntax error: {info}"), help)
}
