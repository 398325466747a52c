//! Model → value: a serde `Serializer` directed by the schema type, for scalars and the entry
//! points of sequences, maps and structs.

use serde::ser::{self, Impossible, Serialize};

use super::serialize_compound::*;
use super::*;
use crate::framework::number::Number;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::types::Type;
use crate::framework::value::Value;

// ----------------------------------------------------------------------------------------
// Model -> value

/// A type-directed serializer. With `free` set (inside a `dynamic` slot) it builds an
/// untyped value whose type is inferred afterwards.
pub(super) struct Ser<'t> {
    pub(super) ty: &'t Type,
    pub(super) path: AttributePath,
    pub(super) free: bool,
}

impl<'t> Ser<'t> {
    pub(super) fn new(ty: &'t Type, path: &AttributePath) -> Self {
        Ser {
            ty,
            path: path.clone(),
            free: false,
        }
    }

    pub(super) fn child(&self, ty: &'t Type, step: PathStep) -> Ser<'t> {
        Ser {
            ty,
            path: self.path.child(step),
            free: self.free,
        }
    }

    pub(super) fn mismatch(&self, found: &str) -> ModelError {
        ModelError::at(
            &self.path,
            format!(
                "the model has {found} where the schema expects a {} value",
                self.ty
            ),
        )
    }

    /// Runs `build` in free mode when the slot is dynamic and wraps the result with its type.
    pub(super) fn dynamic_or(
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

    pub(super) fn number(self, n: Number) -> Result<Value, ModelError> {
        self.dynamic_or(|s| match s.ty {
            _ if s.free => Ok(Value::Number(n)),
            Type::Number => Ok(Value::Number(n)),
            Type::String => Ok(Value::String(n.to_decimal_string())),
            _ => Err(s.mismatch("a number")),
        })
    }

    pub(super) fn string(self, text: &str) -> Result<Value, ModelError> {
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
