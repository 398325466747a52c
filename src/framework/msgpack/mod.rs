//! MessagePack codec for cty values (Terraform's `DynamicValue.msgpack`), following go-cty.

mod decode;
mod encode;
mod reader;

use decode::decode_value;
pub(crate) use decode::dedupe_set;
use encode::encode_value;
pub(crate) use encode::kind_name;
use reader::Reader;

use super::path::AttributePath;
use super::types::Type;
use super::value::Value;

/// A value could not be encoded or decoded; `path` says where inside the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

impl CodecError {
    /// An error at `path`.
    pub fn new(path: &AttributePath, message: impl Into<String>) -> Self {
        CodecError {
            path: path.clone(),
            message: message.into(),
        }
    }
}

/// Extension type of a refined unknown value.
const REFINED_UNKNOWN_EXT: i8 = 12;
/// Largest refinement payload the decoder accepts (go-cty's limit).
const MAX_REFINEMENT_LEN: usize = 1024;
/// go-cty truncates string-prefix refinements to fewer than 256 bytes.
const MAX_PREFIX_LEN: usize = 255;
/// Nesting limit while decoding (dynamic values can nest without bound otherwise).
const MAX_DEPTH: usize = 256;

/// Encodes `v` as msgpack against type `ty`. Object attributes of the type that `v` lacks are
/// written as null; attributes `v` has that the type lacks are an error.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    encode_value(&mut out, v, ty, &AttributePath::root())?;
    Ok(out)
}

/// Decodes msgpack bytes as a value of type `ty`. Values in `dynamic` slots come back as
/// [`Value::Typed`] (or `Null` / `Unknown`).
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let root = AttributePath::root();
    let mut reader = Reader::new(bytes);
    let value = decode_value(&mut reader, ty, &root)?;
    if reader.pos != bytes.len() {
        return Err(CodecError::new(
            &root,
            format!(
                "{} unexpected bytes after the value",
                bytes.len() - reader.pos
            ),
        ));
    }
    Ok(value)
}
#[cfg(test)]
mod tests;
