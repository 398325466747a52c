//! Unit tests of `json`.

use super::*;
use crate::framework::number::Number;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).expect("test number"))
}

fn typed(ty: Type, v: Value) -> Value {
    Value::Typed(Box::new(ty), Box::new(v))
}

fn text(v: &Value, ty: &Type) -> String {
    String::from_utf8(encode(v, ty).expect("encode")).expect("utf8")
}

#[test]
fn encodes_fixed_text() {
    let cases: Vec<(&str, Value, Type, &str)> = vec![
        (
            "object sorted",
            obj(vec![("b", "x".into()), ("a", 1.into())]),
            Type::object([("b", Type::String), ("a", Type::Number)]),
            r#"{"a":1,"b":"x"}"#,
        ),
        (
            "missing attr null",
            obj(vec![]),
            Type::object([("a", Type::String)]),
            r#"{"a":null}"#,
        ),
        (
            "big decimal",
            num("12345678901234567890.123"),
            Type::Number,
            "12345678901234567890.123",
        ),
        ("tiny decimal", num("1e-7"), Type::Number, "0.0000001"),
        (
            "escaped string",
            Value::string("a\"b\\c\n"),
            Type::String,
            r#""a\"b\\c\n""#,
        ),
        (
            "list",
            Value::List(vec![true.into(), Value::Null]),
            Type::list(Type::Bool),
            "[true,null]",
        ),
        (
            "map",
            Value::Map([("k".to_string(), Value::from("v"))].into()),
            Type::map(Type::String),
            r#"{"k":"v"}"#,
        ),
        (
            "tuple",
            Value::Tuple(vec!["a".into(), 2.into()]),
            Type::tuple([Type::String, Type::Number]),
            r#"["a",2]"#,
        ),
        (
            "dynamic",
            typed(Type::list(Type::String), Value::List(vec!["a".into()])),
            Type::Dynamic,
            r#"{"value":["a"],"type":["list","string"]}"#,
        ),
        ("dynamic null", Value::Null, Type::Dynamic, "null"),
        (
            "dynamic inferred",
            Value::from(true),
            Type::Dynamic,
            r#"{"value":true,"type":"bool"}"#,
        ),
    ];
    for (name, value, ty, want) in cases {
        assert_eq!(text(&value, &ty), want, "case {name}");
    }
}

#[test]
fn encode_errors() {
    let ty = Type::object([("a", Type::list(Type::String))]);
    let err = encode(&obj(vec![("a", Value::List(vec![Value::unknown()]))]), &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "a[0]");
    assert!(err.message.contains("not yet known"));
    let inf = Value::Number(Number::parse("inf").unwrap());
    assert!(encode(&inf, &Type::Number).is_err());
    let err = encode(&obj(vec![("zz", 1.into())]), &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "zz");
    assert!(encode(&Value::unknown(), &Type::Dynamic).is_err());
}

fn nested_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("count", Type::Number),
        ("ids", Type::set(Type::String)),
        ("tags", Type::map(Type::String)),
        ("pair", Type::tuple([Type::Bool, Type::Number])),
        ("any", Type::Dynamic),
        ("rules", Type::list(Type::object([("port", Type::Number)]))),
    ])
}

fn nested_value() -> Value {
    obj(vec![
        ("name", "ünï \u{1F600}".into()),
        ("count", num("12345678901234567890.123")),
        ("ids", Value::Set(vec!["b".into(), "a".into()])),
        (
            "tags",
            Value::Map([("team".to_string(), Value::from("astro"))].into()),
        ),
        ("pair", Value::Tuple(vec![false.into(), num("-0.5")])),
        (
            "any",
            typed(
                Type::object([("k", Type::Number)]),
                obj(vec![("k", 3.into())]),
            ),
        ),
        ("rules", Value::List(vec![obj(vec![("port", 443.into())])])),
    ])
}

#[test]
fn round_trips() {
    let cases: Vec<(&str, Value, Type)> = vec![
        ("nested", nested_value(), nested_type()),
        ("null object", Value::Null, nested_type()),
        ("empty set", Value::Set(vec![]), Type::set(Type::Number)),
        (
            "dynamic null inside typed",
            typed(Type::String, Value::Null),
            Type::Dynamic,
        ),
    ];
    for (name, value, ty) in cases {
        let bytes = encode(&value, &ty).unwrap_or_else(|e| panic!("encode {name}: {e}"));
        let back = decode(&bytes, &ty).unwrap_or_else(|e| panic!("decode {name}: {e}"));
        assert_eq!(back, value, "case {name}");
        assert_eq!(encode(&back, &ty).unwrap(), bytes, "stable {name}");
    }
}

#[test]
fn lenient_decoding() {
    let cases: Vec<(&str, &str, Type, Value)> = vec![
        (
            "number from string",
            r#""12.50""#,
            Type::Number,
            num("12.5"),
        ),
        (
            "number keeps precision",
            "12345678901234567890.123",
            Type::Number,
            num("12345678901234567890.123"),
        ),
        ("number exponent", "1E+2", Type::Number, num("100")),
        ("string from number", "1.50", Type::String, "1.50".into()),
        (
            "nested number text kept byte for byte",
            r#"{"a":[ -0.000000000000000000012345678901234567890E+00 ]}"#,
            Type::object([("a", Type::list(Type::String))]),
            obj(vec![(
                "a",
                Value::List(vec![
                    "-0.000000000000000000012345678901234567890E+00".into(),
                ]),
            )]),
        ),
        ("string from bool", "true", Type::String, "true".into()),
        ("bool from string", r#""false""#, Type::Bool, false.into()),
        ("bool from 1", r#""1""#, Type::Bool, true.into()),
        (
            "missing attribute is null",
            r#"{"a":"x"}"#,
            Type::object([("a", Type::String), ("b", Type::Number)]),
            obj(vec![("a", "x".into()), ("b", Value::Null)]),
        ),
        (
            "whitespace",
            " { \"a\" : [ 1 , 2 ] } ",
            Type::object([("a", Type::list(Type::Number))]),
            obj(vec![("a", Value::List(vec![1.into(), 2.into()]))]),
        ),
        (
            "escapes",
            r#""a\u00e9\ud83d\ude00\n""#,
            Type::String,
            "aé\u{1F600}\n".into(),
        ),
        (
            "set duplicates merged",
            r#"["a","a"]"#,
            Type::set(Type::String),
            Value::Set(vec!["a".into()]),
        ),
        (
            "dynamic type first",
            r#"{"type":"number","value":"5"}"#,
            Type::Dynamic,
            typed(Type::Number, 5.into()),
        ),
    ];
    for (name, input, ty, want) in cases {
        let got = decode(input.as_bytes(), &ty).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn decode_errors() {
    let ty = Type::object([
        ("a", Type::String),
        ("b", Type::object([("c", Type::Bool)])),
    ]);
    let cases = vec![
        (
            "extra attribute",
            r#"{"z":1}"#,
            "z",
            "unsupported attribute",
        ),
        (
            "nested extra",
            r#"{"b":{"d":1}}"#,
            "b.d",
            "unsupported attribute",
        ),
        (
            "bad bool",
            r#"{"b":{"c":"yes"}}"#,
            "b.c",
            "bool is required",
        ),
        (
            "array for string",
            r#"{"a":[]}"#,
            "a",
            "a string is required",
        ),
        ("not json", r#"{"a":"#, "(root)", "invalid JSON"),
        ("trailing", r#"{} {}"#, "(root)", "trailing characters"),
        ("leading zero", r#"{"a":01}"#, "(root)", "invalid JSON"),
        ("bad escape", r#"{"a":"\q"}"#, "(root)", "invalid escape"),
        (
            "control char",
            "{\"a\":\"\u{1}\"}",
            "(root)",
            "control character",
        ),
        (
            "lone surrogate",
            r#"{"a":"\ud800"}"#,
            "(root)",
            "hex escape",
        ),
    ];
    for (name, input, want_path, want_msg) in cases {
        let err = decode(input.as_bytes(), &ty).expect_err(name);
        assert_eq!(err.path.to_string(), want_path, "case {name}: {err}");
        assert!(err.message.contains(want_msg), "case {name}: {err}");
    }
    let dyn_cases = vec![
        ("missing type", r#"{"value":1}"#),
        ("missing value", r#"{"type":"number"}"#),
        ("extra key", r#"{"type":"number","value":1,"x":2}"#),
        ("bad type", r#"{"type":"float","value":1}"#),
        ("not object", "[1]"),
    ];
    for (name, input) in dyn_cases {
        assert!(
            decode(input.as_bytes(), &Type::Dynamic).is_err(),
            "case {name}"
        );
    }
    let tuple = Type::tuple([Type::String]);
    assert!(decode(br#"["a","b"]"#, &tuple).is_err());
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    assert!(decode(deep.as_bytes(), &Type::Dynamic).is_err());
}

#[test]
fn decode_state_drops_removed_attributes() {
    let ty = Type::object([
        ("name", Type::String),
        ("added", Type::Number),
        ("nested", Type::list(Type::object([("keep", Type::Bool)]))),
    ]);
    let stored = r#"{"name":"x","removed":{"deep":[1]},"nested":[{"keep":true,"old":"y"}]}"#;
    let got = decode_state(stored.as_bytes(), &ty).unwrap();
    let want = obj(vec![
        ("name", "x".into()),
        ("added", Value::Null),
        (
            "nested",
            Value::List(vec![obj(vec![("keep", true.into())])]),
        ),
    ]);
    assert_eq!(got, want);
    assert!(
        decode(stored.as_bytes(), &ty).is_err(),
        "strict decode rejects the same input"
    );
}

#[test]
fn decoding_garbage_never_panics() {
    let seed = encode(&nested_value(), &nested_type()).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"{}[]\",:0123456789.eE-+truefalsnl\\u \"abc";
    let mut ok = 0;
    for round in 0..4000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let len = (next() % 48) as usize;
            (0..len)
                .map(|_| alphabet[(next() as usize) % alphabet.len()])
                .collect()
        } else {
            let mut b = seed.clone();
            let i = (next() as usize) % b.len();
            b[i] = alphabet[(next() as usize) % alphabet.len()];
            b
        };
        for ty in [nested_type(), Type::Dynamic, Type::list(Type::Number)] {
            if decode(&bytes, &ty).is_ok() {
                ok += 1;
            }
            let _ = decode_state(&bytes, &ty);
        }
    }
    assert!(ok > 0, "some mutated inputs still decode");
}
