//! `saphyr-parser` events → spanned documents: the general tree builder
//! (anchors, aliases and their budgets, tags, merge keys), used for every
//! text the fast path declines ([`super::load`] drives it, with recovery).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser};

use super::builder::{MapBuilder, PendingKey};
use super::relax::{Shift, is_indentation_error};
use super::{Document, Entry, Limits, LoadDiagnostic, Node, Span, Stream, Value};
use crate::source::CharToByte;

mod errors;
mod nodes;

pub(super) use errors::{RENDER_FIRST, line_end, syntax_error};

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
