//! cty types: the type system Terraform uses for schema attributes and wire values.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value as Json;

/// A cty type. `Dynamic` is the pseudo-type "any type, decided at run time".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `bool`
    Bool,
    /// `number` (arbitrary precision)
    Number,
    /// `string`
    String,
    /// `dynamic`: values in this slot carry their own type on the wire.
    Dynamic,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)` with string keys
    Map(Box<Type>),
    /// `object({...})`
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`
    Tuple(Vec<Type>),
}

/// A cty type JSON document that does not describe a type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cty type JSON: {message}")]
pub struct TypeError {
    /// What is wrong with the document.
    pub message: String,
}

fn type_error(message: impl Into<String>) -> TypeError {
    TypeError {
        message: message.into(),
    }
}

impl Type {
    /// `list(t)`
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    /// `set(t)`
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    /// `map(t)`
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// `tuple([...])`
    pub fn tuple(elems: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elems.into_iter().collect())
    }

    /// The cty type JSON: `"string"`, `["list","string"]`, `["object",{"a":"bool"}]`.
    pub fn to_json(&self) -> Json {
        match self {
            Type::Bool => Json::from("bool"),
            Type::Number => Json::from("number"),
            Type::String => Json::from("string"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => Json::Array(vec!["list".into(), e.to_json()]),
            Type::Set(e) => Json::Array(vec!["set".into(), e.to_json()]),
            Type::Map(e) => Json::Array(vec!["map".into(), e.to_json()]),
            Type::Object(attrs) => {
                let map = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect::<serde_json::Map<_, _>>();
                Json::Array(vec!["object".into(), Json::Object(map)])
            }
            Type::Tuple(elems) => Json::Array(vec![
                "tuple".into(),
                Json::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The cty type JSON as compact bytes (what `Schema.Attribute.type` carries).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses cty type JSON. Accepts the optional third element of object types
    /// (the list of optional attribute names), which only matters for type constraints.
    pub fn from_json(v: &Json) -> Result<Type, TypeError> {
        match v {
            Json::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(type_error(format!("unknown primitive type {other:?}"))),
            },
            Json::Array(items) => Self::from_json_array(items),
            other => Err(type_error(format!(
                "expected a string or an array, found {other}"
            ))),
        }
    }

    /// Parses cty type JSON from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, TypeError> {
        let json: Json =
            serde_json::from_slice(bytes).map_err(|e| type_error(format!("not JSON: {e}")))?;
        Type::from_json(&json)
    }

    fn from_json_array(items: &[Json]) -> Result<Type, TypeError> {
        let kind = items
            .first()
            .and_then(Json::as_str)
            .ok_or_else(|| type_error("a composite type must start with its kind string"))?;
        let arg = items
            .get(1)
            .ok_or_else(|| type_error(format!("{kind} type is missing its argument")))?;
        let max_len = if kind == "object" { 3 } else { 2 };
        if items.len() > max_len {
            return Err(type_error(format!("{kind} type has too many elements")));
        }
        match kind {
            "list" => Ok(Type::list(Type::from_json(arg)?)),
            "set" => Ok(Type::set(Type::from_json(arg)?)),
            "map" => Ok(Type::map(Type::from_json(arg)?)),
            "object" => Self::object_from_json(arg, items.get(2)),
            "tuple" => {
                let elems = arg
                    .as_array()
                    .ok_or_else(|| type_error("tuple element types must be an array"))?;
                Ok(Type::Tuple(
                    elems
                        .iter()
                        .map(Type::from_json)
                        .collect::<Result<_, _>>()?,
                ))
            }
            other => Err(type_error(format!("unknown composite type kind {other:?}"))),
        }
    }

    fn object_from_json(attrs: &Json, optional: Option<&Json>) -> Result<Type, TypeError> {
        let attrs = attrs
            .as_object()
            .ok_or_else(|| type_error("object attribute types must be a JSON object"))?;
        let mut out = BTreeMap::new();
        for (name, ty) in attrs {
            out.insert(name.clone(), Type::from_json(ty)?);
        }
        if let Some(optional) = optional {
            let names = optional
                .as_array()
                .ok_or_else(|| type_error("optional attribute list must be an array"))?;
            for name in names {
                let name = name
                    .as_str()
                    .ok_or_else(|| type_error("optional attribute names must be strings"))?;
                if !out.contains_key(name) {
                    return Err(type_error(format!(
                        "optional attribute {name:?} is not an attribute of the object"
                    )));
                }
            }
        }
        Ok(Type::Object(out))
    }

    /// The type of attribute `name` when `self` is an object type.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// The element type of a list, set or map type.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => Some(e),
            _ => None,
        }
    }

    /// True for list, set and map types.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }
}

impl fmt::Display for Type {
    /// A friendly name for error messages, e.g. `list of string`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list of {e}"),
            Type::Set(e) => write!(f, "set of {e}"),
            Type::Map(e) => write!(f, "map of {e}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample_types() -> Vec<(&'static str, Type, Json)> {
        vec![
            ("string", Type::String, json!("string")),
            ("number", Type::Number, json!("number")),
            ("bool", Type::Bool, json!("bool")),
            ("dynamic", Type::Dynamic, json!("dynamic")),
            ("list", Type::list(Type::String), json!(["list", "string"])),
            ("set", Type::set(Type::Number), json!(["set", "number"])),
            ("map", Type::map(Type::Bool), json!(["map", "bool"])),
            (
                "object",
                Type::object([("b", Type::String), ("a", Type::list(Type::Number))]),
                json!(["object", {"a": ["list", "number"], "b": "string"}]),
            ),
            (
                "tuple",
                Type::tuple([Type::String, Type::Dynamic]),
                json!(["tuple", ["string", "dynamic"]]),
            ),
            (
                "empty object",
                Type::object(Vec::<(String, Type)>::new()),
                json!(["object", {}]),
            ),
        ]
    }

    #[test]
    fn json_round_trips() {
        for (name, ty, want) in sample_types() {
            assert_eq!(ty.to_json(), want, "to_json {name}");
            assert_eq!(Type::from_json(&want).unwrap(), ty, "from_json {name}");
            assert_eq!(
                Type::from_json_bytes(&ty.to_json_bytes()).unwrap(),
                ty,
                "bytes {name}"
            );
        }
    }

    #[test]
    fn object_keys_are_sorted_in_bytes() {
        let ty = Type::object([("zeta", Type::String), ("alpha", Type::Bool)]);
        assert_eq!(
            String::from_utf8(ty.to_json_bytes()).unwrap(),
            r#"["object",{"alpha":"bool","zeta":"string"}]"#
        );
    }

    #[test]
    fn optional_attribute_list_accepted() {
        let v = json!(["object", {"a": "string", "b": "number"}, ["b"]]);
        assert_eq!(
            Type::from_json(&v).unwrap(),
            Type::object([("a", Type::String), ("b", Type::Number)])
        );
    }

    #[test]
    fn invalid_type_json() {
        let cases = vec![
            ("unknown primitive", json!("float")),
            ("number literal", json!(3)),
            ("empty array", json!([])),
            ("missing arg", json!(["list"])),
            ("unknown kind", json!(["vector", "string"])),
            ("tuple not array", json!(["tuple", "string"])),
            ("object not map", json!(["object", ["a"]])),
            ("too many", json!(["list", "string", "x"])),
            (
                "optional not attr",
                json!(["object", {"a": "string"}, ["b"]]),
            ),
        ];
        for (name, v) in cases {
            assert!(Type::from_json(&v).is_err(), "case {name} should fail");
        }
    }

    #[test]
    fn attribute_lookup() {
        let ty = Type::object([("a", Type::String)]);
        assert_eq!(ty.attribute_type("a"), Some(&Type::String));
        assert_eq!(ty.attribute_type("b"), None);
        assert_eq!(Type::String.attribute_type("a"), None);
    }
}
