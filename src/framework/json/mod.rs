//! JSON codec for cty values (stored state in `RawState.json`), following go-cty's rules.
//!
//! Numbers are read and written as decimal text, so arbitrary precision survives; the reader
//! therefore keeps serde_json's raw text of each number instead of going through `f64`.

mod decode;
mod encode;
mod parser;

use decode::from_node;
use encode::encode_value;
use parser::parse_document;

pub use super::msgpack::CodecError;
use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

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
    let node = parse_document(text).map_err(|m| CodecError::new(&root, m))?;
    from_node(&node, ty, &root, mode)
}
#[cfg(test)]
mod tests;
