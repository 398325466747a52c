//! The schema-model walk: every resource and data source model reads and writes every
//! attribute of its schema, with types that agree. A value with every attribute set (each
//! nested block and element too) goes into the model and back; an attribute the model lacks
//! comes back null, a field the schema lacks or a type that does not fit fails the trip, so
//! a forgotten field fails `cargo test` instead of a plan at run time.

use std::collections::BTreeMap;

use astro_provider::framework::resource::Provider;
use astro_provider::framework::schema::Schema;
use astro_provider::framework::timeouts;
use astro_provider::framework::types::Type;
use astro_provider::framework::value::Value;
use astro_provider::provider::AstroProvider;

/// A non-null value of `ty`, different per attribute `name` so that swapped fields show.
fn sample(ty: &Type, name: &str) -> Value {
    match ty {
        Type::Bool => Value::Bool(true),
        Type::Number => Value::number(name.len() as i64 + 1),
        Type::String | Type::Dynamic => Value::string(format!("sample-{name}")),
        Type::List(t) => Value::List(vec![sample(t, name)]),
        Type::Set(t) => Value::Set(vec![sample(t, name)]),
        Type::Map(t) => Value::Map([(format!("key-{name}"), sample(t, name))].into()),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(n, t)| (n.clone(), sample(t, n)))
                .collect::<BTreeMap<_, _>>(),
        ),
        Type::Tuple(ts) => Value::Tuple(ts.iter().map(|t| sample(t, name)).collect()),
    }
}

/// Every attribute set; the `timeouts` block, which the framework keeps outside the
/// models, null.
fn full_value(schema: &Schema) -> Value {
    let mut v = sample(&schema.implied_type(), "");
    if let Value::Object(attrs) = &mut v
        && let Some(t) = attrs.get_mut(timeouts::BLOCK_NAME)
    {
        *t = Value::Null;
    }
    v
}

fn check(kind: &str, name: &str, schema: &Schema, trip: impl Fn(&Value) -> Result<Value, String>) {
    let full = full_value(schema);
    let back = trip(&full)
        .unwrap_or_else(|e| panic!("{kind} {name}: the model does not fit its schema: {e}"));
    let (Value::Object(sent), Value::Object(got)) = (&full, &back) else {
        panic!("{kind} {name}: not an object: {back:?}");
    };
    for (attr, v) in sent {
        assert_eq!(
            got.get(attr),
            Some(v),
            "{kind} {name}: attribute {attr} does not survive the model (missing field or a field that maps it elsewhere)"
        );
    }
    assert_eq!(sent.len(), got.len(), "{kind} {name}: {back:?}");
}

#[test]
fn every_resource_and_data_source_model_maps_every_attribute_both_ways() {
    let provider = AstroProvider::new();
    let resources = provider.resources();
    let sources = provider.data_sources();
    assert!(
        resources.len() >= 3 && sources.len() >= 2,
        "the provider's types"
    );
    for r in resources {
        check("resource", r.type_name(), &r.schema(), |v| {
            r.round_trip(v).map_err(|e| e.to_string())
        });
    }
    for d in sources {
        check("data source", d.type_name(), &d.schema(), |v| {
            d.round_trip(v).map_err(|e| e.to_string())
        });
    }
}
