//! Tag rules checked at validate time, before any Azure call: ARM's for every resource, and
//! the stricter ones of Private DNS, which drops tag names it does not accept without an
//! error, so that a plan with one never converges (design/arm-rules.md §7). One validator,
//! [`Tags`], holds a set of [`TagRules`]; any `tags` attribute (a zone's, a link's) takes it.

use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::validators::Validator;
use crate::framework::value::Value;

/// Characters ARM refuses in tag names.
const ARM_FORBIDDEN: &[char] = &['<', '>', '%', '&', '\\', '?', '/'];

/// What one kind of Azure resource accepts as tags.
#[derive(Debug)]
pub struct TagRules {
    /// Who the rules are for, in messages ("an Azure resource").
    pub what: &'static str,
    /// Most tags on one resource.
    pub max_tags: usize,
    /// Why a tag name is refused, beyond ARM's rules (`None`: accepted).
    pub extra_name_rule: Option<fn(&str) -> Option<String>>,
}

/// ARM's rules for every resource: at most 50 tags; names of 1 to 512 characters without
/// `<>%&\?/`, unique without regard to case; values up to 256 characters.
pub const ARM: TagRules = TagRules {
    what: "an Azure resource",
    max_tags: 50,
    extra_name_rule: None,
};

/// Private DNS (zones, record sets, virtual network links): ARM's rules, at most 15 tags,
/// and names of ASCII letters, digits, `_` and `-` that do not start with a digit.
pub const PRIVATE_DNS: TagRules = TagRules {
    what: "a Private DNS zone, record or link",
    max_tags: 15,
    extra_name_rule: Some(private_dns_name),
};

fn private_dns_name(name: &str) -> Option<String> {
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        let shown = if c == ' ' {
            "a space".to_string()
        } else {
            format!("{c:?}")
        };
        return Some(format!(
            "Private DNS accepts only ASCII letters, digits, '_' and '-' in tag names, and silently drops others (this one has {shown}), so the tag would be planned again on every run"
        ));
    }
    name.starts_with(|c: char| c.is_ascii_digit()).then(|| {
        "Private DNS does not accept tag names that start with a digit (it drops them silently)"
            .to_string()
    })
}

/// Why ARM refuses tag name `name`, if it does.
fn arm_name(name: &str) -> Option<String> {
    let n = name.chars().count();
    if n == 0 || n > 512 {
        return Some(format!(
            "tag names have 1 to 512 characters, this one has {n}"
        ));
    }
    let bad: Vec<String> = ARM_FORBIDDEN
        .iter()
        .filter(|c| name.contains(**c))
        .map(|c| format!("'{c}'"))
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "tag names cannot contain < > % & \\ ? / (this one has {})",
            bad.join(", ")
        )
    })
}

/// The validator of a `tags` map under `rules`.
#[derive(Debug)]
pub struct Tags(pub &'static TagRules);

/// The validator for tags ARM's rules cover ([`ARM`]).
pub fn arm() -> Tags {
    Tags(&ARM)
}

/// The validator for tags on Private DNS objects ([`PRIVATE_DNS`]).
pub fn private_dns() -> Tags {
    Tags(&PRIVATE_DNS)
}

impl Validator for Tags {
    fn description(&self) -> String {
        format!(
            "at most {} tags on {}; names of 1-512 characters without `<>%&\\?/`, unique regardless of case; values up to 256 characters",
            self.0.max_tags, self.0.what
        )
    }

    fn validate(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        let Value::Map(tags) = value else {
            return;
        };
        let mut bad = |at: AttributePath, detail: String| {
            diags.push(Diagnostic::error("Invalid tag", format!("{at}: {detail}.")).at(at));
        };
        if tags.len() > self.0.max_tags {
            bad(
                path.clone(),
                format!(
                    "{} takes at most {} tags, got {}",
                    self.0.what,
                    self.0.max_tags,
                    tags.len()
                ),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for (name, v) in tags {
            let at = path.clone().key(name);
            let refused = arm_name(name).or_else(|| self.0.extra_name_rule.and_then(|r| r(name)));
            if let Some(reason) = refused {
                bad(at.clone(), reason);
            }
            let folded = name.to_lowercase();
            if let Some(other) = seen.iter().find(|s| s.to_lowercase() == folded) {
                bad(
                    at.clone(),
                    format!(
                        "Azure compares tag names without regard to case, so {name:?} and {other:?} are the same tag: keep one"
                    ),
                );
            }
            seen.push(name.clone());
            if let Some(s) = v.as_str()
                && s.chars().count() > 256
            {
                bad(
                    at,
                    format!(
                        "tag values have at most 256 characters, this one has {}",
                        s.chars().count()
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
