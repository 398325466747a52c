//! Unit tests of the rendered reference sections and the markers.

use super::*;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::timeouts::TimeoutDefaults;
use crate::framework::types::Type;
use crate::framework::validators::{IntRange, OneOf};
use std::time::Duration;

fn sample() -> Schema {
    let mut s = Schema::new(Block::new(vec![
        Attribute::required("name", Type::String)
            .force_new()
            .describe("The name")
            .validate(OneOf(&["a", "b"])),
        Attribute::optional("secret", Type::String)
            .sensitive()
            .describe("A secret."),
        Attribute::optional("ttl", Type::Number)
            .default_value(300i64)
            .validate(IntRange { min: 1, max: 9 })
            .validate(OneOf(&["x"]))
            .describe("TTL."),
        Attribute::optional("alias", Type::String)
            .default_from("name")
            .describe("Alias."),
        Attribute::optional("ids", Type::set(Type::String)).describe("IDs."),
        Attribute::computed("id", Type::String).describe("The ID."),
    ]));
    let d = Duration::from_secs(600);
    s.block.blocks.push(
        TimeoutDefaults {
            create: d,
            read: d,
            update: d,
            delete: d,
        }
        .block(),
    );
    s
}

fn line<'a>(text: &'a str, name: &str) -> &'a str {
    let prefix = format!("* `{name}` - ");
    text.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line for {name} in\n{text}"))
}

#[test]
fn arguments_carry_kind_type_constraints_default_and_replacement() {
    let text = render_resource("astro_x", &sample());
    assert_eq!(
        line(&text, "name"),
        "* `name` - (Required, String) The name. Constraint: one of `a`, `b`. Changing this forces a new resource to be created."
    );
    assert_eq!(
        line(&text, "secret"),
        "* `secret` - (Optional, String, Sensitive) A secret."
    );
    assert_eq!(
        line(&text, "ttl"),
        "* `ttl` - (Optional, Number) TTL. Constraints: a whole number from 1 to 9; one of `x`. Defaults to `300`."
    );
    assert_eq!(
        line(&text, "alias"),
        "* `alias` - (Optional, String) Alias. Defaults to the value of `name`."
    );
    assert_eq!(
        line(&text, "ids"),
        "* `ids` - (Optional, Set of String) IDs."
    );
}

#[test]
fn computed_only_attributes_are_exported_not_arguments() {
    let text = render_resource("astro_x", &sample());
    let (args, attrs) = text.split_once("## Attribute Reference").unwrap();
    assert!(!args.contains("* `id`"));
    assert!(attrs.contains("* `id` - (String) The ID."));
    assert!(!attrs.contains("* `name`"));
}

#[test]
fn timeouts_get_their_own_section_with_defaults() {
    let text = render_resource("astro_x", &sample());
    let (_, t) = text.split_once("\n## Timeouts\n").unwrap();
    assert!(t.contains("(`astro_x`)"));
    assert!(line(t, "create").contains("(default `10m`)"));
    assert!(text.contains("* `timeouts` - (Optional, Block)"));
    assert!(text.contains("(#timeouts)"));
}

#[test]
fn provider_arguments_have_no_attribute_section() {
    let text = render_provider_arguments(&sample());
    assert!(text.starts_with("## Argument Reference\n"));
    assert!(!text.contains("Attribute Reference"));
}

#[test]
fn page_paths_follow_the_registry_layout() {
    assert_eq!(page_path(Kind::Provider, "astro"), "index.md");
    assert_eq!(
        page_path(Kind::Resource, "astro_private_dns"),
        "resources/private_dns.md"
    );
    assert_eq!(
        page_path(Kind::DataSource, "astro_private_endpoint_connection"),
        "data-sources/private_endpoint_connection.md"
    );
}

#[test]
fn splice_replaces_only_the_marked_text() {
    let page = format!("intro\n{BEGIN}\nold\n{END}\noutro\n");
    assert_eq!(marked_section(&page).unwrap(), "old\n");
    let new = splice(&page, "new\nlines\n").unwrap();
    assert_eq!(new, format!("intro\n{BEGIN}\nnew\nlines\n{END}\noutro\n"));
    assert_eq!(marked_section(&new).unwrap(), "new\nlines\n");
}

#[test]
fn marker_errors_are_reported() {
    assert_eq!(marked_section("x"), Err(MarkerError::MissingBegin));
    assert_eq!(
        marked_section(&format!("{BEGIN}\nx\n")),
        Err(MarkerError::MissingEnd)
    );
    assert_eq!(
        marked_section(&format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n")),
        Err(MarkerError::Duplicate)
    );
}

#[test]
fn line_diff_marks_removed_and_added_lines() {
    let d = line_diff("a\nb\nc\n", "a\nB\nc\nd\n");
    assert_eq!(d, "- b\n+ B\n+ d\n");
    assert_eq!(line_diff("same\n", "same\n"), "");
}
