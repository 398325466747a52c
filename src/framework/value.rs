//! Untyped cty values; the codecs in `msgpack` and `json` give them shape from a [`Type`].

use std::collections::BTreeMap;

use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;

/// What Terraform knows about an unknown value ("refinements"). All empty = plain unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// The value is definitely not null.
    pub not_null: bool,
    /// Strings: the value starts with this prefix.
    pub string_prefix: Option<String>,
    /// Numbers: lower bound and whether it is inclusive.
    pub number_lower: Option<(Number, bool)>,
    /// Numbers: upper bound and whether it is inclusive.
    pub number_upper: Option<(Number, bool)>,
    /// Collections: minimum length (inclusive).
    pub length_lower: Option<u64>,
    /// Collections: maximum length (inclusive).
    pub length_upper: Option<u64>,
}

impl Refinements {
    /// True when nothing is known (encodes as a plain unknown).
    pub fn is_empty(&self) -> bool {
        !self.not_null
            && self.string_prefix.is_none()
            && self.number_lower.is_none()
            && self.number_upper.is_none()
            && self.length_lower.is_none()
            && self.length_upper.is_none()
    }
}

/// A cty value without its type. Codecs are type-directed: the same `Value::List` encodes as
/// a list or set depending on the type it is encoded against.
#[derive(Clone, Debug)]
pub enum Value {
    /// A null of any type.
    Null,
    /// A value not known until apply, with optional refinements.
    Unknown(Refinements),
    /// `bool`
    Bool(bool),
    /// `number`
    Number(Number),
    /// `string`
    String(String),
    /// `list(T)`
    List(Vec<Value>),
    /// `set(T)`; element order carries no meaning.
    Set(Vec<Value>),
    /// `tuple([...])`
    Tuple(Vec<Value>),
    /// `map(T)`
    Map(BTreeMap<String, Value>),
    /// `object({...})`
    Object(BTreeMap<String, Value>),
    /// A value that sat in a `dynamic` slot: its concrete type and the value.
    Typed(Box<Type>, Box<Value>),
}

impl PartialEq for Value {
    /// Structural equality where sets compare as unordered multisets, numbers by value, and
    /// any two unknowns are equal regardless of refinements. A `Typed` value equals another
    /// `Typed` value with the same type and inner value, and equals an untyped value equal
    /// to its inner value.
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Unknown(_), Unknown(_)) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => multiset_eq(a, b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            (Typed(ta, va), Typed(tb, vb)) => ta == tb && va == vb,
            (Typed(_, inner), plain) | (plain, Typed(_, inner)) => inner.as_ref() == plain,
            _ => false,
        }
    }
}

fn multiset_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = b.iter().enumerate().position(|(i, y)| !used[i] && x == y);
        match found {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

impl Value {
    /// A plain unknown (no refinements).
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A number value.
    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    /// An object with every attribute of `ty` set to null (an empty object for other types).
    pub fn null_object(ty: &Type) -> Value {
        match ty {
            Type::Object(attrs) => {
                Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
            }
            _ => Value::Object(BTreeMap::new()),
        }
    }

    /// The inner value of a `Typed` wrapper, or `self`.
    pub fn untyped(&self) -> &Value {
        match self {
            Value::Typed(_, inner) => inner.untyped(),
            other => other,
        }
    }

    /// True for null (also a null inside a `Typed` wrapper).
    pub fn is_null(&self) -> bool {
        matches!(self.untyped(), Value::Null)
    }

    /// True if the value itself is unknown (not: contains an unknown).
    pub fn is_unknown(&self) -> bool {
        matches!(self.untyped(), Value::Unknown(_))
    }

    /// True if neither the value nor anything nested in it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(items) | Value::Object(items) => items.values().all(Value::is_wholly_known),
            Value::Typed(_, inner) => inner.is_wholly_known(),
            _ => true,
        }
    }

    /// An object attribute (looks through a `Typed` wrapper).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.untyped() {
            Value::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// A mutable object attribute (looks through a `Typed` wrapper).
    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(attrs) => attrs.get_mut(name),
            Value::Typed(_, inner) => inner.get_attr_mut(name),
            _ => None,
        }
    }

    /// Sets an object attribute; returns false if `self` is not an object.
    pub fn set_attr(&mut self, name: &str, value: Value) -> bool {
        match self {
            Value::Object(attrs) => {
                attrs.insert(name.to_string(), value);
                true
            }
            Value::Typed(_, inner) => inner.set_attr(name, value),
            _ => false,
        }
    }

    /// One step down: attributes of objects (and keys of maps), keys of maps (and attributes
    /// of objects), indexes of lists, tuples and sets (sets by their stored position).
    pub fn get_step(&self, step: &PathStep) -> Option<&Value> {
        match (self.untyped(), step) {
            (Value::Object(m) | Value::Map(m), PathStep::Attr(k) | PathStep::Key(k)) => m.get(k),
            (Value::List(items) | Value::Tuple(items) | Value::Set(items), PathStep::Index(i)) => {
                items.get(usize::try_from(*i).ok()?)
            }
            _ => None,
        }
    }

    /// The value at `path`, if every step exists.
    pub fn get_path(&self, path: &AttributePath) -> Option<&Value> {
        path.0
            .iter()
            .try_fold(self, |value, step| value.get_step(step))
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self.untyped() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.untyped() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.untyped() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self.untyped() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self.untyped() {
            Value::Map(items) | Value::Object(items) => Some(items),
            _ => None,
        }
    }

    /// Visits this value and everything nested in it, parents before children, with the
    /// path of each. Set elements get `Index` steps by stored position; `Typed` wrappers are
    /// visited once and then looked through.
    pub fn walk(&self, f: &mut impl FnMut(&AttributePath, &Value)) {
        self.walk_from(&AttributePath::root(), f);
    }

    fn walk_from(&self, path: &AttributePath, f: &mut impl FnMut(&AttributePath, &Value)) {
        f(path, self);
        match self.untyped() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                for (i, item) in items.iter().enumerate() {
                    let index = i64::try_from(i).unwrap_or(i64::MAX);
                    item.walk_from(&path.child(PathStep::Index(index)), f);
                }
            }
            Value::Map(items) => {
                for (k, item) in items {
                    item.walk_from(&path.child(PathStep::Key(k.clone())), f);
                }
            }
            Value::Object(items) => {
                for (k, item) in items {
                    item.walk_from(&path.child(PathStep::Attr(k.clone())), f);
                }
            }
            _ => {}
        }
    }

    /// A best-effort concrete type for an untyped value (used when it must travel in a
    /// `dynamic` slot): `dynamic` for null/unknown, `None` for collections whose elements
    /// disagree.
    pub fn infer_type(&self) -> Option<Type> {
        match self {
            Value::Null | Value::Unknown(_) => Some(Type::Dynamic),
            Value::Bool(_) => Some(Type::Bool),
            Value::Number(_) => Some(Type::Number),
            Value::String(_) => Some(Type::String),
            Value::Typed(ty, _) => Some((**ty).clone()),
            Value::Tuple(items) => items
                .iter()
                .map(Value::infer_type)
                .collect::<Option<_>>()
                .map(Type::Tuple),
            Value::Object(attrs) => attrs
                .iter()
                .map(|(k, v)| v.infer_type().map(|t| (k.clone(), t)))
                .collect::<Option<_>>()
                .map(Type::Object),
            Value::List(items) => common_type(items.iter()).map(Type::list),
            Value::Set(items) => common_type(items.iter()).map(Type::set),
            Value::Map(items) => common_type(items.values()).map(Type::map),
        }
    }
}

/// The single type all known, non-null elements share (`dynamic` when no element determines
/// it, e.g. an empty collection); `None` if they disagree.
fn common_type<'a>(items: impl Iterator<Item = &'a Value>) -> Option<Type> {
    let mut found: Option<Type> = None;
    for item in items {
        if item.is_null() || item.is_unknown() {
            continue;
        }
        let ty = item.infer_type()?;
        match &found {
            Some(existing) if *existing != ty => return None,
            Some(_) => {}
            None => found = Some(ty),
        }
    }
    Some(found.unwrap_or(Type::Dynamic))
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::from_i64(i))
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests;
