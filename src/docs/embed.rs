//! Embedded examples: `<!-- embed:<path> -->` sections that hold a file from `examples/` in a
//! fenced block, the way tfplugindocs embeds them.

use super::*;

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
pub(super) fn embed_spans(page: &str) -> Result<Vec<(usize, usize, String)>, MarkerError> {
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
mod tests;
