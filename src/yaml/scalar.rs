//! Plain-scalar resolution as Kubernetes applies it.
//!
//! Kubernetes reads YAML with a YAML 1.1 resolver (go-yaml v2 behind
//! sigs.k8s.io/yaml): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0644` is
//! octal (420), `0x1F` hex, `1_000` an integer, `08` a float, `1e3` a float.
//! Quoted and block scalars are always strings.

use super::node::Value;

/// Resolves the text of a plain (unquoted, untagged) scalar.
pub fn resolve_plain(s: &str) -> Value {
    let Some(&first) = s.as_bytes().first() else {
        return Value::Null;
    };
    match first {
        b'~' | b'n' | b'N' | b'y' | b'Y' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' => {
            keyword(s).unwrap_or_else(|| Value::Str(s.into()))
        }
        b'.' => match s {
            ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
            ".inf" | ".Inf" | ".INF" => Value::Float(f64::INFINITY),
            _ => match s.parse::<f64>() {
                Ok(f) if is_yaml_float(s) => Value::Float(f),
                _ => Value::Str(s.into()),
            },
        },
        b'+' | b'-' | b'0'..=b'9' => {
            match s {
                "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
                "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
                _ => {}
            }
            number(s).unwrap_or_else(|| Value::Str(s.into()))
        }
        _ => Value::Str(s.into()),
    }
}

fn keyword(s: &str) -> Option<Value> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Value::Bool(false),
        "~" | "null" | "Null" | "NULL" => Value::Null,
        _ => return None,
    })
}

/// Whether a scalar that resolves to a boolean only because of YAML 1.1
/// (`yes`, `no`, `on`, `off`, `y`, `n` and case variants) — worth a hint.
pub fn is_yaml11_only_bool(s: &str) -> bool {
    matches!(keyword(s), Some(Value::Bool(_))) && !s.eq_ignore_ascii_case("true") && !s.eq_ignore_ascii_case("false")
}

fn number(s: &str) -> Option<Value> {
    if looks_like_timestamp(s) {
        return None;
    }
    let plain: String;
    let t = if s.contains('_') {
        plain = s.replace('_', "");
        plain.as_str()
    } else {
        s
    };
    if let Some(v) = go_parse_int(t) {
        return Some(v);
    }
    if is_yaml_float(t)
        && let Ok(f) = t.parse::<f64>()
    {
        return Some(Value::Float(f));
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint`: optional sign, then
/// `0x`/`0o`/`0b` prefixes or a leading `0` for octal.
fn go_parse_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, r)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u128 + 1 {
            return Some(Value::Int((-(mag as i128)) as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u128 {
        Some(Value::Int(mag as i64))
    } else if mag <= u64::MAX as u128 {
        // Beyond int64: Kubernetes sees a uint64; keep the magnitude as a float.
        Some(Value::Float(mag as f64))
    } else {
        None
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `YYYY-M-D` optionally followed by a time: go-yaml makes these timestamps,
/// which reach Kubernetes as strings.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5].is_ascii_digit()
}

/// Resolves a scalar with an explicit core-schema tag (`!!str`, `!!int`...).
/// Returns `None` for tags Kubernetes would not accept for that text.
pub fn resolve_tagged(suffix: &str, s: &str) -> Option<Value> {
    match suffix {
        "str" => Some(Value::Str(s.into())),
        "int" => match number(s) {
            Some(v @ Value::Int(_)) => Some(v),
            _ => None,
        },
        "float" => match resolve_plain(s) {
            Value::Int(i) => Some(Value::Float(i as f64)),
            v @ Value::Float(_) => Some(v),
            _ => None,
        },
        "bool" => match keyword(s) {
            Some(v @ Value::Bool(_)) => Some(v),
            _ => None,
        },
        "null" => Some(Value::Null),
        _ => Some(resolve_plain(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Value {
        resolve_plain(s)
    }

    #[test]
    fn yaml11_booleans() {
        for t in ["yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "true", "True"] {
            assert_eq!(r(t), Value::Bool(true), "{t}");
        }
        for f in ["no", "No", "n", "N", "off", "OFF", "false", "FALSE"] {
            assert_eq!(r(f), Value::Bool(false), "{f}");
        }
        assert_eq!(r("yEs"), Value::Str("yEs".into()));
        assert!(is_yaml11_only_bool("on"));
        assert!(!is_yaml11_only_bool("true"));
    }

    #[test]
    fn nulls() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(r(n), Value::Null, "{n}");
        }
        assert_eq!(r("nULL"), Value::Str("nULL".into()));
    }

    #[test]
    fn integers_as_go_yaml_reads_them() {
        assert_eq!(r("0644"), Value::Int(420));
        assert_eq!(r("0x1F"), Value::Int(31));
        assert_eq!(r("0o17"), Value::Int(15));
        assert_eq!(r("0b101"), Value::Int(5));
        assert_eq!(r("-42"), Value::Int(-42));
        assert_eq!(r("+42"), Value::Int(42));
        assert_eq!(r("1_000"), Value::Int(1000));
        assert_eq!(r("0"), Value::Int(0));
        assert_eq!(r("9223372036854775807"), Value::Int(i64::MAX));
        assert_eq!(r("-9223372036854775808"), Value::Int(i64::MIN));
        // Not octal: falls back to a float, as go-yaml does.
        assert_eq!(r("08"), Value::Float(8.0));
    }

    #[test]
    fn floats() {
        assert_eq!(r("1e3"), Value::Float(1000.0));
        assert_eq!(r("0.5"), Value::Float(0.5));
        assert_eq!(r(".5"), Value::Float(0.5));
        assert_eq!(r("1."), Value::Float(1.0));
        assert_eq!(r("-1.5E-2"), Value::Float(-0.015));
        assert!(matches!(r(".nan"), Value::Float(f) if f.is_nan()));
        assert_eq!(r("-.inf"), Value::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn strings() {
        for s in [
            "500m",
            "128Mi",
            "1.2.3",
            "v1",
            "0x",
            "1e",
            "e3",
            "-",
            "+",
            ".",
            "1:20",
            "2001-12-14",
        ] {
            assert_eq!(r(s), Value::Str(s.into()), "{s}");
        }
    }

    #[test]
    fn tagged() {
        assert_eq!(resolve_tagged("str", "0644"), Some(Value::Str("0644".into())));
        assert_eq!(resolve_tagged("int", "0644"), Some(Value::Int(420)));
        assert_eq!(resolve_tagged("int", "abc"), None);
        assert_eq!(resolve_tagged("float", "1"), Some(Value::Float(1.0)));
    }
}
