//! Wire-level checks of the hand-written protocol files: Terraform matches fields by number,
//! so each message below is encoded with exactly one field set and the tag on the wire must
//! carry the field number the protocol assigns (tfplugin5 as of Terraform 1.15, go-plugin's
//! services). Covers the fields added latest and the ones easiest to mistype.

use astro_provider::proto::plugin::{ConnInfo, StdioData, conn_info};
use astro_provider::proto::tfplugin5::{
    ActionSchema, ClientCapabilities, Deferred, Diagnostic, DynamicValue, Function,
    ResourceIdentityData, Schema, ServerCapabilities, apply_resource_change, function,
    get_metadata, get_provider_schema, import_resource_state, invoke_action, list_resource,
    move_resource_state, open_ephemeral_resource, plan_resource_change, read_resource, schema,
    stop, validate_action_config, validate_list_resource_config,
};
use prost::Message;

/// Wire types: 0 = varint, 2 = length-delimited.
const VARINT: u64 = 0;
const LEN: u64 = 2;

/// Decodes the first tag of an encoded message into (field number, wire type).
fn first_tag(bytes: &[u8]) -> (u64, u64) {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate() {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return (value >> 3, value & 7);
        }
    }
    panic!("no complete tag in {bytes:?}");
}

fn dv() -> Option<DynamicValue> {
    Some(DynamicValue {
        msgpack: vec![0xc0],
        json: vec![],
    })
}

fn identity() -> Option<ResourceIdentityData> {
    Some(ResourceIdentityData {
        identity_data: dv(),
    })
}

#[test]
#[rustfmt::skip] // one case per line reads better than rustfmt's expansion
fn field_numbers_match_the_protocol() {
    let cases: Vec<(&str, Vec<u8>, u64, u64)> = vec![
        ("DynamicValue.json", DynamicValue { json: b"{}".to_vec(), ..Default::default() }.encode_to_vec(), 2, LEN),
        ("Diagnostic.attribute", Diagnostic { attribute: Some(Default::default()), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("Stop.Response.Error", stop::Response { error: "x".into() }.encode_to_vec(), 1, LEN),
        ("Schema.Block.deprecated", schema::Block { deprecated: true, ..Default::default() }.encode_to_vec(), 6, VARINT),
        ("Schema.Block.deprecation_message", schema::Block { deprecation_message: "x".into(), ..Default::default() }.encode_to_vec(), 7, LEN),
        ("Schema.Attribute.write_only", schema::Attribute { write_only: true, ..Default::default() }.encode_to_vec(), 10, VARINT),
        ("Schema.Attribute.deprecation_message", schema::Attribute { deprecation_message: "x".into(), ..Default::default() }.encode_to_vec(), 11, LEN),
        ("Schema.NestedBlock.max_items", schema::NestedBlock { max_items: 1, ..Default::default() }.encode_to_vec(), 5, VARINT),
        ("ActionSchema.schema", ActionSchema { schema: Some(Schema::default()) }.encode_to_vec(), 1, LEN),
        ("Function.deprecation_message", Function { deprecation_message: "x".into(), ..Default::default() }.encode_to_vec(), 7, LEN),
        ("Function.return", Function { r#return: Some(function::Return::default()), ..Default::default() }.encode_to_vec(), 3, LEN),
        ("ServerCapabilities.generate_resource_config", ServerCapabilities { generate_resource_config: true, ..Default::default() }.encode_to_vec(), 4, VARINT),
        ("ServerCapabilities.move_resource_state", ServerCapabilities { move_resource_state: true, ..Default::default() }.encode_to_vec(), 3, VARINT),
        ("ClientCapabilities.write_only_attributes_allowed", ClientCapabilities { write_only_attributes_allowed: true, ..Default::default() }.encode_to_vec(), 2, VARINT),
        ("Deferred.reason", Deferred { reason: 3 }.encode_to_vec(), 1, VARINT),
        ("GetMetadata.Response.actions", get_metadata::Response { actions: vec![Default::default()], ..Default::default() }.encode_to_vec(), 8, LEN),
        ("GetProviderSchema.Response.server_capabilities", get_provider_schema::Response { server_capabilities: Some(Default::default()), ..Default::default() }.encode_to_vec(), 6, LEN),
        ("GetProviderSchema.Response.functions", get_provider_schema::Response { functions: [("f".to_owned(), Function::default())].into(), ..Default::default() }.encode_to_vec(), 7, LEN),
        ("GetProviderSchema.Response.ephemeral_resource_schemas", get_provider_schema::Response { ephemeral_resource_schemas: [("e".to_owned(), Schema::default())].into(), ..Default::default() }.encode_to_vec(), 8, LEN),
        ("GetProviderSchema.Response.list_resource_schemas", get_provider_schema::Response { list_resource_schemas: [("l".to_owned(), Schema::default())].into(), ..Default::default() }.encode_to_vec(), 9, LEN),
        ("GetProviderSchema.Response.action_schemas", get_provider_schema::Response { action_schemas: [("a".to_owned(), ActionSchema::default())].into(), ..Default::default() }.encode_to_vec(), 11, LEN),
        ("ReadResource.Request.current_identity", read_resource::Request { current_identity: identity(), ..Default::default() }.encode_to_vec(), 6, LEN),
        ("ReadResource.Response.new_identity", read_resource::Response { new_identity: identity(), ..Default::default() }.encode_to_vec(), 5, LEN),
        ("PlanResourceChange.Request.prior_identity", plan_resource_change::Request { prior_identity: identity(), ..Default::default() }.encode_to_vec(), 8, LEN),
        ("PlanResourceChange.Response.legacy_type_system", plan_resource_change::Response { legacy_type_system: true, ..Default::default() }.encode_to_vec(), 5, VARINT),
        ("PlanResourceChange.Response.deferred", plan_resource_change::Response { deferred: Some(Deferred::default()), ..Default::default() }.encode_to_vec(), 6, LEN),
        ("PlanResourceChange.Response.planned_identity", plan_resource_change::Response { planned_identity: identity(), ..Default::default() }.encode_to_vec(), 7, LEN),
        ("ApplyResourceChange.Request.planned_identity", apply_resource_change::Request { planned_identity: identity(), ..Default::default() }.encode_to_vec(), 7, LEN),
        ("ApplyResourceChange.Response.private", apply_resource_change::Response { private: vec![1], ..Default::default() }.encode_to_vec(), 2, LEN),
        ("ApplyResourceChange.Response.new_identity", apply_resource_change::Response { new_identity: identity(), ..Default::default() }.encode_to_vec(), 5, LEN),
        ("ImportResourceState.Request.identity", import_resource_state::Request { identity: identity(), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("ImportResourceState.ImportedResource.identity", import_resource_state::ImportedResource { identity: identity(), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("ImportResourceState.Response.deferred", import_resource_state::Response { deferred: Some(Deferred::default()), ..Default::default() }.encode_to_vec(), 3, LEN),
        ("MoveResourceState.Request.source_identity_schema_version", move_resource_state::Request { source_identity_schema_version: 1, ..Default::default() }.encode_to_vec(), 8, VARINT),
        ("MoveResourceState.Response.target_identity", move_resource_state::Response { target_identity: identity(), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("OpenEphemeralResource.Response.private", open_ephemeral_resource::Response { private: Some(vec![]), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("OpenEphemeralResource.Response.deferred", open_ephemeral_resource::Response { deferred: Some(Deferred::default()), ..Default::default() }.encode_to_vec(), 5, LEN),
        ("ListResource.Request.limit", list_resource::Request { limit: 1, ..Default::default() }.encode_to_vec(), 4, VARINT),
        ("ListResource.Event.diagnostic", list_resource::Event { diagnostic: vec![Diagnostic::default()], ..Default::default() }.encode_to_vec(), 4, LEN),
        ("ValidateListResourceConfig.Request.limit", validate_list_resource_config::Request { limit: dv(), ..Default::default() }.encode_to_vec(), 4, LEN),
        ("InvokeAction.Event.completed", invoke_action::Event { r#type: Some(invoke_action::event::Type::Completed(Default::default())) }.encode_to_vec(), 2, LEN),
        ("ValidateActionConfig.Request.config", validate_action_config::Request { config: dv(), ..Default::default() }.encode_to_vec(), 2, LEN),
        ("plugin.StdioData.data", StdioData { data: vec![1], ..Default::default() }.encode_to_vec(), 2, LEN),
        ("plugin.ConnInfo.knock", ConnInfo { knock: Some(conn_info::Knock::default()), ..Default::default() }.encode_to_vec(), 4, LEN),
    ];
    for (name, bytes, field, wire_type) in cases {
        assert_eq!(first_tag(&bytes), (field, wire_type), "{name}");
    }
}
