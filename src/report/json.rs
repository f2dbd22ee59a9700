//! `--format json`: one stable, versioned JSON document, streamed from
//! borrowed structs (no intermediate `serde_json::Value`).

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Applicability, Diagnostic, ObjectMeta, RENDERED_BY, Severity, Summary};
use crate::source::SourceFile;
use crate::yaml::Span;

/// Format version of the JSON report.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Pos {
    line: u32,
    column: u32,
    offset: u32,
}

#[derive(Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    file: &'a str,
    start: Pos,
    end: Pos,
}

/// One step of a rendered finding's origin: where the value was written
/// (`role: "source"`), then each kustomization root that rendered it
/// (`role: "root"`).
#[derive(Serialize)]
struct OriginOut<'a> {
    file: &'a str,
    start: Pos,
    end: Pos,
    role: &'static str,
}

#[derive(Serialize)]
struct EditOut<'a> {
    file: &'a str,
    start: Pos,
    end: Pos,
    replacement: &'a str,
}

#[derive(Serialize)]
struct FixOut<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct DiagOut<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    start: Pos,
    end: Pos,
    object: Option<&'a ObjectMeta>,
    labels: Vec<LabelOut<'a>>,
    fix: Option<FixOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    origin: Vec<OriginOut<'a>>,
}

/// The report's shape ([`render_with`] writes it by hand).
#[cfg(test)]
#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    diagnostics: Vec<DiagOut<'a>>,
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<DiagOut<'a>>>,
}

fn pos(file: &SourceFile, offset: u32) -> Pos {
    let p = file.line_col(offset);
    Pos {
        line: p.line,
        column: p.column,
        offset,
    }
}

fn range(file: &SourceFile, span: Span) -> (Pos, Pos) {
    (pos(file, span.start), pos(file, span.end))
}

fn diag<'a>(d: &'a Diagnostic, sources: &'a [SourceFile], empty: &'a SourceFile) -> DiagOut<'a> {
    let file = sources.get(d.file as usize).unwrap_or(empty);
    let (start, end) = range(file, d.span);
    let roots: Vec<OriginOut<'a>> = d
        .labels
        .iter()
        .filter(|l| l.message == RENDERED_BY)
        .map(|l| {
            let lf = sources.get(l.file as usize).unwrap_or(file);
            let (start, end) = range(lf, l.span);
            OriginOut {
                file: &lf.name,
                start,
                end,
                role: "root",
            }
        })
        .collect();
    let origin = if roots.is_empty() {
        roots
    } else {
        let (s, e) = range(file, d.span);
        std::iter::once(OriginOut {
            file: &file.name,
            start: s,
            end: e,
            role: "source",
        })
        .chain(roots)
        .collect()
    };
    DiagOut {
        origin,
        rule: &d.rule,
        severity: d.severity,
        message: &d.message,
        help: d.help.as_deref(),
        file: &file.name,
        start,
        end,
        object: d.object.as_deref(),
        labels: d
            .labels
            .iter()
            .map(|l| {
                let lf = sources.get(l.file as usize).unwrap_or(file);
                let (start, end) = range(lf, l.span);
                LabelOut {
                    message: &l.message,
                    file: &lf.name,
                    start,
                    end,
                }
            })
            .collect(),
        fix: d.fix.as_ref().map(|f| FixOut {
            title: &f.title,
            applicability: f.applicability,
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let ef = sources.get(e.file as usize).unwrap_or(file);
                    let (start, end) = range(ef, e.span);
                    EditOut {
                        file: &ef.name,
                        start,
                        end,
                        replacement: &e.replacement,
                    }
                })
                .collect(),
        }),
    }
}

pub fn render(out: &mut dyn Write, diags: &[Diagnostic], sources: &[SourceFile], summary: &Summary) -> io::Result<()> {
    render_with(out, diags, None, sources, summary)
}

/// The report, with a `suppressed` list when asked (`--show-suppressed`).
///
/// The layout is serde_json's pretty printer's for [`Report`]; the
/// findings are written in parallel, in chunks, each at the indentation of
/// an item of the list, a batch of chunks at a time (on the corpus, 7,500 findings make 7.4 MB of JSON,
/// which one thread took 86 M instructions to write while the other was
/// idle).
pub fn render_with(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    suppressed: Option<&[Diagnostic]>,
    sources: &[SourceFile],
    summary: &Summary,
) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    write!(w, "{{\n  \"version\": {JSON_VERSION},\n  \"diagnostics\": ")?;
    write_list(&mut w, diags, sources)?;
    w.write_all(b",\n  \"summary\": ")?;
    let mut ser = serde_json::Serializer::with_formatter(
        &mut w,
        Pretty {
            level: 1,
            has_value: false,
        },
    );
    summary.serialize(&mut ser)?;
    if let Some(list) = suppressed {
        w.write_all(b",\n  \"suppressed\": ")?;
        write_list(&mut w, list, sources)?;
    }
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// A list of findings as the value of a key of the report (level 1),
/// written a batch of chunks at a time: the report is never held whole
/// (the 20x corpus's is 150 MB).
fn write_list(w: &mut impl Write, diags: &[Diagnostic], sources: &[SourceFile]) -> io::Result<()> {
    use rayon::prelude::*;
    /// Findings a task writes: enough to outweigh the task's cost.
    const CHUNK: usize = 256;
    const ITEM: &[u8] = b"\n    ";
    if diags.is_empty() {
        return w.write_all(b"[]");
    }
    let empty = SourceFile::from_text("", None, String::new());
    let render = |chunk: &[Diagnostic]| -> io::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(chunk.len() * 1024);
        for (i, d) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(ITEM);
            let mut ser = serde_json::Serializer::with_formatter(
                &mut buf,
                Pretty {
                    level: 2,
                    has_value: false,
                },
            );
            diag(d, sources, &empty).serialize(&mut ser)?;
        }
        Ok(buf)
    };
    // Two chunks per thread side by side before they go out: enough to
    // keep the threads busy, little to hold (16 at a time on 2 threads
    // cost 2.5 MB of peak RSS on the corpus).
    let batch = CHUNK * 2 * rayon::current_num_threads().max(1);
    w.write_all(b"[")?;
    for (b, batch) in diags.chunks(batch).enumerate() {
        let chunks: Vec<io::Result<Vec<u8>>> = batch.par_chunks(CHUNK).map(render).collect();
        for (i, chunk) in chunks.into_iter().enumerate() {
            if b > 0 || i > 0 {
                w.write_all(b",")?;
            }
            w.write_all(&chunk?)?;
        }
    }
    w.write_all(b"\n  ]")
}

/// Writes `value` as pretty JSON and a line break. serde_json writes a few
/// bytes at a time: through a buffer of a known type those writes are
/// inlined copies, not calls through `out`'s vtable (the JSON report of
/// the corpus made 2 million of them, 64 M instructions).
pub(crate) fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    let mut ser = serde_json::Serializer::with_formatter(&mut buffered, Pretty::default());
    value.serialize(&mut ser)?;
    writeln!(buffered)?;
    buffered.flush()
}

/// A line break and the indentation of up to 64 levels.
const LINE_STARTS: &[u8; 129] = &{
    let mut b = [b' '; 129];
    b[0] = b'\n';
    b
};

/// serde_json's pretty layout (two spaces a level, `"key": value`), with
/// each line's break and indentation written as one copy: serde_json's own
/// pretty printer writes the break and then each level's two spaces apart,
/// four or five small writes per key of a report.
#[derive(Default)]
struct Pretty {
    level: usize,
    has_value: bool,
}

impl Pretty {
    fn line_start<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        match LINE_STARTS.get(..1 + 2 * self.level) {
            Some(start) => w.write_all(start),
            None => {
                w.write_all(b"\n")?;
                (0..self.level).try_for_each(|_| w.write_all(b"  "))
            }
        }
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level = self.level.saturating_sub(1);
        if self.has_value {
            self.line_start(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.line_start(w)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout is serde_json's pretty printer's, byte for byte: nested
    /// and empty collections, strings to escape, deep nesting past the
    /// indentation table.
    #[test]
    fn pretty_layout_is_serde_jsons() {
        let mut deep = serde_json::json!("leaf");
        for i in 0..70 {
            deep = if i % 2 == 0 {
                serde_json::json!([deep, {}])
            } else {
                serde_json::json!({ "k": deep, "e": [] })
            };
        }
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(null),
            serde_json::json!({ "a": [1, [], {}, [[]], { "b": { "c": [true, "x\n\"y\""] } }], "d": 2.5 }),
            serde_json::json!([{ "a": [] }, [{}], "t\u{1}"]),
            deep,
        ];
        for v in values {
            let mut got = Vec::new();
            write_json(&mut got, &v).unwrap_or_else(|e| panic!("{e}"));
            let want = serde_json::to_string_pretty(&v).unwrap_or_else(|e| panic!("{e}")) + "\n";
            assert_eq!(String::from_utf8_lossy(&got), want);
        }
    }

    /// The report written in parallel chunks is serde_json's pretty layout
    /// of the whole [`Report`], byte for byte: no findings, one, several
    /// chunks' and several batches' worth, with labels, fixes, origins,
    /// objects and escapes, and with and without a `suppressed` list.
    #[test]
    fn chunked_report_is_the_whole_reports_layout() {
        use crate::diagnostic::{Edit, Fix, Label};
        let sources = vec![
            SourceFile::from_text("a.yaml", None, "kind: Pod\nmetadata:\n  name: \"é\"\n".repeat(40)),
            SourceFile::from_text("b \"q\".yaml", None, "x: 1\n".into()),
        ];
        let make = |n: usize| -> Vec<Diagnostic> {
            (0..n)
                .map(|i| {
                    let mut d = Diagnostic::new(
                        "some-rule",
                        if i % 3 == 0 { Severity::Error } else { Severity::Warning },
                        (i % 2) as u32,
                        Span::new((i % 30) as u32, (i % 30 + 4) as u32),
                        format!("message {i} with \"quotes\" and \\ and \u{1}"),
                    );
                    if i % 2 == 0 {
                        d.help = Some("help\ttext".into());
                        d.labels.push(Label {
                            file: 0,
                            span: Span::new(2, 5),
                            message: "a label".into(),
                        });
                    }
                    if i % 5 == 0 {
                        d.labels.push(Label {
                            file: 1,
                            span: Span::new(0, 1),
                            message: RENDERED_BY.into(),
                        });
                        d.fix = Some(Fix {
                            title: "fix it".into(),
                            applicability: Applicability::Safe,
                            edits: vec![Edit {
                                file: 0,
                                span: Span::new(1, 3),
                                replacement: "new\n".into(),
                            }],
                        });
                    }
                    if i % 7 == 0 {
                        d.object = Some(std::sync::Arc::new(ObjectMeta {
                            api_version: "v1".into(),
                            kind: "Pod".into(),
                            name: Some(format!("p{i}")),
                            namespace: None,
                        }));
                    }
                    d
                })
                .collect()
        };
        let summary = Summary {
            files: 2,
            objects: 3,
            errors: 4,
            warnings: 5,
            infos: 0,
            suppressed: 1,
        };
        for (n, suppressed) in [
            (0, None),
            (1, None),
            (700, None),
            (4400, None),
            (3, Some(0)),
            (2, Some(300)),
        ] {
            let diags = make(n);
            let suppressed = suppressed.map(make);
            let mut got = Vec::new();
            render_with(&mut got, &diags, suppressed.as_deref(), &sources, &summary).unwrap_or_else(|e| panic!("{e}"));
            let empty = SourceFile::from_text("", None, String::new());
            let whole = Report {
                version: JSON_VERSION,
                diagnostics: diags.iter().map(|d| diag(d, &sources, &empty)).collect(),
                summary: &summary,
                suppressed: suppressed
                    .as_ref()
                    .map(|l| l.iter().map(|d| diag(d, &sources, &empty)).collect()),
            };
            let want = serde_json::to_string_pretty(&whole).unwrap_or_else(|e| panic!("{e}")) + "\n";
            assert_eq!(
                String::from_utf8_lossy(&got),
                want,
                "{n} findings, suppressed {:?}",
                suppressed.map(|l| l.len())
            );
        }
    }
}
