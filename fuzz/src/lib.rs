//! Types the fuzz targets decode against: the provider block's schema type and a type that
//! holds every cty kind (nested collections, dynamic, tuple, number), picked by input byte.

use astro_provider::framework::types::Type;

/// The candidate types; `pick` chooses one by the first input byte.
pub fn types() -> Vec<Type> {
    let everything = Type::object([
        ("s", Type::String),
        ("n", Type::Number),
        ("b", Type::Bool),
        ("d", Type::Dynamic),
        ("l", Type::list(Type::String)),
        ("set", Type::set(Type::object([("x", Type::Number)]))),
        ("m", Type::map(Type::list(Type::Bool))),
        (
            "t",
            Type::tuple([Type::String, Type::Dynamic, Type::Number]),
        ),
    ]);
    vec![
        astro_provider::provider::provider_schema().implied_type(),
        everything.clone(),
        Type::list(everything),
        Type::Dynamic,
        Type::map(Type::String),
        Type::set(Type::Dynamic),
        Type::Number,
    ]
}

/// Splits `data` into (type, rest): the first byte selects the type.
pub fn pick(data: &[u8]) -> Option<(Type, &[u8])> {
    let (first, rest) = data.split_first()?;
    let types = types();
    let ty = types[usize::from(*first) % types.len()].clone();
    Some((ty, rest))
}
