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
            "guides/troubleshooting.md",
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
