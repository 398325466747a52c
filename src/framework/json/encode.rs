//! Encoding a value as JSON against its type; `dynamic` slots as `{"value", "type"}`.

use std::collections::BTreeMap;

use super::*;
use crate::framework::msgpack::kind_name;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::Value;

// ----------------------------------------------------------------------------------------
// Encoding

pub(super) fn mismatch(path: &AttributePath, ty: &Type, v: &Value) -> CodecError {
    CodecError::new(
        path,
        format!("expected a {ty} value, found {}", kind_name(v)),
    )
}

pub(super) fn push_json_string(out: &mut String, s: &str) {
    // serde_json's string escaping is infallible for &str.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

pub(super) fn encode_value(
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

pub(super) fn encode_array<'t>(
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

pub(super) fn encode_object(
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

pub(super) fn encode_dynamic(
    out: &mut String,
    v: &Value,
    path: &AttributePath,
) -> Result<(), CodecError> {
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
