//! The shell session in docs/sandbox.md works as written: this test runs that code block with
//! bash from the repository root and checks it printed what the page says it prints.

use std::path::Path;
use std::process::Command;

/// The first ```bash block after `heading` in `page`.
fn bash_block<'a>(page: &'a str, heading: &str) -> &'a str {
    let from = page
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} not in the page"));
    let rest = &page[from..];
    let start = rest.find("```bash\n").expect("a bash block") + "```bash\n".len();
    let len = rest[start..].find("\n```").expect("end of the bash block");
    &rest[start..start + len]
}

#[test]
fn the_documented_sandbox_session_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/sandbox.md")).expect("docs/sandbox.md");
    let script = bash_block(&page, "## A session, step by step");
    // The session finds the binary under ${CARGO_TARGET_DIR:-target}: point it at this build.
    let bin = Path::new(env!("CARGO_BIN_EXE_astro-azure-sandbox"));
    let target_dir = bin.parent().and_then(Path::parent).expect("target dir");
    for tool in ["bash", "curl", "jq"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .status()
            .is_ok_and(|s| s.success());
        assert!(found, "the documented session needs {tool} on PATH");
    }
    let out = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", script])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the session failed:\n{stdout}\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    for expected in [
        "Updating",
        "operation: Succeeded",
        r#"{"state":"Succeeded","connection":{"status":"Pending","description":"Awaiting approval","actionsRequired":"None"}}"#,
        r#"{"status":"Approved","description":"Approved by Astronomer","actionsRequired":"None"}"#,
        "Approved",
        "clxyz.external.astronomer.run.",
    ] {
        assert!(
            lines.contains(&expected),
            "missing line {expected:?} in:\n{stdout}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("sandbox ready at https://127.0.0.1:")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("private IP: 10.10.1.")),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#""http":"404 page not found""#),
        "{stdout}"
    );
}
