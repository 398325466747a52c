//! Unit tests of embedded examples.

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
        embeds("<!-- embed:examples/a.tf -->\n<!-- embed:examples/b.tf -->\n<!-- embed:end -->\n"),
        Err(MarkerError::MissingEnd)
    );
}
