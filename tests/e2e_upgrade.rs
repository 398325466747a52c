//! Upgrade safety: a state written by every released schema version plans clean with this
//! build. tests/fixtures/upgrade/<release>/ holds the configuration, the state that release
//! wrote, and the ARM PUTs that recreate its Azure objects (see the README there).

mod common;

use std::path::{Path, PathBuf};

use common::Workspace;
use common::sandbox::TestSandbox;
use reqwest::Method;
use serde_json::{Value as Json, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

/// Recreates the release's Azure objects in `sb` and returns the endpoint's NIC ID.
fn recreate(sb: &TestSandbox, dir: &Path) -> String {
    let puts: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("azure.json")).expect("azure.json"))
            .expect("azure.json is JSON");
    let mut nic = None;
    for put in puts {
        let path = put["path"].as_str().expect("path");
        let (code, body) = sb.arm(Method::PUT, path, Some(put["body"].clone()));
        assert!(code < 300, "PUT {path}: {code} {body}");
        let (code, got) = sb.arm(Method::GET, path, None);
        assert_eq!(code, 200, "GET {path}: {got}");
        if let Some(id) = got["properties"]["networkInterfaces"][0]["id"].as_str() {
            nic = Some(id.to_string());
        }
    }
    nic.expect("the fixture makes a private endpoint")
}

fn plans_clean(release: &str) {
    let dir = fixtures().join(release);
    let sb = TestSandbox::start();
    // One poll per operation is enough; with 0 the first GET is final.
    sb.set_faults(json!({"lro_polls": 0}));
    let nic = recreate(&sb, &dir);
    sb.set_faults(json!({}));
    let ws = Workspace::with_sandbox(&sb);
    std::fs::copy(dir.join("main.tf"), ws.dir().join("main.tf")).expect("copy main.tf");
    let state = std::fs::read_to_string(dir.join("terraform.tfstate"))
        .expect("terraform.tfstate")
        .replace("{{network_interface_id}}", &nic);
    std::fs::write(ws.dir().join("terraform.tfstate"), state).expect("write state");
    ws.init();
    sb.clear_requests();
    ws.assert_clean_plan(&format!("state written by {release}"));
    let writes: u64 = ["PUT", "PATCH", "DELETE"]
        .iter()
        .map(|m| sb.summary()["by_method"][m].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(writes, 0, "planning must not write: {}", sb.summary());
}

#[test]
fn every_released_schema_version_has_a_fixture() {
    let mut releases: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/upgrade")
        .filter_map(|e| {
            let e = e.expect("entry");
            e.file_type()
                .expect("file type")
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    releases.sort();
    // Add the new release's directory here (and a test below) when a schema changes.
    assert_eq!(releases, ["v0.1.0"]);
}

#[test]
fn state_written_by_0_1_0_plans_clean() {
    plans_clean("v0.1.0");
}

#[test]
fn state_written_by_this_build_is_at_the_current_schema_version_and_plans_clean() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&common::hcl::basic(&sb));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let state: Json = serde_json::from_str(
        &std::fs::read_to_string(ws.dir().join("terraform.tfstate")).expect("state"),
    )
    .expect("state JSON");
    let endpoint = state["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type"] == "astro_private_endpoint"))
        .expect("the endpoint in state");
    assert_eq!(endpoint["instances"][0]["schema_version"], 1, "{endpoint}");
    assert_eq!(
        endpoint["instances"][0]["attributes"]["connection_closed"],
        false
    );
    assert!(
        endpoint["instances"][0]["attributes"]
            .get("connection_status")
            .is_none()
    );
    ws.assert_clean_plan("state written by this build");
}
