//! Reads JSON text into a tree that keeps each number's source text, so arbitrary precision
//! survives: serde_json checks the grammar and unescapes strings, and its raw values hand us
//! every number exactly as written (design/wire-numbers.md says why the text matters).

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A parsed JSON document; numbers keep their source text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in document order, duplicates kept.
    Object(Vec<(String, Node)>),
}

impl Node {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a bool",
            Node::Number(_) => "a number",
            Node::String(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }
}

/// Parses one whole document (nothing but whitespace may follow it). Nesting is limited by
/// serde_json's recursion limit (128 levels).
pub(super) fn parse_document(text: &str) -> Result<Node, String> {
    node(serde_json::from_str(text).map_err(invalid)?)
}

fn invalid(e: serde_json::Error) -> String {
    format!("invalid JSON: {e}")
}

/// The tree of one value that serde_json has already checked.
fn node(raw: &RawValue) -> Result<Node, String> {
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'{') => {
            let Members(members) = serde_json::from_str(text).map_err(invalid)?;
            Node::Object(
                members
                    .into_iter()
                    .map(|(key, value)| Ok((key, node(value)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        Some(b'[') => Node::Array(
            serde_json::from_str::<Vec<&RawValue>>(text)
                .map_err(invalid)?
                .into_iter()
                .map(node)
                .collect::<Result<_, _>>()?,
        ),
        Some(b'"') => Node::String(serde_json::from_str(text).map_err(invalid)?),
        Some(b't') => Node::Bool(true),
        Some(b'f') => Node::Bool(false),
        Some(b'n') => Node::Null,
        _ => Node::Number(text.to_string()),
    })
}

/// An object's members as raw values, in document order with duplicates kept (a map type
/// would keep one of them silently).
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(MembersVisitor)
    }
}
