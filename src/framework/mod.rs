//! Provider framework values: cty types and values, their wire codecs (msgpack, JSON),
//! attribute paths, typed models and Terraform duration strings.

pub mod duration;
pub mod json;
pub mod model;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod types;
pub mod value;

pub use duration::DurationError;
pub use model::{ModelError, from_value, to_value};
pub use msgpack::CodecError;
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use types::{Type, TypeError};
pub use value::{Refinements, Value};
