//! The spanned tree every check walks: every node and every mapping key
//! carries the byte range it came from.

use super::Text;

/// A byte range in a source file, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn contains(&self, offset: u32) -> bool {
        self.start <= offset && offset < self.end.max(self.start + 1)
    }
}

/// How a scalar was written; matters for "did you mean to quote it?" hints
/// and for fixes that rewrite values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
    /// From a JSON document.
    Json,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Text),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
    /// Only meaningful for scalars.
    pub style: ScalarStyle,
}

/// A mapping entry. Keys are text as Kubernetes reads them: a YAML 1.1 key
/// such as `on` becomes `"true"`, `010` becomes `"8"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Text,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Node {
            span,
            value,
            style: ScalarStyle::Plain,
        }
    }

    pub fn null(at: u32) -> Self {
        Node::new(Span::new(at, at), Value::Null)
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry (key span and value) of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| &*e.key == key),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// Like [`Node::path`], but returns the last entry (for its key span).
    pub fn path_entry(&self, keys: &[&str]) -> Option<&Entry> {
        let (last, init) = keys.split_last()?;
        self.path(init)?.entry(last)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// Items of a sequence; empty for anything else (null included).
    pub fn items(&self) -> &[Node] {
        self.as_seq().unwrap_or(&[])
    }

    /// Entries of a mapping; empty for anything else.
    pub fn entries(&self) -> &[Entry] {
        self.as_map().unwrap_or(&[])
    }

    /// A scalar as the string Kubernetes would see after YAML→JSON
    /// conversion (numbers in decimal, booleans as `true`/`false`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_float(*f)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => None,
        }
    }

    /// The JSON type name Kubernetes would see: `string`, `integer`,
    /// `number`, `boolean`, `null`, `array`, `object`.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Converts to a JSON value (used for `--format json` fixes, config and
    /// structural comparison).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(entries.iter().map(|e| (e.key.to_string(), e.value.to_json())).collect()),
        }
    }

    /// Structural equality, ignoring spans and styles.
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y)),
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|ea| {
                        b.iter()
                            .find(|eb| eb.key == ea.key)
                            .is_some_and(|eb| ea.value.same_value(&eb.value))
                    })
            }
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => (*a as f64) == *b,
            (a, b) => a == b,
        }
    }

    /// Number of nodes in this subtree (this one included).
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(items) => items.iter().map(Node::count).sum(),
            Value::Map(entries) => entries.iter().map(|e| e.value.count()).sum(),
            _ => 0,
        }
    }
}

/// Formats a float as Go's JSON encoder would for whole numbers and simple
/// fractions (`1000`, `0.5`).
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Node {
        Node::new(Span::default(), Value::Str(v.into()))
    }

    #[test]
    fn lookups() {
        let inner = Node::new(
            Span::new(5, 9),
            Value::Map(vec![Entry {
                key: "b".into(),
                key_span: Span::new(5, 6),
                value: s("x"),
            }]),
        );
        let root = Node::new(
            Span::new(0, 9),
            Value::Map(vec![Entry {
                key: "a".into(),
                key_span: Span::new(0, 1),
                value: inner,
            }]),
        );
        assert_eq!(root.path(&["a", "b"]).and_then(Node::as_str), Some("x"));
        assert_eq!(root.path_entry(&["a", "b"]).map(|e| e.key_span), Some(Span::new(5, 6)));
        assert!(root.path(&["a", "c"]).is_none());
        assert_eq!(root.count(), 3);
    }

    #[test]
    fn float_text() {
        assert_eq!(format_float(1000.0), "1000");
        assert_eq!(format_float(0.5), "0.5");
    }
}
