//! The compound serializers: sequences (lists, sets, tuples) and maps or objects, each checking
//! its elements against the type.

use std::collections::BTreeMap;

use serde::ser::{self, Serialize};

use super::*;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::Value;

/// The shape a sequence is being built into.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum SeqKind {
    List,
    Set,
    Tuple,
}

pub(super) struct SeqSer<'t> {
    pub(super) ser: Ser<'t>,
    /// Set when the slot is dynamic: the untyped result is wrapped at the end.
    wrap_dynamic: bool,
    kind: SeqKind,
    items: Vec<Value>,
}

impl<'t> SeqSer<'t> {
    pub(super) fn new(ser: Ser<'t>, len: Option<usize>) -> Result<Self, ModelError> {
        let wrap_dynamic = !ser.free && *ser.ty == Type::Dynamic;
        let kind = match ser.ty {
            _ if ser.free || wrap_dynamic => SeqKind::List,
            Type::List(_) => SeqKind::List,
            Type::Set(_) => SeqKind::Set,
            Type::Tuple(_) => SeqKind::Tuple,
            _ => return Err(ser.mismatch("a sequence")),
        };
        let ser = Ser {
            free: ser.free || wrap_dynamic,
            ..ser
        };
        Ok(SeqSer {
            ser,
            wrap_dynamic,
            kind,
            items: Vec::with_capacity(len.unwrap_or(0).min(1024)),
        })
    }

    pub(super) fn element_type(&self) -> Result<&'t Type, ModelError> {
        if self.ser.free {
            return Ok(&Type::Dynamic);
        }
        match self.ser.ty {
            Type::List(e) | Type::Set(e) => Ok(e),
            Type::Tuple(elems) => elems.get(self.items.len()).ok_or_else(|| {
                ModelError::at(
                    &self.ser.path,
                    format!("the schema tuple has only {} elements", elems.len()),
                )
            }),
            _ => Err(self.ser.mismatch("a sequence")),
        }
    }

    pub(super) fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        let ty = self.element_type()?;
        let step = PathStep::Index(self.items.len() as i64);
        let child = self.ser.child(ty, step);
        let path = child.path.clone();
        let v = value.serialize(child).map_err(|e| e.within(&path))?;
        self.items.push(v);
        Ok(())
    }

    /// The collected elements as a list, set or tuple value of the target type.
    pub(super) fn into_value(self) -> Result<Value, ModelError> {
        if let (SeqKind::Tuple, Type::Tuple(elems)) = (self.kind, self.ser.ty)
            && elems.len() != self.items.len()
        {
            return Err(ModelError::at(
                &self.ser.path,
                format!(
                    "the schema tuple needs {} elements, the model has {}",
                    elems.len(),
                    self.items.len()
                ),
            ));
        }
        let v = match self.kind {
            SeqKind::List => Value::List(self.items),
            SeqKind::Set => Value::Set(crate::framework::msgpack::dedupe_set(self.items)),
            SeqKind::Tuple => Value::Tuple(self.items),
        };
        wrap(v, self.wrap_dynamic, &self.ser.path)
    }
}

pub(super) fn wrap(
    v: Value,
    wrap_dynamic: bool,
    path: &AttributePath,
) -> Result<Value, ModelError> {
    if !wrap_dynamic {
        return Ok(v);
    }
    let ty = v.infer_type().ok_or_else(|| {
        ModelError::at(
            path,
            "cannot determine a single type for this dynamic value",
        )
    })?;
    Ok(Value::Typed(Box::new(ty), Box::new(v)))
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.into_value()
    }
}

impl ser::SerializeTuple for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.into_value()
    }
}

impl ser::SerializeTupleStruct for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.into_value()
    }
}

pub(super) struct MapSer<'t> {
    pub(super) ser: Ser<'t>,
    pub(super) wrap_dynamic: bool,
    /// Building an object (struct fields, or a map into an object type) rather than a map.
    object: bool,
    entries: BTreeMap<String, Value>,
    next_key: Option<String>,
}

impl<'t> MapSer<'t> {
    pub(super) fn new(ser: Ser<'t>, is_struct: bool) -> Result<Self, ModelError> {
        let wrap_dynamic = !ser.free && *ser.ty == Type::Dynamic;
        let object = match ser.ty {
            _ if ser.free || wrap_dynamic => is_struct,
            Type::Object(_) => true,
            Type::Map(_) => false,
            _ => {
                return Err(ser.mismatch(if is_struct { "a struct" } else { "a map" }));
            }
        };
        let ser = Ser {
            free: ser.free || wrap_dynamic,
            ..ser
        };
        Ok(MapSer {
            ser,
            wrap_dynamic,
            object,
            entries: BTreeMap::new(),
            next_key: None,
        })
    }

    pub(super) fn insert<T: ?Sized + Serialize>(
        &mut self,
        key: String,
        value: &T,
    ) -> Result<(), ModelError> {
        let (ty, step) = match self.ser.ty {
            _ if self.ser.free => (&Type::Dynamic, self.step(&key)),
            Type::Object(attrs) => match attrs.get(&key) {
                Some(t) => (t, PathStep::Attr(key.clone())),
                None => {
                    return Err(ModelError::at(
                        &self.ser.path.child(PathStep::Attr(key)),
                        "the model has a field that is not an attribute of the schema type",
                    ));
                }
            },
            Type::Map(e) => (e.as_ref(), PathStep::Key(key.clone())),
            _ => return Err(self.ser.mismatch("a map")),
        };
        let child = self.ser.child(ty, step);
        let path = child.path.clone();
        let v = value.serialize(child).map_err(|e| e.within(&path))?;
        self.entries.insert(key, v);
        Ok(())
    }

    pub(super) fn step(&self, key: &str) -> PathStep {
        if self.object {
            PathStep::Attr(key.to_string())
        } else {
            PathStep::Key(key.to_string())
        }
    }

    /// The collected entries as a map or object value of the target type.
    pub(super) fn into_value(mut self) -> Result<Value, ModelError> {
        if let (false, Type::Object(attrs)) = (self.ser.free, self.ser.ty) {
            for name in attrs.keys() {
                self.entries.entry(name.clone()).or_insert(Value::Null);
            }
        }
        let v = if self.object {
            Value::Object(self.entries)
        } else {
            Value::Map(self.entries)
        };
        wrap(v, self.wrap_dynamic, &self.ser.path)
    }
}

/// Map keys: anything that serializes to a string, number or bool, as text.
pub(super) fn key_text<T: ?Sized + Serialize>(
    key: &T,
    path: &AttributePath,
) -> Result<String, ModelError> {
    let free = Ser {
        ty: &Type::Dynamic,
        path: path.clone(),
        free: true,
    };
    match key.serialize(free)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_decimal_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ModelError::at(path, "map keys must be strings")),
    }
}

impl ser::SerializeMap for MapSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), ModelError> {
        self.next_key = Some(key_text(key, &self.ser.path)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        let key = self
            .next_key
            .take()
            .ok_or_else(|| ModelError::at(&self.ser.path, "map value serialized before its key"))?;
        self.insert(key, value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.into_value()
    }
}

impl ser::SerializeStruct for MapSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ModelError> {
        self.insert(key.to_string(), value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.into_value()
    }
}
