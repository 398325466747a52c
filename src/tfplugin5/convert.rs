//! Conversions between framework types and tfplugin5 messages: schemas, diagnostics,
//! attribute paths and DynamicValues. Nothing here decides anything.

use crate::framework::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::framework::path::{AttributePath, PathStep};
use crate::framework::schema::{Block, Nesting, Schema};
use crate::framework::types::Type;
use crate::framework::value::Value;
use crate::framework::{json, msgpack};
use crate::proto::tfplugin5 as pb;

/// A framework schema as a protocol schema.
pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                description: a.description.clone(),
                required: a.required,
                optional: a.optional
                    || (a.computed
                        && !matches!(a.default, crate::framework::schema::AttrDefault::None)),
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: a.deprecated,
                ..Default::default()
            })
            .collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.type_name.clone(),
                block: Some(block(&nb.block)),
                nesting: match nb.nesting {
                    Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                    Nesting::List => pb::schema::nested_block::NestingMode::List,
                    Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                } as i32,
                min_items: 0,
                max_items: 0,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: b.deprecated,
        ..Default::default()
    }
}

/// A framework path as a protocol path.
pub fn path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Framework diagnostics as protocol diagnostics.
pub fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.into_iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary,
            detail: d.detail,
            attribute: d.path.filter(|p| !p.is_root()).map(|p| path(&p)),
        })
        .collect()
}

/// Decodes a DynamicValue against a type: msgpack if present, else JSON, else null.
pub fn decode(v: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(v) = v else { return Ok(Value::Null) };
    let res = if !v.msgpack.is_empty() {
        msgpack::decode(&v.msgpack, ty)
    } else if !v.json.is_empty() {
        json::decode(&v.json, ty)
    } else {
        return Ok(Value::Null);
    };
    res.map_err(|e| {
        Diagnostic::error(
            "Malformed value from Terraform",
            format!("internal-error: could not decode the {what}: {e}. This is a bug in terraform-provider-astro or an incompatible Terraform version."),
        )
        .into()
    })
}

/// Encodes a value as a msgpack DynamicValue.
pub fn encode(v: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    msgpack::encode(v, ty).map(|msgpack| pb::DynamicValue { msgpack, json: vec![] }).map_err(|e| {
        Diagnostic::error(
            "Provider produced an unencodable value",
            format!("internal-error: could not encode the {what}: {e}. This is a bug in terraform-provider-astro; please report it."),
        )
        .into()
    })
}
