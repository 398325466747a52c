//! Faults Azure really produces, driven through the real terraform: an endpoint whose
//! creation ends `Failed` (kept tainted, replaced next apply), a connection Astronomer
//! disconnected (replaced with a warning), and link writes and deletes that meet
//! `AnotherOperationInProgress` (retried until they go through). Each fault is injected by a
//! sandbox fault rule or rate, and each test checks that it was injected.

mod common;

use common::hcl::{self, PROVIDER};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values};
use serde_json::{Value as Json, json};

fn endpoint(sb: &TestSandbox) -> String {
    format!("{PROVIDER}{}", hcl::endpoint(sb, "pe", "astro-pl", ""))
}

fn dns(sb: &TestSandbox) -> String {
    format!(
        r#"provider "astro" {{}}

resource "astro_private_dns" "dns" {{
  resource_group_name = "rg-astro-dns"
  cluster_id          = "clfaults"
  zone_name           = "faults.astronomer.run"
  ip_address          = "10.10.1.4"
  virtual_network_ids = ["{vnet}"]
}}
"#,
        vnet = sb.var("ASTRO_SANDBOX_VNET_ID"),
    )
}

/// The instance object of `address` in the raw state file (it carries `status: tainted`).
fn instance(ws: &Workspace, address: &str) -> Json {
    let raw = std::fs::read_to_string(ws.dir().join("terraform.tfstate")).expect("state file");
    let state: Json = serde_json::from_str(&raw).expect("state JSON");
    let (ty, name) = address.split_once('.').expect("type.name");
    state["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["type"] == ty && r["name"] == name))
        .map(|r| r["instances"][0].clone())
        .unwrap_or_else(|| panic!("{address} not in state: {state}"))
}

fn provisioning_state(sb: &TestSandbox, id: &str) -> String {
    let (code, body) = sb.arm(
        reqwest::Method::GET,
        &format!("{id}?api-version=2025-01-01"),
        None,
    );
    assert_eq!(code, 200, "{body}");
    body["properties"]["provisioningState"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_endpoint_whose_creation_ends_failed_is_kept_tainted_and_replaced_by_the_next_apply() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&endpoint(&sb));
    ws.init();
    sb.set_faults(json!({"lro_failure_rate": 1.0}));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "apply must fail:\n{text}");
    assert!(text.contains("the operation ended Failed"), "{text}");

    // What Azure kept is in state, tainted, with its ID: nothing exists outside state.
    let kept = instance(&ws, "astro_private_endpoint.pe");
    assert_eq!(kept["status"], "tainted", "{kept}");
    let id = kept["attributes"]["id"].as_str().expect("id").to_string();
    assert_eq!(provisioning_state(&sb, &id), "Failed");
    let pes: Vec<String> = sb
        .resources()
        .into_iter()
        .filter(|r| r.contains("/privateEndpoints/"))
        .collect();
    assert_eq!(pes.len(), 1, "{pes:?}");
    assert!(pes[0].eq_ignore_ascii_case(&id), "{pes:?} vs {id}");

    sb.set_faults(json!({}));
    let (code, plan) = ws.plan_exit();
    assert_eq!(code, 2, "{plan}");
    let plan = flat(&plan);
    assert!(
        plan.contains("is tainted, so must be replaced"),
        "the next plan replaces it:\n{plan}"
    );
    sb.clear_requests();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(sb.count("DELETE privateEndpoints"), 1, "{}", sb.summary());
    assert_eq!(provisioning_state(&sb, &id), "Succeeded");
    assert_eq!(
        instance(&ws, "astro_private_endpoint.pe")["status"],
        Json::Null
    );
    ws.assert_clean_plan("after replacing the failed endpoint");
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sb.resources().is_empty(), "{:?}", sb.resources());
}

#[test]
fn a_disconnected_connection_is_replaced_with_a_warning_saying_why() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&endpoint(&sb));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.pe");
    let id = pe["id"].as_str().expect("id").to_string();
    assert_eq!(pe["connection_closed"], false);
    sb.approve(&id, "Disconnected", "Removed by Astronomer support");

    let (code, text) = ws.plan_exit();
    let text = flat(&text);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("must be replaced"), "{text}");
    assert!(
        text.contains("will be replaced: its connection is Disconnected"),
        "the warning says why:\n{text}"
    );
    assert!(text.contains("Removed by Astronomer support"), "{text}");

    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.pe");
    assert_eq!(pe["connection_closed"], false, "a new request: {pe}");
    ws.assert_clean_plan("after replacing the disconnected endpoint");
}

#[test]
fn link_writes_and_deletes_meeting_another_operation_in_progress_are_retried() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.set_env("TF_LOG_PROVIDER", "INFO");
    ws.write_config(&dns(&sb));
    ws.init();
    let busy = |method: &str, n: u32| {
        json!({"method": method, "resource_type": "virtualNetworkLinks", "status": 409,
               "code": "AnotherOperationInProgress", "count": n})
    };
    sb.set_faults(json!({"rules": [busy("PUT", 2)]}));
    let log = ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let retries: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("AnotherOperationInProgress") && l.contains("retrying in"))
        .collect();
    assert_eq!(retries.len(), 2, "each retry is logged at INFO:\n{log}");
    assert_eq!(
        sb.fault_count("PUT virtualNetworkLinks 409 AnotherOperationInProgress"),
        2,
        "{}",
        sb.summary()
    );
    assert_eq!(
        sb.resources()
            .iter()
            .filter(|r| r.contains("/virtualNetworkLinks/"))
            .count(),
        1
    );
    ws.assert_clean_plan("after the retried link write");

    sb.set_faults(json!({"rules": [busy("DELETE", 2)]}));
    sb.clear_requests();
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(
        sb.fault_count("DELETE virtualNetworkLinks 409 AnotherOperationInProgress"),
        2,
        "{}",
        sb.summary()
    );
    assert!(sb.resources().is_empty(), "{:?}", sb.resources());
}

#[test]
fn creates_whose_answers_were_lost_are_adopted_not_orphaned() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&dns(&sb));
    ws.init();
    // The zone and the record are written create-only (If-None-Match: *): the retry after the
    // lost answer meets the object the first try made, and gets 412.
    let lost = |resource_type: &str| json!({"method": "PUT", "resource_type": resource_type, "count": 1, "lost_response": true});
    sb.set_faults(json!({"rules": [lost("privateDnsZones"), lost("A")]}));
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(
        sb.fault_count("PUT privateDnsZones lost_response"),
        1,
        "{}",
        sb.summary()
    );
    assert_eq!(sb.fault_count("PUT A lost_response"), 1, "{}", sb.summary());
    assert!(
        sb.count("PUT A") >= 2,
        "the record PUT was retried: {}",
        sb.summary()
    );

    let state = ws.state_json();
    let unit = resource_values(&state, "astro_private_dns.dns");
    let in_state: Vec<String> = [&unit["id"], &unit["zone_id"]]
        .iter()
        .filter_map(|v| v.as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    let resources = sb.resources();
    for kind in ["/privateDnsZones/faults.astronomer.run", "/A/clfaults"] {
        let found: Vec<&String> = resources
            .iter()
            .filter(|r| r.to_ascii_lowercase().ends_with(&kind.to_ascii_lowercase()))
            .collect();
        assert_eq!(found.len(), 1, "{kind}: {resources:#?}");
        assert!(
            in_state.contains(&found[0].to_ascii_lowercase()),
            "{} is in state: {in_state:?}",
            found[0]
        );
    }
    ws.assert_clean_plan("after adopting the lost creates");
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sb.resources().is_empty(), "{:?}", sb.resources());
}

#[test]
fn a_link_that_stays_busy_fails_at_the_deadline_and_loses_nothing() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let config = dns(&sb).replace(
        "  virtual_network_ids = [",
        // Long enough that the zone and the record are made first even on a loaded machine
        // (the test is about what the deadline does to the busy link, not about the zone).
        "  timeouts {\n    create = \"20s\"\n  }\n  virtual_network_ids = [",
    );
    ws.write_config(&config);
    ws.init();
    sb.set_faults(
        json!({"rules": [{"method": "PUT", "resource_type": "virtualNetworkLinks",
        "status": 409, "code": "AnotherOperationInProgress", "count": 100000}]}),
    );
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(
        !out.status.success(),
        "the link never goes through:\n{text}"
    );
    assert!(text.contains("AnotherOperationInProgress"), "{text}");
    assert!(
        text.contains("Another operation on the same objects is still running"),
        "the hint says what to do:\n{text}"
    );
    let tries = sb.fault_count("PUT virtualNetworkLinks 409 AnotherOperationInProgress");
    assert!(tries > 1, "retried until the deadline: {}", sb.summary());

    // What was made is in state; the next apply finishes the job.
    let kept = instance(&ws, "astro_private_dns.dns");
    assert!(kept["attributes"]["id"].is_string(), "{kept}");
    sb.set_faults(json!({}));
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    ws.assert_clean_plan("after the busy link cleared");
    let resources = sb.resources();
    assert_eq!(resources.len(), 3, "zone, record, link: {resources:#?}");
}
