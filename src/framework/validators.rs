//! Reusable validators. Each describes itself (for docs and messages) and checks one known,
//! non-null value at validate time, reporting problems at the attribute's path.

use std::fmt::Debug;
use std::net::Ipv4Addr;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::duration;
use super::path::AttributePath;
use super::value::Value;

/// A check on one attribute value.
pub trait Validator: Send + Sync + Debug {
    /// One line saying what a valid value looks like ("between 1 and 140 characters").
    fn description(&self) -> String;
    /// Checks a known, non-null value; pushes diagnostics at `path`.
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics);
}

fn invalid(diags: &mut Diagnostics, path: &AttributePath, detail: String) {
    diags.push(Diagnostic::error("Invalid attribute value", detail).at(path.clone()));
}

/// A string check written as a function returning the reason a value is wrong.
pub struct StringCheck {
    description: String,
    check: fn(&str) -> Result<(), String>,
}

impl Debug for StringCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StringCheck({})", self.description)
    }
}

impl StringCheck {
    /// A check with a description and a function giving the reason a value is wrong.
    pub fn new(description: &str, check: fn(&str) -> Result<(), String>) -> Self {
        Self {
            description: description.to_string(),
            check,
        }
    }

    /// The function behind the check, for reuse in other checks.
    pub fn check_fn(&self) -> fn(&str) -> Result<(), String> {
        self.check
    }
}

impl Validator for StringCheck {
    fn description(&self) -> String {
        self.description.clone()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(Err(reason)) = value.as_str().map(self.check) {
            invalid(diags, path, format!("{path}: {reason}"));
        }
    }
}

/// String length in characters, inclusive bounds.
#[derive(Debug)]
pub struct StringLength {
    /// Fewest characters.
    pub min: usize,
    /// Most characters.
    pub max: usize,
}

impl Validator for StringLength {
    fn description(&self) -> String {
        format!("between {} and {} characters", self.min, self.max)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            let n = s.chars().count();
            if n < self.min || n > self.max {
                invalid(
                    diags,
                    path,
                    format!("{path} must be {}, got {n}", self.description()),
                );
            }
        }
    }
}

/// One of a fixed list of strings (case-sensitive).
#[derive(Debug)]
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn description(&self) -> String {
        format!(
            "one of {}",
            self.0
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && !self.0.contains(&s)
        {
            invalid(
                diags,
                path,
                format!("{path} must be {}, got {s:?}", self.description()),
            );
        }
    }
}

/// A dotted-quad IPv4 address.
#[derive(Debug)]
pub struct Ipv4;

impl Validator for Ipv4 {
    fn description(&self) -> String {
        "an IPv4 address such as 10.0.1.4".to_string()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str()
            && s.parse::<Ipv4Addr>().is_err()
        {
            invalid(
                diags,
                path,
                format!("{path} must be {}, got {s:?}", self.description()),
            );
        }
    }
}

/// A whole number in an inclusive range.
#[derive(Debug)]
pub struct IntRange {
    /// Smallest allowed.
    pub min: i64,
    /// Largest allowed.
    pub max: i64,
}

impl Validator for IntRange {
    fn description(&self) -> String {
        format!("a whole number from {} to {}", self.min, self.max)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(n) = value.as_number() {
            match n.as_i64() {
                Some(i) if i >= self.min && i <= self.max => {}
                _ => invalid(
                    diags,
                    path,
                    format!("{path} must be {}, got {n}", self.description()),
                ),
            }
        }
    }
}

/// A Go-style duration string ("30s", "20m", "1h30m").
#[derive(Debug)]
pub struct GoDuration;

impl Validator for GoDuration {
    fn description(&self) -> String {
        "a duration such as \"30s\", \"20m\" or \"1h30m\"".to_string()
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        if let Some(s) = value.as_str() {
            match duration::parse(s) {
                Ok(d) if !d.is_zero() => {}
                Ok(_) => invalid(
                    diags,
                    path,
                    format!("{path} must be longer than zero, got {s:?}"),
                ),
                Err(e) => invalid(
                    diags,
                    path,
                    format!("{path} must be {}: {e}", self.description()),
                ),
            }
        }
    }
}

/// A collection with at least `n` elements.
#[derive(Debug)]
pub struct MinItems(pub usize);

impl Validator for MinItems {
    fn description(&self) -> String {
        format!("at least {} element(s)", self.0)
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let n = match value {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.len(),
            Value::Map(m) => m.len(),
            _ => return,
        };
        if n < self.0 {
            invalid(
                diags,
                path,
                format!("{path} must have {}, got {n}", self.description()),
            );
        }
    }
}

/// Applies a validator to each known element of a list, set or map.
#[derive(Debug)]
pub struct Each<V: Validator>(pub V);

impl<V: Validator> Validator for Each<V> {
    fn description(&self) -> String {
        format!("each element {}", self.0.description())
    }
    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        match value {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.is_wholly_known() && !item.is_null() {
                        self.0.validate(item, &path.clone().index(i as i64), diags);
                    }
                }
            }
            // Set elements have no index Terraform can point at: report on the set itself.
            Value::Set(items) => {
                for item in items.iter().filter(|i| i.is_wholly_known() && !i.is_null()) {
                    self.0.validate(item, path, diags);
                }
            }
            Value::Map(m) => {
                for (k, item) in m {
                    if item.is_wholly_known() && !item.is_null() {
                        self.0.validate(item, &path.clone().key(k), diags);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &dyn Validator, value: Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        v.validate(&value, &AttributePath::root().attr("x"), &mut d);
        d.iter().map(|d| d.detail.clone()).collect()
    }

    #[test]
    fn string_length_bounds() {
        let v = StringLength { min: 2, max: 3 };
        assert!(run(&v, "ab".into()).is_empty());
        assert!(run(&v, "abc".into()).is_empty());
        assert_eq!(run(&v, "a".into()).len(), 1);
        assert!(run(&v, "abcd".into())[0].contains("x must be between 2 and 3 characters, got 4"));
    }

    #[test]
    fn one_of_names_the_choices() {
        let v = OneOf(&["Approved", "Pending"]);
        assert!(run(&v, "Approved".into()).is_empty());
        let got = run(&v, "approved".into());
        assert!(got[0].contains("`Approved`, `Pending`"), "{got:?}");
    }

    #[test]
    fn ipv4_rejects_cidr_and_v6() {
        assert!(run(&Ipv4, "10.0.0.4".into()).is_empty());
        assert_eq!(run(&Ipv4, "10.0.0.4/32".into()).len(), 1);
        assert_eq!(run(&Ipv4, "::1".into()).len(), 1);
        assert_eq!(run(&Ipv4, "256.0.0.1".into()).len(), 1);
    }

    #[test]
    fn int_range_and_duration() {
        let r = IntRange { min: 1, max: 10 };
        assert!(run(&r, Value::from(5i64)).is_empty());
        assert_eq!(run(&r, Value::from(0i64)).len(), 1);
        assert!(run(&GoDuration, "1h30m".into()).is_empty());
        assert_eq!(run(&GoDuration, "soon".into()).len(), 1);
        assert_eq!(run(&GoDuration, "0s".into()).len(), 1);
    }

    #[test]
    fn each_reports_element_paths() {
        let v = Each(Ipv4);
        let mut d = Diagnostics::new();
        v.validate(
            &Value::List(vec!["10.0.0.1".into(), "nope".into()]),
            &AttributePath::root().attr("ips"),
            &mut d,
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
            Some("ips[1]")
        );
    }
}
