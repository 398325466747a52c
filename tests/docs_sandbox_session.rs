//! The sandbox shell sessions in SANDBOX.md and README.md work as written: each code
//! block runs with bash from the repository root and must print what the page says.

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

/// Runs the session under `heading` of `page_path`; returns its standard output.
fn run_session(page_path: &str, heading: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join(page_path)).expect(page_path);
    let script = bash_block(&page, heading);
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
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the session in {page_path} failed:\n{stdout}\n{stderr}"
    );
    stdout
}

/// The lines both sessions print in their endpoint and approval steps.
fn assert_endpoint_and_approval(stdout: &str) {
    let lines: Vec<&str> = stdout.lines().collect();
    for expected in [
        "Updating",
        "operation: Succeeded",
        r#"{"state":"Succeeded","connection":{"status":"Pending","description":"Awaiting approval","actionsRequired":"None"}}"#,
        r#"{"status":"Approved","description":"Approved by Astronomer","actionsRequired":"None"}"#,
        "Approved",
    ] {
        assert!(
            lines.contains(&expected),
            "missing line {expected:?} in:\n{stdout}"
        );
    }
    let ready = lines
        .iter()
        .any(|l| l.starts_with("sandbox ready at https://127.0.0.1:"));
    assert!(ready, "{stdout}");
    assert!(
        lines.iter().any(|l| l.starts_with("private IP: 10.10.1.")),
        "{stdout}"
    );
}

#[test]
fn the_sandbox_sessions_in_the_readme_and_docs_run_as_written() {
    // One after the other: both use the repository's .sandbox directory.
    let readme = run_session("README.md", "### A session");
    assert_endpoint_and_approval(&readme);
    let docs = run_session("SANDBOX.md", "## A session, step by step");
    assert_endpoint_and_approval(&docs);
    assert!(
        docs.lines().any(|l| l == "clxyz.external.astronomer.run."),
        "{docs}"
    );
    assert!(docs.contains(r#""http":"404 page not found""#), "{docs}");
}
