//! Value → model: a serde `Deserializer` over a cty [`Value`].

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::*;
use crate::framework::number::Number;
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::value::Value;

// ----------------------------------------------------------------------------------------
// Value -> model

pub(super) struct De<'a> {
    pub(super) v: &'a Value,
    pub(super) path: &'a AttributePath,
    /// Plan-time reading: unknown values read as unset (`None`) or the field type's zero.
    pub(super) lenient: bool,
}

impl<'a> De<'a> {
    /// True when this value is unknown (or null) and read leniently: the caller visits the
    /// zero of the type it was asked for.
    fn zero(&self) -> bool {
        self.lenient && matches!(self.v.untyped(), Value::Unknown(_) | Value::Null)
    }

    pub(super) fn value(&self) -> Result<&'a Value, ModelError> {
        match self.v.untyped() {
            Value::Unknown(_) => Err(ModelError::at(
                self.path,
                "value is not known yet (it depends on something created during apply)",
            )),
            v => Ok(v),
        }
    }

    pub(super) fn null_error(&self, expected: &str) -> ModelError {
        ModelError::at(
            self.path,
            format!("value is null but {expected} is required; use Option in the model"),
        )
    }
}

pub(super) struct Seq<'a> {
    pub(super) items: std::slice::Iter<'a, Value>,
    pub(super) index: i64,
    pub(super) path: &'a AttributePath,
    pub(super) lenient: bool,
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
            lenient: self.lenient,
        })
        .map(Some)
        .map_err(|e| e.within(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

pub(super) struct Map<'a> {
    pub(super) entries: std::collections::btree_map::Iter<'a, String, Value>,
    pub(super) pending: Option<(&'a String, &'a Value)>,
    pub(super) path: &'a AttributePath,
    pub(super) object: bool,
    pub(super) lenient: bool,
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
        seed.deserialize(De {
            v,
            path: &path,
            lenient: self.lenient,
        })
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
                    lenient: self.lenient,
                })
            }
            Value::Map(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                pending: None,
                path: self.path,
                object: false,
                lenient: self.lenient,
            }),
            Value::Object(entries) => visitor.visit_map(Map {
                entries: entries.iter(),
                pending: None,
                path: self.path,
                object: true,
                lenient: self.lenient,
            }),
            Value::Unknown(_) | Value::Typed(..) => {
                Err(ModelError::at(self.path, "unexpected value"))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_none();
        }
        match self.value()? {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_str("");
        }
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
        if self.zero() {
            return visitor.visit_map(de::value::MapDeserializer::<
                std::iter::Empty<(&str, &str)>,
                ModelError,
            >::new(std::iter::empty()));
        }
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

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_bool(false);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_i64(0);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_u64(0);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_f64(0.0);
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_seq(
                de::value::SeqDeserializer::<std::iter::Empty<()>, ModelError>::new(
                    std::iter::empty(),
                ),
            );
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ModelError> {
        if self.zero() {
            return visitor.visit_map(de::value::MapDeserializer::<
                std::iter::Empty<(&str, &str)>,
                ModelError,
            >::new(std::iter::empty()));
        }
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u128 f32 char
        bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

pub(super) fn visit_number<'de, V: Visitor<'de>>(
    n: &Number,
    visitor: V,
) -> Result<V::Value, ModelError> {
    if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else {
        visitor.visit_f64(n.as_f64())
    }
}
