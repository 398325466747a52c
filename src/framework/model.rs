//! Typed models: converts cty [`Value`]s to and from plain Rust structs through serde.
//!
//! `from_value` maps null to `None`, objects to structs (a missing attribute reads as null),
//! lists/sets/tuples to sequences, maps to maps, numbers to any integer or float type.
//! `to_value` is directed by the schema type, so sequences become lists or sets as the type
//! says and structs become objects with every attribute of the type present.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Impossible, Serialize};

use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::value::Value;

/// A value does not fit the model (or the model does not fit the type).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ModelError {
    /// Where in the value the problem is.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
    /// Whether `path` has been recorded (errors from serde start without one).
    located: bool,
}

impl ModelError {
    fn at(path: &AttributePath, message: impl Into<String>) -> Self {
        ModelError {
            path: path.clone(),
            message: message.into(),
            located: true,
        }
    }

    fn unlocated(message: String) -> Self {
        ModelError {
            path: AttributePath::root(),
            message,
            located: false,
        }
    }

    /// Attaches `path` unless a deeper path is already known.
    fn within(mut self, path: &AttributePath) -> Self {
        if !self.located {
            self.path = path.clone();
            self.located = true;
        }
        self
    }
}

impl de::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::unlocated(msg.to_string())
    }
}

impl ser::Error for ModelError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ModelError::unlocated(msg.to_string())
    }
}

/// Reads a model from a value. Unknown values are an error naming their path: read models
/// only from wholly known values, or use `Option`-free fields for parts known at plan time.
pub fn from_value<T: de::DeserializeOwned>(v: &Value) -> Result<T, ModelError> {
    let root = AttributePath::root();
    T::deserialize(De { v, path: &root }).map_err(|e| e.within(&root))
}

/// Builds a value of type `ty` from a model. Struct fields map to object attributes by name
/// (use `#[serde(rename)]` where they differ); attributes without a field become null;
/// a field that is not an attribute of the type is an error.
pub fn to_value<T: Serialize>(v: &T, ty: &Type) -> Result<Value, ModelError> {
    let root = AttributePath::root();
    v.serialize(Ser::new(ty, &root))
        .map_err(|e| e.within(&root))
}

// ----------------------------------------------------------------------------------------
// Value -> model

struct De<'a> {
    v: &'a Value,
    path: &'a AttributePath,
}

impl<'a> De<'a> {
    fn value(&self) -> Result<&'a Value, ModelError> {
        match self.v.untyped() {
            Value::Unknown(_) => Err(ModelError::at(
                self.path,
                "value is not known yet (it depends on something created during apply)",
            )),
            v => Ok(v),
        }
    }

    fn null_error(&self, expected: &str) -> ModelError {
        ModelError::at(
            self.path,
            format!("value is null but {expected} is required; use Option in the model"),
        )
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Value>,
    index: i64,
    path: &'a AttributePath,
}

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = ModelError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ModelError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let path = self.path.child(PathStep::Index(self.index));
        self.index += 1;
        seed.deserialize(De {
            v: item,
            path: &path,
        })
        .map(Some)
        .map_err(|e| e.within(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'a> {
    entries: std::collections::btree_map::Iter<'a, String, Value>,
    pending: Option<(&'a String, &'a Value)>,
    path: &'a AttributePath,
    object: bool,
}

impl<'de, 'a> MapAccess<'de> for Map<'a> {
    type Error = ModelError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ModelError> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((k, v));
        let key: de::value::StrDeserializer<'_, ModelError> = k.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, ModelError> {
        let (k, v) = self
            .pending
            .take()
            .ok_or_else(|| ModelError::at(self.path, "map value requested before its key"))?;
        let step = if self.object {
            PathStep::Attr(k.clone())
        } else {
            PathStep::Key(k.clone())
        };
        let path = self.path.child(step);
        seed.deserialize(De { v, path: &path })
            .map_err(|e| e.within(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

impl<'de, 'a> de::Deserializer<'de> for De<'a> {
    type Error = ModelError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value()? {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_str(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Seq {
                    items: items.iter(),
                    index: 0,
                    path: self.path,
                })
            }
            Value::Map(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                pending: None,
                path: self.path,
                object: false,
            }),
            Value::Object(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                pending: None,
                path: self.path,
                object: true,
            }),
            Value::Unknown(_) | Value::Typed(..) => {
                Err(ModelError::at(self.path, "unexpected value"))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value()? {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        match self.value()? {
            Value::Null => Err(self.null_error("a string")),
            Value::Number(n) => visitor.visit_string(n.to_decimal_string()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.value()? {
            Value::Null => Err(self.null_error("an object")),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ModelError> {
        match self.value()? {
            Value::String(s) => {
                let variant: de::value::StrDeserializer<'_, ModelError> =
                    s.as_str().into_deserializer();
                visitor.visit_enum(variant)
            }
            Value::Null => Err(self.null_error("a string")),
            _ => Err(ModelError::at(
                self.path,
                "an enum must be given as a string",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ModelError> {
    if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else {
        visitor.visit_f64(n.as_f64())
    }
}

// ----------------------------------------------------------------------------------------
// Model -> value

/// A type-directed serializer. With `free` set (inside a `dynamic` slot) it builds an
/// untyped value whose type is inferred afterwards.
struct Ser<'t> {
    ty: &'t Type,
    path: AttributePath,
    free: bool,
}

impl<'t> Ser<'t> {
    fn new(ty: &'t Type, path: &AttributePath) -> Self {
        Ser {
            ty,
            path: path.clone(),
            free: false,
        }
    }

    fn child(&self, ty: &'t Type, step: PathStep) -> Ser<'t> {
        Ser {
            ty,
            path: self.path.child(step),
            free: self.free,
        }
    }

    fn mismatch(&self, found: &str) -> ModelError {
        ModelError::at(
            &self.path,
            format!(
                "the model has {found} where the schema expects a {} value",
                self.ty
            ),
        )
    }

    /// Runs `build` in free mode when the slot is dynamic and wraps the result with its type.
    fn dynamic_or(
        self,
        build: impl FnOnce(Ser<'t>) -> Result<Value, ModelError>,
    ) -> Result<Value, ModelError> {
        if self.free || *self.ty != Type::Dynamic {
            return build(self);
        }
        let path = self.path.clone();
        let v = build(Ser {
            ty: &Type::Dynamic,
            path: self.path,
            free: true,
        })?;
        if v.is_null() {
            return Ok(Value::Null);
        }
        let ty = v.infer_type().ok_or_else(|| {
            ModelError::at(
                &path,
                "cannot determine a single type for this dynamic value",
            )
        })?;
        Ok(Value::Typed(Box::new(ty), Box::new(v)))
    }

    fn number(self, n: Number) -> Result<Value, ModelError> {
        self.dynamic_or(|s| match s.ty {
            _ if s.free => Ok(Value::Number(n)),
            Type::Number => Ok(Value::Number(n)),
            Type::String => Ok(Value::String(n.to_decimal_string())),
            _ => Err(s.mismatch("a number")),
        })
    }

    fn string(self, text: &str) -> Result<Value, ModelError> {
        self.dynamic_or(|s| match s.ty {
            _ if s.free => Ok(Value::string(text)),
            Type::String => Ok(Value::string(text)),
            Type::Number => Number::parse(text)
                .map(Value::Number)
                .ok_or_else(|| ModelError::at(&s.path, format!("{text:?} is not a number"))),
            _ => Err(s.mismatch("a string")),
        })
    }
}

impl<'t> ser::Serializer for Ser<'t> {
    type Ok = Value;
    type Error = ModelError;
    type SerializeSeq = SeqSer<'t>;
    type SerializeTuple = SeqSer<'t>;
    type SerializeTupleStruct = SeqSer<'t>;
    type SerializeTupleVariant = Impossible<Value, ModelError>;
    type SerializeMap = MapSer<'t>;
    type SerializeStruct = MapSer<'t>;
    type SerializeStructVariant = Impossible<Value, ModelError>;

    fn serialize_bool(self, v: bool) -> Result<Value, ModelError> {
        self.dynamic_or(|s| match s.ty {
            _ if s.free => Ok(Value::Bool(v)),
            Type::Bool => Ok(Value::Bool(v)),
            Type::String => Ok(Value::string(v.to_string())),
            _ => Err(s.mismatch("a bool")),
        })
    }

    fn serialize_i8(self, v: i8) -> Result<Value, ModelError> {
        self.number(Number::from_i64(i64::from(v)))
    }

    fn serialize_i16(self, v: i16) -> Result<Value, ModelError> {
        self.number(Number::from_i64(i64::from(v)))
    }

    fn serialize_i32(self, v: i32) -> Result<Value, ModelError> {
        self.number(Number::from_i64(i64::from(v)))
    }

    fn serialize_i64(self, v: i64) -> Result<Value, ModelError> {
        self.number(Number::from_i64(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Value, ModelError> {
        let n = Number::parse(&v.to_string())
            .ok_or_else(|| ModelError::at(&self.path, "integer out of range"))?;
        self.number(n)
    }

    fn serialize_u8(self, v: u8) -> Result<Value, ModelError> {
        self.number(Number::from_u64(u64::from(v)))
    }

    fn serialize_u16(self, v: u16) -> Result<Value, ModelError> {
        self.number(Number::from_u64(u64::from(v)))
    }

    fn serialize_u32(self, v: u32) -> Result<Value, ModelError> {
        self.number(Number::from_u64(u64::from(v)))
    }

    fn serialize_u64(self, v: u64) -> Result<Value, ModelError> {
        self.number(Number::from_u64(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Value, ModelError> {
        let n = Number::parse(&v.to_string())
            .ok_or_else(|| ModelError::at(&self.path, "integer out of range"))?;
        self.number(n)
    }

    fn serialize_f32(self, v: f32) -> Result<Value, ModelError> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Value, ModelError> {
        let n = Number::from_f64(v)
            .ok_or_else(|| ModelError::at(&self.path, format!("{v} is not a finite number")))?;
        self.number(n)
    }

    fn serialize_char(self, v: char) -> Result<Value, ModelError> {
        self.string(v.encode_utf8(&mut [0u8; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<Value, ModelError> {
        self.string(v)
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, ModelError> {
        Err(ModelError::at(
            &self.path,
            "byte strings have no cty equivalent",
        ))
    }

    fn serialize_none(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Value, ModelError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ModelError> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ModelError> {
        self.string(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, ModelError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<Value, ModelError> {
        Err(ModelError::at(
            &self.path,
            format!("enum {name}::{variant} carries data; only unit variants map to strings"),
        ))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'t>, ModelError> {
        SeqSer::new(self, len)
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'t>, ModelError> {
        SeqSer::new(self, Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSer<'t>, ModelError> {
        SeqSer::new(self, Some(len))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, ModelError> {
        Err(ModelError::at(
            &self.path,
            format!("enum {name}::{variant} carries data"),
        ))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'t>, ModelError> {
        MapSer::new(self, false)
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapSer<'t>, ModelError> {
        MapSer::new(self, true)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, ModelError> {
        Err(ModelError::at(
            &self.path,
            format!("enum {name}::{variant} carries data"),
        ))
    }
}

/// The shape a sequence is being built into.
#[derive(Clone, Copy, PartialEq)]
enum SeqKind {
    List,
    Set,
    Tuple,
}

struct SeqSer<'t> {
    ser: Ser<'t>,
    /// Set when the slot is dynamic: the untyped result is wrapped at the end.
    wrap_dynamic: bool,
    kind: SeqKind,
    items: Vec<Value>,
}

impl<'t> SeqSer<'t> {
    fn new(ser: Ser<'t>, len: Option<usize>) -> Result<Self, ModelError> {
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

    fn element_type(&self) -> Result<&'t Type, ModelError> {
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

    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        let ty = self.element_type()?;
        let step = PathStep::Index(self.items.len() as i64);
        let child = self.ser.child(ty, step);
        let path = child.path.clone();
        let v = value.serialize(child).map_err(|e| e.within(&path))?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Result<Value, ModelError> {
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
            SeqKind::Set => Value::Set(super::msgpack::dedupe_set(self.items)),
            SeqKind::Tuple => Value::Tuple(self.items),
        };
        wrap(v, self.wrap_dynamic, &self.ser.path)
    }
}

fn wrap(v: Value, wrap_dynamic: bool, path: &AttributePath) -> Result<Value, ModelError> {
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
        self.finish()
    }
}

impl ser::SerializeTuple for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqSer<'_> {
    type Ok = Value;
    type Error = ModelError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), ModelError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, ModelError> {
        self.finish()
    }
}

struct MapSer<'t> {
    ser: Ser<'t>,
    wrap_dynamic: bool,
    /// Building an object (struct fields, or a map into an object type) rather than a map.
    object: bool,
    entries: BTreeMap<String, Value>,
    next_key: Option<String>,
}

impl<'t> MapSer<'t> {
    fn new(ser: Ser<'t>, is_struct: bool) -> Result<Self, ModelError> {
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

    fn insert<T: ?Sized + Serialize>(&mut self, key: String, value: &T) -> Result<(), ModelError> {
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

    fn step(&self, key: &str) -> PathStep {
        if self.object {
            PathStep::Attr(key.to_string())
        } else {
            PathStep::Key(key.to_string())
        }
    }

    fn finish(mut self) -> Result<Value, ModelError> {
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
fn key_text<T: ?Sized + Serialize>(key: &T, path: &AttributePath) -> Result<String, ModelError> {
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
        self.finish()
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
        self.finish()
    }
}

#[cfg(test)]
mod tests;
