//! CronJob schedules as Kubernetes reads them: the standard five-field cron
//! format of the `robfig/cron` v3 parser (`ParseStandard`) that the API
//! server validates with and the controller schedules with.
//!
//! - five whitespace-separated fields: minute (0-59), hour (0-23),
//!   day of month (1-31), month (1-12 or `jan`-`dec`), day of week (0-6 or
//!   `sun`-`sat`; 7 is not accepted);
//! - each field a comma-separated list of `*` or `?`, `a`, `a-b`, each with
//!   an optional `/step` (`a/step` means `a-max/step`);
//! - or a macro: `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
//!   `@midnight`, `@hourly`, `@every <duration>`.
//!
//! Time zones in the schedule (`TZ=`, `CRON_TZ=`) are the caller's concern:
//! Kubernetes rejects them in new objects.

/// A field's bounds and value names.
struct Bounds {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: [Bounds; 5] = [
    Bounds {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Bounds {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Bounds {
        name: "day-of-month",
        min: 1,
        max: 31,
        names: &[],
    },
    Bounds {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Bounds {
        name: "day-of-week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

/// The times one field matches, and whether it was written as "any".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub bits: u64,
    pub star: bool,
}

impl Field {
    pub fn has(&self, v: u32) -> bool {
        v < 64 && self.bits & (1 << v) != 0
    }
}

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// minute, hour, day of month, month, day of week.
    Fields([Field; 5]),
    /// `@every <duration>`.
    Every,
}

/// Why a schedule does not parse (or never fires).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronError {
    pub message: String,
    /// An extra hint for the help text.
    pub hint: Option<String>,
}

fn fail<T>(message: impl Into<String>) -> Result<T, CronError> {
    Err(CronError {
        message: message.into(),
        hint: None,
    })
}

fn fail_hint<T>(message: impl Into<String>, hint: impl Into<String>) -> Result<T, CronError> {
    Err(CronError {
        message: message.into(),
        hint: Some(hint.into()),
    })
}

/// Parses a decimal number as Go's `strconv.Atoi` does (optional sign).
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    let (neg, digits) = match digits.strip_prefix('-') {
        Some(d) if !s.starts_with('+') => (true, d),
        _ => (false, digits),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

fn value(text: &str, b: &Bounds, expr: &str) -> Result<u32, CronError> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = b.names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + if b.names == MONTHS { 1 } else { 0 });
    }
    match atoi(text) {
        Some(n) if n < 0 => fail(format!("{} field `{expr}`: negative numbers are not allowed", b.name)),
        Some(n) => Ok(n.min(u32::MAX as i64) as u32),
        None if text.is_empty() => fail(format!("{} field `{expr}`: a number is missing", b.name)),
        None if matches!(text, "L" | "l" | "W" | "w" | "LW") || text.contains(['#', 'L', 'W']) => fail_hint(
            format!("{} field `{expr}`: `{text}` is not supported", b.name),
            "`L`, `W` and `#` come from Quartz; Kubernetes' cron format has no such operators",
        ),
        None => {
            let names = if b.names.is_empty() {
                String::new()
            } else {
                format!(" or a name like `{}`", b.names[0])
            };
            fail(format!("{} field `{expr}`: `{text}` is not a number{names}", b.name))
        }
    }
}

fn range(expr: &str, b: &Bounds) -> Result<Field, CronError> {
    let parts: Vec<&str> = expr.split('/').collect();
    if parts.len() > 2 {
        return fail(format!("{} field `{expr}`: too many slashes", b.name));
    }
    let low_high: Vec<&str> = parts[0].split('-').collect();
    let (mut start, mut end, mut star) = (b.min, b.max, false);
    if low_high[0] == "*" || low_high[0] == "?" {
        star = true;
    } else {
        start = value(low_high[0], b, expr)?;
        end = match low_high.len() {
            1 => start,
            2 => value(low_high[1], b, expr)?,
            _ => return fail(format!("{} field `{expr}`: too many hyphens", b.name)),
        };
    }
    let mut step = 1;
    if let Some(s) = parts.get(1) {
        step = match atoi(s) {
            Some(n) if n < 0 => {
                return fail(format!("{} field `{expr}`: negative numbers are not allowed", b.name));
            }
            Some(n) => n.min(u32::MAX as i64) as u32,
            None => return fail(format!("{} field `{expr}`: the step `{s}` is not a number", b.name)),
        };
        if low_high.len() == 1 {
            end = b.max;
        }
        if step > 1 {
            star = false;
        }
    }
    if start < b.min {
        return fail(format!(
            "{} field `{expr}`: {start} is below the smallest {} ({})",
            b.name, b.name, b.min
        ));
    }
    if end > b.max {
        let msg = format!(
            "{} field `{expr}`: {end} is above the largest {} ({})",
            b.name, b.name, b.max
        );
        if b.name == "day-of-week" && end == 7 {
            return fail_hint(msg, "Sunday is 0 (or `sun`); 7 is not accepted");
        }
        return fail(msg);
    }
    if start > end {
        return fail(format!(
            "{} field `{expr}`: the range starts at {start}, after its end {end}",
            b.name
        ));
    }
    if step == 0 {
        return fail(format!("{} field `{expr}`: a step must be a positive number", b.name));
    }
    let mut bits = 0u64;
    let mut v = start;
    while v <= end {
        bits |= 1 << v;
        v = match v.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    Ok(Field { bits, star })
}

fn field(text: &str, b: &Bounds) -> Result<Field, CronError> {
    let mut out = Field { bits: 0, star: false };
    for expr in text.split(',').filter(|e| !e.is_empty()) {
        let f = range(expr, b)?;
        out.bits |= f.bits;
        out.star |= f.star;
    }
    Ok(out)
}

/// Whether a Go duration (`time.ParseDuration`) parses: `1h30m`, `90s`, `0`.
fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let units = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"];
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !units.contains(&&rest[..unit_len]) {
            return false;
        }
        rest = &rest[unit_len..];
    }
    true
}

const MACROS: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Parses a schedule as the API server validates it.
pub fn parse(spec: &str) -> Result<Schedule, CronError> {
    if spec.is_empty() {
        return fail("the schedule is empty");
    }
    let mut spec = spec;
    for prefix in ["TZ=", "CRON_TZ="] {
        if let Some(rest) = spec.strip_prefix(prefix) {
            match rest.split_once(' ') {
                Some((_, s)) => spec = s.trim(),
                None => return fail("a time zone prefix must be followed by a schedule"),
            }
        }
    }
    if spec.starts_with('@') {
        if MACROS.contains(&spec) {
            return Ok(Schedule::Fields(macro_fields(spec)));
        }
        if let Some(d) = spec.strip_prefix("@every ") {
            if go_duration(d) {
                return Ok(Schedule::Every);
            }
            return fail_hint(
                format!("`{d}` is not a duration"),
                "write durations like `90s`, `15m` or `1h30m`",
            );
        }
        return fail_hint(
            format!("`{spec}` is not a known macro"),
            format!("the macros are {} and `@every <duration>`", MACROS.join(", ")),
        );
    }
    let parts: Vec<&str> = spec.split_whitespace().collect();
    if parts.len() != 5 {
        let hint = match parts.len() {
            6 => "Kubernetes schedules have no seconds field (and no year field): drop the first or last field",
            _ => "the fields are: minute hour day-of-month month day-of-week",
        };
        return fail_hint(format!("expected 5 fields, found {}", parts.len()), hint);
    }
    let mut fields = [Field { bits: 0, star: false }; 5];
    for (i, (text, b)) in parts.iter().zip(FIELDS.iter()).enumerate() {
        fields[i] = field(text, b)?;
    }
    Ok(Schedule::Fields(fields))
}

fn macro_fields(spec: &str) -> [Field; 5] {
    let one = |v: u32| Field {
        bits: 1 << v,
        star: false,
    };
    let all = |i: usize| Field {
        bits: (FIELDS[i].min..=FIELDS[i].max).fold(0, |b, v| b | 1 << v),
        star: true,
    };
    match spec {
        "@yearly" | "@annually" => [one(0), one(0), one(1), one(1), all(4)],
        "@monthly" => [one(0), one(0), one(1), all(3), all(4)],
        "@weekly" => [one(0), one(0), all(2), all(3), one(0)],
        "@daily" | "@midnight" => [one(0), one(0), all(2), all(3), all(4)],
        _ => [one(0), all(1), all(2), all(3), all(4)],
    }
}

/// The longest each month can be (February in a leap year).
const MONTH_DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Whether a parsed schedule can ever fire. A day is chosen by
/// day-of-month AND day-of-week when either is `*`, else by either; so
/// `0 0 30 2 *` (30 February) never fires, `0 0 30 2 mon` does.
pub fn never_fires(s: &Schedule) -> Option<CronError> {
    let Schedule::Fields([minute, hour, dom, month, dow]) = s else {
        return None;
    };
    if minute.bits == 0 || hour.bits == 0 || month.bits == 0 || (dom.bits == 0 && dow.bits == 0) {
        return Some(CronError {
            message: "never fires: a field lists no value".into(),
            hint: None,
        });
    }
    let and = dom.star || dow.star;
    if !and || dom.star {
        return None;
    }
    let possible = (1..=12).any(|m| month.has(m) && (1..=MONTH_DAYS[m as usize - 1]).any(|d| dom.has(d)));
    if possible {
        return None;
    }
    Some(CronError {
        message: "never fires: no selected month has the selected days".into(),
        hint: Some("check the day-of-month and month fields (e.g. 30 February, 31 April)".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        match parse(s) {
            Ok(p) => never_fires(&p).is_none(),
            Err(_) => false,
        }
    }

    fn err(s: &str) -> String {
        match parse(s) {
            Ok(p) => never_fires(&p).map(|e| e.message).unwrap_or_default(),
            Err(e) => e.message,
        }
    }

    #[test]
    fn valid_schedules() {
        for s in [
            "* * * * *",
            "*/5 * * * *",
            "0 3 * * *",
            "0 0 1 1 *",
            "15,45 9-17 * * 1-5",
            "0 0 * * sun",
            "0 0 * * MON-FRI",
            "0 12 1 jan,Jul *",
            "5/15 * * * *",
            "0-30/10 * * * ?",
            "0 0 29 2 *",
            "0 0 30 2 mon",
            "1,,2 * * * *",
            "0  3   * * *",
            "@hourly",
            "@daily",
            "@midnight",
            "@weekly",
            "@monthly",
            "@yearly",
            "@annually",
            "@every 1h30m",
            "@every 90s",
            "@every 0",
            "CRON_TZ=UTC 0 3 * * *",
        ] {
            assert!(ok(s), "{s}: {}", err(s));
        }
    }

    #[test]
    fn field_count() {
        assert_eq!(err("* * * *"), "expected 5 fields, found 4");
        let e = parse("0 * * * * *").err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.hint.as_deref().is_some_and(|h| h.contains("seconds"))),
            "{e:?}"
        );
        assert_eq!(err(""), "the schedule is empty");
    }

    #[test]
    fn out_of_range_values() {
        assert_eq!(
            err("60 * * * *"),
            "minute field `60`: 60 is above the largest minute (59)"
        );
        assert_eq!(err("* 24 * * *"), "hour field `24`: 24 is above the largest hour (23)");
        assert_eq!(
            err("* * 0 * *"),
            "day-of-month field `0`: 0 is below the smallest day-of-month (1)"
        );
        assert_eq!(
            err("* * * 13 *"),
            "month field `13`: 13 is above the largest month (12)"
        );
        let e = parse("0 0 * * 7").err();
        assert!(e.is_some_and(|e| e.hint.is_some_and(|h| h.contains("Sunday is 0"))));
        assert_eq!(
            err("* * * * 1-7"),
            "day-of-week field `1-7`: 7 is above the largest day-of-week (6)"
        );
    }

    #[test]
    fn malformed_ranges_and_steps() {
        assert_eq!(
            err("*/0 * * * *"),
            "minute field `*/0`: a step must be a positive number"
        );
        assert_eq!(
            err("5-1 * * * *"),
            "minute field `5-1`: the range starts at 5, after its end 1"
        );
        assert_eq!(err("1-2-3 * * * *"), "minute field `1-2-3`: too many hyphens");
        assert_eq!(err("*/2/3 * * * *"), "minute field `*/2/3`: too many slashes");
        assert_eq!(err("1- * * * *"), "minute field `1-`: a number is missing");
        assert_eq!(err("*/x * * * *"), "minute field `*/x`: the step `x` is not a number");
        assert_eq!(err("-1 * * * *"), "minute field `-1`: a number is missing");
        assert!(err("0 0 * foo *").contains("`foo` is not a number or a name like `jan`"));
        assert!(err("0 0 L * *").contains("not supported"));
        assert!(err("0 0 * * 5#3").contains("not supported"));
        assert_eq!(
            err("0 0 * * sunday"),
            "day-of-week field `sunday`: `sunday` is not a number or a name like `sun`"
        );
    }

    #[test]
    fn macros_and_durations() {
        assert!(err("@often").contains("not a known macro"));
        assert!(err("@every 5").contains("not a duration"));
        assert!(err("@every 1x").contains("not a duration"));
        assert!(err("@daily ").contains("not a known macro"));
        assert!(ok("@every 1.5h"));
        assert!(ok("@every 500ms"));
    }

    #[test]
    fn schedules_that_never_fire() {
        assert!(err("0 0 30 2 *").contains("never fires"));
        assert!(err("0 0 31 4,6,9,11 *").contains("never fires"));
        assert!(ok("0 0 31 4,5 *"));
        assert!(err(", * * * *").contains("no value"));
    }

    #[test]
    fn steps_from_a_start() {
        let Ok(Schedule::Fields(f)) = parse("50/5 * * * *") else {
            panic!()
        };
        assert!(f[0].has(50) && f[0].has(55) && !f[0].has(51) && !f[0].has(0));
        let Ok(Schedule::Fields(f)) = parse("* * * * */1") else {
            panic!()
        };
        assert!(f[4].star);
        let Ok(Schedule::Fields(f)) = parse("* * * * */2") else {
            panic!()
        };
        assert!(!f[4].star);
    }
}
