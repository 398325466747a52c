//! GetSchema and GetMetadata: the wire schema matches the framework's, passes Terraform's validity rules, and the capabilities and metadata are honest.

use super::*;

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
