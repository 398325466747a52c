use std::collections::BTreeMap;

use super::*;

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The paths and details of the diagnostics `rules` gives for `value`.
fn check(rules: Tags, value: &Value) -> Vec<(String, String)> {
    let mut diags = Diagnostics::new();
    rules.validate(value, &AttributePath::root().attr("tags"), &mut diags);
    diags
        .iter()
        .map(|d| {
            let at = d.path.as_ref().map(|p| p.to_string()).unwrap_or_default();
            (at, d.detail.clone())
        })
        .collect()
}

#[test]
fn arm_accepts_what_arm_accepts() {
    let fine = tags(&[("Cost Center", "a b"), ("team:x", ""), ("1st", "v")]);
    assert_eq!(check(arm(), &fine), vec![]);
    let fifty: Vec<(String, String)> = (0..50).map(|i| (format!("t{i}"), "v".into())).collect();
    let fifty: Vec<(&str, &str)> = fifty
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(check(arm(), &tags(&fifty)), vec![]);
}

#[test]
fn arm_refuses_counts_lengths_characters_and_case_twins() {
    let many: Vec<(String, String)> = (0..51).map(|i| (format!("t{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let got = check(arm(), &tags(&many));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "tags");
    assert!(got[0].1.contains("at most 50 tags, got 51"), "{got:?}");

    let long_name = "n".repeat(513);
    let long_value = "v".repeat(257);
    for (name, value, want) in [
        ("a/b", "v", "'/'"),
        ("a<b>", "v", "'<', '>'"),
        ("50%", "v", "'%'"),
        ("a&b", "v", "'&'"),
        ("a\\b", "v", "'\\'"),
        ("a?", "v", "'?'"),
        ("", "v", "1 to 512 characters, this one has 0"),
        (long_name.as_str(), "v", "this one has 513"),
        (
            "ok",
            long_value.as_str(),
            "at most 256 characters, this one has 257",
        ),
    ] {
        let got = check(arm(), &tags(&[(name, value)]));
        assert_eq!(got.len(), 1, "{name:?}: {got:?}");
        let quoted = serde_json::to_string(name).unwrap();
        assert_eq!(got[0].0, format!("tags[{quoted}]"), "{name:?}");
        assert!(got[0].1.contains(want), "{name:?}: {got:?}");
    }
    let got = check(arm(), &tags(&[("Env", "a"), ("env", "b")]));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].1.contains("without regard to case"), "{got:?}");
}

#[test]
fn private_dns_is_stricter() {
    let fine = tags(&[("cost-center", "any value: at all / ok"), ("team_a-b", "")]);
    assert_eq!(check(private_dns(), &fine), vec![]);
    for (name, want) in [
        ("Cost Center", "a space"),
        ("team:x", "':'"),
        ("café", "'é'"),
        ("a+b", "'+'"),
        ("team.a", "'.'"),
        ("1st", "start with a digit"),
        ("a/b", "cannot contain"),
    ] {
        let got = check(private_dns(), &tags(&[(name, "v")]));
        assert_eq!(got.len(), 1, "{name:?}: {got:?}");
        assert!(got[0].1.contains(want), "{name:?}: {got:?}");
    }
    let sixteen: Vec<(String, String)> = (0..16).map(|i| (format!("t{i}"), "v".into())).collect();
    let sixteen: Vec<(&str, &str)> = sixteen
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let got = check(private_dns(), &tags(&sixteen));
    assert!(got[0].1.contains("at most 15 tags, got 16"), "{got:?}");
    assert_eq!(check(arm(), &tags(&sixteen)), vec![]);
}

#[test]
fn unknown_values_are_left_to_apply() {
    let mut m = BTreeMap::new();
    m.insert("team".to_string(), Value::Unknown(Default::default()));
    assert_eq!(check(private_dns(), &Value::Map(m)), vec![]);
}
