//! Registry-style Markdown reference sections rendered from the schemas, so that the pages under
//! `docs/` cannot drift from the code: each page keeps its hand-written prose and examples, and
//! holds the generated "Argument Reference", "Attribute Reference" and "Timeouts" sections
//! between [`BEGIN`] and [`END`] markers, which `tests/docs.rs` compares and can rewrite.

use std::fmt::Write as _;

use crate::framework::resource::Provider;
use crate::framework::schema::{AttrDefault, Attribute, Block, NestedBlock, Nesting, Schema};
use crate::framework::timeouts;
use crate::framework::types::Type;
use crate::framework::value::Value;

/// Opens the generated part of a page (on a line of its own).
pub const BEGIN: &str = "<!-- schema:begin -->";
/// Closes the generated part of a page (on a line of its own).
pub const END: &str = "<!-- schema:end -->";

/// Prefix of every type name; page file names leave it out (registry convention).
const TYPE_PREFIX: &str = "astro_";

/// What a documentation page describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The provider block (`docs/index.md`).
    Provider,
    /// A managed resource (`docs/resources/`).
    Resource,
    /// A data source (`docs/data-sources/`).
    DataSource,
}

/// One page's generated part and where it belongs.
#[derive(Clone, Debug)]
pub struct Page {
    /// What the page describes.
    pub kind: Kind,
    /// The type name (`astro_private_endpoint`), or `astro` for the provider.
    pub type_name: String,
    /// Path relative to the `docs/` directory, with `/` separators.
    pub path: String,
    /// The text that belongs between the markers.
    pub generated: String,
}

/// A page whose markers are missing or out of order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// No begin marker.
    #[error("no `{BEGIN}` line: add `{BEGIN}` and `{END}` lines where the reference sections go")]
    MissingBegin,
    /// No end marker after the begin marker.
    #[error("`{BEGIN}` has no `{END}` line after it")]
    MissingEnd,
    /// More than one begin marker.
    #[error("more than one `{BEGIN}` line: keep exactly one generated section per page")]
    Duplicate,
}

/// The docs path of a type's page, relative to `docs/`.
pub fn page_path(kind: Kind, type_name: &str) -> String {
    let short = type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name);
    match kind {
        Kind::Provider => "index.md".to_string(),
        Kind::Resource => format!("resources/{short}.md"),
        Kind::DataSource => format!("data-sources/{short}.md"),
    }
}

/// The generated part of every page: the provider, then each resource and data source the
/// provider registers (with the framework-added `timeouts` block).
pub fn pages(provider: &dyn Provider) -> Vec<Page> {
    let mut out = vec![Page {
        kind: Kind::Provider,
        type_name: "astro".to_string(),
        path: page_path(Kind::Provider, "astro"),
        generated: render_provider_arguments(&provider.schema()),
    }];
    out.extend(provider.resources().iter().map(|r| Page {
        kind: Kind::Resource,
        type_name: r.type_name().to_string(),
        path: page_path(Kind::Resource, r.type_name()),
        generated: render_resource(r.type_name(), &r.schema()),
    }));
    out.extend(provider.data_sources().iter().map(|d| Page {
        kind: Kind::DataSource,
        type_name: d.type_name().to_string(),
        path: page_path(Kind::DataSource, d.type_name()),
        generated: render_data_source(d.type_name(), &d.schema()),
    }));
    out
}

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

fn render_object(type_name: &str, schema: &Schema, noun: &str) -> String {
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

fn is_argument(a: &Attribute) -> bool {
    a.required || a.optional
}

/// Bullets for the settable attributes, then a pointer to each nested block.
fn push_arguments(out: &mut String, block: &Block) {
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

fn push_argument(out: &mut String, a: &Attribute) {
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

fn push_exported(out: &mut String, a: &Attribute) {
    let mut flags = type_words(&a.ty);
    if a.sensitive {
        flags.push_str(", Sensitive");
    }
    let mut line = format!("* `{}` - ({flags})", a.name);
    push_sentence(&mut line, &a.description);
    out.push_str(&line);
    out.push('\n');
}

fn push_timeouts(out: &mut String, type_name: &str, noun: &str, nb: &NestedBlock) {
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

fn push_nested_block(out: &mut String, nb: &NestedBlock) {
    let _ = writeln!(out, "\n## {}\n", section_title(nb));
    let _ = writeln!(out, "{}\n", sentence(&nb.block.description));
    push_arguments(out, &nb.block);
    for a in nb.block.attributes.iter().filter(|a| a.is_computed_only()) {
        push_exported(out, a);
    }
}

fn section_title(nb: &NestedBlock) -> String {
    if nb.type_name == timeouts::BLOCK_NAME {
        "Timeouts".to_string()
    } else {
        format!("{} block", nb.type_name)
    }
}

/// A GitHub/registry-style heading anchor.
fn anchor(title: &str) -> String {
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

fn block_kind(n: Nesting) -> &'static str {
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
fn constraints(a: &Attribute) -> Option<String> {
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
fn value_words(v: &Value) -> String {
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
fn push_sentence(line: &mut String, text: &str) {
    let s = sentence(text);
    if !s.is_empty() {
        line.push(' ');
        line.push_str(&s);
    }
}

/// Trimmed text ending with a full stop (unless it ends with other closing punctuation).
fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with(['.', '!', '?', ':']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The text between the page's marker lines (the line break after [`BEGIN`] excluded).
pub fn marked_section(page: &str) -> Result<&str, MarkerError> {
    let (start, end) = marker_span(page)?;
    Ok(&page[start..end])
}

/// The page with the text between its markers replaced by `generated`.
pub fn splice(page: &str, generated: &str) -> Result<String, MarkerError> {
    let (start, end) = marker_span(page)?;
    let mut out = String::with_capacity(page.len() + generated.len());
    out.push_str(&page[..start]);
    out.push_str(generated);
    out.push_str(&page[end..]);
    Ok(out)
}

/// Byte range of the generated text: after the begin marker's line, up to the end marker.
fn marker_span(page: &str) -> Result<(usize, usize), MarkerError> {
    let begin = page.find(BEGIN).ok_or(MarkerError::MissingBegin)?;
    let after_begin = begin + BEGIN.len();
    if page[after_begin..].contains(BEGIN) {
        return Err(MarkerError::Duplicate);
    }
    let start = match page[after_begin..].find('\n') {
        Some(i) => after_begin + i + 1,
        None => return Err(MarkerError::MissingEnd),
    };
    let end = page[start..]
        .find(END)
        .map(|i| start + i)
        .ok_or(MarkerError::MissingEnd)?;
    Ok((start, end))
}

/// A line diff of `expected` against `actual` (`-` only in expected, `+` only in actual), for
/// messages about pages that drifted from the schema.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // Longest common subsequence table, from the end.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", a[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", b[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::timeouts::TimeoutDefaults;
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
}

/// Opens an embedded example on a line of its own: `<!-- embed:<path> -->`, where the path
/// is relative to the repository root (`examples/resources/astro_private_dns/resource.tf`).
/// The lines up to [`EMBED_END`] are the file in a fenced block ([`render_embed`]), the way
/// tfplugindocs embeds `examples/` in registry pages.
pub const EMBED_OPEN: &str = "<!-- embed:";
/// Closes an embedded example (on a line of its own).
pub const EMBED_END: &str = "<!-- embed:end -->";

/// One embedded example of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Embed {
    /// The embedded file, relative to the repository root.
    pub path: String,
    /// What the page holds between the markers now.
    pub committed: String,
}

/// Files under `examples/` a page for `type_name` must embed, as tfplugindocs lays them
/// out: the provider's `provider.tf`; a resource's `resource.tf`, `import.sh` and
/// `import-by-string-id.tf` (the `import` block); a data source's `data-source.tf`.
pub fn required_embeds(kind: Kind, type_name: &str) -> Vec<String> {
    match kind {
        Kind::Provider => vec!["examples/provider/provider.tf".to_string()],
        Kind::Resource => ["resource.tf", "import.sh", "import-by-string-id.tf"]
            .iter()
            .map(|f| format!("examples/resources/{type_name}/{f}"))
            .collect(),
        Kind::DataSource => vec![format!("examples/data-sources/{type_name}/data-source.tf")],
    }
}

/// The fenced block a page holds for an embedded file: `terraform` for `.tf`, `shell` for
/// `.sh`.
pub fn render_embed(path: &str, content: &str) -> String {
    let lang = if path.ends_with(".sh") {
        "shell"
    } else {
        "terraform"
    };
    let body = content.trim_end_matches('\n');
    format!("```{lang}\n{body}\n```\n")
}

/// Byte ranges (text start, text end) and paths of a page's embeds.
fn embed_spans(page: &str) -> Result<Vec<(usize, usize, String)>, MarkerError> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = page[from..].find(EMBED_OPEN) {
        let open = from + i;
        let line_end = page[open..]
            .find('\n')
            .map(|j| open + j)
            .ok_or(MarkerError::MissingEnd)?;
        let marker = page[open..line_end].trim_end();
        if marker == EMBED_END {
            return Err(MarkerError::MissingBegin);
        }
        let path = marker
            .strip_prefix(EMBED_OPEN)
            .and_then(|m| m.strip_suffix("-->"))
            .map(|p| p.trim().to_string())
            .ok_or(MarkerError::MissingEnd)?;
        let start = line_end + 1;
        let end = page[start..]
            .find(EMBED_END)
            .map(|j| start + j)
            .ok_or(MarkerError::MissingEnd)?;
        if page[start..end].contains(EMBED_OPEN) {
            return Err(MarkerError::MissingEnd);
        }
        out.push((start, end, path));
        from = end + EMBED_END.len();
    }
    Ok(out)
}

/// The embeds of a page, in order.
pub fn embeds(page: &str) -> Result<Vec<Embed>, MarkerError> {
    Ok(embed_spans(page)?
        .into_iter()
        .map(|(start, end, path)| Embed {
            path,
            committed: page[start..end].to_string(),
        })
        .collect())
}

/// The page with every embed's text replaced by `render(path)`.
pub fn splice_embeds(page: &str, render: impl Fn(&str) -> String) -> Result<String, MarkerError> {
    let mut out = String::with_capacity(page.len());
    let mut last = 0;
    for (start, end, path) in embed_spans(page)? {
        out.push_str(&page[last..start]);
        out.push_str(&render(&path));
        last = end;
    }
    out.push_str(&page[last..]);
    Ok(out)
}

#[cfg(test)]
mod embed_tests {
    use super::*;

    #[test]
    fn embeds_are_found_and_spliced() {
        let page = "# t\n\n<!-- embed:examples/a.tf -->\nold\n<!-- embed:end -->\n\ntext\n<!-- embed:examples/b.sh -->\n<!-- embed:end -->\n";
        let found = embeds(page).unwrap();
        assert_eq!(
            found,
            vec![
                Embed {
                    path: "examples/a.tf".into(),
                    committed: "old\n".into()
                },
                Embed {
                    path: "examples/b.sh".into(),
                    committed: String::new()
                },
            ]
        );
        let new = splice_embeds(page, |p| render_embed(p, "x = 1\n")).unwrap();
        assert_eq!(
            new,
            "# t\n\n<!-- embed:examples/a.tf -->\n```terraform\nx = 1\n```\n<!-- embed:end -->\n\ntext\n<!-- embed:examples/b.sh -->\n```shell\nx = 1\n```\n<!-- embed:end -->\n"
        );
    }

    #[test]
    fn an_unclosed_embed_is_an_error() {
        assert_eq!(
            embeds("<!-- embed:examples/a.tf -->\nx\n"),
            Err(MarkerError::MissingEnd)
        );
        assert_eq!(
            embeds(
                "<!-- embed:examples/a.tf -->\n<!-- embed:examples/b.tf -->\n<!-- embed:end -->\n"
            ),
            Err(MarkerError::MissingEnd)
        );
    }
}
