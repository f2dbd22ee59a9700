//! The last step of a build: the values kustomize sends. `kubectl
//! kustomize` writes each resource out through JSON, and three things change
//! on the way (checked against kubectl 1.32, Kustomize v5.5.0):
//!
//! - the values of an object's `metadata.annotations` are strings holding
//!   their text as written (`0x10` stays the string "0x10", an empty value
//!   is ""; a mapping or a sequence becomes ""), and an empty or null
//!   `annotations` is dropped;
//! - a plain scalar that reads as a YAML timestamp (`2001-12-14`,
//!   `2001-12-14 21:59:43.10`, `2001-12-14T21:59:43+02:00`) becomes its RFC
//!   3339 text (`2001-12-14T00:00:00Z`);
//! - JSON has no infinity or NaN: a `.inf` or `.nan` value fails the build.

use super::res::Res;
use super::tree::remove;
use crate::render::SourceMap;
use crate::yaml::{Node, ScalarStyle, Value};

/// Turns the resources' values into what kustomize sends. `Err` names the
/// first value kustomize cannot write (the node, for its span).
pub fn as_sent(ra: &mut [Res], map: &SourceMap) -> Result<(), (crate::yaml::Span, String)> {
    for r in ra {
        if let Some(meta) = super::tree::get_mut(&mut r.node, "metadata") {
            annotations_as_text(meta, map);
        }
        timestamps(&mut r.node, map, true)?;
    }
    Ok(())
}

/// `metadata.annotations` as strings of their text; dropped when empty.
fn annotations_as_text(meta: &mut Node, map: &SourceMap) {
    let drop = match meta.get("annotations").map(|a| &a.value) {
        Some(Value::Null) => true,
        Some(Value::Map(entries)) => entries.is_empty(),
        _ => false,
    };
    if drop {
        remove(meta, "annotations");
        return;
    }
    let Some(Value::Map(entries)) = super::tree::get_mut(meta, "annotations").map(|a| &mut a.value) else {
        return;
    };
    for e in entries {
        let v = &mut e.value;
        let text = match &v.value {
            Value::Str(_) => continue,
            Value::Seq(_) | Value::Map(_) => String::new(),
            scalar => written(v, map).unwrap_or_else(|| value_text(scalar)),
        };
        v.value = Value::Str(text.into());
        v.style = ScalarStyle::DoubleQuoted;
    }
}

/// The text a plain scalar was written with, when its span holds exactly
/// that scalar (a node made by a transformer points elsewhere).
fn written(n: &Node, map: &SourceMap) -> Option<String> {
    if n.style != ScalarStyle::Plain && n.style != ScalarStyle::Json {
        return None;
    }
    let (file, span) = map.locate(n.span)?;
    let text = file.text.get(span.start as usize..span.end as usize)?;
    let same = match (crate::yaml::scalar::resolve_plain(text), &n.value) {
        (Value::Float(a), Value::Float(b)) => a == *b || a.is_nan() && b.is_nan(),
        (a, b) => a == *b,
    };
    same.then(|| text.to_string())
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::yaml::format_float(*f),
        Value::Str(s) => s.to_string(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// Timestamps as RFC 3339 text, and the values JSON cannot hold. `top`:
/// the object itself (its `metadata.annotations` are already text).
fn timestamps(n: &mut Node, map: &SourceMap, top: bool) -> Result<(), (crate::yaml::Span, String)> {
    match &n.value {
        Value::Float(f) if !f.is_finite() => {
            let text = written(n, map).unwrap_or_else(|| crate::yaml::format_float(*f));
            return Err((
                n.span,
                format!("kustomize cannot write `{text}` (JSON has no infinity or NaN): `kustomize build` fails"),
            ));
        }
        Value::Str(s) if n.style == ScalarStyle::Plain => {
            if let Some(t) = parse_timestamp(s)
                && written(n, map).as_deref() == Some(&**s)
            {
                n.value = Value::Str(t.into());
                n.style = ScalarStyle::DoubleQuoted;
            }
            return Ok(());
        }
        _ => {}
    }
    match &mut n.value {
        Value::Seq(items) => items.iter_mut().try_for_each(|i| timestamps(i, map, false)),
        Value::Map(entries) => {
            for e in entries {
                if top && &*e.key == "metadata" {
                    if let Value::Map(meta) = &mut e.value.value {
                        for m in meta.iter_mut().filter(|m| &*m.key != "annotations") {
                            timestamps(&mut m.value, map, false)?;
                        }
                    }
                    continue;
                }
                timestamps(&mut e.value, map, false)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A plain scalar read as a YAML timestamp the way kustomize's YAML library
/// reads one (Go's `time.Parse` with the layouts `2006-1-2`,
/// `2006-1-2T15:4:5.999999999Z07:00` (`t` too) and `2006-1-2 15:4:5.999999999`),
/// as RFC 3339 text with nanoseconds (what Go's JSON writes for a time).
/// `None` when it is not one.
pub fn parse_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    // Exactly four digits of year, then a dash.
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    let year: u32 = s[..4].parse().ok()?;
    let mut rest = &s[5..];
    let month = take_num(&mut rest)?;
    rest = rest.strip_prefix('-')?;
    let day = take_num(&mut rest)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return None;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if rest.is_empty() {
        return Some(format!("{date}T00:00:00Z"));
    }
    let zoned = match rest.as_bytes()[0] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return None,
    };
    rest = &rest[1..];
    let hour = take_num(&mut rest)?;
    rest = rest.strip_prefix(':')?;
    let min = take_num(&mut rest)?;
    rest = rest.strip_prefix(':')?;
    let sec = take_num(&mut rest)?;
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let mut frac = String::new();
    if let Some(r) = rest.strip_prefix(['.', ',']) {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        frac = r[..digits.min(9)].trim_end_matches('0').to_string();
        rest = &r[digits..];
    }
    let zone = if zoned {
        if rest == "Z" {
            "Z".to_string()
        } else {
            let z = rest.as_bytes();
            if z.len() != 6
                || !matches!(z[0], b'+' | b'-')
                || z[3] != b':'
                || ![z[1], z[2], z[4], z[5]].iter().all(u8::is_ascii_digit)
            {
                return None;
            }
            if &rest[1..3] == "00" && &rest[4..6] == "00" {
                "Z".to_string()
            } else {
                rest.to_string()
            }
        }
    } else if rest.is_empty() {
        "Z".to_string()
    } else {
        return None;
    };
    let frac = if frac.is_empty() { frac } else { format!(".{frac}") };
    Some(format!("{date}T{hour:02}:{min:02}:{sec:02}{frac}{zone}"))
}

/// One or two digits (Go's non-fixed number in a layout).
fn take_num(rest: &mut &str) -> Option<u32> {
    let n = rest.bytes().take(2).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v = rest[..n].parse().ok()?;
    *rest = &rest[n..];
    Some(v)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    #[test]
    fn timestamps_as_kustomize_writes_them() {
        // Each pair checked with `kubectl kustomize` (v1.32).
        for (text, sent) in [
            ("2001-12-14", Some("2001-12-14T00:00:00Z")),
            ("2001-1-2", Some("2001-01-02T00:00:00Z")),
            ("2001-12-14t21:59:43.10-05:00", Some("2001-12-14T21:59:43.1-05:00")),
            ("2001-12-14 21:59:43.10", Some("2001-12-14T21:59:43.1Z")),
            ("2001-12-14T21:59:43Z", Some("2001-12-14T21:59:43Z")),
            ("2001-12-14T21:59:43.10+02:00", Some("2001-12-14T21:59:43.1+02:00")),
            ("20011214", None),
            ("2001-12-14T21:59:43", None),
            ("2001-12-14 21:59:43 -5", None),
            ("2001-02-30", None),
            ("2001-12-14x", None),
            ("", None),
            ("2001-", None),
        ] {
            assert_eq!(parse_timestamp(text).as_deref(), sent, "{text}");
        }
    }
}
