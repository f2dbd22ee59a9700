//! The JSON report's tests: the hand-written report against serde_json's
//! own output for the same findings (the serde-derived shape below is the
//! oracle), and the escaper against serde_json's.

use super::*;
use crate::diagnostic::{Applicability, ObjectMeta, Severity};

// The report's shape as serde derives it: the oracle the hand-written
// report is compared with.
#[derive(serde::Serialize)]
struct Pos {
    line: u32,
    column: u32,
    offset: u32,
}

#[derive(serde::Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    file: &'a str,
    start: Pos,
    end: Pos,
}

/// One step of a rendered finding's origin: where the value was written
/// (`role: "source"`), then each kustomization root that rendered it
/// (`role: "root"`).
#[derive(serde::Serialize)]
struct OriginOut<'a> {
    file: &'a str,
    start: Pos,
    end: Pos,
    role: &'static str,
}

#[derive(serde::Serialize)]
struct EditOut<'a> {
    file: &'a str,
    start: Pos,
    end: Pos,
    replacement: &'a str,
}

#[derive(serde::Serialize)]
struct FixOut<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<EditOut<'a>>,
}

#[derive(serde::Serialize)]
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
#[derive(serde::Serialize)]
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

#[test]
fn the_word_test_finds_every_byte_to_escape() {
    for len in 0..20 {
        for at in 0..len {
            for b in [0u8, 0x1f, b'"', b'\\', b'\n'] {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b;
                let s = String::from_utf8(bytes).unwrap_or_default();
                assert_eq!(first_to_escape(s.as_bytes()), Some(at), "{s:?}");
            }
        }
        let plain = "é😀 ~\u{7f}".repeat(len);
        assert_eq!(first_to_escape(plain.as_bytes()), None, "{plain:?}");
    }
    // Every byte value in every position of a word.
    for b in 0u8..=0x7f {
        for at in 0..8 {
            let mut bytes = [b' '; 9];
            bytes[at] = b;
            let s = std::str::from_utf8(&bytes).unwrap_or_default();
            assert_eq!(
                first_to_escape(s.as_bytes()) == Some(at),
                b < 0x20 || b == b'"' || b == b'\\',
                "{b:#x} at {at}"
            );
        }
    }
}

/// Strings are escaped as serde_json escapes them: every character
/// below U+0080 and a few beyond, at every place in an 8-byte word,
/// alone and in runs.
#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let mut cases: Vec<String> = vec![String::new(), "plain".into(), "é\u{2028}\u{10FFFF}\u{7f}".into()];
    for c in (0u8..0x80).map(char::from).chain(['é', '€', '😀']) {
        for pad in 0..10 {
            cases.push(format!("{}{c}{}", "a".repeat(pad), "b".repeat(9 - pad)));
            cases.push(format!("{}{c}{c}", "é".repeat(pad)));
        }
    }
    cases.push((0u8..0x80).map(char::from).collect::<String>().repeat(3));
    for s in cases {
        let mut got = Vec::new();
        string(&mut got, &s);
        let want = serde_json::to_string(&s).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(String::from_utf8_lossy(&got), want, "{s:?}");
    }
}

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
