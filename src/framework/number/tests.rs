//! Unit tests of `number`.

use super::*;

#[test]
fn parse_canonicalises() {
    let cases = vec![
        ("int", "42", "42"),
        ("negative", "-7", "-7"),
        ("plus sign", "+7", "7"),
        ("trailing zeros", "1.500", "1.5"),
        ("integral decimal", "1.0", "1"),
        ("leading zeros", "007.25", "7.25"),
        ("bare fraction", ".5", "0.5"),
        ("bare int dot", "5.", "5"),
        ("exponent", "1e3", "1000"),
        ("negative exponent", "25e-3", "0.025"),
        ("zero", "-0.000", "0"),
        ("big int", "12345678901234567890", "12345678901234567890"),
        (
            "big decimal",
            "12345678901234567890.123",
            "12345678901234567890.123",
        ),
        ("tiny", "1e-30", "0.000000000000000000000000000001"),
        ("inf", "-Infinity", "-Infinity"),
    ];
    for (name, input, want) in cases {
        let n = Number::parse(input).unwrap_or_else(|| panic!("case {name} did not parse"));
        assert_eq!(n.to_decimal_string(), want, "case {name}");
        assert_eq!(Number::parse(&n.to_string()), Some(n), "reparse {name}");
    }
}

#[test]
fn parse_rejects() {
    for (name, input) in [
        ("empty", ""),
        ("sign only", "-"),
        ("dot only", "."),
        ("letters", "12a"),
        ("two dots", "1.2.3"),
        ("empty exponent", "1e"),
        ("huge exponent", "1e9999999"),
        ("too long", "1e5000"),
        ("space", " 1"),
        ("hex", "0x10"),
    ] {
        assert_eq!(Number::parse(input), None, "case {name}");
    }
}

#[test]
fn equality_by_value() {
    let one = Number::from_i64(1);
    assert_eq!(Number::parse("1").unwrap(), one);
    assert_eq!(Number::parse("1.0").unwrap(), one);
    assert_eq!(Number::from_f64(1.0).unwrap(), one);
    assert_eq!(Number::from_f64_exact(1.0).unwrap(), one);
    assert_eq!(Number::from_u64(1), one);
    assert_ne!(Number::parse("1.5").unwrap(), one);
    assert_eq!(
        Number::from_u64(u64::MAX),
        Number::parse("18446744073709551615").unwrap()
    );
    assert_eq!(
        Number::from_f64(0.5).unwrap(),
        Number::parse("0.50").unwrap()
    );
}

#[test]
fn conversions() {
    let n = Number::parse("18446744073709551615").unwrap();
    assert_eq!(n.as_i64(), None);
    assert_eq!(n.as_u64(), Some(u64::MAX));
    assert_eq!(Number::from_i64(-3).as_u64(), None);
    assert_eq!(Number::from_i64(-3).as_i64(), Some(-3));
    assert_eq!(Number::parse("2.5").unwrap().as_f64(), 2.5);
    assert_eq!(Number::parse("2.5").unwrap().as_i64(), None);
    assert!(Number::from_f64(f64::NAN).is_none());
    assert!(Number::from_f64(f64::INFINITY).is_none());
    assert!(Number::from_f64_exact(f64::INFINITY).unwrap().is_infinite());
    assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
    assert_eq!(
        Number::from_f64_exact(0.1).unwrap().to_string(),
        "0.1000000000000000055511151231257827021181583404541015625"
    );
    assert_eq!(
        Number::from_f64_exact(-2.0f64.powi(63)).unwrap().as_i64(),
        Some(i64::MIN)
    );
    assert_eq!(
        Number::from_f64_exact(2.0f64.powi(63)).unwrap().to_string(),
        "9223372036854775808"
    );
}

#[test]
fn exact_decimal_of_extremes() {
    let smallest = exact_decimal(f64::from_bits(1));
    assert!(smallest.starts_with("0.000"));
    assert!(smallest.ends_with("625"));
    assert_eq!(smallest.parse::<f64>().unwrap(), f64::from_bits(1));
    let largest = exact_decimal(f64::MAX);
    assert_eq!(largest.len(), 309);
    assert_eq!(largest.parse::<f64>().unwrap(), f64::MAX);
    assert_eq!(exact_decimal(-0.75), "-0.75");
}

/// Deterministic xorshift sequence for the property tests.
fn rng(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[test]
fn random_floats_travel_exactly() {
    let mut next = rng(0x1234_5678_9abc_def1);
    for _ in 0..3000 {
        let f = f64::from_bits(next());
        if !f.is_finite() {
            continue;
        }
        let n = Number::from_f64_exact(f).unwrap();
        let text = n.to_decimal_string();
        let back: f64 = text.parse().expect("decimal text parses");
        assert_eq!(back.to_bits(), f.to_bits(), "{f:e} sent as {text}");
        assert_eq!(n.as_f64().to_bits(), f.to_bits(), "as_f64 of {f:e}");
        assert_eq!(
            Number::parse(&n.to_string()),
            Some(n.clone()),
            "reparse {f:e}"
        );
    }
}

#[test]
fn random_text_parses_consistently() {
    let mut next = rng(0x0bad_cafe_f00d_d00d);
    let alphabet = b"0123456789012345678901234567890123456789..eE+-";
    for _ in 0..5000 {
        let len = (next() % 24) as usize;
        let text: String = (0..len)
            .map(|_| char::from(alphabet[(next() as usize) % alphabet.len()]))
            .collect();
        let Some(n) = Number::parse(&text) else {
            continue;
        };
        assert_eq!(
            Number::parse(&n.to_string()),
            Some(n.clone()),
            "reparse {text}"
        );
        if let Ok(f) = text.parse::<f64>()
            && f.is_finite()
        {
            assert_eq!(n.as_f64(), f, "as_f64 of {text}");
        }
    }
}
