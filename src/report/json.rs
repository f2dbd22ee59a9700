//! `--format json`: one stable, versioned JSON document, streamed from
//! borrowed structs (no intermediate `serde_json::Value`).

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, RENDERED_BY, Summary};
use crate::source::SourceFile;
use crate::yaml::Span;

/// Format version of the JSON report.
pub const JSON_VERSION: u32 = 1;

/// A finding's JSON, written by hand in serde_json's pretty layout at
/// indentation `level` (a finding of the report's lists is at level 2).
/// serde_json escapes strings a byte at a time, which was the largest cost
/// of writing the corpus's report (50 M of 66 M instructions); [`string`]
/// looks at 8 bytes at a time. The tests compare the result with
/// serde_json's own output for the same finding.
fn write_diag(buf: &mut Vec<u8>, level: usize, d: &Diagnostic, sources: &[SourceFile], empty: &SourceFile) {
    let file = sources.get(d.file as usize).unwrap_or(empty);
    let inner = level + 1;
    buf.push(b'{');
    key(buf, inner, true, "rule");
    string(buf, &d.rule);
    key(buf, inner, false, "severity");
    string(buf, d.severity.as_str());
    key(buf, inner, false, "message");
    string(buf, &d.message);
    key(buf, inner, false, "help");
    opt_string(buf, d.help.as_deref());
    key(buf, inner, false, "file");
    string(buf, &file.name);
    range(buf, inner, file, d.span);
    key(buf, inner, false, "object");
    match d.object.as_deref() {
        None => buf.extend_from_slice(b"null"),
        Some(m) => {
            let at = inner + 1;
            buf.push(b'{');
            key(buf, at, true, "apiVersion");
            string(buf, &m.api_version);
            key(buf, at, false, "kind");
            string(buf, &m.kind);
            key(buf, at, false, "name");
            opt_string(buf, m.name.as_deref());
            key(buf, at, false, "namespace");
            opt_string(buf, m.namespace.as_deref());
            close(buf, inner, b'}');
        }
    }
    key(buf, inner, false, "labels");
    list(buf, inner, &d.labels, |buf, at, l| {
        let lf = sources.get(l.file as usize).unwrap_or(file);
        key(buf, at, true, "message");
        string(buf, &l.message);
        key(buf, at, false, "file");
        string(buf, &lf.name);
        range(buf, at, lf, l.span);
    });
    key(buf, inner, false, "fix");
    match &d.fix {
        None => buf.extend_from_slice(b"null"),
        Some(f) => {
            let at = inner + 1;
            buf.push(b'{');
            key(buf, at, true, "title");
            string(buf, &f.title);
            key(buf, at, false, "applicability");
            string(buf, f.applicability.as_str());
            key(buf, at, false, "edits");
            list(buf, at, &f.edits, |buf, at, e| {
                let ef = sources.get(e.file as usize).unwrap_or(file);
                key(buf, at, true, "file");
                string(buf, &ef.name);
                range(buf, at, ef, e.span);
                key(buf, at, false, "replacement");
                string(buf, &e.replacement);
            });
            close(buf, inner, b'}');
        }
    }
    // Where a rendered finding came from: the value's own place, then each
    // kustomization root that rendered it.
    let mut roots = d.labels.iter().filter(|l| l.message == RENDERED_BY).peekable();
    if roots.peek().is_some() {
        key(buf, inner, false, "origin");
        buf.push(b'[');
        let at = inner + 1;
        let step = |buf: &mut Vec<u8>, first: bool, f: &SourceFile, span: Span, role: &str| {
            item(buf, at, first);
            buf.push(b'{');
            key(buf, at + 1, true, "file");
            string(buf, &f.name);
            range(buf, at + 1, f, span);
            key(buf, at + 1, false, "role");
            string(buf, role);
            close(buf, at, b'}');
        };
        step(buf, true, file, d.span, "source");
        for l in roots {
            step(buf, false, sources.get(l.file as usize).unwrap_or(file), l.span, "root");
        }
        close(buf, inner, b']');
    }
    close(buf, level, b'}');
}

/// A line break and the indentation of `level`.
fn line_start(buf: &mut Vec<u8>, level: usize) {
    match LINE_STARTS.get(..1 + 2 * level) {
        Some(start) => buf.extend_from_slice(start),
        None => {
            buf.push(b'\n');
            buf.resize(buf.len() + 2 * level, b' ');
        }
    }
}

/// An item of an object or a list at `level`: the comma before it (unless
/// it is the first) and its line.
fn item(buf: &mut Vec<u8>, level: usize, first: bool) {
    if !first {
        buf.push(b',');
    }
    line_start(buf, level);
}

fn key(buf: &mut Vec<u8>, level: usize, first: bool, name: &str) {
    item(buf, level, first);
    buf.push(b'"');
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"\": ");
}

/// Closes an object or a list that has items, on its own line at `level`.
fn close(buf: &mut Vec<u8>, level: usize, bracket: u8) {
    line_start(buf, level);
    buf.push(bracket);
}

/// A list of objects at `level` (`[]` when empty), each written by `each`
/// (its keys at `level + 2`) between its braces.
fn list<T>(buf: &mut Vec<u8>, level: usize, items: &[T], mut each: impl FnMut(&mut Vec<u8>, usize, &T)) {
    if items.is_empty() {
        buf.extend_from_slice(b"[]");
        return;
    }
    buf.push(b'[');
    for (i, t) in items.iter().enumerate() {
        item(buf, level + 1, i == 0);
        buf.push(b'{');
        each(buf, level + 2, t);
        close(buf, level + 1, b'}');
    }
    close(buf, level, b']');
}

/// `"start"` and `"end"` of a span as keys at `level`.
fn range(buf: &mut Vec<u8>, level: usize, file: &SourceFile, span: Span) {
    for (name, offset) in [("start", span.start), ("end", span.end)] {
        let p = file.line_col(offset);
        key(buf, level, false, name);
        buf.push(b'{');
        for (i, (k, v)) in [("line", p.line), ("column", p.column), ("offset", offset)]
            .into_iter()
            .enumerate()
        {
            key(buf, level + 1, i == 0, k);
            number(buf, v);
        }
        close(buf, level, b'}');
    }
}

fn number(buf: &mut Vec<u8>, n: u32) {
    let mut digits = [0; 10];
    buf.extend_from_slice(decimal(n, &mut digits));
}

/// `n`'s decimal digits, written at the end of `digits`.
pub(crate) fn decimal(mut n: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[at..]
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(buf, s),
        None => buf.extend_from_slice(b"null"),
    }
}

/// A JSON string, escaped as serde_json escapes it (see [`escaped`]).
pub(crate) fn string(buf: &mut Vec<u8>, s: &str) {
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    escaped(s, |piece| buf.extend_from_slice(piece.as_bytes()));
    buf.push(b'"');
}

/// The inside of a JSON string holding `s`, handed to `emit` piece by
/// piece, escaped as serde_json escapes: `"`, `\\` and the control
/// characters below U+0020 (short forms where JSON has them, `\u00xx`
/// otherwise); everything else as it is. Runs without any of them are
/// found 8 bytes at a time and handed on whole. (The JSON report and the
/// language server's published findings both write through this.)
pub(crate) fn escaped(s: &str, mut emit: impl FnMut(&str)) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = s;
    while let Some(at) = first_to_escape(rest.as_bytes()) {
        // `at` is at an ASCII byte: a character boundary.
        emit(rest.get(..at).unwrap_or_default());
        let b = rest.as_bytes()[at];
        let long = [
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ];
        emit(match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\t' => "\\t",
            b'\r' => "\\r",
            0x08 => "\\b",
            0x0c => "\\f",
            _ => std::str::from_utf8(&long).unwrap_or_default(),
        });
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    emit(rest);
}

/// Where the first byte JSON must escape is (`"`, `\\`, below 0x20),
/// looking at 8 bytes at a time.
pub(crate) fn first_to_escape(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        // The high bit of each byte that is `"`, `\\` or below 0x20 (bytes
        // from 0x80 up are masked off); a borrow can only mark bytes above
        // the lowest one marked, which is exact.
        let found =
            (zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | w.wrapping_sub(ONES * 0x20))
                & !w
                & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|p| at + p)
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
            write_diag(&mut buf, 2, d, sources, &empty);
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
}
