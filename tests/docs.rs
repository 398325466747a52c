//! Keeps `docs/` in step with the code: the generated reference sections of every page must
//! equal what the schemas render now (`ASTRO_UPDATE_DOCS=1 cargo test --test docs` rewrites
//! them), every registered type has its page, and every HCL example is `terraform fmt`-clean.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use astro_provider::docs::{self, Kind, Page};
use astro_provider::provider::AstroProvider;

const REGENERATE: &str = "ASTRO_UPDATE_DOCS=1 cargo test --test docs";

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")
}

fn pages() -> Vec<Page> {
    docs::pages(&AstroProvider::new())
}

fn update_mode() -> bool {
    std::env::var("ASTRO_UPDATE_DOCS").is_ok_and(|v| v == "1")
}

/// Every Markdown file under `docs/`, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {d:?}: {e}"));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn generated_sections_match_the_schemas() {
    let dir = docs_dir();
    let mut problems = Vec::new();
    for page in pages() {
        let path = dir.join(&page.path);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!(
                    "docs/{} ({} {}): cannot read it: {e}",
                    page.path,
                    kind_words(page.kind),
                    page.type_name
                ));
                continue;
            }
        };
        let committed = match docs::marked_section(&text) {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("docs/{}: {e}", page.path));
                continue;
            }
        };
        if committed == page.generated {
            continue;
        }
        if update_mode() {
            let new = docs::splice(&text, &page.generated).expect("markers were just found");
            std::fs::write(&path, new).unwrap_or_else(|e| panic!("writing {path:?}: {e}"));
            eprintln!("rewrote the generated section of docs/{}", page.path);
            continue;
        }
        problems.push(format!(
            "docs/{} is out of date with the schema of {} (`-` committed, `+` rendered now):\n{}",
            page.path,
            page.type_name,
            docs::line_diff(committed, &page.generated)
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\n\nRegenerate the marked sections with: {REGENERATE}",
        problems.join("\n\n")
    );
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Provider => "provider",
        Kind::Resource => "resource",
        Kind::DataSource => "data source",
    }
}

/// The `key:` lines of a page's YAML frontmatter, or `None` without frontmatter.
fn frontmatter_keys(text: &str) -> Option<Vec<String>> {
    let rest = text.strip_prefix("---\n")?;
    let (front, _) = rest.split_once("\n---\n")?;
    Some(
        front
            .lines()
            .filter(|l| !l.starts_with(' ') && l.contains(':'))
            .filter_map(|l| l.split(':').next())
            .map(str::to_string)
            .collect(),
    )
}

#[test]
fn every_type_and_guide_has_a_page_with_frontmatter() {
    let dir = docs_dir();
    let mut wanted: Vec<String> = pages().into_iter().map(|p| p.path).collect();
    wanted.extend(
        [
            "guides/module-per-vnet.md",
            "guides/hub-and-spoke.md",
            "guides/several-clusters.md",
            "guides/troubleshooting.md",
            "guides/getting-started.md",
        ]
        .map(String::from),
    );
    let mut problems = Vec::new();
    for rel in &wanted {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            problems.push(format!("docs/{rel} is missing"));
            continue;
        };
        match frontmatter_keys(&text) {
            None => problems.push(format!("docs/{rel} has no `---` frontmatter")),
            Some(keys) => {
                for k in ["page_title", "subcategory", "description"] {
                    if !keys.iter().any(|x| x == k) {
                        problems.push(format!("docs/{rel}: frontmatter lacks `{k}`"));
                    }
                }
            }
        }
    }
    // Pages for types the provider no longer registers.
    for sub in ["resources", "data-sources"] {
        for f in markdown_files(&dir.join(sub)) {
            let rel = f
                .strip_prefix(&dir)
                .expect("under docs/")
                .to_string_lossy()
                .replace('\\', "/");
            if !wanted.contains(&rel) {
                problems.push(format!(
                    "docs/{rel} documents a type the provider does not register: remove it"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The ```hcl blocks of a Markdown text, with the line each starts on.
fn hcl_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        match current.as_mut() {
            None if line.trim_end() == "```hcl" || line.trim_end() == "```terraform" => {
                current = Some((n + 2, String::new()));
            }
            None => {}
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(current.is_none(), "an ```hcl block is never closed");
    out
}

fn terraform_fmt(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new("terraform")
        .args(["fmt", "-no-color"])
        .args(args)
        .arg("-")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `terraform` ({e}): this test needs the terraform CLI on PATH to check the docs' HCL examples with `terraform fmt -check -`"
            )
        });
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("writing to terraform fmt");
    child.wait_with_output().expect("waiting for terraform fmt")
}

#[test]
fn hcl_examples_are_terraform_fmt_clean() {
    let dir = docs_dir();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("readable docs page");
        let rel = file.strip_prefix(&dir).expect("under docs/").display();
        for (line, block) in hcl_blocks(&text) {
            checked += 1;
            let out = terraform_fmt(&["-check"], &block);
            if out.status.success() {
                continue;
            }
            let formatted = terraform_fmt(&[], &block);
            problems.push(format!(
                "docs/{rel}, the hcl block at line {line} is not `terraform fmt`-clean ({}).\n{}{}",
                out.status,
                String::from_utf8_lossy(&formatted.stderr),
                if formatted.status.success() {
                    format!(
                        "Change (`-` in docs, `+` formatted):\n{}",
                        docs::line_diff(&block, &String::from_utf8_lossy(&formatted.stdout))
                    )
                } else {
                    String::new()
                }
            ));
        }
    }
    assert!(checked > 0, "no ```hcl blocks found under {dir:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn hcl_block_extraction_finds_each_fence() {
    let md = "text\n```hcl\na = 1\n```\n```bash\nls\n```\n```hcl\nb = 2\nc = 3\n```\n";
    assert_eq!(
        hcl_blocks(md),
        vec![
            (3, "a = 1\n".to_string()),
            (9, "b = 2\nc = 3\n".to_string())
        ]
    );
}

#[test]
fn fmt_check_rejects_misaligned_hcl() {
    // Guards the fmt test itself: a misaligned block must fail the check.
    assert!(
        !terraform_fmt(&["-check"], "a = 1\nbb = 2\n")
            .status
            .success()
    );
    assert!(
        terraform_fmt(&["-check"], "a  = 1\nbb = 2\n")
            .status
            .success()
    );
}

/// One `resource "astro_..."` or `data "astro_..."` block of an example: its kind, type, first
/// line, the names set at its top level (attributes and nested blocks), and the local name of
/// another provider its `provider =` names (Astronomer's own provider also makes `astro_*`
/// types; docs/guides/astronomer-provider.md uses both).
#[derive(Debug, PartialEq)]
struct ExampleBlock {
    kind: Kind,
    type_name: String,
    line: usize,
    names: Vec<String>,
    other_provider: Option<String>,
}

/// The astro blocks of an `terraform fmt`-clean HCL snippet (two-space indentation).
fn astro_blocks(hcl: &str) -> Vec<ExampleBlock> {
    let header = regex::Regex::new(r#"^(resource|data) "(astro_[a-z0-9_]+)" "[^"]+" \{$"#)
        .expect("valid regex");
    let member = regex::Regex::new(r"^  ([A-Za-z_][A-Za-z0-9_-]*)\s*(=|\{)").expect("valid regex");
    let provider =
        regex::Regex::new(r"^  provider\s*=\s*([A-Za-z_][A-Za-z0-9_-]*)").expect("valid regex");
    let mut out = Vec::new();
    let mut current: Option<ExampleBlock> = None;
    for (n, line) in hcl.lines().enumerate() {
        if let Some(block) = current.as_mut() {
            if line == "}" {
                out.extend(current.take());
            } else if let Some(c) = member.captures(line) {
                block.names.push(c[1].to_string());
                if let Some(p) = provider.captures(line).filter(|p| &p[1] != "astro") {
                    block.other_provider = Some(p[1].to_string());
                }
            }
        } else if let Some(c) = header.captures(line) {
            current = Some(ExampleBlock {
                kind: if &c[1] == "resource" {
                    Kind::Resource
                } else {
                    Kind::DataSource
                },
                type_name: c[2].to_string(),
                line: n,
                names: Vec::new(),
                other_provider: None,
            });
        }
    }
    out
}

/// References such as `astro_private_endpoint.agents.private_ip_address` or
/// `data.astro_private_endpoint_connection.x[0].status`: (kind, type, attribute).
fn astro_references(hcl: &str) -> Vec<(Kind, String, String)> {
    let re = regex::Regex::new(
        r"(data\.)?\b(astro_[a-z0-9_]+)\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]*\])?\.([a-z_][a-z0-9_]*)",
    )
    .expect("valid regex");
    re.captures_iter(hcl)
        .map(|c| {
            let kind = if c.get(1).is_some() {
                Kind::DataSource
            } else {
                Kind::Resource
            };
            (kind, c[2].to_string(), c[3].to_string())
        })
        .collect()
}

const META_ARGUMENTS: [&str; 6] = [
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
];

#[test]
fn hcl_examples_use_only_attributes_the_schemas_have() {
    let provider = AstroProvider::new();
    let schema_of = |kind: Kind, type_name: &str| {
        use astro_provider::framework::resource::Provider as _;
        match kind {
            Kind::Resource => provider
                .resources()
                .iter()
                .find(|r| r.type_name() == type_name)
                .map(|r| r.schema()),
            _ => provider
                .data_sources()
                .iter()
                .find(|d| d.type_name() == type_name)
                .map(|d| d.schema()),
        }
    };
    let dir = docs_dir();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("readable docs page");
        let rel = file.strip_prefix(&dir).expect("under docs/").display();
        for (start, hcl) in hcl_blocks(&text) {
            for b in astro_blocks(&hcl) {
                if b.other_provider.is_some() {
                    continue;
                }
                checked += 1;
                let at = format!("docs/{rel} line {}", start + b.line);
                let Some(schema) = schema_of(b.kind, &b.type_name) else {
                    problems.push(format!("{at}: no type {}", b.type_name));
                    continue;
                };
                let block = &schema.block;
                for name in &b.names {
                    let settable = block
                        .attribute(name)
                        .is_some_and(|a| a.required || a.optional);
                    let nested = block.blocks.iter().any(|nb| &nb.type_name == name);
                    if !settable && !nested && !META_ARGUMENTS.contains(&name.as_str()) {
                        problems.push(format!("{at}: {} has no argument `{name}`", b.type_name));
                    }
                }
                for a in block.attributes.iter().filter(|a| a.required) {
                    if !b.names.contains(&a.name) {
                        problems.push(format!(
                            "{at}: {} example lacks the required `{}`",
                            b.type_name, a.name
                        ));
                    }
                }
            }
            for (kind, type_name, attr) in astro_references(&hcl) {
                checked += 1;
                let known =
                    schema_of(kind, &type_name).is_some_and(|s| s.block.attribute(&attr).is_some());
                if !known {
                    problems.push(format!(
                        "docs/{rel} (block at line {start}): `{type_name}` has no attribute `{attr}`"
                    ));
                }
            }
        }
    }
    assert!(
        checked > 0,
        "no astro blocks or references found in the docs' HCL"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn example_parsing_finds_blocks_and_references() {
    let hcl = "resource \"astro_private_dns\" \"a\" {\n  cluster_id = \"x\"\n  timeouts {\n    create = \"1m\"\n  }\n}\n\noutput \"o\" {\n  value = data.astro_private_endpoint_connection.c[0].status\n}\n";
    assert_eq!(
        astro_blocks(hcl),
        vec![ExampleBlock {
            kind: Kind::Resource,
            type_name: "astro_private_dns".into(),
            line: 0,
            names: vec!["cluster_id".into(), "timeouts".into()],
            other_provider: None,
        }]
    );
    let theirs =
        "resource \"astro_workspace\" \"w\" {\n  provider = astronomer\n\n  name = \"w\"\n}\n";
    assert_eq!(
        astro_blocks(theirs)[0].other_provider.as_deref(),
        Some("astronomer")
    );
    assert_eq!(
        astro_references(hcl),
        vec![(
            Kind::DataSource,
            "astro_private_endpoint_connection".into(),
            "status".into()
        )]
    );
}

/// A heading's anchor as GitHub and the registry make it.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a page's headings (outside code fences).
fn anchors(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn relative_links_point_at_existing_pages_and_headings() {
    let link = regex::Regex::new(r"\]\(([^)\s:]*?)(?:#([^)\s]+))?\)").expect("valid regex");
    let dir = docs_dir();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("readable docs page");
        let rel = file.strip_prefix(&dir).expect("under docs/").display();
        for c in link.captures_iter(&text) {
            checked += 1;
            let target = if c[1].is_empty() {
                file.clone()
            } else {
                file.parent().expect("in a directory").join(&c[1])
            };
            let Ok(target_text) = std::fs::read_to_string(&target) else {
                problems.push(format!("docs/{rel}: link to missing {}", &c[1]));
                continue;
            };
            if let Some(anchor) = c.get(2)
                && !anchors(&target_text).iter().any(|a| a == anchor.as_str())
            {
                problems.push(format!(
                    "docs/{rel}: link to {}#{} names no heading there",
                    &c[1],
                    anchor.as_str()
                ));
            }
        }
    }
    assert!(checked > 0, "no relative links found under {dir:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The docs path of every page, relative to `docs/`.
fn rel_path(file: &Path) -> String {
    file.strip_prefix(docs_dir())
        .expect("under docs/")
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn examples_are_embedded_in_their_pages() {
    // tfplugindocs layout: each type's page embeds its files under examples/, verbatim.
    let mut problems = Vec::new();
    let required: Vec<(String, Vec<String>)> = pages()
        .into_iter()
        .map(|p| (p.path.clone(), docs::required_embeds(p.kind, &p.type_name)))
        .collect();
    for file in markdown_files(&docs_dir()) {
        let rel = rel_path(&file);
        let text = std::fs::read_to_string(&file).expect("readable docs page");
        let found = match docs::embeds(&text) {
            Ok(found) => found,
            Err(e) => {
                problems.push(format!("docs/{rel}: embed markers: {e}"));
                continue;
            }
        };
        for (_, wanted) in required.iter().filter(|(p, _)| *p == rel) {
            for path in wanted {
                if !repo_root().join(path).is_file() {
                    problems.push(format!("{path} is missing (docs/{rel} embeds it)"));
                }
                if !found.iter().any(|e| &e.path == path) {
                    problems.push(format!(
                        "docs/{rel} lacks `<!-- embed:{path} -->` ... `{}`",
                        docs::EMBED_END
                    ));
                }
            }
        }
        let render = |path: &str| {
            let content = std::fs::read_to_string(repo_root().join(path)).unwrap_or_default();
            docs::render_embed(path, &content)
        };
        let stale: Vec<&docs::Embed> = found
            .iter()
            .filter(|e| e.committed != render(&e.path))
            .collect();
        if stale.is_empty() {
            continue;
        }
        if update_mode() {
            let new = docs::splice_embeds(&text, render).expect("markers were just read");
            std::fs::write(&file, new).unwrap_or_else(|e| panic!("writing {file:?}: {e}"));
            eprintln!("rewrote the embedded examples of docs/{rel}");
            continue;
        }
        for e in stale {
            problems.push(format!(
                "docs/{rel}: the embed of {} differs from the file:\n{}",
                e.path,
                docs::line_diff(&e.committed, &render(&e.path))
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nRegenerate the embeds with: {REGENERATE}",
        problems.join("\n\n")
    );
}

#[test]
fn every_type_example_directory_names_a_registered_type() {
    let types: Vec<(Kind, String)> = pages().into_iter().map(|p| (p.kind, p.type_name)).collect();
    for (sub, kind) in [
        ("resources", Kind::Resource),
        ("data-sources", Kind::DataSource),
    ] {
        for entry in
            std::fs::read_dir(repo_root().join("examples").join(sub)).expect("examples dir")
        {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            assert!(
                types.contains(&(kind, name.clone())),
                "examples/{sub}/{name} names no {} the provider registers",
                kind_words(kind)
            );
        }
    }
}

#[test]
fn every_page_is_reachable_from_the_index_and_stays_in_the_registry_layout() {
    // The registry publishes index.md, resources/, data-sources/ and guides/ only, and readers
    // find pages by following links from index.md.
    let link = regex::Regex::new(r"\]\(([^)\s:#]+)(?:#[^)\s]*)?\)").expect("valid regex");
    let dir = docs_dir();
    let mut problems = Vec::new();
    let all: Vec<String> = markdown_files(&dir).iter().map(|f| rel_path(f)).collect();
    for rel in &all {
        let published = rel == "index.md"
            || ["resources/", "data-sources/", "guides/"]
                .iter()
                .any(|d| rel.starts_with(d) && !rel[d.len()..].contains('/'));
        if !published {
            problems.push(format!(
                "docs/{rel} is outside the registry layout (index.md, resources/, data-sources/, guides/)"
            ));
        }
    }
    let mut seen = vec!["index.md".to_string()];
    let mut todo = vec!["index.md".to_string()];
    while let Some(rel) = todo.pop() {
        let file = dir.join(&rel);
        let text = std::fs::read_to_string(&file).expect("readable docs page");
        for c in link.captures_iter(&text) {
            let target = file.parent().expect("in a directory").join(&c[1]);
            let Ok(target) = target.canonicalize() else {
                continue; // a missing target is relative_links_point_at_existing_pages' business
            };
            let Ok(target_rel) = target.strip_prefix(dir.canonicalize().expect("docs dir")) else {
                problems.push(format!("docs/{rel} links outside docs/: {}", &c[1]));
                continue;
            };
            let target_rel = target_rel.to_string_lossy().replace('\\', "/");
            if !seen.contains(&target_rel) {
                seen.push(target_rel.clone());
                todo.push(target_rel);
            }
        }
    }
    for rel in &all {
        if !seen.contains(rel) {
            problems.push(format!(
                "docs/{rel} is not reachable by links from docs/index.md"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
