//! Resource quantities (`500m`, `0.5`, `128Mi`, `1G`, `1e3`), parsed and
//! compared as Kubernetes does (apimachinery `resource.ParseQuantity`).

use std::cmp::Ordering;
use std::fmt;

use crate::yaml::{Node, Value, format_float};

/// An exact quantity: `mantissa × 10^exp10`.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    mantissa: i128,
    exp10: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    Empty,
    /// The text does not follow `[+-]digits[.digits][suffix]`.
    Format,
    /// The suffix is not one Kubernetes knows.
    Suffix(String),
    /// The value is not a string or a number.
    Type(&'static str),
    /// More digits than we can hold exactly.
    TooLarge,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::Empty => write!(f, "an empty string is not a quantity"),
            QuantityError::Format => write!(
                f,
                "not a quantity: expected a number with an optional suffix, such as `500m`, `0.5`, `128Mi` or `1G`"
            ),
            QuantityError::Suffix(s) => write!(
                f,
                "unknown quantity suffix `{s}`: use one of Ki Mi Gi Ti Pi Ei (powers of 1024), n u m k M G T P E (powers of 1000) or an exponent such as e3"
            ),
            QuantityError::Type(t) => write!(f, "a quantity must be a string or a number, found {t}"),
            QuantityError::TooLarge => write!(f, "the quantity has too many digits"),
        }
    }
}

impl Quantity {
    pub const ZERO: Quantity = Quantity { mantissa: 0, exp10: 0 };

    /// Parses a quantity string as Kubernetes does (surrounding white space
    /// is trimmed, as its JSON decoder does).
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(QuantityError::Empty);
        }
        let b = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        match b[0] {
            b'-' => {
                negative = true;
                pos += 1;
            }
            b'+' => pos += 1,
            _ => {}
        }
        let int_start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        let int_digits = &s[int_start..pos];
        let mut frac_digits = "";
        if pos < b.len() && b[pos] == b'.' {
            pos += 1;
            let f = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            frac_digits = &s[f..pos];
        }
        let suffix = &s[pos..];
        // The suffix is letters from "eEinumkKMGTP", an optional sign, then digits.
        let mut i = 0;
        let sb = suffix.as_bytes();
        while i < sb.len() && b"eEinumkKMGTP".contains(&sb[i]) {
            i += 1;
        }
        if i < sb.len() && (sb[i] == b'+' || sb[i] == b'-') {
            i += 1;
        }
        while i < sb.len() && sb[i].is_ascii_digit() {
            i += 1;
        }
        if i != sb.len() {
            return Err(QuantityError::Format);
        }
        let (exp10_suffix, exp2) = interpret_suffix(suffix)?;

        let digits: String = format!("{int_digits}{frac_digits}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 36 {
            return Err(QuantityError::TooLarge);
        }
        let mut mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| QuantityError::Format)?
        };
        let mut exp10 = exp10_suffix - frac_digits.len() as i32;
        for _ in 0..exp2 {
            mantissa = mantissa.checked_mul(2).ok_or(QuantityError::TooLarge)?;
        }
        if negative {
            mantissa = -mantissa;
        }
        // Kubernetes rounds non-zero values up (away from zero) to nano units.
        if exp10 < -9 && mantissa != 0 {
            let mut lost = false;
            while exp10 < -9 {
                lost |= mantissa % 10 != 0;
                mantissa /= 10;
                exp10 += 1;
            }
            if lost {
                mantissa += if negative { -1 } else { 1 };
            }
        }
        // Normalise trailing zeros so equal values compare equal cheaply.
        while mantissa != 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            exp10 += 1;
        }
        if mantissa == 0 {
            exp10 = 0;
        }
        Ok(Quantity { mantissa, exp10 })
    }

    /// Reads a quantity from a YAML/JSON node (string or number), as the
    /// API server would after YAML→JSON conversion.
    pub fn from_node(node: &Node) -> Result<Quantity, QuantityError> {
        match &node.value {
            Value::Str(s) => Quantity::parse(s),
            Value::Int(i) => Quantity::parse(&i.to_string()),
            Value::Float(f) if f.is_finite() => Quantity::parse(&format_float(*f)),
            _ => Err(QuantityError::Type(node.type_name())),
        }
    }

    /// The sum (falls back to floating point beyond 36 digits).
    pub fn checked_add(self, other: Quantity) -> Quantity {
        let e = self.exp10.min(other.exp10);
        match (self.scaled(e), other.scaled(e)) {
            (Some(a), Some(b)) if a.checked_add(b).is_some() => Quantity {
                mantissa: a + b,
                exp10: e,
            },
            _ => {
                let f = self.as_f64() + other.as_f64();
                Quantity::parse(&format!("{f:e}")).unwrap_or(self)
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    pub fn as_f64(&self) -> f64 {
        self.mantissa as f64 * 10f64.powi(self.exp10)
    }

    /// The value in thousandths, rounded up as Kubernetes' `MilliValue`.
    pub fn milli_value(&self) -> f64 {
        (self.as_f64() * 1000.0).ceil()
    }

    fn scaled(&self, exp10: i32) -> Option<i128> {
        let mut m = self.mantissa;
        for _ in exp10..self.exp10 {
            m = m.checked_mul(10)?;
        }
        Some(m)
    }
}

/// Decimal exponent and power-of-two exponent of a suffix.
fn interpret_suffix(s: &str) -> Result<(i32, u32), QuantityError> {
    Ok(match s {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let rest = s
                .strip_prefix('e')
                .or_else(|| s.strip_prefix('E'))
                .ok_or_else(|| QuantityError::Suffix(s.to_string()))?;
            let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(QuantityError::Suffix(s.to_string()));
            }
            let e: i32 = rest.parse().map_err(|_| QuantityError::Suffix(s.to_string()))?;
            if e.abs() > 1000 {
                return Err(QuantityError::TooLarge);
            }
            (e, 0)
        }
    })
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        let e = self.exp10.min(other.exp10);
        match (self.scaled(e), other.scaled(e)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => self.as_f64().partial_cmp(&other.as_f64()).unwrap_or(Ordering::Equal),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exp10 >= 0 && self.exp10 <= 18 {
            write!(f, "{}", self.mantissa * 10i128.pow(self.exp10 as u32))
        } else if self.exp10 >= -3 && self.exp10 < 0 {
            let milli = self.mantissa * 10i128.pow((self.exp10 + 3) as u32);
            write!(f, "{milli}m")
        } else {
            write!(f, "{}e{}", self.mantissa, self.exp10)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_kubernetes_forms() {
        assert_eq!(q("500m"), q("0.5"));
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("128Mi"), q("134217728"));
        assert_eq!(q("1G"), q("1000M"));
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("+1"), q("1"));
        assert_eq!(q(" 2 "), q("2"));
        assert_eq!(q("1."), q("1"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("1E-3"), q("1m"));
        assert_eq!(q("0"), Quantity::ZERO);
        assert!(q("-1").is_negative());
        assert_eq!(q("100n"), q("0.0000001"));
        // Kubernetes reads a bare suffix as zero and rounds up to nano units.
        assert!(q("Gi").is_zero());
        assert_eq!(q("0.1n"), q("1n"));
    }

    #[test]
    fn orders_across_suffixes() {
        assert!(q("1Gi") > q("1G"));
        assert!(q("10m") < q("0.1"));
        assert!(q("4Mi") > q("4M"));
        assert!(q("1Ei") > q("1E"));
        assert!(q("1m") < q("1"));
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "", "abc", "1Kb", "1 Gi", "1.2.3", "1e", "1Mb", "--1", "1ii", "5GB", "1e3.5",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn from_nodes() {
        use crate::yaml::Span;
        let n = Node::new(Span::default(), Value::Float(0.5));
        assert_eq!(Quantity::from_node(&n).ok(), Some(q("500m")));
        let n = Node::new(Span::default(), Value::Int(2));
        assert_eq!(Quantity::from_node(&n).ok(), Some(q("2")));
        let n = Node::new(Span::default(), Value::Bool(true));
        assert!(Quantity::from_node(&n).is_err());
    }

    #[test]
    fn milli_and_display() {
        assert_eq!(q("1m").milli_value(), 1.0);
        assert_eq!(q("0.25").to_string(), "250m");
        assert_eq!(q("2k").to_string(), "2000");
    }
}
