//! JSON codec for cty values (stored state in `RawState.json`), following go-cty's rules.
//!
//! Numbers are read and written as decimal text, so arbitrary precision survives; this module
//! therefore has its own small JSON reader instead of going through `f64`.

use std::collections::BTreeMap;

pub use super::msgpack::CodecError;
use super::msgpack::{dedupe_set, kind_name};
use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::value::Value;

/// Nesting limit for the JSON reader.
const MAX_DEPTH: usize = 256;

/// Encodes `v` as cty JSON against `ty`: object keys sorted, dynamic values as
/// `{"value":…,"type":…}`. Unknown values and infinities cannot be encoded. Object attributes
/// of the type that `v` lacks are written as `null`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = String::new();
    encode_value(&mut out, v, ty, &AttributePath::root())?;
    Ok(out.into_bytes())
}

/// Decodes cty JSON against `ty` with go-cty's leniency: numbers from numeric strings, strings
/// from numbers and bools, bools from `"true"`/`"false"`/`"1"`/`"0"`, object attributes
/// missing from the JSON become null; an attribute the type lacks is an error.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode_with(bytes, ty, Mode::Strict)
}

/// Like [`decode`], but object attributes that the type lacks are dropped (at any depth):
/// for `UpgradeResourceState`, where stored state may hold attributes of an older schema.
pub fn decode_state(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode_with(bytes, ty, Mode::DropUnknownAttributes)
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Strict,
    DropUnknownAttributes,
}

fn decode_with(bytes: &[u8], ty: &Type, mode: Mode) -> Result<Value, CodecError> {
    let root = AttributePath::root();
    let text = std::str::from_utf8(bytes)
        .map_err(|e| CodecError::new(&root, format!("JSON is not valid UTF-8: {e}")))?;
    let node = Parser::parse_document(text).map_err(|m| CodecError::new(&root, m))?;
    from_node(&node, ty, &root, mode)
}

// ----------------------------------------------------------------------------------------
// Encoding

fn mismatch(path: &AttributePath, ty: &Type, v: &Value) -> CodecError {
    CodecError::new(
        path,
        format!("expected a {ty} value, found {}", kind_name(v)),
    )
}

fn push_json_string(out: &mut String, s: &str) {
    // serde_json's string escaping is infallible for &str.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

fn encode_value(
    out: &mut String,
    v: &Value,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    if *ty == Type::Dynamic {
        return encode_dynamic(out, v, path);
    }
    match v {
        Value::Typed(_, inner) => return encode_value(out, inner, ty, path),
        Value::Null => {
            out.push_str("null");
            return Ok(());
        }
        Value::Unknown(_) => {
            return Err(CodecError::new(
                path,
                "value is not yet known and cannot be written to JSON",
            ));
        }
        _ => {}
    }
    match (ty, v) {
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Number, Value::Number(n)) => {
            if n.is_infinite() {
                return Err(CodecError::new(path, "infinity cannot be written to JSON"));
            }
            out.push_str(&n.to_decimal_string());
        }
        (Type::String, Value::String(s)) => push_json_string(out, s),
        (
            Type::List(elem) | Type::Set(elem),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => encode_array(out, items, |_| elem, path)?,
        (Type::Tuple(elems), Value::Tuple(items) | Value::List(items)) => {
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
            encode_array(out, items, |i| &elems[i], path)?
        }
        (Type::Map(elem), Value::Map(items) | Value::Object(items)) => {
            out.push('{');
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json_string(out, k);
                out.push(':');
                encode_value(out, item, elem, &path.child(PathStep::Key(k.clone())))?;
            }
            out.push('}');
        }
        (Type::Object(attrs), Value::Object(items) | Value::Map(items)) => {
            encode_object(out, items, attrs, path)?
        }
        _ => return Err(mismatch(path, ty, v)),
    }
    Ok(())
}

fn encode_array<'t>(
    out: &mut String,
    items: &[Value],
    elem_type: impl Fn(usize) -> &'t Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        encode_value(
            out,
            item,
            elem_type(i),
            &path.child(PathStep::Index(i as i64)),
        )?;
    }
    out.push(']');
    Ok(())
}

fn encode_object(
    out: &mut String,
    items: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
    path: &AttributePath,
) -> Result<(), CodecError> {
    if let Some(extra) = items.keys().find(|k| !attrs.contains_key(*k)) {
        return Err(CodecError::new(
            &path.child(PathStep::Attr(extra.clone())),
            "attribute is not part of the object type",
        ));
    }
    out.push('{');
    for (i, (name, attr_ty)) in attrs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, name);
        out.push(':');
        let child = path.child(PathStep::Attr(name.clone()));
        encode_value(
            out,
            items.get(name).unwrap_or(&Value::Null),
            attr_ty,
            &child,
        )?;
    }
    out.push('}');
    Ok(())
}

fn encode_dynamic(out: &mut String, v: &Value, path: &AttributePath) -> Result<(), CodecError> {
    let (ty, inner) = match v {
        Value::Null => {
            out.push_str("null");
            return Ok(());
        }
        Value::Unknown(_) => {
            return Err(CodecError::new(
                path,
                "value is not yet known and cannot be written to JSON",
            ));
        }
        Value::Typed(ty, inner) => ((**ty).clone(), inner.as_ref()),
        other => {
            let ty = other.infer_type().ok_or_else(|| {
                CodecError::new(
                    path,
                    "cannot determine the type of this value for a dynamic attribute; wrap it in Value::Typed",
                )
            })?;
            (ty, other)
        }
    };
    out.push_str("{\"value\":");
    encode_value(out, inner, &ty, path)?;
    out.push_str(",\"type\":");
    out.push_str(&ty.to_json().to_string());
    out.push('}');
    Ok(())
}

// ----------------------------------------------------------------------------------------
// Reading JSON text into a tree that keeps number text

/// A parsed JSON document; numbers keep their source text.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn kind(&self) -> &'static str {
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

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

type ParseResult<T> = Result<T, String>;

impl<'a> Parser<'a> {
    fn parse_document(text: &'a str) -> ParseResult<Node> {
        let mut p = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        let node = p.value()?;
        p.skip_ws();
        if p.pos != p.bytes.len() {
            return Err(p.error("unexpected data after the JSON value"));
        }
        Ok(node)
    }

    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.pos)
    }

    fn skip_ws(&mut self) {
        while matches!(self.bytes.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str, node: Node) -> ParseResult<Node> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(node)
        } else {
            Err(self.error("unexpected character"))
        }
    }

    fn value(&mut self) -> ParseResult<Node> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_literal("null", Node::Null),
            Some(b't') => self.expect_literal("true", Node::Bool(true)),
            Some(b'f') => self.expect_literal("false", Node::Bool(false)),
            Some(b'"') => self.string().map(Node::String),
            Some(b'[') => self.nested(Self::array),
            Some(b'{') => self.nested(Self::object),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> ParseResult<Node>) -> ParseResult<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let node = f(self)?;
        self.depth -= 1;
        Ok(node)
    }

    fn array(&mut self) -> ParseResult<Node> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self) -> ParseResult<Node> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node::Object(entries));
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected an object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            entries.push((key, self.value()?));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::Object(entries));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.bytes.get(self.pos), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> ParseResult<Node> {
        let start = self.pos;
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int_digits = self.digits();
        if int_digits == 0 || (int_digits > 1 && self.bytes[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number fraction"));
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number exponent"));
            }
        }
        Ok(Node::Number(self.text[start..self.pos].to_string()))
    }

    fn hex4(&mut self) -> ParseResult<u32> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(hex, 16).map_err(|_| self.error("invalid \\u escape"))
    }

    fn string(&mut self) -> ParseResult<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self) -> ParseResult<char> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| self.error("unterminated escape"))?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => return Err(self.error("invalid escape")),
        };
        Ok(c)
    }

    fn unicode_escape(&mut self) -> ParseResult<char> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.error("unpaired surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(self.error("unpaired surrogate"));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode escape"))
    }
}

// ----------------------------------------------------------------------------------------
// Tree to value, directed by the type

fn from_node(
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

fn object_from_entries(
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

fn dynamic_from_node(node: &Node, path: &AttributePath, mode: Mode) -> Result<Value, CodecError> {
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
fn node_to_json(node: &Node) -> serde_json::Value {
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

#[cfg(test)]
mod tests;
