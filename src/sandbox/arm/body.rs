//! Request-body parsing shared by the resource files: bodies are deserialized into the
//! sandbox's own request structs (built from the REST definitions), and a wrong type or a
//! missing required property is ARM's 400, naming the property path.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::sandbox::error::ArmError;

/// `tags` as ARM takes them: a map of strings.
pub type Tags = BTreeMap<String, String>;

/// `{"id": "..."}` sub-resource reference.
#[derive(Debug, Clone, Deserialize)]
pub struct SubResource {
    /// Referenced ARM id.
    pub id: Option<String>,
}

/// Deserializes a JSON body; errors name the JSON path (e.g. `properties.subnet.id`).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ArmError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ArmError::invalid_content("the request body is empty"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ArmError::invalid_content(format!("{inner} (at '{path}')")).with_target(path)
    })
}

/// The value of a required property, or ARM's 400 naming it.
pub fn require<'a, T>(value: &'a Option<T>, path: &str, code: &str) -> Result<&'a T, ArmError> {
    value
        .as_ref()
        .ok_or_else(|| ArmError::missing_property(code, path))
}

/// A required `location`: ARM's `LocationRequired` when missing or empty.
pub fn require_location(location: &Option<String>) -> Result<String, ArmError> {
    match location.as_deref().map(str::trim) {
        Some(l) if !l.is_empty() => Ok(l.to_string()),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )
        .with_target("location")),
    }
}

/// Normalises a region the way ARM returns it (`East US` → `eastus`).
pub fn normalize_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Checks a resource name against ARM's rule for the type (length and characters).
pub fn check_name(name: &str, resource_type: &str, min: usize, max: usize) -> Result<(), ArmError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let starts_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ends_ok = name
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if (min..=max).contains(&name.len()) && ok_chars && starts_ok && ends_ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "Resource name {name} is invalid. The name can be up to {max} characters long. It \
             must begin with a word character, and it must end with a word character or with \
             '_'. The name may contain word characters or '.', '-', '_'. ({resource_type})"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        location: Option<String>,
        properties: Option<ProbeProps>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct ProbeProps {
        ttl: Option<i64>,
    }

    #[test]
    fn wrong_types_name_the_path() {
        let err = parse::<Probe>(br#"{"properties":{"ttl":"x"}}"#).expect_err("type");
        assert_eq!(err.code, "InvalidRequestContent");
        assert_eq!(err.target(), Some("properties.ttl"));
        assert!(parse::<Probe>(b"").is_err());
        assert!(parse::<Probe>(b"{not json").is_err());
        let ok = parse::<Probe>(br#"{"location":"eastus"}"#).expect("ok");
        assert_eq!(require_location(&ok.location).expect("loc"), "eastus");
        assert_eq!(
            require_location(&None).expect_err("none").code,
            "LocationRequired"
        );
        assert_eq!(normalize_location("East US"), "eastus");
        assert!(check_name("pe-1", "privateEndpoints", 2, 64).is_ok());
        assert!(check_name("-pe", "privateEndpoints", 2, 64).is_err());
        assert!(check_name("p", "privateEndpoints", 2, 64).is_err());
    }
}
