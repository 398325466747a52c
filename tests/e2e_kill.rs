//! Crash safety end to end: the provider is killed (SIGKILL) in the middle of a create. The
//! next apply must either finish or stop with the `terraform import` command naming the
//! endpoint that exists in Azure but not in state; after that import the plan is empty, and
//! Azure holds nothing that the state does not account for.

mod common;

use common::hcl::{self, PROVIDER};
use common::kill::{provider_child, sigkill};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values, wait};
use serde_json::json;

const NAME: &str = "astro-killed";

fn config(sb: &TestSandbox) -> String {
    format!("{PROVIDER}{}", hcl::endpoint(sb, "pe", NAME, ""))
}

/// Plays Azure finishing the create that the killed provider was polling: the sandbox
/// advances operations only when polled, real ARM finishes them on its own.
fn finish_orphaned_operation(sb: &TestSandbox) {
    let op = sb
        .requests()
        .iter()
        .rev()
        .find(|e| e["resource_type"] == "operations")
        .and_then(|e| e["path"].as_str().map(String::from))
        .expect("the killed provider was polling an operation");
    wait::until_true("the orphaned operation to finish", || {
        let (code, body) = sb.arm(
            reqwest::Method::GET,
            &format!("{op}?api-version=2025-01-01"),
            None,
        );
        code == 200 && body["status"] != "InProgress"
    });
}

#[test]
fn provider_killed_mid_create_leaves_an_import_hint_and_nothing_orphaned() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb));
    ws.init();
    // A create that stays in flight: the LRO needs many polls, one a second.
    sb.set_faults(json!({"lro_polls": 30, "retry_after_secs": 1}));
    sb.clear_requests();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let terraform = child.id();
    wait::until_true("the PUT to reach Azure and a first poll", || {
        sb.count("PUT privateEndpoints") >= 1 && sb.count("GET operations") >= 1
    });
    let provider = provider_child(terraform).expect("terraform runs the provider as its child");
    sigkill(provider);
    let out = child.wait_with_output().expect("terraform apply");
    assert!(
        !out.status.success(),
        "the apply whose provider was killed must fail:\n{}",
        both(&out)
    );
    assert_eq!(
        sb.count("DELETE privateEndpoints"),
        0,
        "nothing may be deleted behind the user's back"
    );

    // Azure goes on without the provider; from here on operations finish at once.
    sb.set_faults(json!({}));
    finish_orphaned_operation(&sb);
    let created: Vec<String> = sb.resources();
    let pe_id = created
        .iter()
        .find(|r| r.contains("/privateEndpoints/"))
        .cloned()
        .expect("the killed create had reached Azure");

    let again = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&again));
    if again.status.success() {
        // Completing is allowed: the endpoint must then be the one already in Azure.
        eprintln!("the second apply completed");
        let state = ws.state_json();
        assert_eq!(
            resource_values(&state, "astro_private_endpoint.pe")["id"],
            pe_id.as_str()
        );
    } else {
        assert!(
            text.contains("already exists in Azure")
                && text.contains(&format!(
                    "terraform import astro_private_endpoint.<name> {pe_id}"
                )),
            "the failure must give the import command for {pe_id}:\n{text}"
        );
        eprintln!("the second apply stopped with the import command");
        ws.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "astro_private_endpoint.pe",
            &pe_id,
        ]);
    }

    ws.assert_clean_plan("after adopting the endpoint the plan is empty");

    // Nothing in Azure that the state does not account for: the endpoint, its NIC and the
    // connection request on Astronomer's service.
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.pe");
    assert_eq!(pe["id"], pe_id.as_str());
    let nic = pe["network_interface_id"]
        .as_str()
        .expect("NIC id in state");
    let remaining = sb.resources();
    let orphans: Vec<&String> = remaining
        .iter()
        .filter(|r| {
            !(r.eq_ignore_ascii_case(&pe_id)
                || r.eq_ignore_ascii_case(nic)
                || r.contains("/privateLinkServices/") && r.contains(NAME))
        })
        .collect();
    assert!(orphans.is_empty(), "objects outside state: {orphans:#?}");
    assert_eq!(
        remaining.len(),
        3,
        "endpoint, NIC, connection: {remaining:#?}"
    );

    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(
        sb.resources().is_empty(),
        "destroy removes all: {:#?}",
        sb.resources()
    );
}
