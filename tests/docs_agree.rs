//! The pages agree with each other and with what the install provides: one minimum Terraform
//! version across README.md, docs/ and every example's `required_version`; shell blocks run
//! only commands a user has (Terraform, the Makefile's targets, common tools, the Azure CLI),
//! never this repository's binaries as if `make install` had put them on PATH; and no page
//! but the data source's own recommends its `wait_for_status` without warning that it
//! blocks every plan (apply-time approval is `astro_private_endpoint_approval`'s).

use std::path::{Path, PathBuf};

use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files under `dir` whose name ends with `ext`, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {d:?}: {e}")) {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The pages users read: README.md and every page under docs/.
fn pages() -> Vec<(String, String)> {
    let mut paths = vec![root().join("README.md")];
    paths.extend(files(&root().join("docs"), ".md"));
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable page");
            (rel(&p), text)
        })
        .collect()
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

// ---- one minimum version -------------------------------------------------------------------

/// Every statement of the supported minimum Terraform version in `text` (major.minor):
/// "Terraform 1.11 or later", "Terraform (1.11+)", "Terraform 1.11+" and
/// `required_version = ">= 1.11.0"`. Feature floors are worded otherwise ("`removed` blocks
/// need Terraform 1.7").
fn minimum_versions(text: &str) -> Vec<String> {
    let patterns = [
        r"Terraform\s+v?(\d+\.\d+)(?:\.\d+)?\s+or\s+later",
        r"Terraform\s+\(v?(\d+\.\d+)(?:\.\d+)?\+\)",
        r"Terraform\s+v?(\d+\.\d+)(?:\.\d+)?\+",
        r#"required_version\s*=\s*">=\s*(\d+\.\d+)"#,
    ];
    let mut out = Vec::new();
    for p in patterns {
        let re = Regex::new(p).expect("valid regex");
        out.extend(re.captures_iter(text).map(|c| c[1].to_string()));
    }
    out
}

/// `(where, version)` for every statement that differs from the first one found.
fn disagreements(sources: &[(String, String)]) -> (Option<String>, Vec<String>) {
    let mut floor: Option<(String, String)> = None;
    let mut problems = Vec::new();
    for (name, text) in sources {
        for v in minimum_versions(text) {
            match &floor {
                None => floor = Some((name.clone(), v)),
                Some((first, f)) if *f != v => {
                    problems.push(format!("{name} states Terraform {v}, {first} states {f}"))
                }
                Some(_) => {}
            }
        }
    }
    (floor.map(|(_, v)| v), problems)
}

#[test]
fn every_page_and_example_states_the_same_minimum_terraform_version() {
    let mut sources = pages();
    let examples = files(&root().join("examples"), ".tf");
    for f in &examples {
        sources.push((
            rel(f),
            std::fs::read_to_string(f).expect("readable example"),
        ));
    }
    let (floor, problems) = disagreements(&sources);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        floor.as_deref(),
        Some("1.11"),
        "the floor the e2e tests run (1.11.4)"
    );
    for (name, text) in &sources {
        let needs = name == "README.md" || name == "docs/index.md" || name.ends_with("versions.tf");
        assert!(
            !needs || !minimum_versions(text).is_empty(),
            "{name} states no minimum Terraform version"
        );
    }
}

#[test]
fn version_statements_are_found_and_a_disagreement_is_named() {
    assert_eq!(
        minimum_versions(
            "Terraform 1.0 or later; Terraform (1.11+); required_version = \">= 1.5.0\""
        ),
        ["1.0", "1.11", "1.5"]
    );
    assert!(minimum_versions("`removed` blocks need Terraform 1.7").is_empty());
    let (_, problems) = disagreements(&[
        ("README.md".into(), "Terraform (1.11+)".into()),
        ("docs/index.md".into(), "Terraform 1.0 or later".into()),
    ]);
    assert_eq!(
        problems,
        ["docs/index.md states Terraform 1.0, README.md states 1.11"]
    );
}

// ---- commands the install provides ---------------------------------------------------------

/// Commands a page may run: Terraform, build tools, the Azure and Kubernetes CLIs, shell
/// built-ins and common tools.
const KNOWN: &[&str] = &[
    "terraform",
    "make",
    "cargo",
    "git",
    "az",
    "kubectl",
    "helm",
    "curl",
    "jq",
    "nslookup",
    "dig",
    "gpg",
    "sha256sum",
    "shasum",
    "unzip",
    "openssl",
    "base64",
    "ssh",
    "cd",
    "ls",
    "cat",
    "echo",
    "printf",
    "grep",
    "sed",
    "awk",
    "tail",
    "head",
    "rm",
    "mkdir",
    "cp",
    "mv",
    "chmod",
    "sleep",
    "kill",
    "wait",
    "source",
    ".",
    "export",
    "set",
    "test",
    "true",
    "false",
    "for",
    "do",
    "done",
    "if",
    "then",
    "else",
    "fi",
    "while",
    "until",
    "case",
    "esac",
    "break",
    "continue",
    "seq",
    "read",
    "tee",
    "wc",
    "sort",
    "xargs",
    "env",
    "exit",
    "trap",
    "date",
    "cut",
    "tr",
    "[",
    "[[",
    "uniq",
    "touch",
    "find",
    "diff",
    "bash",
    "sh",
];

/// Binaries of this repository: run from where the build puts them, never from PATH.
const OURS: [&str; 2] = ["astro-azure-sandbox", "terraform-provider-astro"];

/// The Makefile's targets.
fn make_targets() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("Makefile")).expect("Makefile");
    let re = Regex::new(r"(?m)^([a-z][a-z0-9_-]*):").expect("valid regex");
    re.captures_iter(&text).map(|c| c[1].to_string()).collect()
}

/// The shell blocks (```shell, ```bash, ```sh) of a page.
fn shell_blocks(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        let lang = line.trim_start().strip_prefix("```").unwrap_or("-");
        if ["shell", "bash", "sh", "console"].contains(&lang) {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| l.trim_start() != "```")
                .collect();
            out.push(body.join("\n"));
        }
    }
    out
}

/// The block with every quoted string replaced by `Q` (quotes may span lines) and every
/// here-document body left out, so that only the shell's own words remain.
fn skeleton(block: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = block.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push('Q');
            }
            (None, '\n') => lines.push(std::mem::take(&mut current)),
            // A comment runs to the end of the line (an apostrophe in it opens no quote).
            (None, '#') if current.is_empty() || current.ends_with(char::is_whitespace) => {
                while chars.next_if(|c| *c != '\n').is_some() {}
            }
            (None, c) => current.push(c),
        }
    }
    lines.push(current);
    let mut out = Vec::new();
    let mut heredoc: Option<String> = None;
    for line in lines {
        if let Some(end) = &heredoc {
            if line.trim() == end || line.trim() == "Q" {
                heredoc = None;
            }
            continue;
        }
        if let Some(i) = line.find("<<") {
            let word = line[i + 2..]
                .trim_start_matches('-')
                .split_whitespace()
                .next();
            heredoc = word.map(str::to_string);
        }
        out.push(line);
    }
    out
}

/// The commands a shell block runs: the first word of each simple command (after variable
/// assignments), skipping continuation lines, comments and words that are paths or
/// variables (a binary run from where the build put it). Each comes with the word after it
/// and its line.
fn commands(block: &str) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    let mut continued = false;
    let split = Regex::new(r"\|\||&&|[|;&(]|\$\(|\bthen\b|\bdo\b|\belse\b").expect("valid regex");
    let redirect = Regex::new(r"\d*[<>]+&?\d*|&>").expect("valid regex");
    let assignment = Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*=").expect("valid regex");
    for raw in skeleton(block) {
        let line = raw.trim();
        let was_continued = continued;
        continued = line.ends_with('\\');
        if was_continued || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.split(" #").next().unwrap_or_default();
        let bare = redirect.replace_all(line, " > ");
        for part in split.split(&bare) {
            let mut words = part
                .split_whitespace()
                .skip_while(|w| *w == "!" || assignment.is_match(w));
            let Some(word) = words.next() else { continue };
            if word.starts_with('$')
                || word.starts_with('Q')
                || word.contains('/')
                || [">", "{", "}", ")", "]]"].contains(&word)
            {
                continue;
            }
            out.push((
                word.to_string(),
                words.next().map(str::to_string),
                line.to_string(),
            ));
        }
    }
    out
}

/// What is wrong with the commands of `page`'s shell blocks.
fn command_problems(name: &str, page: &str, targets: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for block in shell_blocks(page) {
        for (cmd, arg, line) in commands(&block) {
            if OURS.contains(&cmd.as_str()) {
                problems.push(format!(
                    "{name} runs `{cmd}` from PATH, where no install puts it (run it from the build: `cargo run --bin {cmd}` or its target path)"
                ));
            } else if cmd == "make" {
                let t = arg.unwrap_or_default();
                if !targets.contains(&t) {
                    problems.push(format!(
                        "{name} runs `make {t}`, which the Makefile does not define"
                    ));
                }
            } else if !KNOWN.contains(&cmd.as_str()) {
                problems.push(format!(
                    "{name} runs `{cmd}`, which neither the install nor a usual system provides: {line}"
                ));
            }
        }
    }
    problems
}

#[test]
fn shell_blocks_run_only_commands_the_install_provides() {
    let targets = make_targets();
    let problems: Vec<String> = pages()
        .iter()
        .flat_map(|(name, text)| command_problems(name, text, &targets))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_bare_sandbox_binary_or_an_unknown_make_target_is_named() {
    let targets = make_targets();
    let page = "```shell\nastro-azure-sandbox serve --port 0 &\nmake installl\nSANDBOX_BIN=target/release/astro-azure-sandbox\n\"$SANDBOX_BIN\" serve\nterraform init  # fine\n```\n";
    let problems = command_problems("docs/x.md", page, &targets);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("`astro-azure-sandbox` from PATH"),
        "{problems:?}"
    );
    assert!(problems[1].contains("`make installl`"), "{problems:?}");
}

// ---- waiting for approval ------------------------------------------------------------------

/// Paragraphs (and table rows) that name the data source's `wait_for_status` without
/// warning that a data source is read during every plan.
fn wait_recommendations(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        // Table rows and list items are units of their own.
        let mut units: Vec<String> = Vec::new();
        for line in para.lines() {
            let t = line.trim_start();
            let starts_unit = t.starts_with('|') || t.starts_with("* ") || t.starts_with("- ");
            match units.last_mut() {
                Some(last) if !starts_unit => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ => units.push(line.to_string()),
            }
        }
        for unit in units {
            let plain = unit.replace(['*', '`', '\n'], " ").to_lowercase();
            let plain = plain.split_whitespace().collect::<Vec<_>>().join(" ");
            if plain.contains("wait_for_status")
                && !plain.contains("every plan")
                && !plain.contains("every terraform plan")
            {
                out.push(plain);
            }
        }
    }
    out
}

#[test]
fn no_page_recommends_the_data_sources_wait_for_apply_time_approval() {
    let own = "docs/data-sources/private_endpoint_connection.md";
    let mut problems = Vec::new();
    for (name, text) in pages().iter().filter(|(n, _)| n != own) {
        for p in wait_recommendations(text) {
            problems.push(format!(
                "{name} names wait_for_status without saying that it blocks every plan (recommend astro_private_endpoint_approval): {p}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_recommendation_of_wait_for_status_is_found() {
    let bad = "To wait, use the data source with `wait_for_status = \"Approved\"`.";
    assert_eq!(wait_recommendations(bad).len(), 1);
    // A warning in another item of the same list does not cover it.
    let list = "* `connection_status` is refreshed on every plan.\n* To wait, use the data source\n  with `wait_for_status`.";
    assert_eq!(wait_recommendations(list).len(), 1);
    let ok = "Its `wait_for_status` waits during **every**\n`terraform plan`: use `astro_private_endpoint_approval`.";
    assert!(wait_recommendations(ok).is_empty());
}
