//! Encoding a value against its type: known values, `dynamic` slots as `[type JSON, value]`,
//! and unknowns with their refinements as extension 12.

use std::collections::BTreeMap;

use rmp::encode as enc;

use super::*;
use crate::framework::number::Number;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::{Refinements, Value};

// ----------------------------------------------------------------------------------------
// Encoding

pub(super) fn mismatch(path: &AttributePath, ty: &Type, v: &Value) -> CodecError {
    CodecError::new(
        path,
        format!("expected a {ty} value, found {}", kind_name(v)),
    )
}

/// A short name of a value's shape for error messages.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown(_) => "unknown value",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Tuple(_) => "tuple",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Typed(..) => "typed value",
    }
}

pub(super) fn len_u32(path: &AttributePath, n: usize) -> Result<u32, CodecError> {
    u32::try_from(n).map_err(|_| CodecError::new(path, "collection too large for msgpack"))
}

pub(super) fn encode_value(
    out: &mut Vec<u8>,
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
            enc::write_nil(out).map_err(|e| CodecError::new(path, e.to_string()))?;
            return Ok(());
        }
        Value::Unknown(refinements) => return encode_unknown(out, refinements, ty, path),
        _ => {}
    }
    match ty {
        Type::Bool => match v {
            Value::Bool(b) => {
                enc::write_bool(out, *b).map_err(|e| CodecError::new(path, e.to_string()))
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Number => match v {
            Value::Number(n) => {
                write_number(out, n);
                Ok(())
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::String => match v {
            Value::String(s) => write_str(out, path, s),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::List(elem) | Type::Set(elem) => match v {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                encode_array(out, items, |_| elem, path)
            }
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Tuple(elems) => match v {
            Value::Tuple(items) | Value::List(items) if items.len() == elems.len() => {
                encode_array(out, items, |i| &elems[i], path)
            }
            Value::Tuple(items) | Value::List(items) => Err(CodecError::new(
                path,
                format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                ),
            )),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Map(elem) => match v {
            Value::Map(items) | Value::Object(items) => encode_map(out, items, elem, path),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Object(attrs) => match v {
            Value::Object(items) | Value::Map(items) => encode_object(out, items, attrs, path),
            _ => Err(mismatch(path, ty, v)),
        },
        Type::Dynamic => encode_dynamic(out, v, path),
    }
}

/// Every finite number goes on the wire as its decimal text, which go-cty's decoder reads with
/// `cty.ParseNumberVal` (512-bit precision): the same way Terraform reads a number from the
/// JSON of its state file. An int or float64 on the wire would decode to a 64- or 53-bit
/// `big.Float` instead, equal in value but not in representation; Terraform compares the
/// state it read (upgraded, from JSON) with the refreshed one (from us) with
/// `reflect.DeepEqual`, so any number sent as int made every `plan -refresh-only` report a
/// change that renders as nothing (docs/design/wire-numbers.md). Infinities, which
/// `ParseNumberVal` does not take, stay float64.
pub(super) fn write_number(out: &mut Vec<u8>, n: &Number) {
    // Writing into a Vec cannot fail.
    let _ = if n.is_infinite() {
        enc::write_f64(out, n.as_f64()).map(|_| ())
    } else {
        enc::write_str(out, &n.to_decimal_string()).map(|_| ())
    };
}

pub(super) fn write_str(
    out: &mut Vec<u8>,
    path: &AttributePath,
    s: &str,
) -> Result<(), CodecError> {
    enc::write_str(out, s).map_err(|e| CodecError::new(path, e.to_string()))
}

pub(super) fn encode_array<'t>(
    out: &mut Vec<u8>,
    items: &[Value],
    elem_type: impl Fn(usize) -> &'t Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    enc::write_array_len(out, len_u32(path, items.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (i, item) in items.iter().enumerate() {
        let child = path.child(PathStep::Index(i as i64));
        encode_value(out, item, elem_type(i), &child)?;
    }
    Ok(())
}

pub(super) fn encode_map(
    out: &mut Vec<u8>,
    items: &BTreeMap<String, Value>,
    elem: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    enc::write_map_len(out, len_u32(path, items.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (k, item) in items {
        let child = path.child(PathStep::Key(k.clone()));
        write_str(out, &child, k)?;
        encode_value(out, item, elem, &child)?;
    }
    Ok(())
}

pub(super) fn encode_object(
    out: &mut Vec<u8>,
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
    enc::write_map_len(out, len_u32(path, attrs.len())?)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    for (name, attr_ty) in attrs {
        let child = path.child(PathStep::Attr(name.clone()));
        write_str(out, &child, name)?;
        encode_value(
            out,
            items.get(name).unwrap_or(&Value::Null),
            attr_ty,
            &child,
        )?;
    }
    Ok(())
}

pub(super) fn encode_dynamic(
    out: &mut Vec<u8>,
    v: &Value,
    path: &AttributePath,
) -> Result<(), CodecError> {
    let (ty, inner) = match v {
        Value::Null => {
            let _ = enc::write_nil(out);
            return Ok(());
        }
        Value::Unknown(_) => {
            out.extend_from_slice(&[0xd4, 0, 0]);
            return Ok(());
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
    let _ = enc::write_array_len(out, 2);
    let type_json = ty.to_json_bytes();
    enc::write_bin(out, &type_json).map_err(|e| CodecError::new(path, e.to_string()))?;
    if ty == Type::Dynamic {
        return encode_dynamic(out, inner, path);
    }
    encode_value(out, inner, &ty, path)
}

pub(super) fn encode_unknown(
    out: &mut Vec<u8>,
    r: &Refinements,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), CodecError> {
    let mut body = Vec::new();
    let mut entries = 0u32;
    if r.not_null {
        entries += 1;
        let _ = enc::write_sint(&mut body, 1);
        let _ = enc::write_bool(&mut body, false);
    }
    match ty {
        Type::String => {
            if let Some(prefix) = r.string_prefix.as_deref().filter(|p| !p.is_empty()) {
                entries += 1;
                let _ = enc::write_sint(&mut body, 2);
                write_str(&mut body, path, truncate_prefix(prefix))?;
            }
        }
        Type::Number => {
            for (key, bound) in [(3, &r.number_lower), (4, &r.number_upper)] {
                if let Some((n, inclusive)) = bound {
                    entries += 1;
                    let _ = enc::write_sint(&mut body, key);
                    let _ = enc::write_array_len(&mut body, 2);
                    write_number(&mut body, n);
                    let _ = enc::write_bool(&mut body, *inclusive);
                }
            }
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            let lower = r.length_lower.filter(|l| *l != 0);
            for (key, bound) in [(5, lower), (6, r.length_upper)] {
                if let Some(n) = bound {
                    entries += 1;
                    let _ = enc::write_sint(&mut body, key);
                    let n = i64::try_from(n).unwrap_or(i64::MAX);
                    let _ = enc::write_sint(&mut body, n);
                }
            }
        }
        _ => {}
    }
    if entries == 0 {
        out.extend_from_slice(&[0xd4, 0, 0]);
        return Ok(());
    }
    let mut header = Vec::new();
    let _ = enc::write_map_len(&mut header, entries);
    let total = len_u32(path, header.len() + body.len())?;
    enc::write_ext_meta(out, total, REFINED_UNKNOWN_EXT)
        .map_err(|e| CodecError::new(path, e.to_string()))?;
    out.extend_from_slice(&header);
    out.extend_from_slice(&body);
    Ok(())
}

/// The longest prefix of `s` of at most [`MAX_PREFIX_LEN`] bytes ending on a char boundary.
pub(super) fn truncate_prefix(s: &str) -> &str {
    if s.len() <= MAX_PREFIX_LEN {
        return s;
    }
    let mut end = MAX_PREFIX_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
