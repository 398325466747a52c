//! Decoding msgpack bytes against a type: known values, `dynamic` slots, unknowns and their
//! refinements; sets lose duplicates.

use std::collections::BTreeMap;

use super::reader::{ReadResult, is_ext_marker};
use super::*;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::{Refinements, Value};

pub(super) fn decode_value(
    r: &mut Reader<'_>,
    ty: &Type,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    r.enter().map_err(at)?;
    let marker = r.peek().map_err(at)?;
    let value = if is_ext_marker(marker) {
        decode_unknown(r, ty, path)?
    } else if *ty == Type::Dynamic {
        decode_dynamic(r, path)?
    } else if marker == 0xc0 {
        r.pos += 1;
        Value::Null
    } else {
        decode_known(r, ty, path)?
    };
    r.leave();
    Ok(value)
}

pub(super) fn decode_known(
    r: &mut Reader<'_>,
    ty: &Type,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    match ty {
        Type::Bool => r.bool().map(Value::Bool).map_err(at),
        Type::Number => r.number().map(Value::Number).map_err(at),
        Type::String => r.string("string").map(Value::String).map_err(at),
        Type::List(elem) => {
            let items = decode_elements(r, "a list", |_| Some(elem), path)?;
            Ok(Value::List(items))
        }
        Type::Set(elem) => {
            let items = decode_elements(r, "a set", |_| Some(elem), path)?;
            Ok(Value::Set(dedupe_set(items)))
        }
        Type::Tuple(elems) => {
            let items = decode_elements(r, "a tuple", |i| elems.get(i), path)?;
            if items.len() != elems.len() {
                return Err(at(format!(
                    "a tuple of {} elements is required, found {}",
                    elems.len(),
                    items.len()
                )));
            }
            Ok(Value::Tuple(items))
        }
        Type::Map(elem) => decode_map(r, elem, path),
        Type::Object(attrs) => decode_object(r, attrs, path),
        Type::Dynamic => decode_dynamic(r, path),
    }
}

pub(super) fn decode_elements<'t>(
    r: &mut Reader<'_>,
    what: &str,
    elem_type: impl Fn(usize) -> Option<&'t Type>,
    path: &AttributePath,
) -> Result<Vec<Value>, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.array_len(what).map_err(at)?.unwrap_or(0);
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let child = path.child(PathStep::Index(i as i64));
        let ty = elem_type(i).ok_or_else(|| at(format!("{what} has too many elements ({n})")))?;
        items.push(decode_value(r, ty, &child)?);
    }
    Ok(items)
}

/// Removes duplicate wholly-known elements, as cty sets hold each value once.
pub(crate) fn dedupe_set(items: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        let duplicate = item.is_wholly_known()
            && out
                .iter()
                .any(|seen| seen.is_wholly_known() && *seen == item);
        if !duplicate {
            out.push(item);
        }
    }
    out
}

pub(super) fn decode_map(
    r: &mut Reader<'_>,
    elem: &Type,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.map_len("a map").map_err(at)?.unwrap_or(0);
    let mut items = BTreeMap::new();
    for _ in 0..n {
        let key = r.string("map key").map_err(at)?;
        let child = path.child(PathStep::Key(key.clone()));
        let value = decode_value(r, elem, &child)?;
        items.insert(key, value);
    }
    Ok(Value::Map(items))
}

pub(super) fn decode_object(
    r: &mut Reader<'_>,
    attrs: &BTreeMap<String, Type>,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let n = r.map_len("an object").map_err(at)?.unwrap_or(0);
    let mut items = BTreeMap::new();
    for _ in 0..n {
        let key = r.string("attribute name").map_err(at)?;
        let child = path.child(PathStep::Attr(key.clone()));
        let attr_ty = attrs
            .get(&key)
            .ok_or_else(|| CodecError::new(&child, "unsupported attribute"))?;
        if items.contains_key(&key) {
            return Err(CodecError::new(&child, "attribute appears twice"));
        }
        let value = decode_value(r, attr_ty, &child)?;
        items.insert(key, value);
    }
    if items.len() != attrs.len() {
        let missing: Vec<&str> = attrs
            .keys()
            .filter(|k| !items.contains_key(*k))
            .map(String::as_str)
            .collect();
        return Err(at(format!(
            "object is missing attribute(s) {} (every attribute must be present, null or not)",
            missing.join(", ")
        )));
    }
    Ok(Value::Object(items))
}

pub(super) fn decode_dynamic(
    r: &mut Reader<'_>,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    match r
        .array_len("a dynamic value ([type, value] array)")
        .map_err(at)?
    {
        None => return Ok(Value::Null),
        Some(2) => {}
        Some(n) => {
            return Err(at(format!(
                "dynamic value array must have exactly two elements, found {n}"
            )));
        }
    }
    let type_json = r.raw_bytes("type JSON").map_err(at)?;
    let ty = Type::from_json_bytes(type_json).map_err(|e| at(e.to_string()))?;
    let inner = decode_value(r, &ty, path)?;
    Ok(Value::Typed(Box::new(ty), Box::new(inner)))
}

pub(super) fn decode_unknown(
    r: &mut Reader<'_>,
    ty: &Type,
    path: &AttributePath,
) -> Result<Value, CodecError> {
    let at = |m: String| CodecError::new(path, m);
    let (code, len) = r.ext_header().map_err(at)?;
    let body = r.take(len).map_err(at)?;
    if len <= 1 {
        return Ok(Value::unknown());
    }
    if code != REFINED_UNKNOWN_EXT {
        return Err(at(format!(
            "unsupported extension type 0x{code:02x} with length {len}"
        )));
    }
    if len > MAX_REFINEMENT_LEN {
        return Err(at("oversize unknown value refinement".to_string()));
    }
    let mut body = Reader::new(body);
    let entries = body
        .map_len("refinement map")
        .map_err(|m| at(format!("invalid unknown value refinements: {m}")))?
        .unwrap_or(0);
    if *ty == Type::Dynamic {
        return Ok(Value::unknown());
    }
    let mut refinements = Refinements::default();
    for _ in 0..entries {
        let known_null = read_refinement(&mut body, ty, &mut refinements, path)
            .map_err(|m| at(format!("invalid unknown value refinements: {m}")))?;
        if known_null {
            return Ok(Value::Null);
        }
    }
    Ok(Value::Unknown(refinements))
}

/// Reads one refinement entry into `out`; returns true if it says the value is null.
pub(super) fn read_refinement(
    body: &mut Reader<'_>,
    ty: &Type,
    out: &mut Refinements,
    path: &AttributePath,
) -> ReadResult<bool> {
    let key = body
        .int()
        .map_err(|_| "non-integer key in map".to_string())?
        .as_i64()
        .unwrap_or(i64::MAX);
    match key {
        1 => {
            let is_null = body.bool().map_err(|_| "null refinement is not boolean")?;
            if is_null {
                return Ok(true);
            }
            out.not_null = true;
        }
        2 => {
            if *ty != Type::String {
                return Err("string prefix refinement for non-string type".to_string());
            }
            let prefix = body.string("string prefix refinement")?;
            out.string_prefix = Some(prefix).filter(|p| !p.is_empty());
        }
        3 | 4 => {
            if *ty != Type::Number {
                return Err("numeric bound refinement for non-number type".to_string());
            }
            let bound_ty = Type::Tuple(vec![Type::Number, Type::Bool]);
            let bound = decode_value(body, &bound_ty, path).map_err(|e| e.message)?;
            let bound = match bound.as_elements() {
                Some([Value::Number(n), Value::Bool(inclusive)]) => (n.clone(), *inclusive),
                _ => {
                    return Err(
                        "number bound refinement must be a [number, bool] array".to_string()
                    );
                }
            };
            if key == 3 {
                out.number_lower = Some(bound);
            } else {
                out.number_upper = Some(bound);
            }
        }
        5 | 6 => {
            if !ty.is_collection() {
                return Err("length bound refinement for non-collection type".to_string());
            }
            let bound = body.int()?.as_u64().ok_or_else(|| {
                "length bound refinement must be a non-negative integer".to_string()
            })?;
            if key == 5 {
                out.length_lower = Some(bound);
            } else {
                out.length_upper = Some(bound);
            }
        }
        _ => body.skip()?,
    }
    Ok(false)
}
