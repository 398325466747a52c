//! Arbitrary-precision-safe numbers for cty `number` values.
//!
//! A [`Number`] is kept in one canonical form per numeric value, so equality is structural:
//! integers in the `i64` range are stored as `i64`, every other finite number as normalised
//! decimal text without exponent (`12345678901234567890.123`, `0.1`), plus the two infinities.

use std::fmt;

/// Longest decimal text (in characters) accepted by [`Number::parse`]; guards memory use.
const MAX_TEXT_LEN: usize = 4096;

/// A cty number. Equality is by numeric value (`"1" == 1 == 1.0`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(Repr);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Repr {
    /// Every integer that fits in an i64.
    Int(i64),
    /// Any other finite number: canonical decimal text (no exponent, no redundant zeros).
    Dec(String),
    /// An infinity; `true` = negative.
    Inf(bool),
}

impl Number {
    /// An integer.
    pub fn from_i64(i: i64) -> Self {
        Number(Repr::Int(i))
    }

    /// An unsigned integer.
    pub fn from_u64(u: u64) -> Self {
        match i64::try_from(u) {
            Ok(i) => Number(Repr::Int(i)),
            Err(_) => Number(Repr::Dec(u.to_string())),
        }
    }

    /// The decimal number a float prints as (its shortest round-trip text), so `0.1f64`
    /// becomes the decimal `0.1`, matching what a user writes in configuration.
    /// `None` for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Self> {
        if !f.is_finite() {
            return None;
        }
        Number::parse(&format!("{f}"))
    }

    /// The exact binary value of a float (e.g. a float64 received on the wire).
    /// Infinities are kept; `None` for NaN.
    pub fn from_f64_exact(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            return Some(Number(Repr::Inf(f < 0.0)));
        }
        // Integral floats in i64 range convert exactly; the range check excludes 2^63.
        const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
        if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
            return Some(Number(Repr::Int(f as i64)));
        }
        Number::parse(&exact_decimal(f))
    }

    /// Parses decimal text: optional sign, digits with optional fraction, optional exponent
    /// (`-12.5`, `1e3`, `.5`), or `inf`/`infinity`. `None` if it is not a number.
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, rest) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
            return Some(Number(Repr::Inf(negative)));
        }
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], parse_exponent(&rest[at + 1..])?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if !int_part
            .bytes()
            .chain(frac_part.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{int_part}{frac_part}");
        let exp10 = exponent.checked_sub(i64::try_from(frac_part.len()).ok()?)?;
        from_digits(negative, &digits, exp10)
    }

    /// The value as an i64 if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Int(i) => Some(i),
            _ => None,
        }
    }

    /// The value as a u64 if it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Int(i) => u64::try_from(*i).ok(),
            Repr::Dec(text) => text.parse().ok(),
            Repr::Inf(_) => None,
        }
    }

    /// The nearest float (may lose precision).
    pub fn as_f64(&self) -> f64 {
        match &self.0 {
            Repr::Int(i) => *i as f64,
            Repr::Dec(text) => text.parse().unwrap_or(f64::NAN),
            Repr::Inf(true) => f64::NEG_INFINITY,
            Repr::Inf(false) => f64::INFINITY,
        }
    }

    /// True if the value is a whole number (infinities are not).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int(_) => true,
            Repr::Dec(text) => !text.contains('.'),
            Repr::Inf(_) => false,
        }
    }

    /// True for the two infinities.
    pub fn is_infinite(&self) -> bool {
        matches!(self.0, Repr::Inf(_))
    }

    /// Decimal text without exponent (`-12.5`, `12345678901234567890.123`);
    /// infinities render as `Infinity` / `-Infinity`.
    pub fn to_decimal_string(&self) -> String {
        match &self.0 {
            Repr::Int(i) => i.to_string(),
            Repr::Dec(text) => text.clone(),
            Repr::Inf(true) => "-Infinity".to_string(),
            Repr::Inf(false) => "Infinity".to_string(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::from_i64(i)
    }
}

impl From<u64> for Number {
    fn from(u: u64) -> Self {
        Number::from_u64(u)
    }
}

impl From<i32> for Number {
    fn from(i: i32) -> Self {
        Number::from_i64(i64::from(i))
    }
}

fn parse_exponent(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Builds the canonical number `(-1)^negative * digits * 10^exp10`.
fn from_digits(negative: bool, digits: &str, exp10: i64) -> Option<Number> {
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(Number(Repr::Int(0)));
    }
    let trimmed = significant.trim_end_matches('0');
    let exp10 = exp10.checked_add(i64::try_from(significant.len() - trimmed.len()).ok()?)?;
    let sign = if negative { "-" } else { "" };
    let text = if exp10 >= 0 {
        let zeros = usize::try_from(exp10).ok()?;
        if trimmed.len().saturating_add(zeros) > MAX_TEXT_LEN {
            return None;
        }
        let text = format!("{sign}{trimmed}{}", "0".repeat(zeros));
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number(Repr::Int(i)));
        }
        text
    } else {
        let frac_len = usize::try_from(-exp10).ok()?;
        if frac_len.saturating_add(trimmed.len()) > MAX_TEXT_LEN {
            return None;
        }
        if trimmed.len() > frac_len {
            let (int, frac) = trimmed.split_at(trimmed.len() - frac_len);
            format!("{sign}{int}.{frac}")
        } else {
            let pad = "0".repeat(frac_len - trimmed.len());
            format!("{sign}0.{pad}{trimmed}")
        }
    };
    Some(Number(Repr::Dec(text)))
}

/// The exact decimal expansion of a finite float, canonical (no trailing zeros, no exponent).
fn exact_decimal(f: f64) -> String {
    let bits = f.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut mant, mut exp2) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if mant == 0 {
        return "0".to_string();
    }
    while mant & 1 == 0 && exp2 < 0 {
        mant >>= 1;
        exp2 += 1;
    }
    let sign = if negative { "-" } else { "" };
    let mut big = BigUint::from_u64(mant);
    if exp2 >= 0 {
        big.mul_pow(2, exp2 as u32);
        return format!("{sign}{}", big.into_decimal());
    }
    let frac_len = (-exp2) as usize;
    big.mul_pow(5, frac_len as u32);
    let digits = big.into_decimal();
    if digits.len() > frac_len {
        let (int, frac) = digits.split_at(digits.len() - frac_len);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(frac_len - digits.len()))
    }
}

/// Just enough unsigned big-integer arithmetic to expand floats exactly.
struct BigUint {
    /// Little-endian base-2^32 limbs.
    limbs: Vec<u32>,
}

impl BigUint {
    fn from_u64(v: u64) -> Self {
        BigUint {
            limbs: vec![v as u32, (v >> 32) as u32],
        }
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let product = u64::from(*limb) * u64::from(m) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    /// Multiplies by `base^exp` (base 2 or 5), in chunks that fit a u32.
    fn mul_pow(&mut self, base: u32, mut exp: u32) {
        let (chunk, chunk_exp) = if base == 2 {
            (1u32 << 31, 31)
        } else {
            (1_220_703_125, 13)
        };
        while exp >= chunk_exp {
            self.mul_small(chunk);
            exp -= chunk_exp;
        }
        self.mul_small(base.pow(exp));
    }

    /// Divides in place by `d`, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(d)) as u32;
            rem = cur % u64::from(d);
        }
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        rem as u32
    }

    fn into_decimal(mut self) -> String {
        let mut chunks = Vec::new();
        while !self.limbs.is_empty() {
            chunks.push(self.div_small(1_000_000_000));
        }
        let mut out = match chunks.pop() {
            Some(top) => top.to_string(),
            None => return "0".to_string(),
        };
        for chunk in chunks.iter().rev() {
            out.push_str(&format!("{chunk:09}"));
        }
        out
    }
}

#[cfg(test)]
mod tests;
