//! Parsing again after an edit (the language server): only the documents
//! the edit falls in are parsed, and the others keep their trees, moved by
//! the edit's change in length. Used only where that gives exactly what
//! parsing the whole text gives (`tests/yaml_incremental.rs` checks it on
//! every fixture and corpus file with random edits); anything else is
//! parsed whole.

use super::{Document, Limits, Node, ScalarStyle, Span, Stream, Value, parse_source, parse_yaml};

/// [`super::parse_source`] of `new`, reusing `old` (the stream of
/// `old_text`) when both texts are read as YAML.
pub fn reparse_source(old_text: &str, old: Stream, new: &str, json_hint: bool, limits: Limits) -> Stream {
    let json = |t: &str| t.trim_start_matches('\u{feff}').trim_start().starts_with('{');
    if json_hint || json(old_text) || json(new) {
        return parse_source(new, json_hint, limits);
    }
    reparse(old_text, old, new, limits)
}

/// The stream of `new` (YAML), reusing `old`, the stream of `old_text`.
pub fn reparse(old_text: &str, old: Stream, new: &str, limits: Limits) -> Stream {
    try_reparse(old_text, old, new, limits).unwrap_or_else(|| parse_yaml(new, limits))
}

/// [`reparse`] without the whole parse: `None` when the edit is not one it
/// can take (tests count how many it takes).
#[doc(hidden)]
pub fn try_reparse(old_text: &str, old: Stream, new: &str, limits: Limits) -> Option<Stream> {
    incremental(old_text, old, new, limits).ok()
}

/// Whether the line starting at `at` is a document start marker (`---`
/// then a space, a tab, a line break or the end).
fn is_marker(text: &[u8], at: usize) -> bool {
    text.get(at..at + 3) == Some(b"---") && matches!(text.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// Whether anything in `text` is read across documents or changes how
/// they are read: directives, document end markers, a byte order mark.
fn has_stream_syntax(text: &str) -> bool {
    text.starts_with('\u{feff}')
        || text.starts_with('%')
        || text.starts_with("...")
        || text.contains("\n%")
        || text.contains("\n...")
        || text.contains('\r')
}

fn incremental(old_text: &str, mut old: Stream, new: &str, limits: Limits) -> Result<Stream, ()> {
    if !old.diagnostics.is_empty() || has_stream_syntax(new) || has_stream_syntax(old_text) {
        return Err(());
    }
    let (o, n) = (old_text.as_bytes(), new.as_bytes());
    let prefix = o.iter().zip(n).take_while(|(a, b)| a == b).count();
    let room = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let (changed_old_end, changed_new_end) = (o.len() - suffix, n.len() - suffix);
    // The chunk: from the last marker line wholly before the change (or
    // the start) to the first marker line after it (or the end).
    let mut start = 0;
    let mut at = prefix;
    while let Some(i) = o[..at].iter().rposition(|&b| b == b'\n') {
        let line = i + 1;
        if line < prefix && is_marker(o, line) && o[line..prefix].contains(&b'\n') {
            start = line;
            break;
        }
        at = i;
    }
    let mut end_new = n.len();
    let mut from = changed_new_end;
    while let Some(i) = n[from..].iter().position(|&b| b == b'\n') {
        let line = from + i + 1;
        if line > changed_new_end && is_marker(n, line) {
            end_new = line;
            break;
        }
        from = line;
    }
    let end_old = if end_new == n.len() {
        o.len()
    } else {
        end_new + changed_old_end - changed_new_end
    };
    let (old_chunk, new_chunk) = (&old_text[start..end_old], new.get(start..end_new).ok_or(())?);
    // Anchors and aliases may reach across documents or count against the
    // file's alias budget: such chunks are parsed whole.
    if old_chunk.contains('&') || new_chunk.contains('&') || new_chunk.contains('*') {
        return Err(());
    }
    let (start32, end_old32) = (start as u32, end_old as u32);
    let mut before = Vec::new();
    let mut after = Vec::new();
    for d in std::mem::take(&mut old.documents) {
        if is_block_scalar(&d) {
            return Err(());
        }
        // A document's own span can sit at its end (a block scalar root):
        // its root's span says where it starts.
        let (lo, hi) = extent(&d);
        if start > 0 && hi <= start32 {
            // Before the marker line that starts the chunk (a document that
            // ends in a block scalar ends where the marker line starts).
            before.push(d);
        } else if end_new < n.len() && lo > end_old32 {
            // A document after the marker line that ends the chunk starts
            // after its `---`.
            after.push(d);
        } else if lo < start32 || hi > end_old32 {
            // A document across the chunk's edge: the marker line was not a
            // boundary after all (a block scalar indented by nothing reads
            // a `---` line as text).
            return Err(());
        }
    }
    let chunk = parse_yaml(new_chunk, limits);
    // An empty document's span depends on what follows it; and a document
    // that reaches the end of a chunk cut short may go on past its marker
    // line in the whole text.
    let cut = end_new < n.len();
    let chunk_len = new_chunk.len() as u32;
    if !chunk.diagnostics.is_empty()
        || chunk
            .documents
            .iter()
            .any(|d| d.root.is_none() || is_block_scalar(d) || (cut && extent(d).1 >= chunk_len))
    {
        return Err(());
    }
    let delta = new.len() as i64 - old_text.len() as i64;
    let mut documents = before;
    for mut d in chunk.documents {
        shift_document(&mut d, start as i64);
        d.index = documents.len();
        documents.push(d);
    }
    for mut d in after {
        shift_document(&mut d, delta);
        d.index = documents.len();
        documents.push(d);
    }
    Ok(Stream {
        documents,
        diagnostics: Vec::new(),
    })
}

/// A document that is a block scalar indented by nothing: it may read a
/// `---` line after it as text or not, depending on what follows (its root
/// span starts after its `|`, so it may even look as if it started at that
/// line). Such texts are parsed whole; no manifest is one.
fn is_block_scalar(d: &Document) -> bool {
    d.root
        .as_ref()
        .is_some_and(|r| matches!(r.style, ScalarStyle::Literal | ScalarStyle::Folded))
}

/// Where a document's text lies: its own span and its root's together.
fn extent(d: &Document) -> (u32, u32) {
    match &d.root {
        Some(r) => (d.span.start.min(r.span.start), d.span.end.max(r.span.end)),
        None => (d.span.start, d.span.end),
    }
}

fn shift_span(s: &mut Span, by: i64) {
    s.start = (s.start as i64 + by) as u32;
    s.end = (s.end as i64 + by) as u32;
}

fn shift_document(d: &mut Document, by: i64) {
    shift_span(&mut d.span, by);
    if let Some(root) = &mut d.root {
        shift_node(root, by);
    }
}

fn shift_node(n: &mut Node, by: i64) {
    shift_span(&mut n.span, by);
    match &mut n.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| shift_node(i, by)),
        Value::Map(entries) => {
            for e in entries {
                shift_span(&mut e.key_span, by);
                shift_node(&mut e.value, by);
            }
        }
        _ => {}
    }
}
