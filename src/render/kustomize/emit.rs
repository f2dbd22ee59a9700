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
        Value::Float(f) => crate::yaml::format_float(*f),
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
        && matches!(crate::yaml::scalar::resolve_plain(s), Value::Str(_));
    if plain_ok {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
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
