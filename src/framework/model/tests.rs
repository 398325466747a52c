//! Unit tests of `model`.

use super::*;
use crate::framework::number::Number;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::collections::HashMap;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Timeouts {
    create: Option<String>,
    delete: Option<String>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Auto,
    Manual,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Endpoint {
    name: String,
    id: Option<String>,
    port: i64,
    weight: Option<f64>,
    enabled: bool,
    subnets: Vec<String>,
    zones: Vec<String>,
    tags: BTreeMap<String, String>,
    labels: Option<HashMap<String, u32>>,
    timeouts: Option<Timeouts>,
    mode: Mode,
}

fn endpoint_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("id", Type::String),
        ("port", Type::Number),
        ("weight", Type::Number),
        ("enabled", Type::Bool),
        ("subnets", Type::list(Type::String)),
        ("zones", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
        ("labels", Type::map(Type::Number)),
        (
            "timeouts",
            Type::object([("create", Type::String), ("delete", Type::String)]),
        ),
        ("mode", Type::String),
        ("computed_only", Type::String),
    ])
}

fn endpoint() -> Endpoint {
    Endpoint {
        name: "pe".into(),
        id: None,
        port: 443,
        weight: Some(0.1),
        enabled: true,
        subnets: vec!["b".into(), "a".into()],
        zones: vec!["1".into(), "2".into()],
        tags: [("team".to_string(), "astro".to_string())].into(),
        labels: Some([("x".to_string(), 7)].into()),
        timeouts: Some(Timeouts {
            create: Some("30m".into()),
            delete: None,
        }),
        mode: Mode::Manual,
    }
}

#[test]
fn to_value_is_type_directed() {
    let v = to_value(&endpoint(), &endpoint_type()).unwrap();
    assert!(matches!(v.get_attr("subnets"), Some(Value::List(_))));
    assert!(matches!(v.get_attr("zones"), Some(Value::Set(_))));
    assert!(matches!(v.get_attr("tags"), Some(Value::Map(_))));
    assert!(matches!(v.get_attr("timeouts"), Some(Value::Object(_))));
    assert_eq!(
        v.get_attr("computed_only"),
        Some(&Value::Null),
        "missing field -> null"
    );
    assert_eq!(v.get_attr("id"), Some(&Value::Null));
    assert_eq!(v.get_attr("port"), Some(&Value::from(443)));
    assert_eq!(
        v.get_attr("weight")
            .unwrap()
            .as_number()
            .unwrap()
            .to_string(),
        "0.1"
    );
    assert_eq!(v.get_attr("mode").and_then(Value::as_str), Some("manual"));
    let timeouts = v.get_attr("timeouts").unwrap();
    assert_eq!(timeouts.get_attr("delete"), Some(&Value::Null));
    // The result encodes against the schema type.
    let bytes = super::super::msgpack::encode(&v, &endpoint_type()).unwrap();
    let back = super::super::msgpack::decode(&bytes, &endpoint_type()).unwrap();
    assert_eq!(back, v);
}

#[test]
fn from_value_round_trips() {
    let v = to_value(&endpoint(), &endpoint_type()).unwrap();
    let model: Endpoint = from_value(&v).unwrap();
    assert_eq!(model, endpoint());
}

#[test]
fn from_value_cases() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Small {
        a: Option<String>,
        n: Option<u16>,
        f: Option<f32>,
        s: Option<String>,
    }
    let v = Value::Object(
        [
            (
                "n".to_string(),
                Value::Number(Number::parse("12.0").unwrap()),
            ),
            ("f".to_string(), Value::from(2)),
            (
                "s".to_string(),
                Value::Number(Number::parse("1.5").unwrap()),
            ),
            (
                "extra".to_string(),
                Value::Typed(Box::new(Type::String), Box::new("x".into())),
            ),
        ]
        .into(),
    );
    let small: Small = from_value(&v).unwrap();
    assert_eq!(
        small,
        Small {
            a: None,
            n: Some(12),
            f: Some(2.0),
            s: Some("1.5".into())
        }
    );
}

#[test]
fn from_value_errors_name_the_path() {
    let mut v = to_value(&endpoint(), &endpoint_type()).unwrap();
    *v.get_attr_mut("timeouts")
        .unwrap()
        .get_attr_mut("create")
        .unwrap() = Value::unknown();
    let err = from_value::<Endpoint>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), "timeouts.create");
    assert!(err.message.contains("not known"), "{err}");

    let mut v = to_value(&endpoint(), &endpoint_type()).unwrap();
    *v.get_attr_mut("subnets").unwrap() = Value::List(vec!["a".into(), true.into()]);
    let err = from_value::<Endpoint>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), "subnets[1]", "{err}");

    let mut v = to_value(&endpoint(), &endpoint_type()).unwrap();
    *v.get_attr_mut("name").unwrap() = Value::Null;
    let err = from_value::<Endpoint>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), "name", "{err}");
    assert!(err.message.contains("null"), "{err}");

    let mut v = to_value(&endpoint(), &endpoint_type()).unwrap();
    *v.get_attr_mut("port").unwrap() = Value::Number(Number::parse("1.5").unwrap());
    let err = from_value::<Endpoint>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), "port", "{err}");

    let mut v = to_value(&endpoint(), &endpoint_type()).unwrap();
    *v.get_attr_mut("tags").unwrap() = Value::Map([("k".to_string(), Value::from(true))].into());
    let err = from_value::<Endpoint>(&v).unwrap_err();
    assert_eq!(err.path.to_string(), r#"tags["k"]"#, "{err}");

    let err = from_value::<Endpoint>(&Value::unknown()).unwrap_err();
    assert!(err.path.is_root());
    assert_eq!(err.to_string(), format!("(root): {}", err.message));
}

#[test]
fn to_value_errors_name_the_path() {
    #[derive(Serialize)]
    struct Extra {
        name: String,
        bogus: bool,
    }
    let ty = Type::object([("name", Type::String)]);
    let err = to_value(
        &Extra {
            name: "x".into(),
            bogus: true,
        },
        &ty,
    )
    .unwrap_err();
    assert_eq!(err.path.to_string(), "bogus");

    #[derive(Serialize)]
    struct Wrong {
        name: Vec<String>,
    }
    let err = to_value(&Wrong { name: vec![] }, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "name");

    #[derive(Serialize)]
    struct Nested {
        items: Vec<Wrong>,
    }
    let ty = Type::object([("items", Type::list(Type::object([("name", Type::Bool)])))]);
    let err = to_value(
        &Nested {
            items: vec![Wrong { name: vec![] }],
        },
        &ty,
    )
    .unwrap_err();
    assert_eq!(err.path.to_string(), "items[0].name", "{err}");

    assert!(to_value(&f64::NAN, &Type::Number).is_err());
    assert!(to_value(&"abc", &Type::Number).is_err());
    assert_eq!(to_value(&"12", &Type::Number).unwrap(), Value::from(12));
}

#[test]
fn dynamic_slots_get_typed_values() {
    #[derive(Serialize)]
    struct Inner {
        k: Vec<i64>,
    }
    let v = to_value(&Inner { k: vec![1, 2] }, &Type::Dynamic).unwrap();
    match &v {
        Value::Typed(ty, _) => {
            assert_eq!(**ty, Type::object([("k", Type::list(Type::Number))]))
        }
        other => panic!("expected typed, got {other:?}"),
    }
    let bytes = super::super::msgpack::encode(&v, &Type::Dynamic).unwrap();
    assert_eq!(
        super::super::msgpack::decode(&bytes, &Type::Dynamic).unwrap(),
        v
    );
    assert_eq!(
        to_value(&Option::<String>::None, &Type::Dynamic).unwrap(),
        Value::Null
    );
    let tuple = to_value(&("a", 1), &Type::tuple([Type::String, Type::Number])).unwrap();
    assert_eq!(tuple, Value::Tuple(vec!["a".into(), 1.into()]));
    assert!(to_value(&("a", 1, 2), &Type::tuple([Type::String, Type::Number])).is_err());
}
