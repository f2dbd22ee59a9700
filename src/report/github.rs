//! `--format github`: GitHub Actions workflow commands, so findings appear
//! as annotations on the pull request's diff.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::source::SourceFile;

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(out: &mut dyn Write, diags: &[Diagnostic], sources: &[SourceFile], summary: &Summary) -> io::Result<()> {
    for d in diags {
        let Some(file) = sources.get(d.file as usize) else {
            continue;
        };
        let s = file.line_col(d.span.start);
        let e = file.line_col(d.span.end.max(d.span.start));
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        // An annotation has one location: the related ones (the object a
        // finding names, the kustomization that rendered it) become notes,
        // as in the human output.
        for l in &d.labels {
            if let Some(f) = sources.get(l.file as usize) {
                let p = f.line_col(l.span.start);
                message.push_str(&format!(
                    "\nnote: {}:{}:{}: {}",
                    f.name.trim_start_matches("./"),
                    p.line,
                    p.column,
                    l.message
                ));
            }
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(file.name.trim_start_matches("./")),
            s.line,
            s.column,
            e.line,
            e.column,
            escape_property(&format!("kvet {}", d.rule)),
            escape_data(&message)
        )?;
    }
    writeln!(out, "{summary}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
