//! The default report: `path:line:col: severity[rule] message`, then a
//! snippet with the exact key underlined (miette), labels, help and the
//! rule's docs pointer, and a summary line.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::source::SourceFile;

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
}

impl SourceCode for IndexedSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.file.text;
        let idx = &self.file.line_index;
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
        Ok(Box::new(MietteSpanContents::new_named(
            self.file.name.clone(),
            &text.as_bytes()[s..e],
            SourceSpan::new(s.into(), e - s),
            first,
            0,
            last - first + 1,
        )))
    }
}

struct Snippet<'a> {
    source: IndexedSource<'a>,
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
        Some(&self.source)
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

/// The one-line header of a finding.
pub fn header(d: &Diagnostic, file: &SourceFile, color: bool) -> String {
    let pos = file.line_col(d.span.start);
    format!(
        "{}:{}:{}: {}{} {}",
        paint(color, "1", &file.name),
        pos.line,
        pos.column,
        paint(color, severity_style(d.severity), d.severity.as_str()),
        paint(color, "1", &format!("[{}]", d.rule)),
        d.message
    )
}

/// Longest line shown in a snippet. A finding on a longer line (minified
/// JSON) gets its header and help without a snippet: the snippet renderer
/// cannot pad columns past 65,535, and such a line is unreadable anyway.
pub const MAX_SNIPPET_LINE: u32 = 1000;

/// Whether every line a snippet would show is short enough.
fn lines_fit(d: &Diagnostic, file: &SourceFile) -> bool {
    let idx = &file.line_index;
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

pub fn render(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    summary: &Summary,
    opts: HumanOptions,
) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(200)
        .with_wrap_lines(false)
        .with_links(false);
    let mut buf = String::new();
    for d in diags {
        let Some(file) = sources.get(d.file as usize) else {
            continue;
        };
        writeln!(out, "{}", header(d, file, opts.color))?;
        if opts.snippets && !file.text.is_empty() && lines_fit(d, file) {
            let mut labels = vec![LabeledSpan::new_primary_with_span(
                None,
                SourceSpan::new((d.span.start as usize).into(), d.span.len() as usize),
            )];
            for l in d.labels.iter().filter(|l| l.file == d.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    SourceSpan::new((l.span.start as usize).into(), l.span.len() as usize),
                ));
            }
            let snippet = Snippet {
                source: IndexedSource { file },
                labels,
                help: d.help.clone(),
                severity: match d.severity {
                    Severity::Error => miette::Severity::Error,
                    Severity::Warning => miette::Severity::Warning,
                    Severity::Info => miette::Severity::Advice,
                },
            };
            buf.clear();
            if handler.render_report(&mut buf, &snippet).is_ok() {
                // miette starts with the (empty) message line; keep the snippet.
                let body = buf.trim_start_matches(|c: char| c != '\n').trim_start_matches('\n');
                out.write_all(body.as_bytes())?;
            }
        } else if !opts.snippets {
            // Quiet: the finding line only.
            continue;
        } else if let Some(h) = &d.help {
            writeln!(out, "  help: {h}")?;
        }
        for l in d.labels.iter().filter(|l| l.file != d.file) {
            if let Some(f) = sources.get(l.file as usize) {
                let p = f.line_col(l.span.start);
                writeln!(out, "  note: {}:{}:{}: {}", f.name, p.line, p.column, l.message)?;
            }
        }
        writeln!(
            out,
            "  {}",
            paint(opts.color, "2", &format!("docs: kvet explain {}", d.rule))
        )?;
        writeln!(out)?;
    }
    if !opts.snippets {
        return Ok(());
    }
    let line = summary.to_string();
    let style = if summary.errors > 0 {
        "1;31"
    } else if summary.warnings > 0 {
        "1;33"
    } else {
        "1;32"
    };
    writeln!(out, "{}", paint(opts.color, style, &line))
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
