//! `saphyr-parser` events → spanned documents, with per-document recovery:
//! after a syntax error the reader resumes at the next `---`, so the other
//! documents of the file are still linted.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as PStyle};

use super::builder::MapBuilder;
use super::relax::{Shift, is_indentation_error, relax_indentation};
use super::scalar::{resolve_plain, resolve_tagged};
use super::{Document, Entry, Limits, LoadDiagnostic, Node, ScalarStyle, Span, Stream, Text, Value};
use crate::source::CharToByte;

/// Parses a YAML stream: first by the fast path for the block-style subset
/// most manifests are written in ([`super::fast`]), and with
/// `saphyr-parser` when the fast path declines the text (or is turned off,
/// see [`fast_path_enabled`]). Whenever the fast path takes a text, it gives
/// exactly the full parser's documents, spans and findings: checked on every
/// fixture, every corpus file, mutated and generated streams
/// (`tests/yaml_fast_path.rs`) and by the `yaml_fast_path` fuzz target.
pub fn parse_yaml(text: &str, limits: Limits) -> Stream {
    if fast_path_enabled()
        && let Some(stream) = parse_yaml_fast(text, limits)
    {
        return stream;
    }
    parse_yaml_full(text, limits)
}

/// Whether [`parse_yaml`] tries the fast path first: yes, unless
/// `KVET_YAML_FAST_PATH=0` (README, "The YAML front-end"), which makes every
/// text go through `saphyr-parser` alone.
pub fn fast_path_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("KVET_YAML_FAST_PATH").is_none_or(|v| v != "0"))
}

/// The fast path alone: `None` when it declines the text (anything outside
/// its subset, or anything the full parser would report).
pub fn parse_yaml_fast(text: &str, limits: Limits) -> Option<Stream> {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut direct = super::direct::Direct::new(text, base as u32, limits.max_depth);
    if !super::fast::run(&text[base..], &mut direct) {
        return None;
    }
    let mut stream = direct.stream;
    // Findings the tree builder makes (a bad merge key) get the same help.
    hint_template(text, &mut stream);
    Some(stream)
}

/// The full parser (`saphyr-parser`), with per-document recovery.
pub fn parse_yaml_full(text: &str, limits: Limits) -> Stream {
    let mut stream = Stream::default();
    let mut base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // One character map for the whole file: a restart after a broken
    // document does not scan the rest of the file again.
    let whole = CharToByte::new(text);
    let mut budget = Budget::default();
    while base < text.len() {
        let input = Input {
            parsed: &text[base..],
            base: base as u32,
            shift: None,
        };
        let Some(fail) = parse_from(
            text,
            input,
            Chars::whole(&whole, base as u32),
            limits,
            &mut budget,
            &mut stream,
        ) else {
            break;
        };
        let next = next_document_start(text, fail.diag.span.start as usize);
        if !(fail.indentation && retry_relaxed(text, &fail, next, limits, &mut budget, &mut stream)) {
            stream.diagnostics.push(fail.diag);
            push_failed_doc(&mut stream, fail.doc_start, fail.at);
        }
        match next {
            Some(n) => base = n,
            None => break,
        }
    }
    hint_template(text, &mut stream);
    stream
}

/// The help of a template's YAML errors: render it first.
const RENDER_FIRST: &str =
    "this looks like a template (`{{ }}`): render it first, e.g. `helm template ... | kvet check -`";

/// Whether a line uses a template action where YAML reads structure: a
/// line that is an action (`{{- if .x }}`), or an unquoted value or item
/// that starts with one (`name: {{ .x }}`, `- {{ .x }}`). Actions inside
/// quoted or prose values (alert texts) leave the YAML intact.
fn templated_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("{{") || t.starts_with("- {{") || line.contains(": {{")
}

/// In a file written as a template, the first YAML error is the template
/// syntax itself, whatever the parser called it (a "complex key" for
/// `name: {{ .x }}`, an indentation error after `{{- if }}`): its help is
/// to render the template first. A tab indentation on that line keeps its
/// own, more precise help.
fn hint_template(text: &str, stream: &mut Stream) {
    // Most files have no YAML error: their text is not searched at all.
    let Some(first) = stream
        .diagnostics
        .iter_mut()
        .filter(|d| d.rule == "yaml-syntax")
        .min_by_key(|d| d.span.start)
    else {
        return;
    };
    if !text.contains("{{") || !text.lines().any(templated_line) {
        return;
    }
    let at = (first.span.start as usize).min(text.len());
    let line_start = text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line = text.get(line_start..line_end(text, line_start)).unwrap_or("");
    if line.trim_start_matches(' ').starts_with('\t') {
        return;
    }
    first.help = Some(RENDER_FIRST.into());
}

/// Parses the failed document again with go-yaml's indentation leniency
/// (see [`super::relax`]); on success its documents join the stream.
fn retry_relaxed(
    text: &str,
    fail: &Failure,
    next: Option<usize>,
    limits: Limits,
    budget: &mut Budget,
    stream: &mut Stream,
) -> bool {
    let start = text[..fail.doc_start as usize].rfind('\n').map_or(0, |i| i + 1);
    let start = start.max(if text.starts_with('\u{feff}') { 3 } else { 0 });
    let end = next.unwrap_or(text.len());
    let Some((relaxed, shift)) = relax_indentation(&text[start..end]) else {
        return false;
    };
    let mut tmp = Stream::default();
    let input = Input {
        parsed: &relaxed,
        base: start as u32,
        shift: Some(&shift),
    };
    let chars = Chars::Own(CharToByte::new(input.parsed));
    if parse_from(text, input, chars, limits, budget, &mut tmp).is_some() {
        return false;
    }
    for mut d in tmp.documents {
        d.index = stream.documents.len();
        stream.documents.push(d);
    }
    stream.diagnostics.extend(tmp.diagnostics);
    true
}

/// What the parser reads: a slice of the file, or a re-indented copy of one
/// with the map back to the file's offsets.
struct Input<'a> {
    parsed: &'a str,
    base: u32,
    shift: Option<&'a Shift>,
}

/// Why a parse stopped early.
struct Failure {
    at: u32,
    doc_start: u32,
    diag: LoadDiagnostic,
    /// An indentation rule go-yaml does not enforce.
    indentation: bool,
}

/// The byte offset of the first line after `from` that starts a new document
/// (`---`) or follows an end marker (`...`).
fn next_document_start(text: &str, from: usize) -> Option<usize> {
    let mut pos = text[from..].find('\n').map(|i| from + i + 1)?;
    while pos < text.len() {
        let rest = &text[pos..];
        let line_end = rest.find('\n').map_or(text.len(), |i| pos + i + 1);
        let is_marker = |m: &str| {
            rest.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r', '\n']))
        };
        if is_marker("---") {
            return Some(pos);
        }
        if is_marker("...") {
            return Some(line_end);
        }
        pos = line_end;
    }
    None
}

/// Character index → byte offset for the text being parsed: the file's own
/// map (shared by every restart) or one for a re-indented copy.
enum Chars<'a> {
    Whole { map: &'a CharToByte<'a>, base_chars: usize },
    Own(CharToByte<'a>),
}

impl<'a> Chars<'a> {
    fn whole(map: &'a CharToByte<'a>, base: u32) -> Self {
        Chars::Whole {
            map,
            base_chars: map.char_index(base),
        }
    }
}

/// What aliases have copied in so far in a file.
#[derive(Debug, Default, Clone, Copy)]
struct Budget {
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

pub(super) struct PendingKey {
    text: Text,
    span: Span,
    is_merge: bool,
    /// The key as written, when YAML 1.1 reads it as something else
    /// (`on` → `true`).
    written: Option<Box<str>>,
    /// A sequence or mapping used as a key (`? [a, b]`): already a
    /// `yaml-syntax` error, and left out of the map. Kubernetes cannot read
    /// it, and two different ones are not duplicates of each other.
    complex: bool,
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

/// Parses `input` to its end, or to the first error, which it returns.
fn parse_from(
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

fn push_failed_doc(stream: &mut Stream, start: u32, end: u32) {
    stream.documents.push(Document {
        root: None,
        index: stream.documents.len(),
        span: Span::new(start.min(end), end),
    });
}

fn line_end(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    text[from..].find(['\n', '\r']).map_or(text.len(), |i| from + i)
}

fn syntax_error(text: &str, at: u32, info: &str) -> LoadDiagnostic {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Stream {
        parse_yaml(s, Limits::default())
    }

    fn root(s: &str) -> Node {
        let st = parse(s);
        assert!(st.diagnostics.is_empty(), "{:?}", st.diagnostics);
        st.documents[0].root.clone().unwrap_or_else(|| Node::null(0))
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx\n";
        let r = root(text);
        let e = r.path_entry(&["spec", "containers"]).map(|e| e.key_span);
        assert_eq!(e, Some(Span::new(33, 43)));
        let c = &r.path(&["spec", "containers"]).map(|n| n.items()[0].clone());
        let name = c.as_ref().and_then(|c| c.get("name")).map(|n| n.span);
        assert_eq!(name.map(|s| &text[s.start as usize..s.end as usize]), Some("app"));
        let spec = r.get("spec").map(|n| n.span).unwrap_or_default();
        assert_eq!(
            &text[spec.start as usize..spec.end as usize],
            "containers:\n  - name: app\n    image: nginx"
        );
    }

    #[test]
    fn quoted_scalars_end_at_their_quote() {
        let text = "a: \"x \\\" y\" # c\nb:\n- 'it''s'   # h\nc: \"multi\n  line\"  # z\n";
        let r = root(text);
        let span_text = |n: Option<&Node>| {
            n.map(|n| &text[n.span.start as usize..n.span.end as usize])
                .unwrap_or("")
        };
        assert_eq!(span_text(r.get("a")), "\"x \\\" y\"");
        assert_eq!(span_text(r.get("b").map(|b| &b.items()[0])), "'it''s'");
        assert_eq!(span_text(r.get("c")), "\"multi\n  line\"");
    }

    #[test]
    fn multibyte_offsets_are_bytes() {
        let text = "a: \"héllo wörld\"\nb: x\n";
        let r = root(text);
        let b = r.get("b").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[b.start as usize..b.end as usize], "x");
    }

    #[test]
    fn yaml11_scalars_in_tree() {
        let r = root("mode: 0644\nflag: yes\nq: '0644'\nf: 1e3\n");
        assert_eq!(r.get("mode").and_then(Node::as_i64), Some(420));
        assert_eq!(r.get("flag").and_then(Node::as_bool), Some(true));
        assert_eq!(r.get("q").and_then(Node::as_str), Some("0644"));
        assert_eq!(r.get("f").and_then(Node::as_f64), Some(1000.0));
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let st = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(st.diagnostics.len(), 1);
        let d = &st.diagnostics[0];
        assert_eq!(d.rule, "yaml-duplicate-key");
        assert_eq!(d.span, Span::new(10, 11));
        assert_eq!(d.labels[0].0, Span::new(0, 1));
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert_eq!(r.get("a").and_then(Node::as_i64), Some(3));
    }

    #[test]
    fn duplicate_empty_keys_offer_nothing_to_remove() {
        // Found by the fix fuzz target: removing an empty key's "entry" by
        // its spans broke the text; written keys keep their fix.
        let st = parse("? \n: 1\n? \n: 2\nnull: 3\n");
        let dups: Vec<_> = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-duplicate-key")
            .collect();
        assert_eq!(dups.len(), 2);
        assert!(dups[0].shadowed.is_none());
        assert!(dups[1].shadowed.is_none(), "the earlier key is empty");
        let st = parse("~: 1\nnull: 2\n");
        assert!(st.diagnostics[0].shadowed.is_some());
    }

    #[test]
    fn an_empty_key_is_not_the_key_written_after_it() {
        // Found by the fix fuzz target: an empty key's event sits at the
        // next token, here the next `?` line, whose entry the duplicate-key
        // fix then removed (a key that is no duplicate).
        let text = "a:\n?    \n? e  x\nb:\n?    \n? e t\n";
        let st = parse(text);
        let dups: Vec<_> = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-duplicate-key")
            .collect();
        assert_eq!(dups.len(), 1);
        assert!(dups[0].shadowed.is_none(), "no text of the empty key to remove");
        assert!(
            dups[0].message.contains("an empty key reads as `null`"),
            "{}",
            dups[0].message
        );
        assert!(dups[0].span.is_empty() && dups[0].labels[0].0.is_empty());
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert!(r.get("e  x").is_some() && r.get("e t").is_some());
    }

    #[test]
    fn different_complex_keys_are_not_duplicates() {
        // Each is a syntax error of its own; none is a duplicate of another,
        // and none is kept in the tree (JSON cannot hold it).
        let st = parse("? [a]\n: 1\n? {b: 2}\n: 2\nc: 3\n");
        let rules: Vec<&str> = st.diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["yaml-syntax", "yaml-syntax"]);
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert_eq!(r.as_map().map(<[_]>::len), Some(1));
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut s = String::new();
        for i in 0..5000 {
            s.push_str(&format!("k{i}: {i}\n"));
        }
        s.push_str("k42: again\n");
        let st = parse(&s);
        assert_eq!(st.diagnostics.len(), 1);
    }

    #[test]
    fn multi_document_with_markers_and_empty_docs() {
        let st = parse("---\na: 1\n---\n# only a comment\n---\n...\n---\nb: 2\n...\n");
        let roots: Vec<bool> = st.documents.iter().map(|d| d.root.is_some()).collect();
        assert_eq!(roots, vec![true, false, false, true]);
    }

    #[test]
    fn syntax_error_keeps_other_documents() {
        let text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n";
        let st = parse(text);
        assert_eq!(st.diagnostics.iter().filter(|d| d.rule == "yaml-syntax").count(), 1);
        let good: Vec<_> = st.documents.iter().filter_map(|d| d.root.as_ref()).collect();
        assert_eq!(good.len(), 2);
        assert!(good[1].get("d").is_some());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let r = root("base: &b\n  a: 1\n  b: 2\nother:\n  <<: *b\n  b: 3\ncopy: *b\n");
        let other = r.get("other").cloned().unwrap_or_else(|| Node::null(0));
        assert_eq!(other.get("a").and_then(Node::as_i64), Some(1));
        assert_eq!(other.get("b").and_then(Node::as_i64), Some(3));
        assert_eq!(r.path(&["copy", "b"]).and_then(Node::as_i64), Some(2));
    }

    #[test]
    fn yaml11_keys_become_their_json_text() {
        // As sigs.k8s.io/yaml converts them: `y`, `on` are booleans, `010` octal.
        let r = root("y: 1\n010: 3\n");
        let keys: Vec<&str> = r.entries().iter().map(|e| &*e.key).collect();
        assert_eq!(keys, vec!["true", "8"]);
        let st = parse("y: 1\non: 2\n");
        assert!(
            st.diagnostics[0].message.contains("YAML 1.1 reads `on` as `true`"),
            "{:?}",
            st.diagnostics
        );
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let text = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        let st = parse(text);
        let d = st.diagnostics.iter().find(|d| d.rule == "yaml-limits");
        assert!(d.is_some_and(|d| d.message.contains("alias")), "{:?}", st.diagnostics);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "[".repeat(10_000);
        let st = parse(&text);
        assert!(
            st.diagnostics.iter().any(|d| d.rule == "yaml-limits"),
            "{:?}",
            st.diagnostics
        );
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}a: 1\r\nb: x\r\n";
        let r = root(text);
        let b = r.get("b").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[b.start as usize..b.end as usize], "x");
    }

    #[test]
    fn go_yaml_indentation_leniency() {
        // Accepted by Kubernetes' reader: continuation lines of a flow
        // sequence and a quoted scalar at the key's own indentation.
        let text = "a: 1\n---\nspec:\n  args: [\n      \"--x\",\n  ]\n  note: 'one\n  two'\n  after: yes\n---\nz: 1\n";
        let st = parse(text);
        assert!(st.diagnostics.is_empty(), "{:?}", st.diagnostics);
        assert_eq!(st.documents.len(), 3);
        let r = st.documents[1].root.clone().unwrap_or_else(|| Node::null(0));
        let after = r.path(&["spec", "after"]).cloned().unwrap_or_else(|| Node::null(0));
        assert_eq!(after.as_bool(), Some(true));
        assert_eq!(&text[after.span.start as usize..after.span.end as usize], "yes");
        assert_eq!(r.path(&["spec", "note"]).and_then(Node::as_str), Some("one two"));
        assert_eq!(st.documents[2].index, 2);
    }

    #[test]
    fn tab_indentation_gets_a_hint() {
        let st = parse("a:\n\tb: 1\n");
        let d = st.diagnostics.iter().find(|d| d.rule == "yaml-syntax");
        assert!(
            d.is_some_and(|d| d.help.as_deref().is_some_and(|h| h.contains("tabs"))),
            "{:?}",
            st.diagnostics
        );
    }

    fn limit_findings(st: &Stream) -> Vec<&LoadDiagnostic> {
        st.diagnostics.iter().filter(|d| d.rule == "yaml-limits").collect()
    }

    #[test]
    fn nested_anchors_are_not_copied() {
        // 250 nested anchors around 40k items: copying each anchored subtree
        // when it is defined made this 10M nodes.
        let depth = 250;
        let mut text = String::from("a: ");
        for i in 0..depth {
            text.push_str(&format!("&a{i} ["));
        }
        text.push_str(&vec!["x"; 40_000].join(","));
        text.push_str(&"]".repeat(depth));
        text.push_str("\nb: 1\n");
        let r = root(&text);
        let mut n = r.get("a").cloned().unwrap_or_else(|| Node::null(0));
        for _ in 1..depth {
            n = n.items().first().cloned().unwrap_or_else(|| Node::null(0));
        }
        assert_eq!(n.items().len(), 40_000);
        assert_eq!(r.get("b").and_then(Node::as_i64), Some(1));
    }

    #[test]
    fn nested_anchors_still_alias_and_merge() {
        let text = "a: &a\n  b: &b [1, &c {x: 2}]\n  m: {<<: [&d {q: 3}]}\nc: *c\nb: *b\naa: *a\nd: *d\n";
        let r = root(text);
        assert_eq!(r.path(&["a", "b"]).map(|b| b.items().len()), Some(2));
        assert_eq!(r.path(&["c", "x"]).and_then(Node::as_i64), Some(2));
        assert_eq!(r.path(&["b"]).map(|b| b.items().len()), Some(2));
        assert_eq!(
            r.path(&["aa", "b"])
                .map(|b| b.items()[1].clone())
                .and_then(|n| n.get("x").and_then(Node::as_i64)),
            Some(2)
        );
        assert_eq!(r.path(&["a", "m", "q"]).and_then(Node::as_i64), Some(3));
        assert_eq!(r.path(&["d", "q"]).and_then(Node::as_i64), Some(3));
        // The copy is reported at the alias, the original where it is written.
        let c = r.get("c").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[c.start as usize..c.end as usize], "*c");
        let orig = r.path(&["a", "b"]).map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[orig.start as usize..orig.end as usize], "&b [1, &c {x: 2}]");
    }

    #[test]
    fn large_scalar_aliased_many_times_is_rejected() {
        let big = "x".repeat(64 * 1024);
        let text = format!("s: &s \"{big}\"\nl: [{}]\n---\nok: 1\n", vec!["*s"; 99_000].join(","));
        let st = parse(&text);
        let lim = limit_findings(&st);
        assert_eq!(lim.len(), 1, "{:?}", st.diagnostics);
        assert!(lim[0].message.contains("MiB of text"), "{}", lim[0].message);
        // Located at the alias that crossed the limit, and the next document loads.
        assert!(text[lim[0].span.start as usize..].starts_with("*s"));
        assert!(
            st.documents
                .iter()
                .any(|d| d.root.as_ref().is_some_and(|r| r.get("ok").is_some()))
        );
    }

    #[test]
    fn alias_budget_is_per_file() {
        // 1,000 documents each just under the per-document budget.
        let items = vec!["x"; 999].join(",");
        let aliases = vec!["*a"; 99].join(",");
        let doc = format!("a: &a [{items}]\nb: [{aliases}]\n");
        let text = vec![doc; 1000].join("---\n");
        let st = parse(&text);
        let lim = limit_findings(&st);
        assert!(!lim.is_empty());
        assert!(lim.iter().all(|d| d.message.contains("in all")), "{:?}", lim[0]);
        // The first documents load; every later one is rejected with a finding.
        let loaded = st.documents.iter().filter(|d| d.root.is_some()).count();
        assert_eq!(loaded, 10);
        assert_eq!(lim.len(), 990);
        assert_eq!(st.documents.len(), 1000);
    }

    #[test]
    fn a_template_s_first_error_says_render_it_first() {
        // The parser calls `{{ include ... }}` a complex key; the help says
        // what the file is.
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n  labels:\n    {{- include \"l\" . | nindent 4 }}\n";
        let st = parse(text);
        let first = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-syntax")
            .min_by_key(|d| d.span.start)
            .unwrap_or_else(|| panic!("no syntax error"));
        assert_eq!(first.help.as_deref(), Some(RENDER_FIRST));
        // Template text inside a quoted value is not a template file.
        let alert = "groups:\n- name: a\n  rules:\n  - alert: Down\n    annotations:\n      summary: \"{{ $labels.instance }} is down\"\n    expr: [a\n";
        let st = parse(alert);
        assert!(st.diagnostics.iter().all(|d| d.help.as_deref() != Some(RENDER_FIRST)));
    }
}
