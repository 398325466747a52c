//! Terraform/Go duration strings (`30m`, `1h30m`, `1.5h`, `300ms`) as in Go's
//! `time.ParseDuration`, for `timeouts` blocks and similar attributes. Negative durations
//! are rejected.

use std::time::Duration;

/// Largest duration Go can represent (int64 nanoseconds).
const MAX_NANOS: u128 = i64::MAX as u128;

/// A duration string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration {input:?}: {reason} (expected e.g. \"30m\", \"1h30m\", \"1.5h\", \"300ms\"; units ns, us, ms, s, m, h)"
)]
pub struct DurationError {
    /// The text that failed to parse.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

fn fail(input: &str, reason: impl Into<String>) -> DurationError {
    DurationError {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Nanoseconds per unit, for the unit names Go accepts.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a Go duration string: one or more `<number><unit>` parts (`1h30m`), where a number
/// may have a fraction (`1.5h`); a bare `0` is allowed. An optional leading `+` is accepted.
pub fn parse(s: &str) -> Result<Duration, DurationError> {
    let body = match s.as_bytes().first() {
        Some(b'-') => return Err(fail(s, "negative durations are not allowed")),
        Some(b'+') => &s[1..],
        Some(_) => s,
        None => return Err(fail(s, "empty string")),
    };
    if body == "0" {
        return Ok(Duration::ZERO);
    }
    if body.is_empty() {
        return Err(fail(s, "missing number"));
    }
    let mut total: u128 = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let (nanos, remaining) = parse_component(rest).map_err(|reason| fail(s, reason))?;
        total = total
            .checked_add(nanos)
            .filter(|t| *t <= MAX_NANOS)
            .ok_or_else(|| fail(s, "duration is too large"))?;
        rest = remaining;
    }
    let secs =
        u64::try_from(total / 1_000_000_000).map_err(|_| fail(s, "duration is too large"))?;
    // The remainder is below 10^9 and fits in a u32.
    let nanos = (total % 1_000_000_000) as u32;
    Ok(Duration::new(secs, nanos))
}

/// Parses one `<number><unit>` part; returns its nanoseconds and the remaining text.
fn parse_component(s: &str) -> Result<(u128, &str), String> {
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let (int_digits, after_int) = s.split_at(int_len);
    let (frac_digits, after_number) = match after_int.strip_prefix('.') {
        Some(after_dot) => {
            let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            after_dot.split_at(frac_len)
        }
        None => ("", after_int),
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err("missing number".to_string());
    }
    let unit_len = after_number
        .char_indices()
        .find(|(_, c)| *c == '.' || c.is_ascii_digit())
        .map_or(after_number.len(), |(i, _)| i);
    let (unit, rest) = after_number.split_at(unit_len);
    if unit.is_empty() {
        return Err("missing unit".to_string());
    }
    let per_unit = unit_nanos(unit).ok_or_else(|| format!("unknown unit {unit:?}"))?;
    let whole = digits_value(int_digits)
        .and_then(|v| v.checked_mul(per_unit))
        .filter(|v| *v <= MAX_NANOS)
        .ok_or_else(|| "duration is too large".to_string())?;
    Ok((whole + fraction_nanos(frac_digits, per_unit), rest))
}

fn digits_value(digits: &str) -> Option<u128> {
    digits.bytes().try_fold(0u128, |acc, d| {
        acc.checked_mul(10)?.checked_add(u128::from(d - b'0'))
    })
}

/// `0.<digits> * per_unit` in nanoseconds, truncated. Digits beyond nanosecond precision of
/// the largest unit (3.6e12 ns) cannot matter, so only the first 30 are used.
fn fraction_nanos(digits: &str, per_unit: u128) -> u128 {
    let used = &digits[..digits.len().min(30)];
    let numerator = digits_value(used).unwrap_or(0);
    let scale = 10u128.pow(used.len() as u32);
    // numerator < 10^30 and per_unit < 4e12: the product fits in u128 (< 3.4e38).
    numerator * per_unit / scale
}

/// Formats like Go's `Duration.String()`: `1h30m0s`, `30m0s`, `10s`, `1.5s`, `300ms`,
/// `1.5µs`, `500ns`, `0s`.
pub fn format(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}\u{b5}s", decimal(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", decimal(nanos, 1_000_000));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = (nanos / 60_000_000_000) % 60;
    let sec_nanos = nanos % 60_000_000_000;
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{}s", decimal(sec_nanos, 1_000_000_000)));
    out
}

/// `value / scale` as decimal text without trailing fractional zeros.
fn decimal(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let frac_text = format!("{frac:0width$}");
    format!("{whole}.{}", frac_text.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_syntax() {
        let cases = vec![
            ("minutes", "30m", Duration::from_secs(1800)),
            ("hours and minutes", "1h30m", Duration::from_secs(5400)),
            ("fractional hours", "1.5h", Duration::from_secs(5400)),
            ("milliseconds", "300ms", Duration::from_millis(300)),
            ("seconds", "10s", Duration::from_secs(10)),
            ("micro us", "2us", Duration::from_micros(2)),
            ("micro sign", "2\u{b5}s", Duration::from_micros(2)),
            ("greek mu", "2\u{3bc}s", Duration::from_micros(2)),
            ("nanoseconds", "15ns", Duration::from_nanos(15)),
            ("bare zero", "0", Duration::ZERO),
            ("zero with unit", "0s", Duration::ZERO),
            ("plus sign", "+5s", Duration::from_secs(5)),
            ("leading fraction", ".5s", Duration::from_millis(500)),
            ("trailing dot", "1.s", Duration::from_secs(1)),
            (
                "all units",
                "1h1m1s1ms1us1ns",
                Duration::new(3661, 1_001_001),
            ),
            ("repeated unit", "1m1m", Duration::from_secs(120)),
            ("long fraction", "1.0000000001s", Duration::from_secs(1)),
            ("fraction of ns truncated", "1.9ns", Duration::from_nanos(1)),
            (
                "max",
                "2562047h47m16.854775807s",
                Duration::new(9_223_372_036, 854_775_807),
            ),
        ];
        for (name, input, want) in cases {
            assert_eq!(parse(input), Ok(want), "case {name}");
        }
    }

    #[test]
    fn rejects_invalid() {
        let cases = vec![
            ("empty", "", "empty"),
            ("negative", "-5m", "negative"),
            ("no unit", "5", "missing unit"),
            ("unknown unit", "5d", "unknown unit"),
            ("unit only", "h", "missing number"),
            ("dot only", ".s", "missing number"),
            ("space", "5 m", "unknown unit"),
            ("sign only", "+", "missing number"),
            ("overflow", "2562048h", "too large"),
            (
                "huge number",
                "99999999999999999999999999999999999999999h",
                "too large",
            ),
            ("trailing number", "1h30", "missing unit"),
        ];
        for (name, input, want) in cases {
            let err = parse(input).expect_err(name);
            assert!(err.reason.contains(want), "case {name}: {err}");
            assert!(
                err.to_string().contains(&format!("{input:?}")),
                "case {name}: {err}"
            );
        }
    }

    #[test]
    fn formats_like_go() {
        let cases = vec![
            ("zero", Duration::ZERO, "0s"),
            ("ns", Duration::from_nanos(500), "500ns"),
            ("us", Duration::from_nanos(1_500), "1.5\u{b5}s"),
            ("ms", Duration::from_millis(300), "300ms"),
            ("fractional s", Duration::from_millis(1_500), "1.5s"),
            ("seconds", Duration::from_secs(10), "10s"),
            ("minutes", Duration::from_secs(1800), "30m0s"),
            ("hours", Duration::from_secs(5400), "1h30m0s"),
            ("exact hour", Duration::from_secs(3600), "1h0m0s"),
            ("mixed", Duration::new(3661, 1_000_000), "1h1m1.001s"),
        ];
        for (name, d, want) in cases {
            assert_eq!(format(d), want, "case {name}");
            assert_eq!(parse(&format(d)), Ok(d), "round trip {name}");
        }
    }
}
