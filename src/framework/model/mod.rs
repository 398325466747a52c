//! Typed models: converts cty [`Value`]s to and from plain Rust structs through serde.
//!
//! `from_value` maps null to `None`, objects to structs (a missing attribute reads as null),
//! lists/sets/tuples to sequences, maps to maps, numbers to any integer or float type.
//! `to_value` is directed by the schema type, so sequences become lists or sets as the type
//! says and structs become objects with every attribute of the type present.

mod deserialize;
mod serialize;
mod serialize_compound;

use deserialize::De;
use serialize::Ser;

use std::fmt;

use serde::de;
use serde::ser::{self, Serialize};

use super::path::AttributePath;
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
    T::deserialize(De {
        v,
        path: &root,
        lenient: false,
    })
    .map_err(|e| e.within(&root))
}

/// Reads a model from a configuration or plan, which may hold unknowns: an unknown (or null)
/// value reads as `None` for an `Option` field and as the zero of any other field's type
/// (`""`, `false`, `0`, empty), so plan-time code sees every value that is known and treats
/// the rest as unset.
pub fn from_plan_value<T: de::DeserializeOwned>(v: &Value) -> Result<T, ModelError> {
    let root = AttributePath::root();
    T::deserialize(De {
        v,
        path: &root,
        lenient: true,
    })
    .map_err(|e| e.within(&root))
}

/// Builds a value of type `ty` from a model. Struct fields map to object attributes by name
/// (use `#[serde(rename)]` where they differ); attributes without a field become null;
/// a field that is not an attribute of the type is an error.
pub fn to_value<T: Serialize>(v: &T, ty: &Type) -> Result<Value, ModelError> {
    let root = AttributePath::root();
    v.serialize(Ser::new(ty, &root))
        .map_err(|e| e.within(&root))
}
#[cfg(test)]
mod tests;
