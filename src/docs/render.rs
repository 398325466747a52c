//! Rendering a schema as registry-style Markdown: arguments, exported attributes, nested blocks
//! and timeouts, with types, defaults and constraints in words.

use std::fmt::Write as _;

use crate::framework::schema::{AttrDefault, Attribute, Block, NestedBlock, Nesting, Schema};
use crate::framework::timeouts;
use crate::framework::types::Type;
use crate::framework::value::Value;

/// The provider block's "Argument Reference".
pub fn render_provider_arguments(schema: &Schema) -> String {
    let mut out = String::from("## Argument Reference\n\n");
    out.push_str("The following arguments are supported in the `provider \"astro\"` block:\n\n");
    push_arguments(&mut out, &schema.block);
    out
}

/// A resource's "Argument Reference", "Attribute Reference" and "Timeouts" sections.
pub fn render_resource(type_name: &str, schema: &Schema) -> String {
    render_object(type_name, schema, "resource")
}

/// A data source's "Argument Reference", "Attribute Reference" (and "Timeouts", if any).
pub fn render_data_source(type_name: &str, schema: &Schema) -> String {
    render_object(type_name, schema, "data source")
}

pub(super) fn render_object(type_name: &str, schema: &Schema, noun: &str) -> String {
    let block = &schema.block;
    let mut out = String::from("## Argument Reference\n\n");
    if block.attributes.iter().any(is_argument) || !block.blocks.is_empty() {
        out.push_str("The following arguments are supported:\n\n");
        push_arguments(&mut out, block);
    } else {
        out.push_str("This data source takes no arguments.\n");
    }
    out.push_str("\n## Attribute Reference\n\n");
    out.push_str("In addition to the arguments above, the following attributes are exported:\n\n");
    for a in block.attributes.iter().filter(|a| a.is_computed_only()) {
        push_exported(&mut out, a);
    }
    for nb in block.blocks.iter() {
        if nb.type_name == timeouts::BLOCK_NAME {
            push_timeouts(&mut out, type_name, noun, nb);
        } else {
            push_nested_block(&mut out, nb);
        }
    }
    out
}

pub(super) fn is_argument(a: &Attribute) -> bool {
    a.required || a.optional
}

/// Bullets for the settable attributes, then a pointer to each nested block.
pub(super) fn push_arguments(out: &mut String, block: &Block) {
    for a in block.attributes.iter().filter(|a| is_argument(a)) {
        push_argument(out, a);
    }
    for nb in &block.blocks {
        let _ = writeln!(
            out,
            "* `{}` - (Optional, {}) {} See [{}](#{}) below.",
            nb.type_name,
            block_kind(nb.nesting),
            sentence(&nb.block.description),
            section_title(nb),
            anchor(&section_title(nb)),
        );
    }
}

pub(super) fn push_argument(out: &mut String, a: &Attribute) {
    let mut flags = vec![
        if a.required { "Required" } else { "Optional" }.to_string(),
        type_words(&a.ty),
    ];
    if a.sensitive {
        flags.push("Sensitive".to_string());
    }
    if a.deprecated {
        flags.push("Deprecated".to_string());
    }
    let mut line = format!("* `{}` - ({})", a.name, flags.join(", "));
    push_sentence(&mut line, &a.description);
    if let Some(c) = constraints(a) {
        push_sentence(&mut line, &c);
    }
    if let Some(d) = default_words(&a.default) {
        push_sentence(&mut line, &d);
    }
    if a.force_new {
        push_sentence(
            &mut line,
            "Changing this forces a new resource to be created.",
        );
    }
    out.push_str(&line);
    out.push('\n');
}

pub(super) fn push_exported(out: &mut String, a: &Attribute) {
    let mut flags = type_words(&a.ty);
    if a.sensitive {
        flags.push_str(", Sensitive");
    }
    let mut line = format!("* `{}` - ({flags})", a.name);
    push_sentence(&mut line, &a.description);
    out.push_str(&line);
    out.push('\n');
}

pub(super) fn push_timeouts(out: &mut String, type_name: &str, noun: &str, nb: &NestedBlock) {
    out.push_str("\n## Timeouts\n\n");
    let _ = writeln!(
        out,
        "The `timeouts` block allows you to specify [timeouts](https://developer.hashicorp.com/terraform/language/resources/syntax#operation-timeouts) for operations on this {noun} (`{type_name}`). {}\n",
        sentence(&nb.block.description)
    );
    for a in &nb.block.attributes {
        push_argument(out, a);
    }
}

pub(super) fn push_nested_block(out: &mut String, nb: &NestedBlock) {
    let _ = writeln!(out, "\n## {}\n", section_title(nb));
    let _ = writeln!(out, "{}\n", sentence(&nb.block.description));
    push_arguments(out, &nb.block);
    for a in nb.block.attributes.iter().filter(|a| a.is_computed_only()) {
        push_exported(out, a);
    }
}

pub(super) fn section_title(nb: &NestedBlock) -> String {
    if nb.type_name == timeouts::BLOCK_NAME {
        "Timeouts".to_string()
    } else {
        format!("{} block", nb.type_name)
    }
}

/// A GitHub/registry-style heading anchor.
pub(super) fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

pub(super) fn block_kind(n: Nesting) -> &'static str {
    match n {
        Nesting::Single => "Block",
        Nesting::List => "List of Blocks",
        Nesting::Set => "Set of Blocks",
    }
}

/// A cty type in words, as the registry writes it ("Set of String").
pub fn type_words(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".to_string(),
        Type::Number => "Number".to_string(),
        Type::String => "String".to_string(),
        Type::Dynamic => "Any type".to_string(),
        Type::List(e) => format!("List of {}", type_words(e)),
        Type::Set(e) => format!("Set of {}", type_words(e)),
        Type::Map(e) => format!("Map of {}", type_words(e)),
        Type::Object(_) => "Object".to_string(),
        Type::Tuple(_) => "Tuple".to_string(),
    }
}

/// The validators' descriptions as one sentence, or `None` without validators.
pub(super) fn constraints(a: &Attribute) -> Option<String> {
    let parts: Vec<String> = a.validators.iter().map(|v| v.description()).collect();
    match parts.len() {
        0 => None,
        1 => Some(format!("Constraint: {}.", parts[0])),
        _ => Some(format!("Constraints: {}.", parts.join("; "))),
    }
}

/// "Defaults to `x`." for a default, `None` without one.
pub fn default_words(d: &AttrDefault) -> Option<String> {
    match d {
        AttrDefault::None => None,
        AttrDefault::Value(v) => Some(format!("Defaults to `{}`.", value_words(v))),
        AttrDefault::Attribute(name) => Some(format!("Defaults to the value of `{name}`.")),
    }
}

/// A default value as HCL would show it.
pub(super) fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Typed(_, inner) => value_words(inner),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => format!(
            "[{}]",
            items.iter().map(value_words).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) | Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k} = {}", value_words(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Unknown(_) => "(known after apply)".to_string(),
    }
}

/// Appends `text` to `line` after a space, as a sentence ending in a full stop.
pub(super) fn push_sentence(line: &mut String, text: &str) {
    let s = sentence(text);
    if !s.is_empty() {
        line.push(' ');
        line.push_str(&s);
    }
}

/// Trimmed text ending with a full stop (unless it ends with other closing punctuation).
pub(super) fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with(['.', '!', '?', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}
