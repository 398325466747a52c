//! The provider framework: cty types and values with their wire codecs (msgpack, JSON),
//! attribute paths, typed models and durations; schemas, validators, diagnostics, timeouts,
//! the Resource traits and the plan rules applied to every resource. Knows nothing about
//! Azure or protobuf.
//!
//! Notes for users of this module:
//! - [`Value`] is untyped; always encode/decode against the schema's [`Type`]. Objects are
//!   written with every attribute of the type (missing ones as null) because Terraform
//!   rejects partial objects.
//! - Values in `dynamic` slots decode as [`Value::Typed`]; an untyped value encoded into a
//!   dynamic slot gets an inferred type (wrap it in `Typed` when inference is ambiguous).
//! - Keep numbers as [`Number`] when echoing config into state: Terraform sends `0.1` as the
//!   decimal string "0.1", and turning it into an `f64` and back changes nothing only because
//!   [`Number::from_f64`] uses the shortest decimal text; [`Number::from_f64_exact`] would not.
//! - An empty `DynamicValue` (no msgpack and no JSON bytes) means null; [`msgpack::decode`]
//!   rejects empty input, so callers check for emptiness first.

pub mod diagnostics;
pub mod duration;
pub mod erased;
pub mod json;
pub mod model;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod resource;
pub mod schema;
pub mod server;
pub mod timeouts;
pub mod types;
pub mod validators;
pub mod value;

pub use duration::DurationError;
pub use model::{ModelError, from_value, to_value};
pub use msgpack::CodecError;
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use types::{Type, TypeError};
pub use value::{Refinements, Value};
