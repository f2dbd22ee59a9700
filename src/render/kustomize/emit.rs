//! Rendered objects as YAML text (for `kvet render`), optionally with
//! `# from file:line` comments giving each value's origin.

use crate::render::SourceMap;
use crate::yaml::{Node, Value};

/// The objects as a YAML stream, `---` between documents. With `origins`,
/// each scalar line ends with `# from file:line`.
pub fn to_yaml(objects: &[Node], map: Option<&SourceMap>) -> String {
    let mut out = String::new();
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        write_node(&mut out, o, 0, map);
    }
    out
}

fn origin(map: Option<&SourceMap>, n: &Node) -> String {
    let Some(map) = map else { return String::new() };
    match map.line_of(n.span.start) {
        Some((f, line)) => format!("  # from {}:{}", f.path.display(), line),
        None => String::new(),
    }
}

fn scalar(n: &Node) -> String {
    match &n.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_float(*f),
        Value::Str(s) => quote(s),
        Value::Seq(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

/// A string as a YAML scalar that reads back as the same string, in the
/// style kustomize's YAML writer picks (checked with `kubectl kustomize`):
/// plain when it can be, double quotes for text that would read as another
/// type, single quotes when only the plain style's indicators or spaces are
/// in the way, double quotes (with escapes) for control characters. A
/// multi-line string is written as a literal block by [`literal`]; here it
/// gets double quotes. Unlike kustomize, long lines are not folded.
fn quote(s: &str) -> String {
    let shape = Shape::of(s);
    let other_type = !matches!(crate::yaml::scalar::resolve_plain(s), Value::Str(_))
        || super::output::parse_timestamp(s).is_some()
        || is_base60(s);
    if shape.plain && !other_type {
        s.to_string()
    } else if shape.single && !other_type && !shape.line_breaks {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double(s)
    }
}

/// Double quotes with JSON's escapes, plus the Unicode line breaks a YAML
/// reader would fold (JSON leaves them raw).
fn double(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_default()
        .replace('\u{85}', "\\u0085")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// What the YAML writer's analysis of a scalar allows.
struct Shape {
    /// Plain in block context.
    plain: bool,
    single: bool,
    /// A literal block.
    block: bool,
    line_breaks: bool,
}

impl Shape {
    fn of(s: &str) -> Shape {
        let chars: Vec<char> = s.chars().collect();
        let mut indicators = s.starts_with("---") || s.starts_with("...");
        let blank_at = |i: usize| chars.get(i).is_none_or(|c| matches!(c, ' ' | '\t' | '\n'));
        let (mut special, mut line_breaks) = (false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut prev_space, mut prev_break) = (false, false);
        for (i, &c) in chars.iter().enumerate() {
            let followed_by_blank = blank_at(i + 1);
            if i == 0 {
                indicators |= matches!(
                    c,
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`'
                ) || matches!(c, '?' | ':' | '-') && followed_by_blank;
            } else {
                indicators |= c == ':' && followed_by_blank || c == '#' && blank_at(i - 1);
            }
            let printable = c == '\n'
                || (' '..='~').contains(&c)
                || c >= '\u{a0}' && !matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}');
            special |= !printable;
            if c == ' ' {
                break_space |= prev_break;
                (prev_space, prev_break) = (true, false);
            } else if c == '\n' {
                line_breaks = true;
                space_break |= prev_space;
                (prev_space, prev_break) = (false, true);
            } else {
                (prev_space, prev_break) = (false, false);
            }
        }
        let edges = s.starts_with([' ', '\n']) || s.ends_with([' ', '\n']);
        Shape {
            plain: !s.is_empty() && !indicators && !edges && !break_space && !space_break && !special && !line_breaks,
            single: !break_space && !space_break && !special,
            block: !s.ends_with(' ') && !space_break && !special,
            line_breaks,
        }
    }
}

/// A multi-line string as a literal block, as kustomize writes it: the
/// header (`|`, `|-`, `|+`, with an indentation digit when the text starts
/// with a space or a line break) and the lines indented by `indent`.
/// `None` when the string is on one line or cannot be a block.
fn literal(s: &str, indent: usize) -> Option<(String, String)> {
    let shape = Shape::of(s);
    if !shape.line_breaks || !shape.block {
        return None;
    }
    let mut header = String::from("|");
    if s.starts_with([' ', '\n']) {
        header.push('2');
    }
    if !s.ends_with('\n') {
        header.push('-');
    } else if s == "\n" || s.ends_with("\n\n") {
        header.push('+');
    }
    let pad = " ".repeat(indent);
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut text = String::new();
    for line in body.split('\n') {
        if !line.is_empty() {
            text.push_str(&pad);
            text.push_str(line);
        }
        text.push('\n');
    }
    Some((header, text))
}

/// A number as kustomize prints it: through JSON (a whole number is written
/// as an integer, and read back as one when it fits 64 bits), then as Go's
/// shortest `%g` (exponent form below 1e-4 and from 1e6: `1.2345675e+06`).
fn go_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 {
        if f.abs() < 9.2e18 {
            return format!("{}", f as i64);
        }
        if (0.0..1.8e19).contains(&f) {
            return format!("{}", f as u64);
        }
    }
    if !f.is_finite() {
        return crate::yaml::format_float(f);
    }
    // Rust's `{:e}` is the shortest round-trip form too: `1.2345675e6`.
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        format!("{f}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// YAML 1.1's base-60 numbers (`1:30`, `-1:20:30.5`): kustomize's writer
/// quotes a string that looks like one.
fn is_base60(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (body, frac) = match body.split_once('.') {
        Some((b, f)) => (b, Some(f)),
        None => (body, None),
    };
    let mut parts = body.split(':');
    let head_ok = parts.next().is_some_and(|h| {
        h.starts_with(|c: char| c.is_ascii_digit()) && h.chars().all(|c| c.is_ascii_digit() || c == '_')
    });
    let mut sixties = 0;
    for p in parts {
        sixties += 1;
        let ok = matches!(p.as_bytes(), [d] if d.is_ascii_digit())
            || matches!(p.as_bytes(), [a, b] if (b'0'..=b'5').contains(a) && b.is_ascii_digit());
        if !ok {
            return false;
        }
    }
    head_ok && sixties > 0 && frac.is_none_or(|f| f.chars().all(|c| c.is_ascii_digit() || c == '_'))
}

fn key(k: &str) -> String {
    quote(k)
}

fn is_empty_collection(n: &Node) -> bool {
    match &n.value {
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        _ => true,
    }
}

fn write_node(out: &mut String, n: &Node, indent: usize, map: Option<&SourceMap>) {
    let pad = " ".repeat(indent);
    match &n.value {
        Value::Map(entries) if !entries.is_empty() => {
            for e in entries {
                write_entry(out, &pad, &key(&e.key), &e.value, indent, map);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                match &item.value {
                    Value::Map(entries) if !entries.is_empty() => {
                        let mut first = true;
                        for e in entries {
                            let lead = if first { format!("{pad}- ") } else { format!("{pad}  ") };
                            first = false;
                            write_entry(out, &lead, &key(&e.key), &e.value, indent + 2, map);
                        }
                    }
                    Value::Seq(inner) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}-\n"));
                        write_node(out, item, indent + 2, map);
                    }
                    Value::Str(s) if let Some((header, body)) = literal(s, indent + 2) => {
                        out.push_str(&format!("{pad}- {header}{}\n{body}", origin(map, item)));
                    }
                    _ => out.push_str(&format!("{pad}- {}{}\n", scalar(item), origin(map, item))),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{}{}\n", scalar(n), origin(map, n))),
    }
}

fn write_entry(out: &mut String, lead: &str, k: &str, v: &Node, indent: usize, map: Option<&SourceMap>) {
    if let Value::Str(s) = &v.value
        && let Some((header, body)) = literal(s, indent + 2)
    {
        out.push_str(&format!("{lead}{k}: {header}{}\n{body}", origin(map, v)));
    } else if is_empty_collection(v) {
        out.push_str(&format!("{lead}{k}: {}{}\n", scalar(v), origin(map, v)));
    } else if matches!(v.value, Value::Seq(_)) {
        out.push_str(&format!("{lead}{k}:\n"));
        write_node(out, v, indent, map);
    } else {
        out.push_str(&format!("{lead}{k}:\n"));
        write_node(out, v, indent + 2, map);
    }
}

#[cfg(test)]
mod tests {
    use super::{go_float, is_base60, literal, quote};

    #[test]
    fn numbers_print_as_kustomize_prints_them() {
        // Each checked with `kubectl kustomize` (v1.32).
        for (f, text) in [
            (5.0, "5"),
            (-0.0, "0"),
            (0.5, "0.5"),
            (1234567.5, "1.2345675e+06"),
            (123456.5, "123456.5"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (1e20, "1e+20"),
            (1e21, "1e+21"),
            (9223372036854775808.0, "9223372036854775808"),
            (18446744073709551616.0, "1.8446744073709552e+19"),
            (1.0e-7, "1e-07"),
            (12345678.9, "1.23456789e+07"),
            (1.2345678901234568e29, "1.2345678901234568e+29"),
        ] {
            assert_eq!(go_float(f), text, "{f}");
        }
    }

    #[test]
    fn strings_in_kustomize_styles() {
        // Each checked with `kubectl kustomize` (v1.32).
        for (s, text) in [
            ("a b", "a b"),
            ("a b ", "'a b '"),
            ("it's ", "'it''s '"),
            ("- a", "'- a'"),
            ("-a", "-a"),
            ("a: b", "'a: b'"),
            ("a:b", "a:b"),
            ("a #b", "'a #b'"),
            ("---", "'---'"),
            ("yes", "\"yes\""),
            ("", "\"\""),
            ("a\tb", "\"a\\tb\""),
            ("x\u{2028}y", "\"x\\u2028y\""),
            ("a \nb", "\"a \\nb\""),
        ] {
            assert_eq!(quote(s), text, "{s:?}");
        }
        let lit = |s: &str| literal(s, 2).map(|(h, b)| format!("{h}\n{b}"));
        assert_eq!(lit("a\nb\n").as_deref(), Some("|\n  a\n  b\n"));
        assert_eq!(lit("a\n\nb").as_deref(), Some("|-\n  a\n\n  b\n"));
        assert_eq!(lit("a\n\n").as_deref(), Some("|+\n  a\n\n"));
        assert_eq!(lit(" a\nb").as_deref(), Some("|2-\n   a\n  b\n"));
        assert_eq!(lit("a \nb"), None);
        assert_eq!(lit("one line"), None);
    }

    #[test]
    fn base60_looking_strings() {
        for s in ["1:30", "-1:20:30.5", "190:20:30", "1_0:5"] {
            assert!(is_base60(s), "{s}");
        }
        for s in ["1:60", "1:", ":30", "a:30", "1:30:", "12", "1:2:x", "10:30 pm"] {
            assert!(!is_base60(s), "{s}");
        }
    }
}
