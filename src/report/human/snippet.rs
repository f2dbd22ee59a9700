//! The common snippet of the human report, written by kvet itself
//! ([`Paints::simple`]) byte for byte as miette writes it; miette writes
//! the others.

use miette::{GraphicalTheme, LabeledSpan};

use super::IndexedSource;

/// The escapes miette's theme writes before and after each part of a
/// snippet (empty strings without colour), taken from the theme itself.
pub(super) struct Paints {
    link: (String, String),
    linum: (String, String),
    /// The highlight styles, given to the spans in turn.
    highlights: Vec<(String, String)>,
    help: (String, String),
}

impl Paints {
    /// The paints of `theme`; `None` for a theme with no highlight style.
    pub(super) fn of(theme: &GraphicalTheme) -> Option<Paints> {
        macro_rules! pair {
            ($style:expr) => {
                (
                    $style.prefix_formatter().to_string(),
                    $style.suffix_formatter().to_string(),
                )
            };
        }
        let styles = &theme.styles;
        if styles.highlights.is_empty() {
            return None;
        }
        let chars = &theme.characters;
        // The characters this writer draws.
        let drawn = (
            chars.hbar,
            chars.vbar,
            chars.vbar_break,
            chars.ltop,
            chars.lbot,
            chars.underline,
            chars.underbar,
        );
        (drawn == ('─', '│', '·', '╭', '╰', '─', '┬')).then(|| Paints {
            link: pair!(styles.link),
            linum: pair!(styles.linum),
            highlights: styles.highlights.iter().map(|h| pair!(h)).collect(),
            help: pair!(styles.help),
        })
    }

    /// The snippet miette writes for `labels` (the finding's own span
    /// first, then its labels in this file) and `help`, byte for byte as
    /// miette writes it with the handler of [`super::render`], when every span is
    /// on one line and not empty, no two spans share a line, no label has
    /// a line break, and every line shown is printable ASCII. That is nine
    /// snippets in ten on the corpus, at a fraction of miette's cost.
    /// `false`, having written nothing, for any other snippet.
    pub(super) fn simple(
        &self,
        out: &mut String,
        source: &IndexedSource<'_>,
        labels: &[LabeledSpan],
        help: Option<&str>,
    ) -> bool {
        let mark = out.len();
        let done = self.try_simple(out, source, labels, help).is_some();
        if !done {
            out.truncate(mark);
        }
        done
    }

    fn try_simple(
        &self,
        out: &mut String,
        source: &IndexedSource<'_>,
        labels: &[LabeledSpan],
        help: Option<&str>,
    ) -> Option<()> {
        use std::fmt::Write as _;
        let (text, idx) = (source.file.text.as_bytes(), source.file.line_index());
        // (start, end, line, label, primary), by start as miette sorts
        // them; each gets the highlight style of its place in that order.
        let mut spans = Vec::with_capacity(labels.len());
        for l in labels {
            let (start, end) = (l.offset(), l.offset() + l.len());
            if start >= end || end > text.len() || text[start..end].contains(&b'\n') {
                return None;
            }
            let label = l.label();
            if label.is_some_and(|t| t.contains('\n')) {
                return None;
            }
            spans.push((start, end, idx.line_of(start as u32), label, l.primary()));
        }
        spans.sort_by_key(|s| s.0);
        if spans.windows(2).any(|w| w[0].2 == w[1].2) || spans.is_empty() {
            return None;
        }
        // The lines miette shows around a line (as `read_span` cuts them).
        let last_line = idx.line_count().saturating_sub(1);
        let around = |line: usize| (line.saturating_sub(1), (line + 1).min(last_line));
        // Contexts: runs of spans whose lines shown touch or overlap.
        let mut contexts: Vec<std::ops::Range<usize>> = Vec::new();
        let mut shown_until = 0;
        for (i, s) in spans.iter().enumerate() {
            let (first, last) = around(s.2);
            match contexts.last_mut() {
                Some(c) if shown_until + 1 >= first => c.end = i + 1,
                _ => contexts.push(i..i + 1),
            }
            shown_until = last;
        }
        for c in contexts {
            let group = &spans[c];
            let (first, _) = around(group.first()?.2);
            let (_, last) = around(group.last()?.2);
            let from = idx.line_start(first) as usize;
            let to = (idx.line_start(last + 1) as usize).min(text.len()).max(from);
            let shown = &text[from..to];
            if !shown.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\n') {
                return None;
            }
            let lines: Vec<&[u8]> = shown.split_inclusive(|&b| b == b'\n').collect();
            let width = (first + lines.len()).to_string().len();
            // The line the box names: its primary span's, else its first's.
            let named = group.iter().find(|s| s.4).unwrap_or(&group[0]).2;
            let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
            pad(out, width + 2);
            let _ = writeln!(
                out,
                "╭─[{}{}:{}:1{}]",
                self.link.0,
                source.name(),
                named + 1,
                self.link.1
            );
            let mut next = group.iter().peekable();
            for (i, l) in lines.iter().enumerate() {
                let l = l.strip_suffix(b"\n").unwrap_or(l);
                let _ = write!(out, " {}{:>width$}{} │ ", self.linum.0, first + i + 1, self.linum.1);
                out.push_str(std::str::from_utf8(l).ok()?);
                out.push('\n');
                let Some(&&(start, end, line, label, _)) = next.peek() else {
                    continue;
                };
                if line != first + i {
                    continue;
                }
                next.next();
                let place = spans.iter().position(|s| s.0 == start)?;
                let (on, off) = &self.highlights[place % self.highlights.len()];
                let line_start = idx.line_start(line) as usize;
                let (from, to) = (start - line_start, end - line_start);
                let bar = (from + to) / 2;
                out.push(' ');
                pad(out, width);
                out.push_str(" · ");
                out.push_str(on);
                pad(out, from);
                out.extend(std::iter::repeat_n('─', bar - from));
                out.push(if label.is_some() { '┬' } else { '─' });
                out.extend(std::iter::repeat_n('─', to - bar - 1));
                out.push_str(off);
                out.push('\n');
                if let Some(label) = label {
                    out.push(' ');
                    pad(out, width);
                    out.push_str(" · ");
                    pad(out, bar);
                    let _ = writeln!(out, "{on}╰── {on}{label}{off}{off}");
                }
            }
            pad(out, width + 2);
            out.push_str("╰────\n");
        }
        if let Some(h) = help {
            self.help_lines(out, h);
        }
        Some(())
    }

    /// `help` as miette writes it when it does not wrap lines: `  help: `
    /// before the first line, eight spaces before the others, nothing
    /// before a blank one.
    fn help_lines(&self, out: &mut String, help: &str) {
        let first = format!("{}  help: {}", self.help.0, self.help.1);
        for (i, line) in help.split_terminator('\n').enumerate() {
            let blank = line.trim().is_empty();
            match (i, blank) {
                (0, true) => out.push_str(first.trim_end()),
                (0, false) => out.push_str(&first),
                (_, true) => out.push('\n'),
                (_, false) => out.push_str("\n        "),
            }
            out.push_str(line);
        }
        if help.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::diagnostic::Label;
    use crate::yaml::Span;

    /// Writes `group` with the simple writer and with miette only, with
    /// and without colour, and checks that the texts are the same; returns
    /// whether the simple writer took it.
    fn both_ways(sources: &[SourceFile], group: &[Diagnostic]) -> bool {
        let indexed: Vec<IndexedSource> = sources.iter().map(IndexedSource::new).collect();
        let mut took = Vec::new();
        for color in [false, true] {
            let (theme, handler) = themed(color);
            let paints = Paints::of(&theme).expect("kvet's themes draw with the simple writer's characters");
            let context = |simple| GroupContext {
                sources,
                indexed: &indexed,
                handler: &handler,
                opts: HumanOptions { color, snippets: true },
                simple,
            };
            let (mut fast, mut slow, mut buf) = (String::new(), String::new(), String::new());
            took.push(context(Some(&paints)).write(&mut fast, &mut buf, group));
            assert!(!context(None).write(&mut slow, &mut buf, group));
            assert_eq!(
                fast, slow,
                "colour {color}, text {:?}, findings {group:?}",
                sources[group[0].file as usize].text
            );
        }
        assert_eq!(
            took[0], took[1],
            "the simple writer takes a snippet in both colours or in neither"
        );
        took[0]
    }

    #[test]
    fn simple_snippets_are_miettes_on_the_fixtures() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        // (Some fixtures are meant not to be read: a dangling link.)
        let sources: Vec<SourceFile> = paths
            .iter()
            .filter_map(|p| {
                let name = p.strip_prefix(&root).unwrap_or(p).display().to_string();
                Some(SourceFile::from_bytes(name, Some(p.clone()), std::fs::read(p).ok()?))
            })
            .collect();
        let output = crate::lint::lint(&sources, &crate::config::Config::default());
        let groups = groups(&output.diagnostics);
        let simple = groups.iter().filter(|g| both_ways(&sources, g)).count();
        // Most fixture snippets are the common shape; some are not (labels
        // on one line, tabs, non-ASCII text, spans over lines).
        assert!(groups.len() > 500, "{} snippets", groups.len());
        assert!(simple * 10 > groups.len() * 7, "{simple} of {} snippets", groups.len());
        assert!(simple < groups.len(), "no snippet went to miette");
    }

    #[test]
    fn simple_snippets_are_miettes_on_generated_text() {
        // xorshift: the same cases on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut below = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n.max(1) as u64) as usize
        };
        let (mut simple, mut labelled, mut total) = (0, 0, 0);
        for _ in 0..6000 {
            let n_lines = [1, 2, 3, 5, 9, 10, 11, 12, 98, 99, 100, 101][below(12)];
            let mut text = String::new();
            for i in 0..n_lines {
                if i > 0 {
                    text.push('\n');
                }
                // One line in 12 may hold what the simple writer leaves
                // to miette.
                let odd = if below(12) == 0 { 3 } else { 0 };
                for _ in 0..below(30) {
                    text.push(match below(60) {
                        0 if odd > 0 => '\t',
                        1 if odd > 0 => 'é',
                        2 if odd > 0 => '\u{7}',
                        0..=12 => ' ',
                        13..=16 => ':',
                        17 => '\'',
                        _ => (b'a' + below(26) as u8) as char,
                    });
                }
                if odd > 0 && below(3) == 0 {
                    text.push('\r');
                }
            }
            if below(2) == 0 {
                text.push('\n');
            }
            // A span: mostly within a line (empty now and then), sometimes
            // over lines; near the last lines often (line-number widths).
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            let span = |below: &mut dyn FnMut(usize) -> usize| {
                let line = if below(2) == 0 {
                    starts.len() - 1 - below(3).min(starts.len() - 1)
                } else {
                    below(starts.len())
                };
                let from = starts[line];
                let to = text[from..].find('\n').map_or(text.len(), |i| from + i);
                let start = from + below(to - from + 1);
                let end = match below(10) {
                    0 => start,
                    1 => (start + below(40)).min(text.len()),
                    2 => (to + 1).min(text.len()),
                    _ => start + below(to - start + 1),
                };
                (text.is_char_boundary(start) && text.is_char_boundary(end))
                    .then(|| Span::new(start as u32, end as u32))
            };
            let Some(own) = span(&mut below) else { continue };
            let mut d = Diagnostic::new("test-rule", Severity::Warning, 0, own, "a finding");
            for _ in 0..[0, 0, 1, 2, 3][below(5)] {
                if let Some(s) = span(&mut below) {
                    let message = ["a label", "", "two\nlines", "`x` here"][below(4)];
                    d.labels.push(Label {
                        file: 0,
                        span: s,
                        message: message.into(),
                    });
                }
            }
            d.help = [
                None,
                Some(""),
                Some("fix it"),
                Some("a\n\nb"),
                Some("\nlead"),
                Some("trail\n"),
                Some("  \n x"),
            ][below(7)]
            .map(String::from);
            let sources = [SourceFile::from_text("gen.yaml", None, text)];
            total += 1;
            if both_ways(&sources, std::slice::from_ref(&d)) {
                simple += 1;
                labelled += usize::from(!d.labels.is_empty());
            }
        }
        // Both writers are exercised, the simple one with labels too.
        assert!(simple * 8 > total, "{simple} of {total} by the simple writer");
        assert!(simple * 10 < total * 9, "{simple} of {total} by the simple writer");
        assert!(labelled > 120, "{labelled} with labels by the simple writer");
    }
}
