//! Adopting kvet on a repository with existing findings:
//! `--add-suppressions` writes `# kvet: ignore[...]` comments for every
//! current finding; baselines live in `kvet::baseline`.

use std::collections::BTreeMap;

use kvet::diagnostic::{Diagnostic, Edit};
use kvet::fix::{apply_edits, suppress_line, verify, write_fixed};
use kvet::source::SourceFile;
use kvet::yaml::{Limits, Node, ScalarStyle, Span, Value, parse_source};

/// Spans of block scalars (`|`, `>`): a comment on their lines would
/// become part of the text.
fn block_scalars(node: &Node, out: &mut Vec<Span>) {
    match &node.value {
        Value::Map(entries) => entries.iter().for_each(|e| block_scalars(&e.value, out)),
        Value::Seq(items) => items.iter().for_each(|i| block_scalars(i, out)),
        _ if matches!(node.style, ScalarStyle::Literal | ScalarStyle::Folded) => out.push(node.span),
        _ => {}
    }
}

/// What `--add-suppressions` did.
#[derive(Default)]
pub struct Added {
    pub comments: usize,
    pub files: usize,
    /// Findings that could not carry a comment (JSON, inside a block
    /// scalar, a line whose comment would change what it reads as).
    pub skipped: usize,
    pub errors: Vec<String>,
}

/// Adds a `# kvet: ignore[rule, ...]` comment on the line of every finding.
pub fn add_suppressions(diags: &[Diagnostic], sources: &[SourceFile]) -> Added {
    let mut by_file: BTreeMap<u32, BTreeMap<u32, Vec<&str>>> = BTreeMap::new();
    for d in diags {
        if let Some(f) = sources.get(d.file as usize) {
            let line_start = kvet::fix::line_start_at(&f.text, d.span.start);
            let rules = by_file.entry(d.file).or_default().entry(line_start).or_default();
            if !rules.contains(&&*d.rule) {
                rules.push(&d.rule);
            }
        }
    }
    let mut added = Added::default();
    for (fid, lines) in by_file {
        let f = &sources[fid as usize];
        let findings: usize = lines.values().map(Vec::len).sum();
        let Some(path) = &f.path else {
            added.skipped += findings;
            continue;
        };
        if f.looks_like_json() || f.load_error.is_some() {
            added.skipped += findings;
            continue;
        }
        let stream = parse_source(&f.text, false, Limits::default());
        let mut blocks = Vec::new();
        for doc in &stream.documents {
            if let Some(r) = &doc.root {
                block_scalars(r, &mut blocks);
            }
        }
        let mut edits: Vec<(usize, Edit)> = Vec::new();
        for (start, rules) in &lines {
            let end = kvet::fix::line_end_at(&f.text, *start);
            if blocks.iter().any(|b| b.start < end && *start < b.end) {
                added.skipped += rules.len();
                continue;
            }
            match suppress_line(f, fid, *start, &rules.join(", ")) {
                Some(e) => edits.push((rules.len(), e)),
                None => added.skipped += rules.len(),
            }
        }
        // Comments change no value: the file must read back the same.
        let mut text = f.text.clone();
        let refs: Vec<&Edit> = edits.iter().map(|(_, e)| e).collect();
        let all = apply_edits(&f.text, &refs);
        let mut count = 0;
        if verify(&f.text, &all, false, &[]).is_ok() {
            text = all;
            count = edits.iter().map(|(n, _)| n).sum();
        } else if edits.len() <= 200 {
            // One line at a time, keeping those that change nothing (later
            // lines first, so earlier offsets stay valid).
            for (n, e) in edits.iter().rev() {
                let next = apply_edits(&text, &[e]);
                if verify(&text, &next, false, &[]).is_ok() {
                    text = next;
                    count += n;
                } else {
                    added.skipped += n;
                }
            }
        } else {
            added.skipped += edits.iter().map(|(n, _)| n).sum::<usize>();
        }
        if text == f.text {
            continue;
        }
        match write_fixed(path, &f.text, &text) {
            Ok(()) => {
                added.comments += count;
                added.files += 1;
            }
            Err(e) => {
                added.skipped += count;
                added.errors.push(format!("{}: not written: {e}", f.name));
            }
        }
    }
    added
}
