//! The `astro-azure-sandbox` binary: `serve` writes ca.pem and env, prints the env lines and
//! the ready line, serves HTTPS that a client trusting only that CA accepts, and exits
//! cleanly on SIGTERM; `--help` prints usage.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_astro-azure-sandbox");

#[test]
fn help_prints_usage() {
    let output = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("serve [--port N] [--seed FILE] [--state-dir DIR]"),
        "{text}"
    );
    let bad = Command::new(BIN)
        .arg("serve")
        .arg("--port")
        .arg("x")
        .output()
        .expect("run");
    assert!(!bad.status.success());
}

#[tokio::test]
async fn serve_writes_env_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--state-dir"])
        .arg(&state)
        .env_remove("SSL_CERT_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sandbox");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            let done = line.starts_with("sandbox ready at ");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    });
    let lines = tokio::time::timeout(Duration::from_secs(30), lines)
        .await
        .expect("ready in time")
        .expect("join");
    let ready = lines.last().expect("ready line").clone();
    let endpoint = ready.trim_start_matches("sandbox ready at ").to_string();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{ready}");

    // env file == printed lines; keys as documented.
    let env_text = std::fs::read_to_string(state.join("env")).expect("env file");
    let printed: Vec<&str> = lines[..lines.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(env_text.lines().collect::<Vec<_>>(), printed);
    let vars: HashMap<String, String> = env_text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('\'').to_string()))
        .collect();
    assert_eq!(
        vars["ARM_RESOURCE_MANAGER_ENDPOINT"],
        format!("{endpoint}/")
    );
    assert_eq!(vars["AZURE_AUTHORITY_HOST"], format!("{endpoint}/"));
    assert_eq!(vars["ARM_USE_CLI"], "false");
    let ca_path = std::path::PathBuf::from(&vars["SSL_CERT_FILE"]);
    assert!(ca_path.is_absolute());
    for key in [
        "ARM_SUBSCRIPTION_ID",
        "ARM_TENANT_ID",
        "ARM_CLIENT_ID",
        "ARM_CLIENT_SECRET",
        "ASTRO_SANDBOX_PLS_ALIAS",
        "ASTRO_SANDBOX_PLS_ID",
        "ASTRO_SANDBOX_SUBNET_ID",
        "ASTRO_SANDBOX_VNET_ID",
    ] {
        assert!(vars.get(key).is_some_and(|v| !v.is_empty()), "{key}");
    }

    // A client trusting only ca.pem gets through; one trusting nothing does not.
    let ca = std::fs::read_to_string(&ca_path).expect("ca.pem");
    let client = common::sandbox_env::client_for(&ca);
    let health = client
        .get(format!("{endpoint}/_sandbox/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let other_ca = astro_provider::sandbox::tls::generate()
        .expect("other CA")
        .ca_pem;
    let untrusting = common::sandbox_env::client_for(&other_ca);
    assert!(
        untrusting
            .get(format!("{endpoint}/_sandbox/health"))
            .send()
            .await
            .is_err()
    );

    let pid = child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
}
