//! The default report: `path:line:col: severity[rule] message`, then a
//! snippet with the exact key underlined (miette), labels, help and the
//! rule's docs pointer, and a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::{Applicability, Diagnostic, Severity, Summary};
use crate::source::SourceFile;

mod snippet;
use snippet::Paints;

#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    /// Show a snippet under each finding.
    pub snippets: bool,
}

/// A source for miette backed by our line index: snippet extraction is a
/// binary search instead of a scan from the start of the file.
struct IndexedSource<'a> {
    file: &'a SourceFile,
    /// The text with control characters shown as `?`, made on the first
    /// snippet that has one (once per file and report).
    clean: std::sync::OnceLock<Vec<u8>>,
    /// The file's name as shown (miette asks for it on each span read).
    name: std::sync::OnceLock<String>,
}

impl<'a> IndexedSource<'a> {
    fn new(file: &'a SourceFile) -> Self {
        IndexedSource {
            file,
            clean: std::sync::OnceLock::new(),
            name: std::sync::OnceLock::new(),
        }
    }
}

impl IndexedSource<'_> {
    /// The file's name as shown.
    fn name(&self) -> &str {
        self.name.get_or_init(|| escape_controls(&self.file.name).into_owned())
    }
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.file.text;
        let idx = self.file.line_index();
        let start = span.offset();
        let end = start + span.len();
        if start > text.len() || end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = idx.line_of(start as u32).saturating_sub(before);
        let last_of_span = idx.line_of(end.saturating_sub(1).max(start) as u32);
        let last = (last_of_span + after).min(idx.line_count().saturating_sub(1));
        let s = idx.line_start(first) as usize;
        let e = (idx.line_start(last + 1) as usize).min(text.len());
        let e = e.max(s);
        let raw = &text.as_bytes()[s..e];
        let bytes: &'a [u8] = if has_controls(raw) {
            &self
                .clean
                .get_or_init(|| sanitize(text.as_bytes()).into_owned())
                .as_slice()[s..e]
        } else {
            raw
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name().to_string(),
            bytes,
            SourceSpan::new(s.into(), e - s),
            first,
            0,
            last - first + 1,
        )))
    }
}

struct Snippet<'a> {
    source: &'a IndexedSource<'a>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    severity: miette::Severity,
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Snippet")
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Snippet<'_> {}

impl miette::Diagnostic for Snippet<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

/// Text from a manifest made safe for a terminal: control characters
/// (C0, DEL, C1) and bidirectional overrides are written as escapes
/// (`\u{1b}`), so a manifest can never send escape sequences to it.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| hidden(c) || c == '\r';
    if plain(text.as_bytes()) || !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn hidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn has_controls(bytes: &[u8]) -> bool {
    !plain(bytes) && String::from_utf8_lossy(bytes).chars().any(hidden)
}

/// Whether text has nothing [`hidden`] and no `\r`, told from its bytes
/// without decoding characters: no byte below 0x20 but a tab or a line
/// feed, no DEL, and none of the UTF-8 forms of the C1 controls
/// (`C2 80`–`C2 9F`) or the bidirectional overrides (`E2 80 AA`–`AE`,
/// `E2 81 A6`–`A9`). `false` only sends the text to the exact check.
fn plain(bytes: &[u8]) -> bool {
    let ok = |b: u8| (b >= 0x20 && b != 0x7f) || b == b'\t' || b == b'\n';
    // Without a short cut inside a chunk, the compiler checks it 16 bytes at a time.
    bytes.chunks(32).all(|c| c.iter().fold(true, |all, &b| all & ok(b)))
        && memchr::memchr2_iter(0xC2, 0xE2, bytes).all(|i| match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(&n), _) if bytes[i] == 0xC2 => !(0x80..=0x9F).contains(&n),
            (Some(&0x80), Some(&n)) => !(0xAA..=0xAE).contains(&n),
            (Some(&0x81), Some(&n)) => !(0xA6..=0xA9).contains(&n),
            _ => true,
        })
}

/// Text with every control character replaced by `?` byte for byte
/// (offsets stay valid for the underlines).
fn sanitize(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return std::borrow::Cow::Borrowed(bytes);
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    for c in text.chars() {
        if hidden(c) {
            out.extend(std::iter::repeat_n(b'?', c.len_utf8()));
        } else {
            let mut b = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How a finding's fix is shown: `[fix]` (applied by `--fix`) or
/// `[unsafe fix]` (applied with `--unsafe-fixes`).
fn fix_mark(d: &Diagnostic) -> &'static str {
    match d.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::Safe) => " [fix]",
        Some(Applicability::Unsafe) => " [unsafe fix]",
        None => "",
    }
}

/// The one-line header of a finding.
pub fn header(d: &Diagnostic, file: &SourceFile, color: bool) -> String {
    let mut out = String::new();
    write_header(&mut out, d, file, color);
    out
}

/// [`header`], written at the end of `out`.
fn write_header(out: &mut String, d: &Diagnostic, file: &SourceFile, color: bool) {
    use std::fmt::Write as _;
    let pos = file.line_col(d.span.start);
    let painted = |out: &mut String, code: &str, text: &str| {
        if color {
            let _ = write!(out, "\x1b[{code}m{text}\x1b[0m");
        } else {
            out.push_str(text);
        }
    };
    painted(out, "1", &escape_controls(&file.name));
    let _ = write!(out, ":{}:{}: ", pos.line, pos.column);
    painted(out, severity_style(d.severity), d.severity.as_str());
    if color {
        let _ = write!(out, "\x1b[1m[{}]\x1b[0m", d.rule);
    } else {
        let _ = write!(out, "[{}]", d.rule);
    }
    out.push(' ');
    out.push_str(&escape_controls(&d.message));
    painted(out, "2", fix_mark(d));
}

/// Findings counted by rule, for the summary table and `--statistics`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub severity: Severity,
    pub count: usize,
    /// Findings with a safe fix (`--fix`).
    pub fixable: usize,
    /// Findings with a fix applied only with `--unsafe-fixes`.
    pub unsafe_fixable: usize,
}

/// Counts by rule and severity: errors first, then by count.
pub fn by_rule(diags: &[Diagnostic]) -> Vec<RuleCount> {
    let mut map: std::collections::BTreeMap<(Severity, &str), RuleCount> = std::collections::BTreeMap::new();
    for d in diags {
        let c = map.entry((d.severity, &d.rule)).or_insert_with(|| RuleCount {
            rule: d.rule.to_string(),
            severity: d.severity,
            count: 0,
            fixable: 0,
            unsafe_fixable: 0,
        });
        c.count += 1;
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => c.fixable += 1,
            Some(Applicability::Unsafe) => c.unsafe_fixable += 1,
            None => {}
        }
    }
    let mut v: Vec<RuleCount> = map.into_values().collect();
    v.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then(a.rule.cmp(&b.rule))
    });
    v
}

/// The table of findings by rule (`--statistics`, and the end of the
/// human report).
pub fn render_statistics(out: &mut dyn Write, diags: &[Diagnostic], color: bool) -> io::Result<()> {
    let rows = by_rule(diags);
    let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let count_width = rows.iter().map(|r| r.count.to_string().len()).max().unwrap_or(1);
    for r in &rows {
        let fixes = match (r.fixable, r.unsafe_fixable) {
            (0, 0) => String::new(),
            (n, 0) => format!("{n} fixable"),
            (0, m) => format!("{m} unsafe-fixable"),
            (n, m) => format!("{n} fixable, {m} unsafe-fixable"),
        };
        let line = format!(
            "{:>count_width$}  {:<7}  {:<width$}  {}",
            r.count,
            r.severity.as_str(),
            r.rule,
            fixes
        );
        writeln!(out, "{}", paint(color, severity_style(r.severity), line.trim_end()))?;
    }
    Ok(())
}

/// "N fixable with `--fix` (M more with `--unsafe-fixes`)", or nothing.
pub fn fixable_line(diags: &[Diagnostic]) -> Option<String> {
    let safe = diags
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Safe))
        .count();
    let unsafe_ = diags
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Unsafe))
        .count();
    match (safe, unsafe_) {
        (0, 0) => None,
        (n, 0) => Some(format!("{n} fixable with `kvet check --fix`")),
        (0, m) => Some(format!("{m} fixable with `kvet check --fix --unsafe-fixes`")),
        (n, m) => Some(format!(
            "{n} fixable with `kvet check --fix` ({m} more with `--unsafe-fixes`)"
        )),
    }
}

/// Longest line shown in a snippet. A finding on a longer line (minified
/// JSON) gets its header and help without a snippet: the snippet renderer
/// cannot pad columns past 65,535, and such a line is unreadable anyway.
pub const MAX_SNIPPET_LINE: u32 = 1000;

/// Whether every line a snippet would show is short enough.
fn lines_fit(d: &Diagnostic, file: &SourceFile) -> bool {
    let idx = file.line_index();
    let spans = std::iter::once(d.span).chain(d.labels.iter().filter(|l| l.file == d.file).map(|l| l.span));
    spans.into_iter().all(|span| {
        let (first, last) = (idx.line_of(span.start), idx.line_of(span.end.max(span.start)));
        // A span over many lines: its first and last lines are the ones
        // shown at full width (with one line of context each side).
        [first.saturating_sub(1), first, last, last + 1].iter().all(|&l| {
            let (s, e) = idx.line_range(&file.text, l);
            e.saturating_sub(s) <= MAX_SNIPPET_LINE
        })
    })
}

/// What writing a group of findings needs.
struct GroupContext<'a> {
    sources: &'a [SourceFile],
    indexed: &'a [IndexedSource<'a>],
    handler: &'a GraphicalReportHandler,
    opts: HumanOptions,
    /// Write the common snippet without miette ([`Paints::simple`]);
    /// `None` sends every snippet to miette.
    simple: Option<&'a Paints>,
}

impl GroupContext<'_> {
    /// The findings at one place (`group`): their header lines, one
    /// snippet, notes in other files and the docs line, at the end of
    /// `out`; `buf` is scratch space for miette. Whether the snippet was
    /// written without miette ([`Paints::simple`]).
    fn write(&self, out: &mut String, buf: &mut String, group: &[Diagnostic]) -> bool {
        let Some(d) = group.first() else {
            return false;
        };
        let Some(file) = self.sources.get(d.file as usize) else {
            return false;
        };
        for g in group {
            write_header(out, g, file, self.opts.color);
            out.push('\n');
        }
        if !self.opts.snippets {
            // Quiet: the finding lines only.
            return false;
        }
        let simple = self.snippet(out, buf, group, file);
        self.write_notes(out, group);
        simple
    }

    /// The snippet of `group` (in `file`) and its help; whether it was
    /// written without miette.
    fn snippet(&self, out: &mut String, buf: &mut String, group: &[Diagnostic], file: &SourceFile) -> bool {
        use std::fmt::Write as _;
        let Some(d) = group.first() else {
            return false;
        };
        let mut helps: Vec<&str> = Vec::new();
        for h in group.iter().filter_map(|g| g.help.as_deref()) {
            if !helps.contains(&h) {
                helps.push(h);
            }
        }
        let help = (!helps.is_empty()).then(|| escape_controls(&helps.join("\n")).into_owned());
        if file.text.is_empty() || !group.iter().all(|g| lines_fit(g, file)) {
            if let Some(h) = &help {
                let _ = writeln!(out, "  help: {h}");
            }
            return false;
        }
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            None,
            SourceSpan::new((d.span.start as usize).into(), d.span.len() as usize),
        )];
        let mut seen: Vec<(crate::yaml::Span, &str)> = Vec::new();
        for l in group.iter().flat_map(|g| &g.labels).filter(|l| l.file == d.file) {
            if seen.contains(&(l.span, l.message.as_str())) {
                continue;
            }
            seen.push((l.span, &l.message));
            labels.push(LabeledSpan::new_with_span(
                Some(escape_controls(&l.message).into_owned()),
                SourceSpan::new((l.span.start as usize).into(), l.span.len() as usize),
            ));
        }
        let source = &self.indexed[d.file as usize];
        if let Some(paints) = self.simple
            && paints.simple(out, source, &labels, help.as_deref())
        {
            return true;
        }
        let snippet = Snippet {
            source,
            labels,
            help,
            severity: match group.iter().map(|g| g.severity).max().unwrap_or(d.severity) {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
        };
        buf.clear();
        if self.handler.render_report(buf, &snippet).is_ok() {
            // miette starts with the (empty) message line; keep the snippet.
            let body = buf.trim_start_matches(|c: char| c != '\n').trim_start_matches('\n');
            out.push_str(body);
        }
        false
    }

    /// The notes of `group` in other files, and its docs line.
    fn write_notes(&self, out: &mut String, group: &[Diagnostic]) {
        use std::fmt::Write as _;
        let (sources, opts) = (self.sources, self.opts);
        let Some(d) = group.first() else {
            return;
        };
        let mut noted: Vec<(u32, crate::yaml::Span, &str)> = Vec::new();
        for l in group.iter().flat_map(|g| &g.labels).filter(|l| l.file != d.file) {
            if noted.contains(&(l.file, l.span, l.message.as_str())) {
                continue;
            }
            noted.push((l.file, l.span, &l.message));
            if let Some(f) = sources.get(l.file as usize) {
                let p = f.line_col(l.span.start);
                let _ = writeln!(
                    out,
                    "  note: {}:{}:{}: {}",
                    escape_controls(&f.name),
                    p.line,
                    p.column,
                    escape_controls(&l.message)
                );
            }
        }
        let mut rules: Vec<&str> = group.iter().map(|g| &*g.rule).collect();
        rules.dedup();
        let docs: Vec<String> = rules.iter().map(|r| format!("kvet explain {r}")).collect();
        let _ = writeln!(
            out,
            "  {}",
            paint(opts.color, "2", &format!("docs: {}", docs.join(" · ")))
        );
        out.push('\n');
    }
}

/// Findings at the same place (in order), which share one snippet.
fn groups(diags: &[Diagnostic]) -> Vec<&[Diagnostic]> {
    let mut groups = Vec::new();
    let mut rest = diags;
    while let Some(d) = rest.first() {
        let n = rest
            .iter()
            .take_while(|o| o.file == d.file && o.span == d.span)
            .count()
            .max(1);
        let (group, tail) = rest.split_at(n);
        groups.push(group);
        rest = tail;
    }
    groups
}

/// The theme of the snippets and miette's handler drawing with it.
fn themed(color: bool) -> (GraphicalTheme, GraphicalReportHandler) {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme.clone())
        .with_context_lines(1)
        .with_width(200)
        .with_wrap_lines(false)
        .with_links(false);
    (theme, handler)
}

pub fn render(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    summary: &Summary,
    opts: HumanOptions,
) -> io::Result<()> {
    let (theme, handler) = themed(opts.color);
    let paints = Paints::of(&theme);
    let indexed: Vec<IndexedSource> = sources.iter().map(IndexedSource::new).collect();
    let groups = groups(diags);
    // Written in parallel, in chunks (as the JSON report's findings are):
    // a snippet costs about 35,000 instructions.
    const CHUNK: usize = 16;
    let ctx = GroupContext {
        sources,
        indexed: &indexed,
        handler: &handler,
        opts,
        simple: paints.as_ref(),
    };
    let render = |chunk: &[&[Diagnostic]]| {
        let (mut text, mut scratch) = (String::new(), String::new());
        for group in chunk {
            ctx.write(&mut text, &mut scratch, group);
        }
        text
    };
    super::in_ordered_batches(&groups, CHUNK, render, |text| out.write_all(text.as_bytes()))?;
    if !opts.snippets {
        return Ok(());
    }
    if !diags.is_empty() {
        writeln!(out, "{}", paint(opts.color, "1", "Findings by rule:"))?;
        render_statistics(out, diags, opts.color)?;
        writeln!(out)?;
    }
    let line = summary.to_string();
    let style = if summary.errors > 0 {
        "1;31"
    } else if summary.warnings > 0 {
        "1;33"
    } else {
        "1;32"
    };
    writeln!(out, "{}", paint(opts.color, style, &line))?;
    if let Some(f) = fixable_line(diags) {
        writeln!(out, "{}", paint(opts.color, "2", &f))?;
    }
    Ok(())
}

/// `--show-suppressed`: one line per silenced finding.
pub fn render_suppressed(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    color: bool,
) -> io::Result<()> {
    if diags.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", paint(color, "1", "Suppressed:"))?;
    for d in diags {
        if let Some(file) = sources.get(d.file as usize) {
            writeln!(out, "  {}", header(d, file, false))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn plain_text_is_told_from_bytes_as_characters_tell_it() {
        let exact = |t: &str| !t.chars().any(|c| hidden(c) || c == '\r');
        // Every character up to U+3000 (C0, DEL, C1, the bidirectional
        // overrides and their UTF-8 neighbours), alone and after 31 bytes
        // (across the 32-byte chunks), and a few beyond.
        let chars = (0..0x3000)
            .filter_map(char::from_u32)
            .chain(['\u{feff}', '😀', '\u{e0001}']);
        for c in chars {
            for text in [c.to_string(), format!("{}{c}x", "a".repeat(31))] {
                assert_eq!(plain(text.as_bytes()), exact(&text), "{:x}", c as u32);
                assert_eq!(
                    matches!(escape_controls(&text), std::borrow::Cow::Borrowed(_)),
                    exact(&text),
                    "{:x}",
                    c as u32
                );
            }
        }
    }
}
