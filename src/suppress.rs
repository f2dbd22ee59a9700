//! Suppressions: comments and annotations that silence findings.
//!
//! - `# kvet: ignore[rule-a, rule-b] reason` silences those rules on its own
//!   line (a trailing comment), or, written on a line of its own, on the
//!   next line and everything nested under the key or list item that line
//!   opens; without `[...]` it silences every rule there.
//! - `# kvet: ignore-object[...]` silences them in the next object.
//! - `# kvet: ignore-file[...]` silences them in the whole file.
//! - the annotation `kvet.dev/ignore: "rule-a,rule-b"` on an object, or on a
//!   pod template, silences them in that object or template.
//!
//! A suppression that silences nothing is itself reported
//! (`unused-suppression`), as is a `kvet:` comment that is not a directive.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::model::{Catalog, Workload};
use crate::rules::{CATEGORIES, Registry};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Node, Span};

/// The annotation that suppresses rules on an object or pod template.
pub const ANNOTATION: &str = "kvet.dev/ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Region {
    /// Findings starting on this 1-based line.
    Line(u32),
    /// Findings starting on this 1-based line or inside the range (what
    /// the key or list item opened on that line holds).
    Nested(u32, Span),
    /// Findings inside this byte range.
    Range(Span),
    /// The whole file.
    File,
}

/// One rule named in a suppression, with where it is written.
#[derive(Debug, Clone)]
struct Named {
    rule: String,
    span: Span,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    file: FileId,
    region: Region,
    /// `None`: every rule.
    rules: Option<Vec<Named>>,
    /// The directive itself (comment or annotation value).
    span: Span,
    /// How many findings each named rule (or, for all rules, index 0) silenced.
    hits: Vec<usize>,
}

impl Suppression {
    fn matches(&self, d: &Diagnostic, line_of: impl Fn(u32) -> u32) -> Option<usize> {
        if d.file != self.file {
            return None;
        }
        let inside = match self.region {
            Region::Line(l) => line_of(d.span.start) == l,
            Region::Nested(l, r) => line_of(d.span.start) == l || (r.start <= d.span.start && d.span.start < r.end),
            Region::Range(r) => r.start <= d.span.start && d.span.start <= r.end,
            Region::File => true,
        };
        if !inside {
            return None;
        }
        match &self.rules {
            None => Some(0),
            Some(named) => named.iter().position(|n| n.rule == d.rule || n.rule == "all"),
        }
    }
}

/// A directive parsed from a `# kvet:` comment.
enum Directive {
    Line,
    Object,
    File,
}

/// Reads `ignore[...]`, `ignore-object[...]`, `ignore-file[...]` after `kvet:`.
/// `rest_at` is the byte offset of `rest` in the file.
fn parse_directive(rest: &str, rest_at: u32) -> Result<(Directive, Option<Vec<Named>>), String> {
    let trimmed = rest.trim_start();
    let lead = (rest.len() - trimmed.len()) as u32;
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(trimmed.len());
    let word = &trimmed[..word_len];
    let directive = match word {
        "ignore" => Directive::Line,
        "ignore-object" => Directive::Object,
        "ignore-file" => Directive::File,
        _ => {
            return Err(format!(
                "`kvet: {word}` is not a directive: use `ignore[...]`, `ignore-object[...]` or `ignore-file[...]`"
            ));
        }
    };
    let after = &trimmed[word_len..];
    let Some(list) = after.strip_prefix('[') else {
        return Ok((directive, None));
    };
    let Some(close) = list.find(']') else {
        return Err("unclosed `[` in a kvet directive".into());
    };
    let list_at = rest_at + lead + word_len as u32 + 1;
    let mut names = Vec::new();
    let mut offset = 0usize;
    for part in list[..close].split(',') {
        let name = part.trim();
        if !name.is_empty() {
            let at = list_at + (offset + part.find(name).unwrap_or(0)) as u32;
            names.push(Named {
                rule: name.to_string(),
                span: Span::new(at, at + name.len() as u32),
            });
        }
        offset += part.len() + 1;
    }
    if names.is_empty() {
        return Err("empty rule list in a kvet directive".into());
    }
    Ok((directive, Some(names)))
}

/// A malformed `kvet:` comment (reported as `unused-suppression`).
pub struct Malformed {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// Finds the `# kvet:` comments of a file.
fn comments(fid: FileId, source: &SourceFile, roots: &[&Node], out: &mut Vec<Suppression>, bad: &mut Vec<Malformed>) {
    let text = &source.text;
    if memchr::memmem::find(text.as_bytes(), b"kvet:").is_none() {
        return;
    }
    let mut line_start = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        let this_start = line_start;
        line_start += line.len() + 1;
        let Some(k) = line.find("kvet:") else { continue };
        // A YAML comment: `#` then optional spaces right before `kvet:`, and
        // the `#` at the line start or after white space.
        let before = line[..k].trim_end();
        let Some(hash) = before.strip_suffix('#').map(str::len) else {
            continue;
        };
        if hash > 0 && !line[..hash].ends_with([' ', '\t']) {
            continue;
        }
        let own_line = line[..hash].trim().is_empty();
        let rest_at = (this_start + k + 5) as u32;
        let span = Span::new((this_start + hash) as u32, (this_start + line.trim_end().len()) as u32);
        let line_no = i as u32 + 1;
        match parse_directive(&line[k + 5..], rest_at) {
            Ok((d, rules)) => {
                let region = match d {
                    Directive::Line if own_line => {
                        let next_end = text[line_start.min(text.len())..]
                            .find('\n')
                            .map_or(text.len(), |n| line_start + n);
                        let next = Span::new(line_start as u32, next_end as u32);
                        match opened_on(roots, next) {
                            Some(r) => Region::Nested(line_no + 1, r),
                            None => Region::Line(line_no + 1),
                        }
                    }
                    Directive::Line => Region::Line(line_no),
                    Directive::File => Region::File,
                    Directive::Object => match next_object(roots, span.end) {
                        Some(r) => Region::Range(r),
                        None => {
                            bad.push(Malformed {
                                file: fid,
                                span,
                                message: "`ignore-object` is not followed by an object".into(),
                            });
                            continue;
                        }
                    },
                };
                let n = rules.as_ref().map_or(1, Vec::len);
                out.push(Suppression {
                    file: fid,
                    region,
                    rules,
                    span,
                    hits: vec![0; n],
                });
            }
            Err(message) => bad.push(Malformed {
                file: fid,
                span,
                message,
            }),
        }
    }
}

/// What the key or list item that starts on `line` (its byte range) holds:
/// the outermost one, from its key to the end of its value (`roots`: the
/// file's objects).
fn opened_on(roots: &[&Node], line: Span) -> Option<Span> {
    roots
        .iter()
        .filter(|r| r.span.start <= line.end && line.start <= r.span.end)
        .find_map(|r| opened_in(r, line))
}

fn opened_in(node: &Node, line: Span) -> Option<Span> {
    let on_line = |at: u32| line.start <= at && at < line.end.max(line.start + 1);
    for e in node.entries() {
        if on_line(e.key_span.start) {
            return Some(Span::new(e.key_span.start, e.value.span.end.max(e.key_span.end)));
        }
        if e.value.span.start <= line.end
            && line.start <= e.value.span.end
            && let Some(r) = opened_in(&e.value, line)
        {
            return Some(r);
        }
    }
    for item in node.items() {
        if on_line(item.span.start) {
            return Some(item.span);
        }
        if item.span.start <= line.end
            && line.start <= item.span.end
            && let Some(r) = opened_in(item, line)
        {
            return Some(r);
        }
    }
    None
}

/// The span of the first object of the file that starts after `offset`.
fn next_object(roots: &[&Node], offset: u32) -> Option<Span> {
    roots
        .iter()
        .filter(|r| r.span.start >= offset)
        .min_by_key(|r| r.span.start)
        .map(|r| r.span)
}

fn annotation(node: Option<&Node>, fid: FileId, region: Span, out: &mut Vec<Suppression>) {
    let Some(value) = node.and_then(|a| a.get(ANNOTATION)) else {
        return;
    };
    let Some(text) = value.as_str() else { return };
    // Offsets of names inside a quoted scalar are approximate: point at the value.
    let names: Vec<Named> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Named {
            rule: s.to_string(),
            span: value.span,
        })
        .collect();
    let (rules, n) = if names.is_empty() || names.iter().any(|n| n.rule == "all") {
        (None, 1)
    } else {
        let n = names.len();
        (Some(names), n)
    };
    out.push(Suppression {
        file: fid,
        region: Region::Range(region),
        rules,
        span: value.span,
        hits: vec![0; n],
    });
}

/// Every suppression of the run, and the malformed directives.
/// With a focus (the language server's open documents), only the focus
/// files' suppressions are read: findings elsewhere are not kept.
pub fn collect(sources: &[SourceFile], catalog: &Catalog) -> (Vec<Suppression>, Vec<Malformed>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    let wanted = |fid: FileId| catalog.focus.as_ref().is_none_or(|f| f.contains(&fid));
    let mut roots: HashMap<FileId, Vec<&Node>> = HashMap::new();
    for o in catalog.objects.iter().filter(|o| wanted(o.file)) {
        roots.entry(o.file).or_default().push(o.root);
    }
    // Each file's comments on its own (a search of every file's text),
    // gathered in file order.
    let per_file: Vec<(Vec<Suppression>, Vec<Malformed>)> = sources
        .par_iter()
        .enumerate()
        .filter(|(fid, _)| wanted(*fid as FileId))
        .map(|(fid, s)| {
            let fid = fid as FileId;
            let (mut found, mut malformed) = (Vec::new(), Vec::new());
            let of_file = roots.get(&fid).map_or(&[][..], Vec::as_slice);
            comments(fid, s, of_file, &mut found, &mut malformed);
            (found, malformed)
        })
        .collect();
    for (found, malformed) in per_file {
        out.extend(found);
        bad.extend(malformed);
    }
    for o in catalog.objects.iter().filter(|o| wanted(o.file)) {
        annotation(o.annotations(), o.file, o.root.span, &mut out);
        // A pod template's own annotation (a Pod's metadata is the object's).
        if o.kind == "Pod" {
            continue;
        }
        if let Some(w) = Workload::of(o)
            && let Some(meta) = w.pod_metadata
        {
            annotation(w.pod_annotations(), o.file, meta.span.cover(w.pod_spec.span), &mut out);
        }
    }
    (out, bad)
}

/// Findings made outside a lint run (a kustomization's render problems)
/// filtered by the `# kvet:` comments of the files they are in, read here
/// with those files' YAML trees. Returns the kept and the silenced
/// findings, and where each suppression that silenced one is written (the
/// rule named in it, or the whole directive): the lint run of those files
/// reported them as unused, not knowing these findings.
pub fn apply_comments(
    diags: Vec<Diagnostic>,
    sources: &[SourceFile],
) -> (Vec<Diagnostic>, Vec<Diagnostic>, HashSet<(FileId, Span)>) {
    let files: std::collections::BTreeSet<FileId> = diags.iter().map(|d| d.file).collect();
    let mut sups = Vec::new();
    let mut bad = Vec::new();
    for fid in files {
        let Some(s) = sources.get(fid as usize) else { continue };
        if !s.text.contains("kvet:") {
            continue;
        }
        let stream = crate::yaml::parse_source(&s.text, s.looks_like_json(), crate::yaml::Limits::default());
        let roots: Vec<&Node> = stream.documents.iter().filter_map(|d| d.root.as_ref()).collect();
        comments(fid, s, &roots, &mut sups, &mut bad);
    }
    let (kept, silenced) = apply(diags, &mut sups, sources);
    let mut used = HashSet::new();
    for s in &sups {
        match &s.rules {
            None if s.hits[0] > 0 => {
                used.insert((s.file, s.span));
            }
            None => {}
            Some(named) => {
                for (n, hits) in named.iter().zip(&s.hits) {
                    if *hits > 0 {
                        used.insert((s.file, n.span));
                    }
                }
            }
        }
    }
    (kept, silenced, used)
}

/// Splits findings into kept and suppressed, counting what each suppression silenced.
pub fn apply(
    diags: Vec<Diagnostic>,
    sups: &mut [Suppression],
    sources: &[SourceFile],
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    if sups.is_empty() {
        return (diags, Vec::new());
    }
    let mut kept = Vec::with_capacity(diags.len());
    let mut suppressed = Vec::new();
    for d in diags {
        let line_of = |off: u32| sources.get(d.file as usize).map_or(0, |f| f.line_col(off).line);
        let mut hit = false;
        for s in sups.iter_mut() {
            if let Some(i) = s.matches(&d, line_of) {
                s.hits[i] += 1;
                hit = true;
            }
        }
        if hit {
            suppressed.push(d);
        } else {
            kept.push(d);
        }
    }
    (kept, suppressed)
}

/// `(file, span, message)` of every suppression, or rule in one, that
/// silenced nothing. Rules not enabled in this run cannot be judged and are
/// skipped; unknown rule ids are always reported.
pub fn unused(sups: &[Suppression], registry: &Registry, enabled: &HashSet<String>) -> Vec<(FileId, Span, String)> {
    let mut out = Vec::new();
    for s in sups {
        match &s.rules {
            None => {
                if s.hits[0] == 0 {
                    out.push((s.file, s.span, "this suppression silences nothing".into()));
                }
            }
            Some(named) => {
                for (n, hits) in named.iter().zip(&s.hits) {
                    if n.rule == "all" || CATEGORIES.contains(&n.rule.as_str()) {
                        continue;
                    }
                    if registry.get(&n.rule).is_none() {
                        out.push((s.file, n.span, format!("unknown rule `{}` in a suppression", n.rule)));
                    } else if *hits == 0 && enabled.contains(&n.rule) {
                        out.push((
                            s.file,
                            n.span,
                            format!("`{}` is suppressed here but not reported here", n.rule),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let text = "ignore[a-rule, other]  because reasons";
        let (d, rules) = parse_directive(text, 100).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(d, Directive::Line));
        let rules = rules.unwrap_or_default();
        assert_eq!(rules[0].rule, "a-rule");
        assert_eq!(rules[0].span, Span::new(107, 113));
        assert_eq!(rules[1].rule, "other");
        assert_eq!(rules[1].span, Span::new(115, 120));
        assert!(parse_directive(" ignore-file", 0).is_ok_and(|(d, r)| matches!(d, Directive::File) && r.is_none()));
        assert!(parse_directive(" ignroe[x]", 0).is_err());
        assert!(parse_directive(" ignore[x", 0).is_err());
        assert!(parse_directive(" ignore[]", 0).is_err());
    }
}
