//! Protocol tests: an in-process client speaking tfplugin5 the way Terraform does drives
//! [`ProviderService`](astro_provider::tfplugin5::ProviderService) over a real gRPC connection,
//! with a test-double provider (`tests/protocol/double.rs`) behind it, and asserts the
//! messages that come back: schemas, diagnostics and their attribute paths, planned and new
//! states, requires_replace, private bytes and gRPC statuses.

#[path = "protocol/double.rs"]
mod double;
#[path = "protocol/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use astro_provider::framework::json;
use astro_provider::framework::path::AttributePath;
use astro_provider::framework::schema::{AttrDefault, Schema};
use astro_provider::framework::timeouts::{self, Operation};
use astro_provider::framework::types::Type;
use astro_provider::framework::value::Value;
use astro_provider::proto::tfplugin5 as pb;
use pb::schema::nested_block::NestingMode;
use tonic::Code;

use double::{DEFAULT_TIER, DOWN_ENDPOINT, LOOKUP, THING, THING_TIMEOUTS};
use harness::{
    PRIVATE, TF_VERSION, Tf, apply_call, assert_severities_valid, dv, error_paths, errors, map, n,
    object_of, path_of, s, set, undv, with,
};

fn root() -> AttributePath {
    AttributePath::root()
}

/// A full configuration touching every configurable attribute.
fn full_config(tf: &Tf, name: &str) -> Value {
    tf.thing_config(&[
        ("name", s(name)),
        ("description", s("first")),
        ("location", s("eastus")),
        ("size", n(5)),
        ("enabled", Value::Bool(true)),
        ("ip_address", s("10.0.0.4")),
        ("tags", map(&[("team", "data")])),
        ("zones", set(&["1", "2"])),
        ("secret", s("hunter2")),
    ])
}

fn timeouts_value(create: Option<&str>) -> Value {
    Value::object([
        ("create", create.map(s).unwrap_or(Value::Null)),
        ("read", Value::Null),
        ("update", Value::Null),
        ("delete", Value::Null),
    ])
}

// ---------------------------------------------------------------------------------------
// GetSchema and GetMetadata

fn wire_attr<'a>(block: &'a pb::schema::Block, name: &str) -> &'a pb::schema::Attribute {
    block
        .attributes
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no attribute {name} in the wire schema"))
}

fn type_json(a: &pb::schema::Attribute) -> serde_json::Value {
    serde_json::from_slice(&a.r#type).expect("attribute type is JSON")
}

/// Compares a wire block with the framework schema it came from, attribute by attribute.
fn assert_block_matches(wire: &pb::schema::Block, schema: &Schema) {
    assert_eq!(wire.description, schema.block.description);
    assert_eq!(wire.description_kind, pb::StringKind::Markdown as i32);
    for a in &schema.block.attributes {
        let w = wire_attr(wire, &a.name);
        assert_eq!(w.description, a.description, "{} description", a.name);
        assert_eq!(w.description_kind, pb::StringKind::Markdown as i32);
        assert_eq!(
            Type::from_json_bytes(&w.r#type).expect("cty type JSON"),
            a.ty,
            "{} type",
            a.name
        );
        let has_default = !matches!(a.default, AttrDefault::None);
        assert_eq!(w.required, a.required, "{} required", a.name);
        assert_eq!(w.optional, a.optional || has_default, "{} optional", a.name);
        assert_eq!(w.computed, a.computed, "{} computed", a.name);
        assert_eq!(w.sensitive, a.sensitive, "{} sensitive", a.name);
        assert_eq!(w.deprecated, a.deprecated, "{} deprecated", a.name);
    }
    assert_eq!(wire.attributes.len(), schema.block.attributes.len());
}

#[tokio::test]
async fn get_schema_announces_cty_types_flags_and_descriptions() {
    let tf = Tf::start().await;
    assert_eq!(errors(&tf.schema.diagnostics), Vec::<String>::new());
    let thing = tf.thing_block();
    assert_block_matches(thing, &double::thing_schema());
    assert_block_matches(
        tf.schema.data_source_schemas[LOOKUP]
            .block
            .as_ref()
            .expect("block"),
        &double::lookup_schema(),
    );
    assert_block_matches(
        tf.schema
            .provider
            .as_ref()
            .and_then(|p| p.block.as_ref())
            .expect("provider schema"),
        &double::provider_schema(),
    );

    // The type JSON exactly as Terraform parses it.
    let j = |name| type_json(wire_attr(thing, name));
    assert_eq!(j("name"), serde_json::json!("string"));
    assert_eq!(j("size"), serde_json::json!("number"));
    assert_eq!(j("enabled"), serde_json::json!("bool"));
    assert_eq!(j("tags"), serde_json::json!(["map", "string"]));
    assert_eq!(j("zones"), serde_json::json!(["set", "string"]));

    // The flag combinations Terraform acts on.
    let flags = |name| {
        let a = wire_attr(thing, name);
        (a.required, a.optional, a.computed)
    };
    assert_eq!(flags("name"), (true, false, false));
    assert_eq!(flags("description"), (false, true, false));
    assert_eq!(
        flags("tier"),
        (false, true, true),
        "default => optional+computed"
    );
    assert_eq!(flags("display_name"), (false, true, true));
    assert_eq!(flags("id"), (false, false, true));
    assert_eq!(flags("revision"), (false, false, true));
    assert!(wire_attr(thing, "secret").sensitive);
    assert!(!wire_attr(thing, "description").sensitive);
    assert!(wire_attr(thing, "legacy_mode").deprecated);
    let provider = tf.schema.provider.as_ref().and_then(|p| p.block.as_ref());
    assert!(wire_attr(provider.expect("provider block"), "token").sensitive);
    assert_eq!(tf.schema.resource_schemas[THING].version, 0);
}

#[tokio::test]
async fn get_schema_adds_a_single_nested_timeouts_block_with_the_defaults() {
    let tf = Tf::start().await;
    let thing = tf.thing_block();
    assert_eq!(thing.block_types.len(), 1);
    let t = &thing.block_types[0];
    assert_eq!(t.type_name, timeouts::BLOCK_NAME);
    assert_eq!(t.nesting, NestingMode::Single as i32);
    assert_eq!((t.min_items, t.max_items), (0, 0));
    let inner = t.block.as_ref().expect("timeouts body");
    let names: Vec<_> = inner.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["create", "read", "update", "delete"]);
    for op in [
        Operation::Create,
        Operation::Read,
        Operation::Update,
        Operation::Delete,
    ] {
        let a = wire_attr(inner, op.key());
        assert_eq!(type_json(a), serde_json::json!("string"));
        assert_eq!((a.required, a.optional, a.computed), (false, true, false));
        let default = format!("`{}`", timeouts::short(THING_TIMEOUTS.get(op)));
        assert!(
            a.description.contains(&default),
            "{} description {:?} should name the default {default}",
            a.name,
            a.description
        );
    }
    // The implied type carries timeouts as an object attribute.
    assert_eq!(
        tf.thing.attribute_type("timeouts"),
        Some(&Type::object([
            ("create", Type::String),
            ("read", Type::String),
            ("update", Type::String),
            ("delete", Type::String),
        ]))
    );
    // Data sources have no timeouts block.
    let lookup = tf.schema.data_source_schemas[LOOKUP]
        .block
        .as_ref()
        .expect("block");
    assert!(lookup.block_types.is_empty());
}

/// Terraform's `InternalValidate` rules for one block (design/terraform-rules.md §1).
fn schema_problems(block: &pb::schema::Block, at: &str, out: &mut Vec<String>) {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let mut seen = std::collections::BTreeSet::new();
    for a in &block.attributes {
        let here = format!("{at}.{}", a.name);
        if !name_ok(&a.name) {
            out.push(format!("{here}: invalid name"));
        }
        if !seen.insert(a.name.clone()) {
            out.push(format!("{here}: duplicate name"));
        }
        if !(a.required || a.optional || a.computed) {
            out.push(format!("{here}: none of required/optional/computed"));
        }
        if a.required && (a.optional || a.computed) {
            out.push(format!("{here}: required with optional or computed"));
        }
        if Type::from_json_bytes(&a.r#type).is_err() {
            out.push(format!("{here}: invalid type JSON"));
        }
    }
    for b in &block.block_types {
        let here = format!("{at}.{}", b.type_name);
        if !name_ok(&b.type_name) || !seen.insert(b.type_name.clone()) {
            out.push(format!("{here}: invalid or duplicate block name"));
        }
        let ok_counts = match NestingMode::try_from(b.nesting) {
            Ok(NestingMode::Single) => b.min_items == b.max_items && (0..=1).contains(&b.min_items),
            Ok(NestingMode::List | NestingMode::Set) => {
                b.min_items >= 0
                    && b.max_items >= 0
                    && (b.max_items == 0 || b.min_items <= b.max_items)
            }
            Ok(NestingMode::Map | NestingMode::Group) => b.min_items == 0 && b.max_items == 0,
            _ => false,
        };
        if !ok_counts {
            out.push(format!("{here}: invalid nesting or item counts"));
        }
        match &b.block {
            Some(inner) => schema_problems(inner, &here, out),
            None => out.push(format!("{here}: no block")),
        }
    }
}

#[tokio::test]
async fn get_schema_passes_terraforms_schema_validity_rules() {
    let tf = Tf::start().await;
    let mut problems = Vec::new();
    let mut check = |what: &str, s: Option<&pb::Schema>| match s.and_then(|s| {
        (s.version >= 0).then_some(())?;
        s.block.as_ref()
    }) {
        Some(b) => schema_problems(b, what, &mut problems),
        None => problems.push(format!("{what}: missing block or negative version")),
    };
    check("provider", tf.schema.provider.as_ref());
    for (name, s) in &tf.schema.resource_schemas {
        assert!(name.starts_with("test_"), "{name}");
        check(name, Some(s));
    }
    for (name, s) in &tf.schema.data_source_schemas {
        check(name, Some(s));
    }
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(
        tf.schema.resource_schemas.keys().collect::<Vec<_>>(),
        [THING]
    );
    assert_eq!(
        tf.schema.data_source_schemas.keys().collect::<Vec<_>>(),
        [LOOKUP]
    );
}

#[tokio::test]
async fn server_capabilities_claim_no_rpc_the_provider_leaves_unimplemented() {
    let tf = Tf::start().await;
    let caps = tf
        .schema
        .server_capabilities
        .expect("GetSchema carries server capabilities");
    // Terraform would call MoveResourceState / GenerateResourceConfig if claimed.
    assert!(!caps.move_resource_state);
    assert!(!caps.generate_resource_config);
    let meta = tf
        .client
        .clone()
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    assert_eq!(meta.server_capabilities, Some(caps));
}

#[tokio::test]
async fn get_metadata_lists_the_resource_and_data_source_types() {
    let tf = Tf::start().await;
    let meta = tf
        .client
        .clone()
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    let resources: Vec<_> = meta
        .resources
        .iter()
        .map(|r| r.type_name.as_str())
        .collect();
    let data: Vec<_> = meta
        .data_sources
        .iter()
        .map(|r| r.type_name.as_str())
        .collect();
    assert_eq!(resources, [THING]);
    assert_eq!(data, [LOOKUP]);
    assert!(meta.functions.is_empty());
    assert!(meta.diagnostics.is_empty());
}

// ---------------------------------------------------------------------------------------
// Provider configuration

async fn prepare(tf: &Tf, config: &Value) -> pb::prepare_provider_config::Response {
    tf.client
        .clone()
        .prepare_provider_config(pb::prepare_provider_config::Request {
            config: Some(dv(config, &tf.provider)),
        })
        .await
        .expect("PrepareProviderConfig")
        .into_inner()
}

#[tokio::test]
async fn prepare_provider_config_accepts_valid_null_and_unknown_values() {
    let tf = Tf::start().await;
    for endpoint in [s("https://api.example"), Value::Null, Value::unknown()] {
        let config = object_of(&tf.provider, &[("endpoint", endpoint.clone())]);
        let resp = prepare(&tf, &config).await;
        assert!(
            resp.diagnostics.is_empty(),
            "{endpoint:?}: {:?}",
            resp.diagnostics
        );
        // Terraform ignores prepared_config; if present it must be the config.
        if let Some(p) = resp.prepared_config.as_ref() {
            assert_eq!(undv(Some(p), &tf.provider), config);
        }
    }
}

#[tokio::test]
async fn prepare_provider_config_reports_an_invalid_value_at_its_attribute() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("endpoint", s("http://plain.example"))]);
    let resp = prepare(&tf, &config).await;
    assert_severities_valid(&resp.diagnostics);
    assert_eq!(error_paths(&resp.diagnostics), [root().attr("endpoint")]);
    let e = errors(&resp.diagnostics);
    assert!(e[0].contains("https://"), "{e:?}");
}

#[tokio::test]
async fn configure_hands_the_config_and_terraform_version_to_the_provider() {
    let tf = Tf::start().await;
    // During plan the provider config may hold unknowns.
    let config = object_of(
        &tf.provider,
        &[
            ("endpoint", s("https://api.example")),
            ("token", Value::unknown()),
        ],
    );
    let resp = tf
        .client
        .clone()
        .configure(pb::configure::Request {
            terraform_version: TF_VERSION.into(),
            config: Some(dv(&config, &tf.provider)),
            ..Default::default()
        })
        .await
        .expect("Configure")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let (got, version) = tf.cloud.configured().expect("configure was called");
    assert_eq!(version, TF_VERSION);
    assert_eq!(got, config);
    assert!(got.get_attr("token").is_some_and(Value::is_unknown));
}

// ---------------------------------------------------------------------------------------
// Validation

#[tokio::test]
async fn validate_resource_reports_each_validator_failure_at_its_path() {
    let tf = Tf::start().await;
    let config = with(
        &tf.thing_config(&[
            ("name", s("alpha")),
            ("size", n(0)),
            ("ip_address", s("10.0.0.300")),
            (
                "tags",
                map(&[("ok", "fine"), ("team", "far-too-long-value")]),
            ),
        ]),
        "timeouts",
        timeouts_value(Some("soon")),
    );
    let d = tf.validate(&config).await;
    assert_severities_valid(&d);
    let mut paths = error_paths(&d);
    paths.sort_by_key(|p| p.to_string());
    assert_eq!(
        paths,
        [
            root().attr("ip_address"),
            root().attr("size"),
            root().attr("tags").key("team"),
            root().attr("timeouts").attr("create"),
        ],
        "{:#?}",
        errors(&d)
    );
    // Each diagnostic points at the offending attribute with wire steps Terraform maps to HCL.
    let tag = d
        .iter()
        .find(|x| x.attribute.as_ref().map(path_of) == Some(root().attr("tags").key("team")))
        .expect("tags diagnostic");
    let steps = &tag.attribute.as_ref().expect("path").steps;
    use pb::attribute_path::step::Selector;
    assert_eq!(
        steps.iter().map(|s| s.selector.clone()).collect::<Vec<_>>(),
        [
            Some(Selector::AttributeName("tags".into())),
            Some(Selector::ElementKeyString("team".into())),
        ]
    );
}

#[tokio::test]
async fn validate_resource_accepts_valid_config_and_skips_unknown_values() {
    let tf = Tf::start().await;
    let valid = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("45m")),
    );
    assert_eq!(tf.validate(&valid).await, vec![]);

    // In the validate walk every variable is unknown: whole values, map elements, blocks.
    let unknowns = with(
        &tf.thing_config(&[
            ("name", Value::unknown()),
            ("size", Value::unknown()),
            ("ip_address", Value::unknown()),
            (
                "tags",
                Value::Map([("team".to_string(), Value::unknown())].into()),
            ),
            ("zones", Value::unknown()),
        ]),
        "timeouts",
        Value::object([
            ("create", Value::unknown()),
            ("read", Value::Null),
            ("update", Value::Null),
            ("delete", Value::Null),
        ]),
    );
    assert_eq!(tf.validate(&unknowns).await, vec![]);
    let whole_unknown_map = tf.thing_config(&[("name", s("a")), ("tags", Value::unknown())]);
    assert_eq!(tf.validate(&whole_unknown_map).await, vec![]);
}

async fn validate_lookup(tf: &Tf, id: Value) -> Vec<pb::Diagnostic> {
    tf.client
        .clone()
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: LOOKUP.into(),
            config: Some(dv(&object_of(&tf.lookup, &[("id", id)]), &tf.lookup)),
        })
        .await
        .expect("ValidateDataSourceConfig")
        .into_inner()
        .diagnostics
}

#[tokio::test]
async fn validate_data_source_reports_a_bad_id_and_skips_unknown() {
    let tf = Tf::start().await;
    assert_eq!(validate_lookup(&tf, s("thing-12")).await, vec![]);
    assert_eq!(validate_lookup(&tf, Value::unknown()).await, vec![]);
    let d = validate_lookup(&tf, s("widget-1")).await;
    assert_eq!(error_paths(&d), [root().attr("id")]);
    assert!(errors(&d)[0].contains("widget-1"), "{:?}", errors(&d));
}

#[tokio::test]
async fn an_unknown_type_name_is_an_error_naming_the_type() {
    let tf = Tf::start().await;
    let got = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: "test_nope".into(),
            config: Some(dv(&Value::Null, &tf.thing)),
            ..Default::default()
        })
        .await;
    let text = match got {
        Err(status) => status.message().to_string(),
        Ok(resp) => errors(&resp.into_inner().diagnostics).join("\n"),
    };
    assert!(text.contains("test_nope"), "{text:?}");
}

// ---------------------------------------------------------------------------------------
// UpgradeResourceState

async fn upgrade(tf: &Tf, version: i64, json: &str) -> pb::upgrade_resource_state::Response {
    tf.client
        .clone()
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: THING.into(),
            version,
            raw_state: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                ..Default::default()
            }),
        })
        .await
        .expect("UpgradeResourceState")
        .into_inner()
}

#[tokio::test]
async fn upgrade_state_drops_removed_attributes_and_nulls_missing_ones() {
    let tf = Tf::start().await;
    // Stored by an older provider: `legacy_field` and `timeouts.default` no longer exist,
    // `secret` and `zones` did not exist yet.
    let stored = r#"{"id":"thing-7","name":"alpha","description":"d","tier":"gold",
        "display_name":"Alpha","location":"eastus","size":3,"enabled":true,
        "ip_address":"10.0.0.4","tags":{"team":"data"},"revision":4,"legacy_field":"x",
        "timeouts":{"create":"1h","default":"10m"}}"#;
    let resp = upgrade(&tf, 0, stored).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let dvalue = resp.upgraded_state.expect("upgraded_state");
    assert!(!dvalue.msgpack.is_empty(), "answer in msgpack");
    let got = undv(Some(&dvalue), &tf.thing);
    let want = with(
        &tf.thing_config(&[
            ("id", s("thing-7")),
            ("name", s("alpha")),
            ("description", s("d")),
            ("tier", s("gold")),
            ("display_name", s("Alpha")),
            ("location", s("eastus")),
            ("size", n(3)),
            ("enabled", Value::Bool(true)),
            ("ip_address", s("10.0.0.4")),
            ("tags", map(&[("team", "data")])),
            ("revision", n(4)),
        ]),
        "timeouts",
        timeouts_value(Some("1h")),
    );
    assert_eq!(got, want);
    assert!(got.is_wholly_known());
}

#[tokio::test]
async fn upgrade_state_from_a_newer_schema_version_is_an_error() {
    let tf = Tf::start().await;
    let resp = upgrade(&tf, 1, r#"{"id":"thing-1","name":"a"}"#).await;
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("version 1"), "{e:?}");
    assert!(resp.upgraded_state.is_none());
}

// ---------------------------------------------------------------------------------------
// PlanResourceChange

#[tokio::test]
async fn plan_create_marks_computed_unknown_and_fills_defaults() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("size", n(2))]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.requires_replace.is_empty());
    assert_eq!(
        plan.private, PRIVATE,
        "prior_private is carried into planned_private"
    );
    let want = tf.thing_config(&[
        ("id", Value::unknown()),
        ("revision", Value::unknown()),
        ("name", s("alpha")),
        ("size", n(2)),
        ("tier", s(DEFAULT_TIER)),
        ("display_name", s("alpha")),
    ]);
    assert_eq!(plan.planned, want);
    assert!(plan.planned.get_attr("id").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("revision")
            .is_some_and(Value::is_unknown)
    );
    // Configured values win over defaults.
    let config = tf.thing_config(&[
        ("name", s("alpha")),
        ("tier", s("gold")),
        ("display_name", s("Alpha!")),
    ]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert_eq!(plan.planned.get_attr("tier"), Some(&s("gold")));
    assert_eq!(plan.planned.get_attr("display_name"), Some(&s("Alpha!")));
}

#[tokio::test]
async fn plan_create_defaults_from_an_unknown_attribute_to_unknown() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", Value::unknown())]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.get_attr("name").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("display_name")
            .is_some_and(Value::is_unknown)
    );
    assert_eq!(plan.planned.get_attr("tier"), Some(&s(DEFAULT_TIER)));
}

#[tokio::test]
async fn plan_update_in_place_keeps_use_state_for_unknown_and_recomputes_the_rest() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&config, "description", s("second"));
    let plan = tf.plan(&prior, &changed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.requires_replace, Vec::<AttributePath>::new());
    let want = with(
        &with(&prior, "description", s("second")),
        "revision",
        Value::unknown(),
    );
    assert_eq!(plan.planned, want);
    assert_eq!(plan.planned.get_attr("id"), prior.get_attr("id"));
    assert!(
        plan.planned
            .get_attr("revision")
            .is_some_and(Value::is_unknown)
    );
}

#[tokio::test]
async fn plan_change_of_a_force_new_attribute_requires_replace_at_its_path() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let renamed = with(&config, "name", s("beta"));
    let plan = tf.plan(&prior, &renamed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.requires_replace, [root().attr("name")]);
    // The default that follows `name` follows the new name.
    assert_eq!(plan.planned.get_attr("display_name"), Some(&s("beta")));
    // Terraform then plans the replacement as a create (prior null).
    let create = tf.plan(&Value::Null, &renamed).await;
    assert!(create.requires_replace.is_empty());
    assert!(create.planned.get_attr("id").is_some_and(Value::is_unknown));
    // An in-place attribute alongside a forcing one is still only the forcing path.
    let both = with(&renamed, "description", s("other"));
    let plan = tf.plan(&prior, &both).await;
    assert_eq!(plan.requires_replace, [root().attr("name")]);
}

#[tokio::test]
async fn plan_without_changes_equals_prior() {
    let tf = Tf::start().await;
    for config in [
        full_config(&tf, "alpha"),
        tf.thing_config(&[("name", s("bare"))]),
        with(
            &full_config(&tf, "timed"),
            "timeouts",
            timeouts_value(Some("1h")),
        ),
    ] {
        let prior = tf.create(&config).await;
        let plan = tf.plan(&prior, &config).await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        assert_eq!(plan.planned, prior);
        assert!(plan.requires_replace.is_empty());
        // Byte for byte what Terraform compares after decoding.
        assert_eq!(dv(&plan.planned, &tf.thing), dv(&prior, &tf.thing));
    }
}

#[tokio::test]
async fn plan_keeps_the_prior_value_of_a_semantically_equal_attribute() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    assert_eq!(prior.get_attr("location"), Some(&s("eastus")));
    let spelled = with(&config, "location", s("East US"));
    let plan = tf.plan(&prior, &spelled).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.planned.get_attr("location"), Some(&s("eastus")));
    assert_eq!(plan.planned, prior, "no diff at all");
    assert!(plan.requires_replace.is_empty());
    // A real change of the same (force-new) attribute replaces.
    let moved = with(&config, "location", s("westeurope"));
    let plan = tf.plan(&prior, &moved).await;
    assert_eq!(plan.planned.get_attr("location"), Some(&s("westeurope")));
    assert_eq!(plan.requires_replace, [root().attr("location")]);
}

#[tokio::test]
async fn plan_twice_with_the_same_inputs_gives_the_same_answer() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let first = tf.plan(&Value::Null, &config).await;
    let second = tf.plan(&Value::Null, &config).await;
    assert_eq!(first, second);
    let prior = tf.create(&config).await;
    let changed = with(&with(&config, "name", s("beta")), "size", n(9));
    let first = tf.plan(&prior, &changed).await;
    let second = tf.plan(&prior, &changed).await;
    assert_eq!(first, second);
    assert_eq!(
        dv(&first.planned, &tf.thing),
        dv(&second.planned, &tf.thing)
    );
}

#[tokio::test]
async fn final_plan_with_known_values_is_compatible_with_the_first_plan() {
    // Terraform plans with unknown references, then re-plans during apply with the values
    // known, and rejects a final plan that contradicts a known value of the first.
    let tf = Tf::start().await;
    let early = tf.thing_config(&[("name", Value::unknown()), ("size", n(3))]);
    let late = with(&early, "name", s("known-now"));
    let first = tf.plan(&Value::Null, &early).await;
    let last = tf.plan(&Value::Null, &late).await;
    let mut problems = Vec::new();
    harness::compatible(&first.planned, &last.planned, &root(), &mut problems);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(last.planned.get_attr("display_name"), Some(&s("known-now")));
}

#[tokio::test]
async fn plan_for_a_destroy_is_null() {
    let tf = Tf::start().await;
    let prior = tf.create(&tf.thing_config(&[("name", s("alpha"))])).await;
    let plan = tf
        .plan_raw(
            Some(dv(&prior, &tf.thing)),
            Some(dv(&Value::Null, &tf.thing)),
            Some(dv(&Value::Null, &tf.thing)),
            &prior,
            &Value::Null,
        )
        .await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.is_null());
    assert!(plan.requires_replace.is_empty());
}

// ---------------------------------------------------------------------------------------
// ApplyResourceChange

#[tokio::test]
async fn apply_create_returns_a_wholly_known_state_with_timeouts_carried_over() {
    let tf = Tf::start().await;
    let config = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("30m")),
    );
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, PRIVATE, "planned_private is stored");
    let state = applied.state;
    assert!(state.is_wholly_known());
    let id = state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("id set")
        .to_string();
    assert_eq!(state.get_attr("revision"), Some(&n(1)));
    assert_eq!(
        state.get_attr("timeouts"),
        Some(&timeouts_value(Some("30m")))
    );
    assert_eq!(state.get_attr("zones"), Some(&set(&["1", "2"])));
    assert_eq!(state.get_attr("secret"), Some(&s("hunter2")));
    assert_eq!(tf.cloud.calls(), ["create"]);
    let stored = tf.cloud.get(&id).expect("created in the cloud");
    assert_eq!(stored.tier.as_deref(), Some(DEFAULT_TIER));
    assert_eq!(stored.display_name.as_deref(), Some("alpha"));
}

#[tokio::test]
async fn apply_with_prior_and_planned_state_updates_in_place() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&with(&config, "description", s("second")), "tags", map(&[]));
    let plan = tf.plan(&prior, &changed).await;
    let applied = tf.apply(&prior, &plan.planned, &changed).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(tf.cloud.calls(), ["create", "update"]);
    let state = applied.state;
    assert_eq!(state.get_attr("id"), prior.get_attr("id"));
    assert_eq!(state.get_attr("revision"), Some(&n(2)));
    assert_eq!(state.get_attr("description"), Some(&s("second")));
    assert_eq!(state.get_attr("tags"), Some(&map(&[])));
    assert_eq!(tf.cloud.ids().len(), 1);
}

#[tokio::test]
async fn apply_with_null_planned_state_deletes_and_returns_null() {
    let tf = Tf::start().await;
    let prior = tf.create(&full_config(&tf, "alpha")).await;
    let applied = tf.apply(&prior, &Value::Null, &Value::Null).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        applied.state_present,
        "new_state must be present (as a null)"
    );
    assert!(applied.state.is_null());
    assert_eq!(tf.cloud.calls(), ["create", "delete"]);
    assert!(tf.cloud.ids().is_empty());
}

#[tokio::test]
async fn apply_create_that_fails_half_way_returns_the_partial_state_and_an_error() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("partial-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    let e = errors(&applied.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("half-way"), "{e:?}");
    // What exists is saved (Terraform marks it tainted), not lost.
    let id = applied
        .state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("the partial state has the created object's id");
    assert!(tf.cloud.get(id).is_some());
    assert_eq!(applied.state.get_attr("name"), Some(&s("partial-1")));
}

#[tokio::test]
async fn apply_create_that_fails_outright_returns_null_state_and_an_error() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("reject-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    assert_eq!(errors(&applied.diagnostics).len(), 1);
    assert!(applied.state.is_null());
    assert!(tf.cloud.ids().is_empty());
}

#[tokio::test]
async fn apply_create_gives_up_at_the_deadline_from_the_timeouts_block() {
    let tf = Tf::start().await;
    let config = with(
        &tf.thing_config(&[("name", s("slow-timed"))]),
        "timeouts",
        timeouts_value(Some("1s")),
    );
    let plan = tf.plan(&Value::Null, &config).await;
    let started = Instant::now();
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&Value::Null, &plan.planned, &config),
    )
    .await
    .expect("the create must end at its 1s deadline, not the 20m default");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "{took:?}");
    let e = errors(&applied.diagnostics);
    assert!(
        e.len() == 1 && e[0].contains("timed out") && e[0].contains("1s"),
        "{e:?}"
    );
}

// ---------------------------------------------------------------------------------------
// ReadResource

#[tokio::test]
async fn read_returns_drift_and_echoes_private_bytes() {
    let tf = Tf::start().await;
    let state = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("2h")),
    );
    let state = tf.create(&state).await;
    let id = state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("id")
        .to_string();
    // Unchanged remote object: same state back.
    let (same, d, private) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(same, state);
    assert_eq!(private, PRIVATE);
    // Someone changes it outside Terraform.
    tf.cloud.edit(&id, |m| {
        m.description = Some("changed outside".into());
        m.zones = Some(vec!["3".into()]);
    });
    let (drifted, d, private) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(private, PRIVATE);
    let want = with(
        &with(&state, "description", s("changed outside")),
        "zones",
        set(&["3"]),
    );
    assert_eq!(
        drifted, want,
        "drift returned; timeouts kept from the current state"
    );
}

#[tokio::test]
async fn read_of_an_object_deleted_outside_returns_null_state() {
    let tf = Tf::start().await;
    let state = tf.create(&full_config(&tf, "alpha")).await;
    let id = state.get_attr("id").and_then(Value::as_str).expect("id");
    tf.cloud.remove(id);
    let (gone, d, _) = tf.read(&state).await;
    assert!(errors(&d).is_empty(), "{d:?}");
    assert!(gone.is_null());
}

// ---------------------------------------------------------------------------------------
// ImportResourceState

async fn import(tf: &Tf, id: &str) -> pb::import_resource_state::Response {
    tf.client
        .clone()
        .import_resource_state(pb::import_resource_state::Request {
            type_name: THING.into(),
            id: id.into(),
            ..Default::default()
        })
        .await
        .expect("ImportResourceState")
        .into_inner()
}

#[tokio::test]
async fn import_returns_one_resource_of_its_type_which_read_completes() {
    let tf = Tf::start().await;
    let created = tf.create(&full_config(&tf, "alpha")).await;
    let id = created.get_attr("id").and_then(Value::as_str).expect("id");
    let resp = import(&tf, id).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.imported_resources.len(), 1);
    let imported = &resp.imported_resources[0];
    assert_eq!(imported.type_name, THING);
    let state = undv(imported.state.as_ref(), &tf.thing);
    assert_eq!(state, tf.thing_config(&[("id", s(id))]), "a partial state");
    // Terraform reads the imported object right away.
    let (full, d, _) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    let mut want = created.clone();
    want.set_attr("timeouts", Value::Null);
    assert_eq!(full, want);
}

#[tokio::test]
async fn import_with_a_malformed_id_returns_a_diagnostic_and_nothing() {
    let tf = Tf::start().await;
    let resp = import(&tf, "not-an-id").await;
    assert!(resp.imported_resources.is_empty());
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("Invalid import ID") && e[0].contains("not-an-id"),
        "{e:?}"
    );
}

#[tokio::test]
async fn import_of_a_missing_object_reads_as_null() {
    let tf = Tf::start().await;
    let resp = import(&tf, "thing-404").await;
    assert_eq!(resp.imported_resources.len(), 1);
    let state = undv(resp.imported_resources[0].state.as_ref(), &tf.thing);
    let (gone, _, _) = tf.read(&state).await;
    assert!(
        gone.is_null(),
        "Terraform then reports a non-existent remote object"
    );
}

// ---------------------------------------------------------------------------------------
// ReadDataSource

async fn read_lookup(tf: &Tf, id: &str) -> pb::read_data_source::Response {
    let config = object_of(&tf.lookup, &[("id", s(id))]);
    tf.client
        .clone()
        .read_data_source(pb::read_data_source::Request {
            type_name: LOOKUP.into(),
            config: Some(dv(&config, &tf.lookup)),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource")
        .into_inner()
}

#[tokio::test]
async fn read_data_source_returns_every_computed_value() {
    let tf = Tf::start().await;
    let created = tf.create(&full_config(&tf, "alpha")).await;
    let id = created.get_attr("id").and_then(Value::as_str).expect("id");
    let resp = read_lookup(&tf, id).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = undv(resp.state.as_ref(), &tf.lookup);
    assert_eq!(
        state,
        object_of(
            &tf.lookup,
            &[
                ("id", s(id)),
                ("name", s("alpha")),
                ("tags", map(&[("team", "data")])),
                ("size", n(5)),
            ]
        )
    );
    assert!(state.is_wholly_known());
}

#[tokio::test]
async fn read_data_source_of_a_missing_object_is_an_error() {
    let tf = Tf::start().await;
    let resp = read_lookup(&tf, "thing-9").await;
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("thing-9"), "{e:?}");
    assert!(undv(resp.state.as_ref(), &tf.lookup).is_null());
}

// ---------------------------------------------------------------------------------------
// Stop

#[tokio::test]
async fn stop_cancels_every_apply_in_flight_which_return_promptly_with_an_error() {
    let tf = Tf::start().await;
    let mut in_flight = Vec::new();
    for name in ["slow-1", "slow-2"] {
        let config = tf.thing_config(&[("name", s(name))]);
        let plan = tf.plan(&Value::Null, &config).await;
        in_flight.push(tokio::spawn(apply_call(
            tf.client.clone(),
            Some(dv(&Value::Null, &tf.thing)),
            Some(dv(&plan.planned, &tf.thing)),
            Some(dv(&config, &tf.thing)),
        )));
    }
    let started = tokio::time::timeout(
        Duration::from_secs(10),
        tf.cloud.slow_started.acquire_many(2),
    )
    .await
    .expect("both slow creates started");
    started.expect("semaphore open").forget();
    let stopped_at = Instant::now();
    let stop = tf
        .client
        .clone()
        .stop(pb::stop::Request {})
        .await
        .expect("Stop")
        .into_inner();
    assert_eq!(stop.error, "");
    for task in in_flight {
        let resp = tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the apply returned promptly after Stop")
            .expect("apply task");
        let e = errors(&resp.diagnostics);
        assert!(e.len() == 1 && e[0].contains("cancelled"), "{e:?}");
        assert!(undv(resp.new_state.as_ref(), &tf.thing).is_null());
    }
    assert!(stopped_at.elapsed() < Duration::from_secs(5));

    // Operations after Stop are not cancelled by it.
    let state = tf
        .create(&tf.thing_config(&[("name", s("after-stop"))]))
        .await;
    assert!(state.get_attr("id").is_some_and(|v| !v.is_null()));
}

// ---------------------------------------------------------------------------------------
// RPCs this provider does not offer

fn assert_unimplemented<T: std::fmt::Debug>(
    what: &str,
    r: Result<tonic::Response<T>, tonic::Status>,
) {
    match r {
        Err(status) => assert_eq!(status.code(), Code::Unimplemented, "{what}: {status:?}"),
        Ok(resp) => panic!("{what} answered {resp:?}; expected UNIMPLEMENTED"),
    }
}

#[tokio::test]
async fn rpcs_the_provider_does_not_offer_answer_unimplemented() {
    let tf = Tf::start().await;
    let mut c = tf.client.clone();
    assert_unimplemented(
        "CallFunction",
        c.call_function(pb::call_function::Request {
            name: "f".into(),
            ..Default::default()
        })
        .await,
    );
    assert_unimplemented(
        "MoveResourceState",
        c.move_resource_state(pb::move_resource_state::Request {
            source_type_name: "other_thing".into(),
            target_type_name: THING.into(),
            ..Default::default()
        })
        .await,
    );
    assert_unimplemented(
        "UpgradeResourceIdentity",
        c.upgrade_resource_identity(pb::upgrade_resource_identity::Request::default())
            .await,
    );
    assert_unimplemented(
        "GenerateResourceConfig",
        c.generate_resource_config(pb::generate_resource_config::Request::default())
            .await,
    );
    assert_unimplemented(
        "ValidateEphemeralResourceConfig",
        c.validate_ephemeral_resource_config(
            pb::validate_ephemeral_resource_config::Request::default(),
        )
        .await,
    );
    assert_unimplemented(
        "OpenEphemeralResource",
        c.open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
            .await,
    );
    assert_unimplemented(
        "PlanAction",
        c.plan_action(pb::plan_action::Request::default()).await,
    );
    assert_unimplemented(
        "ValidateListResourceConfig",
        c.validate_list_resource_config(pb::validate_list_resource_config::Request::default())
            .await,
    );
    match c.list_resource(pb::list_resource::Request::default()).await {
        Err(status) => assert_eq!(status.code(), Code::Unimplemented),
        Ok(_) => panic!("ListResource answered; expected UNIMPLEMENTED"),
    }
}

#[tokio::test]
async fn discovery_rpcs_terraform_may_call_answer_empty() {
    let tf = Tf::start().await;
    let mut c = tf.client.clone();
    let f = c
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions")
        .into_inner();
    assert!(f.functions.is_empty() && f.diagnostics.is_empty());
    let ids = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    assert!(ids.identity_schemas.is_empty() && ids.diagnostics.is_empty());
}

// ---------------------------------------------------------------------------------------
// DynamicValue encodings

fn json_dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: vec![],
        json: json::encode(v, ty).expect("JSON-encode a test value"),
    }
}

#[tokio::test]
async fn a_json_dynamic_value_is_read_like_msgpack() {
    let tf = Tf::start().await;
    // Validation: the same diagnostics from either encoding.
    let bad = tf.thing_config(&[("name", s("alpha")), ("ip_address", s("nope"))]);
    let via_json = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: THING.into(),
            config: Some(json_dv(&bad, &tf.thing)),
            ..Default::default()
        })
        .await
        .expect("ValidateResourceTypeConfig")
        .into_inner()
        .diagnostics;
    assert_eq!(error_paths(&via_json), [root().attr("ip_address")]);
    assert_eq!(via_json, tf.validate(&bad).await);

    // Planning an update from JSON values gives the msgpack answer.
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&config, "size", n(7));
    let proposed = harness::proposed_new(tf.thing_block(), &prior, &changed);
    let from_json = tf
        .plan_raw(
            Some(json_dv(&prior, &tf.thing)),
            Some(json_dv(&proposed, &tf.thing)),
            Some(json_dv(&changed, &tf.thing)),
            &prior,
            &changed,
        )
        .await;
    let from_msgpack = tf.plan(&prior, &changed).await;
    assert_eq!(from_json, from_msgpack);
    assert_eq!(from_json.planned.get_attr("size"), Some(&n(7)));

    // A hand-written JSON config that leaves attributes out (they read as null).
    let minimal = pb::DynamicValue {
        msgpack: vec![],
        json: br#"{"name":"alpha","size":0}"#.to_vec(),
    };
    let d = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: THING.into(),
            config: Some(minimal),
            ..Default::default()
        })
        .await
        .expect("ValidateResourceTypeConfig")
        .into_inner()
        .diagnostics;
    assert_eq!(error_paths(&d), [root().attr("size")]);
}

#[tokio::test]
async fn an_empty_dynamic_value_means_null() {
    let tf = Tf::start().await;
    let empty = || Some(pb::DynamicValue::default());
    // Plan with an empty prior state is a create plan.
    let config = tf.thing_config(&[("name", s("alpha"))]);
    let proposed = harness::proposed_new(tf.thing_block(), &Value::Null, &config);
    let plan = tf
        .plan_raw(
            empty(),
            Some(dv(&proposed, &tf.thing)),
            Some(dv(&config, &tf.thing)),
            &Value::Null,
            &config,
        )
        .await;
    assert_eq!(plan, tf.plan(&Value::Null, &config).await);
    assert!(plan.planned.get_attr("id").is_some_and(Value::is_unknown));
    // Apply with an empty prior state creates.
    let created = tf
        .apply_raw(
            empty(),
            Some(dv(&plan.planned, &tf.thing)),
            Some(dv(&config, &tf.thing)),
            &plan.planned,
        )
        .await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    assert_eq!(tf.cloud.calls(), ["create"]);
    // Apply with an empty (or absent) planned state deletes.
    let deleted = tf
        .apply_raw(
            Some(dv(&created.state, &tf.thing)),
            empty(),
            empty(),
            &Value::Null,
        )
        .await;
    assert!(deleted.diagnostics.is_empty(), "{:?}", deleted.diagnostics);
    assert!(deleted.state.is_null());
    assert_eq!(tf.cloud.calls(), ["create", "delete"]);
    assert!(tf.cloud.ids().is_empty());
    let again = tf.create(&config).await;
    let deleted = tf
        .apply_raw(Some(dv(&again, &tf.thing)), None, None, &Value::Null)
        .await;
    assert!(deleted.diagnostics.is_empty() && deleted.state.is_null());
    assert!(tf.cloud.ids().is_empty());
    // Read of an empty current state is null, without calling the resource.
    let resp = tf
        .client
        .clone()
        .read_resource(pb::read_resource::Request {
            type_name: THING.into(),
            current_state: empty(),
            ..Default::default()
        })
        .await
        .expect("ReadResource")
        .into_inner();
    assert!(resp.diagnostics.is_empty());
    assert!(undv(resp.new_state.as_ref(), &tf.thing).is_null());
    assert!(!tf.cloud.calls().contains(&"read".to_string()));
}

// ---------------------------------------------------------------------------------------
// The timeouts block on its own

#[tokio::test]
async fn a_change_of_only_the_timeouts_block_applies_without_touching_the_object() {
    // Realistic after `terraform import`: the imported state has no timeouts, the config has.
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let timed = with(&config, "timeouts", timeouts_value(Some("1h")));
    let plan = tf.plan(&prior, &timed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.requires_replace.is_empty());
    assert_eq!(
        plan.planned,
        with(&prior, "timeouts", timeouts_value(Some("1h")))
    );
    // `apply` checks the result against the plan as Terraform does.
    let applied = tf.apply(&prior, &plan.planned, &timed).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.state, plan.planned);
    assert_eq!(
        tf.cloud.calls(),
        ["create"],
        "no remote write for a timeouts change"
    );
}

// ---------------------------------------------------------------------------------------
// The provider's and resource's own hooks, and failures reported as diagnostics

#[tokio::test]
async fn prepare_provider_config_runs_the_providers_own_check() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("token", s("t0ken"))]);
    let resp = prepare(&tf, &config).await;
    assert_eq!(error_paths(&resp.diagnostics), [root().attr("token")]);
    let with_endpoint = with(&config, "endpoint", s("https://api.example"));
    assert_eq!(prepare(&tf, &with_endpoint).await.diagnostics, vec![]);
}

#[tokio::test]
async fn configure_failure_is_returned_as_an_error_diagnostic() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("endpoint", s(DOWN_ENDPOINT))]);
    let resp = tf
        .client
        .clone()
        .configure(pb::configure::Request {
            terraform_version: TF_VERSION.into(),
            config: Some(dv(&config, &tf.provider)),
            ..Default::default()
        })
        .await
        .expect("Configure answers with diagnostics, not a gRPC error")
        .into_inner();
    let e = errors(&resp.diagnostics);
    assert!(e.len() == 1 && e[0].contains("unreachable"), "{e:?}");
}

#[tokio::test]
async fn validate_resource_runs_the_resources_cross_attribute_check() {
    let tf = Tf::start().await;
    let bad = tf.thing_config(&[
        ("name", s("alpha")),
        ("enabled", Value::Bool(false)),
        ("ip_address", s("10.0.0.4")),
    ]);
    let d = tf.validate(&bad).await;
    assert_eq!(error_paths(&d), [root().attr("ip_address")]);
    // Not decidable yet: no error.
    let later = with(&bad, "enabled", Value::unknown());
    assert_eq!(tf.validate(&later).await, vec![]);
}

#[tokio::test]
async fn validate_resource_warns_about_a_deprecated_argument_at_its_path() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("legacy_mode", Value::Bool(true))]);
    let d = tf.validate(&config).await;
    assert_severities_valid(&d);
    assert!(errors(&d).is_empty(), "{d:?}");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, pb::diagnostic::Severity::Warning as i32);
    assert_eq!(
        d[0].attribute.as_ref().map(path_of),
        Some(root().attr("legacy_mode"))
    );
    // Unset: no warning.
    let quiet = tf.thing_config(&[("name", s("alpha"))]);
    assert_eq!(tf.validate(&quiet).await, vec![]);
}

#[tokio::test]
async fn plan_carries_replacements_and_warnings_added_by_modify_plan() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    // Adding a zone: in place.
    let grown = with(&config, "zones", set(&["1", "2", "3"]));
    let plan = tf.plan(&prior, &grown).await;
    assert!(plan.requires_replace.is_empty());
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    // Removing one: the resource asks for replacement and says why.
    let shrunk = with(&config, "zones", set(&["2"]));
    let plan = tf.plan(&prior, &shrunk).await;
    assert_eq!(plan.requires_replace, [root().attr("zones")]);
    assert_eq!(plan.diagnostics.len(), 1, "{:?}", plan.diagnostics);
    let w = &plan.diagnostics[0];
    assert_eq!(w.severity, pb::diagnostic::Severity::Warning as i32);
    assert_eq!(
        w.attribute.as_ref().map(path_of),
        Some(root().attr("zones"))
    );
}

#[tokio::test]
async fn plan_passes_refined_unknowns_and_unknown_set_elements_through() {
    use astro_provider::framework::value::Refinements;
    let tf = Tf::start().await;
    let refined = Value::Unknown(Refinements {
        not_null: true,
        string_prefix: Some("alp".into()),
        ..Default::default()
    });
    let config = tf.thing_config(&[
        ("name", refined),
        ("zones", Value::Set(vec![s("1"), Value::unknown()])),
        (
            "tags",
            Value::Map([("team".to_string(), Value::unknown())].into()),
        ),
    ]);
    assert_eq!(tf.validate(&config).await, vec![]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.get_attr("name").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("display_name")
            .is_some_and(Value::is_unknown)
    );
    assert_eq!(plan.planned.get_attr("zones"), config.get_attr("zones"));
    assert_eq!(plan.planned.get_attr("tags"), config.get_attr("tags"));
}

#[tokio::test]
async fn read_that_fails_keeps_the_current_state_and_reports_the_error() {
    let tf = Tf::start().await;
    let state = tf.create(&tf.thing_config(&[("name", s("flaky-1"))])).await;
    let (kept, d, private) = tf.read(&state).await;
    let e = errors(&d);
    assert!(e.len() == 1 && e[0].contains("Read failed"), "{e:?}");
    assert_eq!(
        kept, state,
        "the state is not dropped because a read failed"
    );
    assert_eq!(private, PRIVATE);
}

#[tokio::test]
async fn apply_delete_that_fails_keeps_the_prior_state() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("description", s("sticky"))]);
    let prior = tf.create(&config).await;
    let applied = tf.apply(&prior, &Value::Null, &Value::Null).await;
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("Delete refused"), "{e:?}");
    assert_eq!(applied.state, prior);
    assert_eq!(tf.cloud.ids().len(), 1);
}

#[tokio::test]
async fn update_and_delete_deadlines_come_from_their_own_timeouts() {
    let tf = Tf::start().await;
    let timeouts = Value::object([
        ("create", Value::Null),
        ("read", Value::Null),
        ("update", s("1s")),
        ("delete", s("1s")),
    ]);
    let config = with(
        &tf.thing_config(&[("name", s("alpha"))]),
        "timeouts",
        timeouts,
    );
    let prior = tf.create(&config).await;
    // Update: the deadline is the planned state's timeouts.update.
    let slow = with(&config, "description", s("slow"));
    let plan = tf.plan(&prior, &slow).await;
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&prior, &plan.planned, &slow),
    )
    .await
    .expect("the update ends at its 1s deadline");
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("gave up after 1s"), "{e:?}");
    assert_eq!(
        applied.state, prior,
        "a failed update keeps the prior state"
    );

    // Delete: planned and config are null; the deadline comes from the prior state.
    tf.cloud.edit(
        prior.get_attr("id").and_then(Value::as_str).expect("id"),
        |m| {
            m.description = Some("slow".into());
        },
    );
    let slow_prior = with(&prior, "description", s("slow"));
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&slow_prior, &Value::Null, &Value::Null),
    )
    .await
    .expect("the delete ends at its 1s deadline");
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("gave up after 1s"), "{e:?}");
    assert_eq!(applied.state, slow_prior);
}

#[tokio::test]
async fn a_malformed_dynamic_value_is_an_error_diagnostic() {
    let tf = Tf::start().await;
    let bad_values = [
        // msgpack: a string where the object should be.
        pb::DynamicValue {
            msgpack: vec![0xa1, b'x'],
            json: vec![],
        },
        // JSON: an attribute the schema does not have.
        pb::DynamicValue {
            msgpack: vec![],
            json: br#"{"name":"a","colour":"red"}"#.to_vec(),
        },
    ];
    for bad in bad_values {
        let d = tf
            .client
            .clone()
            .validate_resource_type_config(pb::validate_resource_type_config::Request {
                type_name: THING.into(),
                config: Some(bad.clone()),
                ..Default::default()
            })
            .await
            .expect("a diagnostic, not a gRPC error")
            .into_inner()
            .diagnostics;
        assert_eq!(errors(&d).len(), 1, "{bad:?}: {d:?}");
        let plan = tf
            .plan_raw(
                Some(bad.clone()),
                Some(bad.clone()),
                Some(bad),
                &Value::Null,
                &Value::Null,
            )
            .await;
        assert_eq!(errors(&plan.diagnostics).len(), 1, "{:?}", plan.diagnostics);
    }
}

// ---------------------------------------------------------------------------------------
// A whole Terraform run, RPC by RPC

#[tokio::test]
async fn a_terraform_apply_then_replan_then_replace_converges() {
    let tf = Tf::start().await;
    let provider = object_of(&tf.provider, &[("endpoint", s("https://api.example"))]);
    assert_eq!(prepare(&tf, &provider).await.diagnostics, vec![]);
    let configured = tf
        .client
        .clone()
        .configure(pb::configure::Request {
            terraform_version: TF_VERSION.into(),
            config: Some(dv(&provider, &tf.provider)),
            ..Default::default()
        })
        .await
        .expect("Configure")
        .into_inner();
    assert_eq!(configured.diagnostics, vec![]);

    // First apply.
    let config = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("40m")),
    );
    assert_eq!(tf.validate(&config).await, vec![]);
    let state = tf.create(&config).await;

    // Next run: Terraform upgrades the stored JSON, refreshes, plans: nothing to do.
    let stored = json::encode(&state, &tf.thing).expect("state as Terraform stores it");
    let upgraded = upgrade(&tf, 0, std::str::from_utf8(&stored).expect("UTF-8")).await;
    assert_eq!(upgraded.diagnostics, vec![]);
    let upgraded = undv(upgraded.upgraded_state.as_ref(), &tf.thing);
    assert_eq!(upgraded, state);
    let (refreshed, d, _) = tf.read(&upgraded).await;
    assert_eq!(d, vec![]);
    let plan = tf.plan(&refreshed, &config).await;
    assert_eq!(plan.planned, refreshed, "no changes");

    // Rename: replace = plan, create-shaped plan, delete the old, create the new.
    let renamed = with(&config, "name", s("beta"));
    let plan = tf.plan(&refreshed, &renamed).await;
    assert_eq!(plan.requires_replace, [root().attr("name")]);
    let create_plan = tf.plan(&Value::Null, &renamed).await;
    let deleted = tf.apply(&refreshed, &Value::Null, &Value::Null).await;
    assert!(deleted.state.is_null() && deleted.diagnostics.is_empty());
    let created = tf.apply(&Value::Null, &create_plan.planned, &renamed).await;
    assert_eq!(created.diagnostics, vec![]);
    assert_ne!(created.state.get_attr("id"), refreshed.get_attr("id"));
    assert_eq!(tf.cloud.ids().len(), 1);
    assert_eq!(tf.cloud.calls(), ["create", "read", "delete", "create"]);
    let plan = tf.plan(&created.state, &renamed).await;
    assert_eq!(plan.planned, created.state, "converged");
}
