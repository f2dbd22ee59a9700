//! `--format junit`: JUnit XML for CI test reports. One test suite per
//! file, one test case per object (and one for the file itself when it has
//! findings outside any object); each finding at or above the failure
//! threshold is a `<failure>`, findings below it go to `<system-out>`.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::ObjectRef;
use crate::source::SourceFile;

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn describe(d: &Diagnostic, file: &SourceFile) -> String {
    let p = file.line_col(d.span.start);
    let mut s = format!(
        "{}:{}:{}: {}[{}] {}",
        file.name, p.line, p.column, d.severity, d.rule, d.message
    );
    if let Some(h) = &d.help {
        let _ = write!(s, "\nhelp: {h}");
    }
    s
}

struct Case<'a> {
    name: String,
    failures: Vec<&'a Diagnostic>,
    notes: Vec<&'a Diagnostic>,
}

pub fn render(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    objects: &[ObjectRef],
    sources: &[SourceFile],
    fail_at: Option<Severity>,
) -> io::Result<()> {
    let failing = |d: &Diagnostic| fail_at.is_some_and(|t| d.severity >= t);
    // Each file's objects and findings, found in one pass over each (not
    // one pass per file), and each object's case by its identity.
    let mut per_file: Vec<(Vec<&ObjectRef>, Vec<&Diagnostic>)> = sources.iter().map(|_| Default::default()).collect();
    for o in objects {
        if let Some(f) = per_file.get_mut(o.file as usize) {
            f.0.push(o);
        }
    }
    for d in diags {
        if let Some(f) = per_file.get_mut(d.file as usize) {
            f.1.push(d);
        }
    }
    let suites: Vec<Vec<Case>> = sources
        .iter()
        .zip(&per_file)
        .map(|(file, (file_objects, file_diags))| {
            let mut cases: Vec<Case> = file_objects
                .iter()
                .map(|o| Case {
                    name: o.meta.to_string(),
                    failures: Vec::new(),
                    notes: Vec::new(),
                })
                .collect();
            // The first object with an identity has its case (as a search
            // from the file's first object finds it).
            let mut by_meta: crate::hash::Map<*const crate::diagnostic::ObjectMeta, usize> = Default::default();
            for (i, o) in file_objects.iter().enumerate() {
                by_meta.entry(Arc::as_ptr(&o.meta)).or_insert(i);
            }
            let mut file_case = Case {
                name: format!("{} (file)", file.name),
                failures: Vec::new(),
                notes: Vec::new(),
            };
            for d in file_diags {
                let idx = d.object.as_ref().and_then(|m| by_meta.get(&Arc::as_ptr(m)).copied());
                let case = match idx.and_then(|i| cases.get_mut(i)) {
                    Some(c) => c,
                    None => &mut file_case,
                };
                if failing(d) {
                    case.failures.push(d);
                } else {
                    case.notes.push(d);
                }
            }
            if !file_case.failures.is_empty() || !file_case.notes.is_empty() || cases.is_empty() {
                cases.insert(0, file_case);
            }
            cases
        })
        .collect();
    let total_tests: usize = suites.iter().map(Vec::len).sum();
    let total_failures: usize = suites.iter().flatten().filter(|c| !c.failures.is_empty()).count();
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<testsuites name=\"kvet\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\">"
    )?;
    // One suite's text at a time: the report is never held whole.
    let mut suite = String::new();
    for (file, cases) in sources.iter().zip(&suites) {
        suite.clear();
        write_suite(&mut suite, file, cases);
        w.write_all(suite.as_bytes())?;
    }
    writeln!(w, "</testsuites>")?;
    w.flush()
}

/// One file's `<testsuite>`.
fn write_suite(out: &mut String, file: &SourceFile, cases: &[Case]) {
    let failures: usize = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        xml_escape(&file.name),
        cases.len()
    );
    for c in cases {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
            xml_escape(&c.name),
            xml_escape(&file.name),
            xml_escape(&file.name)
        );
        if c.failures.is_empty() && c.notes.is_empty() {
            let _ = writeln!(out, "/>");
            continue;
        }
        let _ = writeln!(out, ">");
        if let Some(first) = c.failures.first() {
            let message = if c.failures.len() == 1 {
                format!("{}: {}", first.rule, first.message)
            } else {
                format!(
                    "{} findings: {}",
                    c.failures.len(),
                    c.failures
                        .iter()
                        .map(|d| d.rule.as_ref())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let body: Vec<String> = c.failures.iter().map(|d| describe(d, file)).collect();
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                xml_escape(&message),
                xml_escape(&first.rule),
                xml_escape(&body.join("\n\n"))
            );
        }
        if !c.notes.is_empty() {
            let body: Vec<String> = c.notes.iter().map(|d| describe(d, file)).collect();
            let _ = writeln!(out, "      <system-out>{}</system-out>", xml_escape(&body.join("\n\n")));
        }
        let _ = writeln!(out, "    </testcase>");
    }
    let _ = writeln!(out, "  </testsuite>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;\u{FFFD}");
    }
}
