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
/// The layout is serde_json's pretty printer's for the report (`version`,
/// `diagnostics`, `summary`, `suppressed`); the findings are written in
/// parallel, in chunks, each at the indentation of an item of the list, a
/// batch of chunks at a time (on the corpus, 7,500 findings make 7.4 MB of JSON,
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
    /// Findings a task writes: enough to outweigh the task's cost.
    const CHUNK: usize = 256;
    const ITEM: &[u8] = b"\n    ";
    if diags.is_empty() {
        return w.write_all(b"[]");
    }
    let empty = SourceFile::from_text("", None, String::new());
    let render = |chunk: &[Diagnostic]| -> Vec<u8> {
        let mut buf = Vec::with_capacity(chunk.len() * 1024);
        for (i, d) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(ITEM);
            write_diag(&mut buf, 2, d, sources, &empty);
        }
        buf
    };
    // Two chunks per thread side by side before they go out (16 at a time
    // on 2 threads cost 2.5 MB of peak RSS on the corpus).
    w.write_all(b"[")?;
    let mut first = true;
    super::in_ordered_batches(diags, CHUNK, render, |chunk| {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        w.write_all(&chunk)
    })?;
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
mod tests;
