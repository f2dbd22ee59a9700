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

/// A string as a YAML scalar that reads back as the same string.
fn quote(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && !s.contains(['\n', '"', '\'', '\t', '\\', '{', '}', '[', ']', ',', '`'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.starts_with([' ', '-', '?', ':', '#', '&', '*', '!', '|', '>', '%', '@'])
        && !s.ends_with(' ')
        && matches!(crate::yaml::scalar::resolve_plain(s), Value::Str(_))
        && super::output::parse_timestamp(s).is_none()
        && !is_base60(s);
    if plain_ok {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
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
                    _ => out.push_str(&format!("{pad}- {}{}\n", scalar(item), origin(map, item))),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{}{}\n", scalar(n), origin(map, n))),
    }
}

fn write_entry(out: &mut String, lead: &str, k: &str, v: &Node, indent: usize, map: Option<&SourceMap>) {
    if is_empty_collection(v) {
        out.push_str(&format!("{lead}{k}: {}{}\n", scalar(v), origin(map, v)));
    } else if let Value::Str(s) = &v.value
        && s.contains('\n')
        && map.is_none()
    {
        out.push_str(&format!("{lead}{k}: {}\n", quote(s)));
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
    use super::{go_float, is_base60};

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
    fn base60_looking_strings() {
        for s in ["1:30", "-1:20:30.5", "190:20:30", "1_0:5"] {
            assert!(is_base60(s), "{s}");
        }
        for s in ["1:60", "1:", ":30", "a:30", "1:30:", "12", "1:2:x", "10:30 pm"] {
            assert!(!is_base60(s), "{s}");
        }
    }
}
