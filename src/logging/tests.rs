//! Unit tests of `logging`.

use super::*;
use tracing_subscriber::registry;

/// Runs `f` with the JSON layer at `level`, returning the parsed lines.
fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Map<String, Value>> {
    let sink = CapturedLines::default();
    let subscriber = registry().with(HclogJsonLayer::new(sink.clone()).with_filter(targets(level)));
    tracing::subscriber::with_default(subscriber, f);
    sink.lines()
        .iter()
        .map(|l| match serde_json::from_str(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("not a JSON object: {l} ({other:?})"),
        })
        .collect()
}

#[test]
fn line_has_hclog_keys_and_fields() {
    let lines = capture(LevelFilter::TRACE, || {
        let span = tracing::info_span!("rpc", tf_rpc = "PlanResourceChange", tf_req_id = "r1");
        let _guard = span.enter();
        tracing::debug!(
            tf_resource_type = "astro_thing",
            count = 3u64,
            ok = true,
            "planned"
        );
    });
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["@level"], "debug");
    assert_eq!(line["@message"], "planned");
    assert_eq!(line["@module"], "provider");
    assert_eq!(line["tf_rpc"], "PlanResourceChange");
    assert_eq!(line["tf_req_id"], "r1");
    assert_eq!(line["tf_resource_type"], "astro_thing");
    assert_eq!(line["count"], 3);
    assert_eq!(line["ok"], true);
    let ts = line["@timestamp"].as_str().unwrap();
    let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").unwrap();
    assert!(re.is_match(ts), "{ts}");
    let keys: Vec<&str> = line.keys().map(String::as_str).take(4).collect();
    assert_eq!(keys, ["@level", "@message", "@module", "@timestamp"]);
}

#[test]
fn inner_fields_win_and_recorded_fields_appear() {
    let lines = capture(LevelFilter::INFO, || {
        let outer = tracing::info_span!("outer", tf_rpc = "A", late = tracing::field::Empty);
        let _o = outer.enter();
        outer.record("late", "filled");
        let inner = tracing::info_span!("inner", tf_rpc = "B");
        let _i = inner.enter();
        tracing::warn!(error = %"boom", "it broke");
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["tf_rpc"], "B");
    assert_eq!(lines[0]["late"], "filled");
    assert_eq!(lines[0]["error"], "boom");
    assert_eq!(lines[0]["@level"], "warn");
}

#[test]
fn level_filtering_and_dependency_cap() {
    let lines = capture(LevelFilter::DEBUG, || {
        tracing::trace!("too verbose");
        tracing::debug!("kept");
        tracing::debug!(target: "h2::codec", "dependency debug dropped");
        tracing::info!(target: "h2::codec", "dependency info kept");
    });
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l["@message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["kept", "dependency info kept"]);
    assert_eq!(lines[1]["@module"], "h2::codec");
    assert!(capture(LevelFilter::OFF, || tracing::error!("x")).is_empty());
}

#[test]
fn level_from_env_cases() {
    let cases: &[(Option<&str>, Option<&str>, LevelFilter)] = &[
        (None, None, LevelFilter::ERROR),
        (Some(""), None, LevelFilter::ERROR),
        (None, Some("debug"), LevelFilter::DEBUG),
        (Some("WARN"), Some("TRACE"), LevelFilter::WARN),
        (Some(""), Some("INFO"), LevelFilter::INFO),
        (None, Some("JSON"), LevelFilter::TRACE),
        (None, Some("off"), LevelFilter::OFF),
        (None, Some("error"), LevelFilter::ERROR),
        (None, Some("loud"), LevelFilter::TRACE),
    ];
    for (provider, general, want) in cases {
        assert_eq!(
            level_from_env(*provider, *general),
            *want,
            "{provider:?} {general:?}"
        );
    }
}

#[test]
fn timestamp_layout() {
    let at = time::macros::datetime!(2025-01-02 03:04:05.123456789 +02:00);
    assert_eq!(timestamp(at), "2025-01-02T01:04:05.123456Z");
    let whole = time::macros::datetime!(2025-01-02 03:04:05 UTC);
    assert_eq!(timestamp(whole), "2025-01-02T03:04:05.000000Z");
}

#[test]
fn module_names() {
    assert_eq!(module_name("astro_provider"), "provider");
    assert_eq!(module_name("astro_provider::plugin::conn"), "provider");
    assert_eq!(module_name("terraform_provider_astro"), "provider");
    assert_eq!(module_name("astro_provider_other"), "astro_provider_other");
    assert_eq!(module_name("tonic::transport"), "tonic::transport");
}

#[test]
fn non_string_message_and_reserved_keys() {
    let mut fields = Map::new();
    fields.insert("message".into(), Value::from(7));
    fields.insert("@level".into(), Value::from("spoofed"));
    let line = format_line(Level::INFO, "astro_provider", "T", fields);
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["@message"], "7");
    assert_eq!(v["@level"], "info");
    assert!(line.ends_with('\n'));
}
