//! A JSON reader producing the same spanned tree as the YAML loader.
//!
//! JSON manifests are read as JSON (tab indentation is fine in JSON, not in
//! YAML). A stream of several JSON values (`{...}{...}`) is several
//! documents, as `kubectl` reads it.

use super::builder::MapBuilder;
use super::{Document, Entry, Limits, LoadDiagnostic, Node, ScalarStyle, Span, Stream, Value};

pub fn parse_json(text: &str, limits: Limits) -> Stream {
    let mut p = JsonParser {
        b: text.as_bytes(),
        text,
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        limits,
        diags: Vec::new(),
    };
    let mut stream = Stream::default();
    loop {
        p.skip_ws();
        if p.pos >= p.b.len() {
            break;
        }
        let start = p.pos as u32;
        match p.value(0) {
            Ok(node) => {
                let span = Span::new(start, node.span.end);
                stream.documents.push(Document {
                    root: Some(node).filter(|n| !n.is_null()),
                    index: stream.documents.len(),
                    span,
                });
            }
            Err(e) => {
                stream.documents.push(Document {
                    root: None,
                    index: stream.documents.len(),
                    span: Span::new(start, e.span.start.max(start)),
                });
                p.diags.push(e);
                break;
            }
        }
    }
    stream.diagnostics = p.diags;
    stream
}

struct JsonParser<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    limits: Limits,
    diags: Vec<LoadDiagnostic>,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(c) = self.b.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn error(&self, what: &str) -> LoadDiagnostic {
        let at = self.pos.min(self.b.len()) as u32;
        let found = match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{c}`"),
            None => "the end of the file".into(),
        };
        let width = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        LoadDiagnostic {
            rule: "yaml-syntax",
            span: Span::new(at, at + width as u32),
            message: format!("JSON syntax error: expected {what}, found {found}"),
            labels: vec![],
            help: None,
            shadowed: None,
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Result<(), LoadDiagnostic> {
        self.skip_ws();
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, LoadDiagnostic> {
        self.skip_ws();
        let start = self.pos as u32;
        match self.b.get(self.pos) {
            Some(b'{') => {
                self.check_depth(depth)?;
                self.pos += 1;
                let mut map = MapBuilder::default();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if self.b.get(self.pos) != Some(&b'"') {
                            return Err(self.error("a string key"));
                        }
                        let key_start = self.pos as u32;
                        let key = self.string()?;
                        let key_span = Span::new(key_start, self.pos as u32);
                        self.expect(b':', "`:`")?;
                        let value = self.value(depth + 1)?;
                        map.insert(
                            Entry {
                                key: key.into(),
                                key_span,
                                value,
                            },
                            &mut self.diags,
                        );
                        self.skip_ws();
                        match self.b.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.error("`,` or `}`")),
                        }
                    }
                }
                Ok(self.node(start, Value::Map(map.finish())))
            }
            Some(b'[') => {
                self.check_depth(depth)?;
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.skip_ws();
                        match self.b.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.error("`,` or `]`")),
                        }
                    }
                }
                Ok(self.node(start, Value::Seq(items)))
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(self.node(start, Value::Str(s.into())))
            }
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("a JSON value")),
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), LoadDiagnostic> {
        if depth >= self.limits.max_depth {
            let at = self.pos as u32;
            return Err(LoadDiagnostic {
                rule: "yaml-limits",
                span: Span::new(at, at + 1),
                message: format!(
                    "nesting deeper than {} levels: the document is rejected",
                    self.limits.max_depth
                ),
                labels: vec![],
                help: Some("Kubernetes objects are never this deep (KVET_MAX_DEPTH raises the limit)".into()),
                shadowed: None,
            });
        }
        Ok(())
    }

    fn node(&self, start: u32, value: Value) -> Node {
        Node {
            span: Span::new(start, self.pos as u32),
            value,
            style: ScalarStyle::Json,
        }
    }

    fn word(&mut self, w: &str, v: Value) -> Result<Node, LoadDiagnostic> {
        let start = self.pos as u32;
        if self.b[self.pos..].starts_with(w.as_bytes()) {
            self.pos += w.len();
            Ok(self.node(start, v))
        } else {
            Err(self.error("a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Node, LoadDiagnostic> {
        let start = self.pos;
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.b.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        if digits(self) == 0 {
            return Err(self.error("a digit"));
        }
        let mut float = false;
        if self.b.get(self.pos) == Some(&b'.') {
            float = true;
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("a digit"));
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            float = true;
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("a digit"));
            }
        }
        let s = &self.text[start..self.pos];
        let value = if !float {
            match s.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Float(s.parse::<f64>().unwrap_or(f64::MAX)),
            }
        } else {
            Value::Float(s.parse::<f64>().unwrap_or(f64::MAX))
        };
        Ok(self.node(start as u32, value))
    }

    fn string(&mut self) -> Result<String, LoadDiagnostic> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.b.get(self.pos) {
                None => return Err(self.error("a closing `\"`")),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let c = match self.b.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) && self.b[self.pos..].starts_with(b"\\u") {
                                self.pos += 2;
                                let lo = self.hex4()?;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF))
                            } else {
                                char::from_u32(hi)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                            run = self.pos;
                            continue;
                        }
                        _ => return Err(self.error("a valid escape (`\\n`, `\\\"`, `\\uXXXX`...)")),
                    };
                    out.push(c);
                    self.pos += 1;
                    run = self.pos;
                }
                Some(c) if *c < 0x20 => {
                    return Err(self.error("no raw control character in a string (escape it)"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, LoadDiagnostic> {
        let h = self
            .text
            .get(self.pos..self.pos + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error("four hex digits")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_indented_json() {
        let text = "{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\"n\": [1, 2.5, true, null, \"\\u00e9\\n\"]}\n}\n";
        let st = parse_json(text, Limits::default());
        assert!(st.diagnostics.is_empty(), "{:?}", st.diagnostics);
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        let kind = r.entry("kind").map(|e| e.key_span).unwrap_or_default();
        assert_eq!(&text[kind.start as usize..kind.end as usize], "\"kind\"");
        let n = r.path(&["spec", "n"]).map(|n| n.items().to_vec()).unwrap_or_default();
        assert_eq!(n[0].value, Value::Int(1));
        assert_eq!(n[1].value, Value::Float(2.5));
        assert_eq!(n[4].as_str(), Some("é\n"));
    }

    #[test]
    fn errors_are_located() {
        let st = parse_json("{\"a\": 1,\n \"b\" 2}", Limits::default());
        assert_eq!(st.diagnostics.len(), 1);
        assert_eq!(st.diagnostics[0].span.start, 14);
        assert!(st.diagnostics[0].message.contains("`:`"));
    }

    #[test]
    fn several_values_and_duplicates() {
        let st = parse_json("{\"a\":1,\"a\":2}\n{\"b\":3}", Limits::default());
        assert_eq!(st.documents.len(), 2);
        assert_eq!(st.diagnostics[0].rule, "yaml-duplicate-key");
    }

    #[test]
    fn deep_nesting() {
        let st = parse_json(&"[".repeat(10_000), Limits::default());
        assert_eq!(st.diagnostics[0].rule, "yaml-limits");
    }
}
