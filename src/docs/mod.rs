//! Registry-style Markdown reference sections rendered from the schemas, so that the pages under
//! `docs/` cannot drift from the code: each page keeps its hand-written prose and examples, and
//! holds the generated "Argument Reference", "Attribute Reference" and "Timeouts" sections
//! between [`BEGIN`] and [`END`] markers, which `tests/docs.rs` compares and can rewrite.

mod embed;
mod render;

pub use embed::{
    EMBED_END, EMBED_OPEN, Embed, embeds, render_embed, required_embeds, splice_embeds,
};
pub use render::{
    default_words, render_data_source, render_provider_arguments, render_resource, type_words,
};

use std::fmt::Write as _;

use crate::framework::resource::Provider;

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
mod tests;
