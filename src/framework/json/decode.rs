//! From the parsed tree to a value, directed by the type (state decoding also fills attributes
//! the type has and the JSON lacks).

use std::collections::BTreeMap;

use super::parser::Node;
use super::*;
use crate::framework::msgpack::dedupe_set;
use crate::framework::number::Number;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::Value;

// ----------------------------------------------------------------------------------------
// Tree to value, directed by the type

pub(super) fn from_node(
    node: &Node,
    ty: &Type,
    path: &AttributePath,
    mode: Mode,
) -> Result<Value, CodecError> {
    if *node == Node::Null {
        return Ok(Value::Null);
    }
    let wrong =
        |what: &str| CodecError::new(path, format!("{what} is required, found {}", node.kind()));
    match ty {
        Type::Dynamic => dynamic_from_node(node, path, mode),
        Type::Bool => match node {
            Node::Bool(b) => Ok(Value::Bool(*b)),
            Node::String(s) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(CodecError::new(
                    path,
                    format!("a bool is required, found string {s:?}"),
                )),
            },
            _ => Err(wrong("a bool")),
        },
        Type::Number => match node {
            Node::Number(text) | Node::String(text) => {
                Number::parse(text).map(Value::Number).ok_or_else(|| {
                    CodecError::new(path, format!("a number is required, found {text:?}"))
                })
            }
            _ => Err(wrong("a number")),
        },
        Type::String => match node {
            Node::String(s) | Node::Number(s) => Ok(Value::String(s.clone())),
            Node::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(wrong("a string")),
        },
        Type::List(elem) | Type::Set(elem) => {
            let Node::Array(items) = node else {
                return Err(wrong("an array"));
            };
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    from_node(item, elem, &path.child(PathStep::Index(i as i64)), mode)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(dedupe_set(values))
            } else {
                Value::List(values)
            })
        }
        Type::Tuple(elems) => {
            let Node::Array(items) = node else {
                return Err(wrong("an array"));
            };
            if items.len() != elems.len() {
                return Err(CodecError::new(
                    path,
                    format!(
                        "a tuple of {} elements is required, found {}",
                        elems.len(),
                        items.len()
                    ),
                ));
            }
            let values = items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, t))| {
                    from_node(item, t, &path.child(PathStep::Index(i as i64)), mode)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(values))
        }
        Type::Map(elem) => {
            let Node::Object(entries) = node else {
                return Err(wrong("an object"));
            };
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                let value = from_node(item, elem, &path.child(PathStep::Key(k.clone())), mode)?;
                out.insert(k.clone(), value);
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let Node::Object(entries) = node else {
                return Err(wrong("an object"));
            };
            object_from_entries(entries, attrs, path, mode)
        }
    }
}

pub(super) fn object_from_entries(
    entries: &[(String, Node)],
    attrs: &BTreeMap<String, Type>,
    path: &AttributePath,
    mode: Mode,
) -> Result<Value, CodecError> {
    let mut out = BTreeMap::new();
    for (k, item) in entries {
        let child = path.child(PathStep::Attr(k.clone()));
        match attrs.get(k) {
            Some(attr_ty) => {
                out.insert(k.clone(), from_node(item, attr_ty, &child, mode)?);
            }
            None if mode == Mode::DropUnknownAttributes => {}
            None => return Err(CodecError::new(&child, "unsupported attribute")),
        }
    }
    for name in attrs.keys() {
        out.entry(name.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(out))
}

pub(super) fn dynamic_from_node(
    node: &Node,
    path: &AttributePath,
    mode: Mode,
) -> Result<Value, CodecError> {
    let Node::Object(entries) = node else {
        return Err(CodecError::new(
            path,
            format!(
                "a {{\"value\":…,\"type\":…}} object is required for a dynamic value, found {}",
                node.kind()
            ),
        ));
    };
    let mut ty_node = None;
    let mut value_node = None;
    for (k, item) in entries {
        match k.as_str() {
            "type" => ty_node = Some(item),
            "value" => value_node = Some(item),
            other => {
                return Err(CodecError::new(
                    path,
                    format!("invalid key {other:?} in dynamically-typed value"),
                ));
            }
        }
    }
    let ty_node =
        ty_node.ok_or_else(|| CodecError::new(path, "missing type in dynamically-typed value"))?;
    let value_node = value_node
        .ok_or_else(|| CodecError::new(path, "missing value in dynamically-typed value"))?;
    let ty = Type::from_json(&node_to_json(ty_node))
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    let inner = from_node(value_node, &ty, path, mode)?;
    Ok(Value::Typed(Box::new(ty), Box::new(inner)))
}

/// Converts a type-JSON subtree (strings, arrays, objects only) to serde_json.
pub(super) fn node_to_json(node: &Node) -> serde_json::Value {
    match node {
        Node::Null => serde_json::Value::Null,
        Node::Bool(b) => serde_json::Value::Bool(*b),
        // Type JSON holds no numbers; keep the text so the type parser reports it.
        Node::Number(text) => serde_json::Value::String(text.clone()),
        Node::String(s) => serde_json::Value::String(s.clone()),
        Node::Array(items) => serde_json::Value::Array(items.iter().map(node_to_json).collect()),
        Node::Object(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), node_to_json(v)))
                .collect(),
        ),
    }
}
