//! Unit tests of `value`.

use super::*;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[test]
fn equality_cases() {
    let cases: Vec<(&str, Value, Value, bool)> = vec![
        (
            "set order ignored",
            Value::Set(vec!["a".into(), "b".into()]),
            Value::Set(vec!["b".into(), "a".into()]),
            true,
        ),
        (
            "set multiset",
            Value::Set(vec!["a".into(), "a".into()]),
            Value::Set(vec!["a".into(), "b".into()]),
            false,
        ),
        (
            "list order matters",
            Value::List(vec!["a".into(), "b".into()]),
            Value::List(vec!["b".into(), "a".into()]),
            false,
        ),
        (
            "number by value",
            Value::Number(Number::parse("1.0").unwrap()),
            Value::from(1),
            true,
        ),
        (
            "unknowns equal",
            Value::unknown(),
            Value::Unknown(Refinements {
                not_null: true,
                ..Default::default()
            }),
            true,
        ),
        ("unknown vs null", Value::unknown(), Value::Null, false),
        (
            "list vs set",
            Value::List(vec![]),
            Value::Set(vec![]),
            false,
        ),
        (
            "typed vs plain",
            Value::Typed(Box::new(Type::String), Box::new("x".into())),
            "x".into(),
            true,
        ),
        (
            "typed type differs",
            Value::Typed(Box::new(Type::String), Box::new("x".into())),
            Value::Typed(Box::new(Type::Dynamic), Box::new("x".into())),
            false,
        ),
        (
            "object",
            obj(vec![("a", 1.into())]),
            obj(vec![("a", 1.into())]),
            true,
        ),
        (
            "object differs",
            obj(vec![("a", 1.into())]),
            obj(vec![("a", 2.into())]),
            false,
        ),
    ];
    for (name, a, b, want) in cases {
        assert_eq!(a == b, want, "case {name}");
        assert_eq!(b == a, want, "case {name} (swapped)");
    }
}

#[test]
fn known_and_null() {
    let v = obj(vec![
        ("a", Value::List(vec![Value::unknown()])),
        ("b", Value::Null),
    ]);
    assert!(!v.is_wholly_known());
    assert!(!v.is_unknown());
    assert!(v.get_attr("b").unwrap().is_null());
    assert!(obj(vec![("a", "x".into())]).is_wholly_known());
    assert!(Value::Typed(Box::new(Type::String), Box::new(Value::Null)).is_null());
}

#[test]
fn paths_and_accessors() {
    let mut v = obj(vec![
        ("name", "n".into()),
        (
            "tags",
            Value::Map([("team".to_string(), Value::from("x"))].into()),
        ),
        ("ids", Value::List(vec!["a".into(), "b".into()])),
        ("enabled", true.into()),
    ]);
    let p = AttributePath::root().attr("tags").key("team");
    assert_eq!(v.get_path(&p).and_then(Value::as_str), Some("x"));
    let p = AttributePath::root().attr("ids").index(1);
    assert_eq!(v.get_path(&p).and_then(Value::as_str), Some("b"));
    assert_eq!(
        v.get_path(&AttributePath::root().attr("ids").index(5)),
        None
    );
    assert_eq!(
        v.get_path(&AttributePath::root().attr("ids").index(-1)),
        None
    );
    assert_eq!(v.get_attr("enabled").and_then(Value::as_bool), Some(true));
    *v.get_attr_mut("name").unwrap() = "m".into();
    assert_eq!(v.get_attr("name").and_then(Value::as_str), Some("m"));
    assert_eq!(v.get_path(&AttributePath::root()), Some(&v));
}

#[test]
fn walk_visits_pre_order_with_paths() {
    let v = obj(vec![
        ("a", Value::List(vec!["x".into()])),
        ("b", Value::Map([("k".to_string(), Value::from(1))].into())),
    ]);
    let mut seen = Vec::new();
    v.walk(&mut |p, _| seen.push(p.to_string()));
    assert_eq!(seen, vec!["(root)", "a", "a[0]", "b", r#"b["k"]"#]);
}

#[test]
fn object_builder() {
    let v = Value::object([("a", Value::from(1)), ("b", Value::Null)]);
    assert_eq!(v, obj(vec![("a", 1.into()), ("b", Value::Null)]));
}

#[test]
fn null_object_has_every_attribute() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let v = Value::null_object(&ty);
    assert!(v.get_attr("a").unwrap().is_null());
    assert!(v.get_attr("b").unwrap().is_null());
    assert_eq!(v.as_entries().unwrap().len(), 2);
}

#[test]
fn infer_types() {
    let v = obj(vec![
        ("a", Value::List(vec!["x".into(), Value::Null])),
        ("n", 1.into()),
        ("z", Value::Null),
    ]);
    assert_eq!(
        v.infer_type(),
        Some(Type::object([
            ("a", Type::list(Type::String)),
            ("n", Type::Number),
            ("z", Type::Dynamic)
        ]))
    );
    assert_eq!(Value::List(vec!["x".into(), 1.into()]).infer_type(), None);
    assert_eq!(
        Value::List(vec![]).infer_type(),
        Some(Type::list(Type::Dynamic))
    );
}

#[test]
fn refinements_empty() {
    assert!(Refinements::default().is_empty());
    assert!(
        !Refinements {
            length_upper: Some(3),
            ..Default::default()
        }
        .is_empty()
    );
}
