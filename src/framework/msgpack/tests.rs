//! Unit tests of `msgpack`.

use super::*;
use crate::framework::number::Number;
use crate::framework::value::Refinements;
use std::collections::BTreeMap;

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).expect("test number"))
}

fn typed(ty: Type, v: Value) -> Value {
    Value::Typed(Box::new(ty), Box::new(v))
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).expect("test hex"))
        .collect()
}

/// (name, value, type, expected bytes)
fn fixed_vectors() -> Vec<(&'static str, Value, Type, Vec<u8>)> {
    vec![
        (
            "object a=b",
            obj(vec![("a", "b".into())]),
            Type::object([("a", Type::String)]),
            hex("81 a1 61 a1 62"),
        ),
        ("null string", Value::Null, Type::String, hex("c0")),
        (
            "unknown string",
            Value::unknown(),
            Type::String,
            hex("d4 00 00"),
        ),
        (
            "unknown dynamic",
            Value::unknown(),
            Type::Dynamic,
            hex("d4 00 00"),
        ),
        ("true", true.into(), Type::Bool, hex("c3")),
        ("small int as text", 5.into(), Type::Number, hex("a1 35")),
        ("int as text", 200.into(), Type::Number, hex("a3 32 30 30")),
        (
            "negative int as text",
            (-5).into(),
            Type::Number,
            hex("a2 2d 35"),
        ),
        (
            "i64::MIN as text",
            Value::from(i64::MIN),
            Type::Number,
            [hex("b4"), b"-9223372036854775808".to_vec()].concat(),
        ),
        ("0.5 as text", num("0.5"), Type::Number, hex("a3 30 2e 35")),
        (
            "0.1 as string",
            num("0.1"),
            Type::Number,
            hex("a3 30 2e 31"),
        ),
        ("integral 1.0 as 1", num("1.0"), Type::Number, hex("a1 31")),
        (
            "from_f64(0.1) is the decimal 0.1, sent as string",
            Value::Number(Number::from_f64(0.1).unwrap()),
            Type::Number,
            hex("a3 30 2e 31"),
        ),
        (
            "exact binary 0.1 keeps every digit",
            Value::Number(Number::from_f64_exact(0.1).unwrap()),
            Type::Number,
            [
                hex("d9 39"),
                b"0.1000000000000000055511151231257827021181583404541015625".to_vec(),
            ]
            .concat(),
        ),
        (
            "infinity stays float64",
            num("inf"),
            Type::Number,
            hex("cb 7f f0 00 00 00 00 00 00"),
        ),
        (
            "u64 beyond i64 as text",
            Value::Number(Number::from_u64(u64::MAX)),
            Type::Number,
            [hex("b4"), b"18446744073709551615".to_vec()].concat(),
        ),
        (
            "list of strings",
            Value::List(vec!["x".into(), "y".into()]),
            Type::list(Type::String),
            hex("92 a1 78 a1 79"),
        ),
        (
            "map sorted keys",
            Value::Map(
                [
                    ("b".to_string(), Value::from(2)),
                    ("a".to_string(), Value::from(1)),
                ]
                .into(),
            ),
            Type::map(Type::Number),
            hex("82 a1 61 a1 31 a1 62 a1 32"),
        ),
        (
            "object writes null for missing attributes",
            obj(vec![("b", true.into())]),
            Type::object([("a", Type::String), ("b", Type::Bool)]),
            hex("82 a1 61 c0 a1 62 c3"),
        ),
        (
            "dynamic string",
            typed(Type::String, "x".into()),
            Type::Dynamic,
            [hex("92 c4 08"), b"\"string\"".to_vec(), hex("a1 78")].concat(),
        ),
        ("dynamic null", Value::Null, Type::Dynamic, hex("c0")),
        (
            "dynamic typed null",
            typed(Type::Bool, Value::Null),
            Type::Dynamic,
            [hex("92 c4 06"), b"\"bool\"".to_vec(), hex("c0")].concat(),
        ),
        (
            "refined not-null unknown",
            Value::Unknown(Refinements {
                not_null: true,
                ..Default::default()
            }),
            Type::String,
            hex("c7 03 0c 81 01 c2"),
        ),
        (
            "refined prefix unknown",
            Value::Unknown(Refinements {
                not_null: true,
                string_prefix: Some("ab".into()),
                ..Default::default()
            }),
            Type::String,
            hex("c7 07 0c 82 01 c2 02 a2 61 62"),
        ),
        (
            "refined length unknown",
            Value::Unknown(Refinements {
                length_lower: Some(1),
                length_upper: Some(3),
                ..Default::default()
            }),
            Type::list(Type::String),
            hex("c7 05 0c 82 05 01 06 03"),
        ),
        (
            "refinement not applicable to type",
            Value::Unknown(Refinements {
                string_prefix: Some("ab".into()),
                ..Default::default()
            }),
            Type::Number,
            hex("d4 00 00"),
        ),
        (
            "refined unknown in dynamic slot is plain",
            Value::Unknown(Refinements {
                not_null: true,
                ..Default::default()
            }),
            Type::Dynamic,
            hex("d4 00 00"),
        ),
    ]
}

#[test]
fn encodes_fixed_vectors() {
    for (name, value, ty, want) in fixed_vectors() {
        let got = encode(&value, &ty).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn decodes_fixed_vectors() {
    for (name, value, ty, bytes) in fixed_vectors() {
        let got = decode(&bytes, &ty).unwrap_or_else(|e| panic!("case {name}: {e}"));
        let want = match (&ty, &value) {
            // Missing attributes were written as null.
            (Type::Object(_), Value::Object(_)) if name.contains("missing") => {
                obj(vec![("a", Value::Null), ("b", true.into())])
            }
            _ => value,
        };
        assert_eq!(got, want, "case {name}");
        if let (Value::Unknown(want_r), Value::Unknown(got_r)) = (&want, &got) {
            let applicable = !matches!(ty, Type::Dynamic) && !name.contains("not applicable");
            if applicable {
                assert_eq!(got_r, want_r, "refinements of case {name}");
            } else {
                assert!(got_r.is_empty(), "refinements of case {name}");
            }
        }
    }
}

fn nested_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ids", Type::set(Type::String)),
        ("pair", Type::tuple([Type::String, Type::Number])),
        ("anything", Type::Dynamic),
        (
            "rules",
            Type::list(Type::object([
                ("port", Type::Number),
                ("cidrs", Type::list(Type::String)),
            ])),
        ),
        (
            "timeouts",
            Type::object([("create", Type::String), ("delete", Type::String)]),
        ),
    ])
}

fn nested_value() -> Value {
    obj(vec![
        ("name", "pe-1".into()),
        ("count", num("12345678901234567890.123")),
        ("enabled", false.into()),
        (
            "tags",
            Value::Map([("team".to_string(), Value::from("astro"))].into()),
        ),
        ("ids", Value::Set(vec!["b".into(), "a".into()])),
        ("pair", Value::Tuple(vec!["x".into(), num("-2.5")])),
        (
            "anything",
            typed(
                Type::object([("k", Type::list(Type::Number))]),
                obj(vec![("k", Value::List(vec![1.into(), num("0.1")]))]),
            ),
        ),
        (
            "rules",
            Value::List(vec![obj(vec![
                ("port", 443.into()),
                (
                    "cidrs",
                    Value::List(vec!["10.0.0.0/8".into(), Value::unknown()]),
                ),
            ])]),
        ),
        (
            "timeouts",
            obj(vec![("create", "30m".into()), ("delete", Value::Null)]),
        ),
    ])
}

#[test]
fn round_trips() {
    let cases: Vec<(&str, Value, Type)> = vec![
        ("nested object", nested_value(), nested_type()),
        ("empty list", Value::List(vec![]), Type::list(Type::String)),
        (
            "empty map",
            Value::Map(BTreeMap::new()),
            Type::map(Type::Number),
        ),
        (
            "empty object",
            obj(vec![]),
            Type::object(Vec::<(String, Type)>::new()),
        ),
        (
            "set of objects",
            Value::Set(vec![obj(vec![("a", 1.into())]), obj(vec![("a", 2.into())])]),
            Type::set(Type::object([("a", Type::Number)])),
        ),
        (
            "u64 max",
            Value::Number(Number::from_u64(u64::MAX)),
            Type::Number,
        ),
        ("1e20", num("1e20"), Type::Number),
        ("tiny", num("1e-30"), Type::Number),
        ("unicode", "héllo ✓".into(), Type::String),
        (
            "long string",
            Value::string("x".repeat(70_000)),
            Type::String,
        ),
        ("null list", Value::Null, Type::list(Type::String)),
        (
            "dynamic list",
            typed(Type::list(Type::String), Value::List(vec!["a".into()])),
            Type::Dynamic,
        ),
        (
            "dynamic in map",
            Value::Map([("k".to_string(), typed(Type::Number, 1.into()))].into()),
            Type::map(Type::Dynamic),
        ),
        (
            "dynamic typed unknown",
            typed(Type::String, Value::unknown()),
            Type::Dynamic,
        ),
        (
            "list of 20",
            Value::List((0..20).map(Value::from).collect()),
            Type::list(Type::Number),
        ),
        (
            "number bounds refinement",
            Value::Unknown(Refinements {
                number_lower: Some((Number::from_i64(0), true)),
                number_upper: Some((Number::parse("10.5").unwrap(), false)),
                ..Default::default()
            }),
            Type::Number,
        ),
    ];
    for (name, value, ty) in cases {
        let bytes = encode(&value, &ty).unwrap_or_else(|e| panic!("encode {name}: {e}"));
        let back = decode(&bytes, &ty).unwrap_or_else(|e| panic!("decode {name}: {e}"));
        assert_eq!(back, value, "case {name}");
        if let (Value::Unknown(a), Value::Unknown(b)) = (&back, &value) {
            assert_eq!(a, b, "refinements of {name}");
        }
        // Re-encoding the decoded value is stable.
        assert_eq!(encode(&back, &ty).unwrap(), bytes, "stable {name}");
    }
}

#[test]
fn untyped_values_in_dynamic_slots_get_inferred_types() {
    let v = obj(vec![("a", "x".into())]);
    let bytes = encode(&v, &Type::Dynamic).unwrap();
    let back = decode(&bytes, &Type::Dynamic).unwrap();
    match back {
        Value::Typed(ty, inner) => {
            assert_eq!(*ty, Type::object([("a", Type::String)]));
            assert_eq!(*inner, v);
        }
        other => panic!("expected a typed value, got {other:?}"),
    }
    let mixed = Value::List(vec!["x".into(), 1.into()]);
    assert!(encode(&mixed, &Type::Dynamic).is_err());
}

#[test]
fn decodes_every_number_form() {
    let cases = vec![
        ("uint8", "cc 05", "5"),
        ("uint16", "cd 00 05", "5"),
        ("uint32", "ce 00 00 00 05", "5"),
        (
            "uint64 max",
            "cf ff ff ff ff ff ff ff ff",
            "18446744073709551615",
        ),
        ("int8", "d0 fb", "-5"),
        ("int16", "d1 ff fb", "-5"),
        ("int32", "d2 ff ff ff fb", "-5"),
        ("int64", "d3 ff ff ff ff ff ff ff fb", "-5"),
        ("float32", "ca 3f c0 00 00", "1.5"),
        ("float64 integral", "cb 40 14 00 00 00 00 00 00", "5"),
        ("string decimal", "a3 30 2e 31", "0.1"),
        ("string exponent", "a3 31 65 32", "100"),
        (
            "str8 big",
            "d9 18 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 37 38 39 30 2e 31 32 33",
            "12345678901234567890.123",
        ),
    ];
    for (name, bytes, want) in cases {
        let got = decode(&hex(bytes), &Type::Number).unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert_eq!(got, num(want), "case {name}");
    }
    let big = encode(&num("12345678901234567890.123"), &Type::Number).unwrap();
    assert_eq!(big[0], 0xb8, "24-byte decimal travels as a fixstr");
}

#[test]
fn decode_errors_name_the_path() {
    let ty = Type::object([
        ("a", Type::String),
        ("b", Type::object([("c", Type::Number)])),
    ]);
    let cases = vec![
        (
            "missing attribute",
            hex("81 a1 61 a1 78"),
            "(root)",
            "missing attribute(s) b",
        ),
        (
            "extra attribute",
            hex("83 a1 61 a1 78 a1 62 c0 a1 7a c0"),
            "z",
            "unsupported attribute",
        ),
        (
            "nested missing",
            hex("82 a1 61 c0 a1 62 80"),
            "b",
            "missing attribute(s) c",
        ),
        (
            "nested extra",
            hex("82 a1 61 c0 a1 62 82 a1 63 01 a1 64 01"),
            "b.d",
            "unsupported attribute",
        ),
        (
            "wrong kind",
            hex("82 a1 61 01 a1 62 c0"),
            "a",
            "string is required",
        ),
        (
            "bad number string",
            hex("82 a1 61 c0 a1 62 81 a1 63 a1 78"),
            "b.c",
            "number is required",
        ),
        ("truncated", hex("82 a1 61"), "a", "unexpected end"),
        ("duplicate", hex("82 a1 61 c0 a1 61 c0"), "a", "twice"),
        (
            "trailing bytes",
            hex("82 a1 61 c0 a1 62 c0 c0"),
            "(root)",
            "unexpected bytes",
        ),
        (
            "unsupported ext",
            hex("d5 05 00 00"),
            "(root)",
            "unsupported extension",
        ),
    ];
    for (name, bytes, want_path, want_msg) in cases {
        let err = decode(&bytes, &ty).expect_err(name);
        assert_eq!(err.path.to_string(), want_path, "case {name}: {err}");
        assert!(err.message.contains(want_msg), "case {name}: {err}");
    }
}

#[test]
fn encode_errors_name_the_path() {
    let ty = Type::object([("a", Type::list(Type::String))]);
    let err = encode(&obj(vec![("a", Value::List(vec![1.into()]))]), &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "a[0]");
    let err = encode(&obj(vec![("zz", 1.into())]), &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "zz");
    let err = encode(
        &Value::Tuple(vec![1.into()]),
        &Type::tuple([Type::Number, Type::Number]),
    )
    .unwrap_err();
    assert!(err.message.contains("tuple of 2"), "{err}");
}

#[test]
fn unknown_decoding_rules() {
    let cases: Vec<(&str, &str, Type, Option<Value>)> = vec![
        (
            "any ext with 1-byte body",
            "d4 07 01",
            Type::String,
            Some(Value::unknown()),
        ),
        (
            "ext8 with empty body",
            "c7 00 05",
            Type::Number,
            Some(Value::unknown()),
        ),
        (
            "null refinement true",
            "c7 03 0c 81 01 c3",
            Type::String,
            Some(Value::Null),
        ),
        (
            "unknown keys ignored",
            "c7 07 0c 82 09 92 01 02 01 c2",
            Type::String,
            Some(Value::unknown()),
        ),
        (
            "prefix on number rejected",
            "c7 04 0c 81 02 a1 61",
            Type::Number,
            None,
        ),
        (
            "length on string rejected",
            "c7 03 0c 81 05 01",
            Type::String,
            None,
        ),
        (
            "bounds on string rejected",
            "c7 05 0c 81 03 92 01 c3",
            Type::String,
            None,
        ),
        (
            "refinements ignored for dynamic",
            "c7 04 0c 81 02 a1 61",
            Type::Dynamic,
            Some(Value::unknown()),
        ),
        ("body not a map", "d5 0c 01 02", Type::String, None),
    ];
    for (name, bytes, ty, want) in cases {
        let got = decode(&hex(bytes), &ty);
        match want {
            Some(want) => assert_eq!(
                got.unwrap_or_else(|e| panic!("case {name}: {e}")),
                want,
                "case {name}"
            ),
            None => assert!(got.is_err(), "case {name} should fail, got {got:?}"),
        }
    }
    let mut oversize = hex("c9 00 00 04 01 0c");
    oversize.extend(std::iter::repeat_n(0u8, 1025));
    assert!(decode(&oversize, &Type::String).is_err());
}

#[test]
fn prefix_refinement_truncated_on_char_boundary() {
    let long = "é".repeat(200);
    let v = Value::Unknown(Refinements {
        string_prefix: Some(long),
        ..Default::default()
    });
    let back = decode(&encode(&v, &Type::String).unwrap(), &Type::String).unwrap();
    match back {
        Value::Unknown(r) => {
            let prefix = r.string_prefix.unwrap();
            assert!(prefix.len() <= 255 && prefix.len() >= 254);
            assert!(prefix.chars().all(|c| c == 'é'));
        }
        other => panic!("expected unknown, got {other:?}"),
    }
}

#[test]
fn sets_ignore_order_and_drop_duplicates() {
    let ty = Type::set(Type::String);
    let a = decode(&hex("92 a1 61 a1 62"), &ty).unwrap();
    let b = decode(&hex("92 a1 62 a1 61"), &ty).unwrap();
    assert_eq!(a, b);
    let dup = decode(&hex("93 a1 61 a1 61 a1 62"), &ty).unwrap();
    assert_eq!(dup.as_elements().unwrap().len(), 2);
    let unknowns = decode(&hex("92 d4 00 00 d4 00 00"), &ty).unwrap();
    assert_eq!(
        unknowns.as_elements().unwrap().len(),
        2,
        "unknowns are never merged"
    );
}

/// Deterministic xorshift generator for the no-panic test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn decoding_garbage_never_panics() {
    let types = vec![
        nested_type(),
        Type::Dynamic,
        Type::Number,
        Type::String,
        Type::list(Type::Dynamic),
        Type::set(Type::map(Type::Number)),
        Type::tuple([Type::Bool, Type::String]),
    ];
    let seeds = [
        encode(&nested_value(), &nested_type()).unwrap(),
        hex("c7 07 0c 82 01 c2 02 a2 61 62"),
        hex("92 c4 08 22 73 74 72 69 6e 67 22 a1 78"),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut outcomes = [0usize; 2];
    for round in 0..6000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let len = (rng.next() % 64) as usize;
            (0..len).map(|_| rng.next() as u8).collect()
        } else {
            let mut b = seeds[round % seeds.len()].clone();
            for _ in 0..=(rng.next() % 4) {
                if b.is_empty() {
                    break;
                }
                let i = (rng.next() as usize) % b.len();
                match rng.next() % 3 {
                    0 => b[i] = rng.next() as u8,
                    1 => b.truncate(i),
                    _ => b.insert(i, rng.next() as u8),
                }
            }
            b
        };
        for ty in &types {
            outcomes[usize::from(decode(&bytes, ty).is_ok())] += 1;
        }
    }
    assert!(
        outcomes[0] > 0 && outcomes[1] > 0,
        "both outcomes occur: {outcomes:?}"
    );
}

#[test]
fn deep_dynamic_nesting_is_rejected_not_overflowing() {
    let layer = [
        hex("92 c4 12"),
        b"[\"list\",\"dynamic\"]".to_vec(),
        hex("91"),
    ]
    .concat();
    let mut bytes = Vec::new();
    for _ in 0..5000 {
        bytes.extend_from_slice(&layer);
    }
    bytes.push(0xc0);
    let err = decode(&bytes, &Type::Dynamic).unwrap_err();
    assert!(err.message.contains("nested"), "{err}");
}
