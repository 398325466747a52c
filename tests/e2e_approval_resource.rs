//! End-to-end tests of `astro_private_endpoint_approval`, the waiter resource: apply waits in
//! its Create until Astronomer approves; while the connection is Pending a plan returns at
//! once and shows the wait as a create; a rejection fails fast with the approver's message
//! and the next plan replaces the endpoint and waits again; a refresh that finds the
//! connection no longer Approved drops the approval from state with a warning; import by the
//! endpoint's ID plans clean.

mod common;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use common::hcl::{self, PROVIDER};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values, wait};
use serde_json::json;

/// The message the approval resource logs at INFO on every poll while it waits.
const WAITING: &str = "waiting for Astronomer to approve the private endpoint connection";

fn endpoint(sb: &TestSandbox) -> String {
    let endpoint = hcl::endpoint(
        sb,
        "agents",
        "astro-privatelink",
        "  request_message            = \"Astro cluster clxxxxxxxxx\"\n",
    );
    format!("{PROVIDER}{endpoint}")
}

/// The endpoint and its approval; `create_timeout` adds a `timeouts` block.
fn config(sb: &TestSandbox, create_timeout: Option<&str>) -> String {
    let timeouts = create_timeout
        .map(|t| format!("\n  timeouts {{\n    create = \"{t}\"\n  }}\n"))
        .unwrap_or_default();
    format!(
        r#"{}
resource "astro_private_endpoint_approval" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id{timeouts}
}}

output "status" {{
  value = astro_private_endpoint_approval.astro.status
}}

output "description" {{
  value = astro_private_endpoint_approval.astro.description
}}
"#,
        endpoint(sb)
    )
}

fn pe_id(sb: &TestSandbox) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink",
        sb.var("ARM_SUBSCRIPTION_ID")
    )
}

/// Sends the provider's INFO lines to a file of their own, so a test can wait for one.
fn log_to(ws: &mut Workspace, name: &str) -> PathBuf {
    let path = ws.tmp.path().join(name);
    ws.set_env("TF_LOG_PROVIDER", "INFO");
    ws.set_env("TF_LOG_PATH", &path.display().to_string());
    path
}

/// Waits until `log` holds `needle` `times` times (the event the test acts on), failing early
/// if terraform already exited.
fn wait_for_log(log: &Path, needle: &str, times: usize, child: &mut Child) {
    wait::until_true(&format!("{needle:?} in the provider log"), || {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Ok(Some(status)) = child.try_wait() {
            assert!(
                text.matches(needle).count() >= times,
                "terraform exited ({status}) before logging {needle:?}:\n{text}"
            );
        }
        text.matches(needle).count() >= times
    });
}

/// Sets the connection's status through the service-side ARM PUT, as Astronomer support does.
fn act_as_astronomer(sb: &TestSandbox, status: &str, description: &str) {
    let pls = sb.var("ASTRO_SANDBOX_PLS_ID");
    let list = format!("{pls}/privateEndpointConnections?api-version=2025-01-01");
    let (code, body) = sb.arm(reqwest::Method::GET, &list, None);
    assert_eq!(code, 200, "{body}");
    let name = body["value"][0]["name"]
        .as_str()
        .expect("a connection request reached Astronomer's service")
        .to_string();
    let (code, body) = sb.arm(
        reqwest::Method::PUT,
        &format!("{pls}/privateEndpointConnections/{name}?api-version=2025-01-01"),
        Some(json!({"name": name, "properties": {"privateLinkServiceConnectionState": {"status": status, "description": description}}})),
    );
    assert_eq!(code, 200, "service-side {status}: {body}");
}

fn plan_text(ws: &Workspace) -> (i32, String, Duration) {
    let started = Instant::now();
    let out = ws.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    let took = started.elapsed();
    (out.status.code().unwrap_or(-1), flat(&both(&out)), took)
}

/// Applies the endpoint and its approval; Astronomer approves while the apply waits. Returns
/// the apply's output and the provider log's path.
fn apply_approved_while_waiting(
    sb: &TestSandbox,
    ws: &mut Workspace,
) -> (std::process::Output, PathBuf) {
    ws.write_config(&config(sb, Some("3m")));
    ws.init();
    let log = log_to(ws, "apply.log");
    let mut child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    // The event: the approval resource has read Pending and said that it waits.
    wait_for_log(&log, WAITING, 1, &mut child);
    act_as_astronomer(sb, "Approved", "Approved by Astronomer support");
    (child.wait_with_output().expect("terraform apply"), log)
}

#[test]
fn apply_waits_in_the_approval_resource_and_ends_when_astronomer_approves() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let (out, log) = apply_approved_while_waiting(&sb, &mut ws);
    let text = flat(&both(&out));
    assert!(
        out.status.success(),
        "apply must finish after approval:\n{text}"
    );
    assert!(
        text.contains("astro_private_endpoint_approval.astro: Creation complete"),
        "{text}"
    );
    assert!(text.contains("status = \"Approved\""), "{text}");
    assert!(text.contains("Approved by Astronomer support"), "{text}");
    let log_text = std::fs::read_to_string(&log).expect("provider log");
    assert!(
        log_text.contains("Astronomer approved the private endpoint connection"),
        "the end of the wait is logged at INFO"
    );
    let state = ws.state_json();
    let approval = resource_values(&state, "astro_private_endpoint_approval.astro");
    assert_eq!(approval["status"], "Approved");
    assert_eq!(approval["private_endpoint_id"], pe_id(&sb));
    assert!(
        approval["id"]
            .as_str()
            .unwrap_or_default()
            .contains("/privateEndpoints/astro-privatelink/manualPrivateLinkServiceConnections/"),
        "{approval}"
    );
    assert!(
        time::OffsetDateTime::parse(
            approval["approved_at"].as_str().unwrap_or_default(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok(),
        "{approval}"
    );
    ws.assert_clean_plan("after approval");
}

#[test]
fn while_pending_plan_returns_promptly_and_shows_the_wait_as_a_create() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    // Reads come at about 0, 1, 3 and 7 s (the pause doubles from 1 s): a 5 s deadline falls
    // well between two reads, so the wait ends on its own timeout check even on a loaded
    // machine (a deadline next to a read can end the run with the read's timeout instead).
    ws.write_config(&config(&sb, Some("5s")));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "the wait times out:\n{text}");
    assert!(
        text.contains("Timed out waiting for Astronomer to approve"),
        "{text}"
    );
    assert!(text.contains("still Pending"), "{text}");
    assert!(
        text.contains(&format!("private endpoint ID: {}", pe_id(&sb)))
            && text.contains("connection name: astro-privatelink")
            && text.contains(&format!("alias: {}", sb.var("ASTRO_SANDBOX_PLS_ALIAS"))),
        "the timeout says what to send Astronomer support:\n{text}"
    );

    // The endpoint is in state, the approval is not: a plan reads once and shows the wait.
    sb.clear_requests();
    let (code, text, took) = plan_text(&ws);
    println!("terraform plan while the connection is Pending took {took:?}");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("astro_private_endpoint_approval.astro will be created"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 0 to destroy"),
        "{text}"
    );
    assert_eq!(
        sb.count("GET privateEndpoints"),
        1,
        "the plan reads the endpoint once and never polls"
    );

    sb.approve(&pe_id(&sb), "Approved", "Approved by Astronomer support");
    let applied = ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(
        applied.contains("1 added, 0 changed, 0 destroyed"),
        "{applied}"
    );
    ws.assert_clean_plan("after approval");

    // Astronomer disconnects it later: the refresh drops the approval with a warning, and the
    // plan shows the endpoint's replacement and the wait again, without waiting itself.
    sb.approve(&pe_id(&sb), "Disconnected", "Cluster decommissioned");
    let (code, text, took) = plan_text(&ws);
    println!("terraform plan after a disconnect took {took:?}");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("removed from state: the connection is Disconnected")
            && text.contains("Cluster decommissioned"),
        "the warning says why:\n{text}"
    );
    assert!(
        text.contains("astro_private_endpoint.agents must be replaced")
            && text.contains("astro_private_endpoint_approval.astro will be created"),
        "{text}"
    );
}

#[test]
fn rejection_fails_fast_and_the_next_apply_replaces_the_endpoint_and_waits_again() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, Some("10m")));
    ws.init();
    let log = log_to(&mut ws, "first.log");
    let started = Instant::now();
    let mut child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    wait_for_log(&log, WAITING, 1, &mut child);
    act_as_astronomer(
        &sb,
        "Rejected",
        "Cluster ID does not match this organization",
    );
    let out = child.wait_with_output().expect("terraform apply");
    let text = flat(&both(&out));
    assert!(!out.status.success(), "apply fails on rejection:\n{text}");
    assert!(text.contains("was Rejected"), "{text}");
    assert!(
        text.contains("Cluster ID does not match this organization"),
        "{text}"
    );
    println!(
        "apply failed {:?} after it started (create timeout 10m)",
        started.elapsed()
    );

    let (code, text, _) = plan_text(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("astro_private_endpoint.agents must be replaced")
            && text.contains("will be replaced: its connection is Rejected")
            && text.contains("astro_private_endpoint_approval.astro will be created"),
        "{text}"
    );

    let log = log_to(&mut ws, "second.log");
    let mut child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    wait_for_log(&log, WAITING, 1, &mut child);
    let pls = sb.var("ASTRO_SANDBOX_PLS_ID");
    let (_, conns) = sb.arm(
        reqwest::Method::GET,
        &format!("{pls}/privateEndpointConnections?api-version=2025-01-01"),
        None,
    );
    assert_eq!(
        conns["value"][0]["properties"]["privateLinkServiceConnectionState"]["status"], "Pending",
        "a new request waits for approval: {conns}"
    );
    act_as_astronomer(&sb, "Approved", "Approved on the second request");
    let out = child.wait_with_output().expect("terraform apply");
    let text = flat(&both(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Approved on the second request"), "{text}");
    ws.assert_clean_plan("after the second request was approved");
}

/// A sandbox holding an endpoint applied on its own (no approval resource yet).
fn endpoint_applied() -> (TestSandbox, Workspace) {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&endpoint(&sb));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    (sb, ws)
}

/// Adds the approval resource to the configuration and imports it by the endpoint's ID.
fn import_approval(sb: &TestSandbox, ws: &Workspace) -> std::process::Output {
    ws.write_config(&config(sb, None));
    ws.run(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_endpoint_approval.astro",
        &pe_id(sb),
    ])
}

#[test]
fn import_by_endpoint_id_plans_clean() {
    let (sb, ws) = endpoint_applied();
    sb.approve(&pe_id(&sb), "Approved", "Approved by Astronomer support");
    let out = import_approval(&sb, &ws);
    let text = flat(&both(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Import successful"), "{text}");
    let state = ws.state_json();
    let approval = resource_values(&state, "astro_private_endpoint_approval.astro");
    assert_eq!(approval["status"], "Approved");
    assert_eq!(approval["description"], "Approved by Astronomer support");
    // `terraform import` stores no dependencies; the first refresh records the configured one
    // (the endpoint), so that refresh-only plan is applyable. First: it shows no change to any
    // attribute of the object approved outside Terraform.
    let drift = ws.refresh_drift();
    assert!(
        drift.is_empty(),
        "the imported approval shows no drift: {drift:?}"
    );
    ws.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    ws.assert_clean_plan("after import");
}

#[test]
fn import_of_an_unapproved_connection_is_refused_with_the_reason() {
    let (sb, ws) = endpoint_applied();
    let out = import_approval(&sb, &ws);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("Cannot import the approval of")
            && text.contains("the connection is Pending")
            && text.contains("terraform apply waits for the approval"),
        "{text}"
    );
}

#[test]
fn a_read_that_runs_past_the_deadline_ends_with_the_approval_timeout_message() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, Some("3s")));
    ws.init();
    ws.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-target=astro_private_endpoint.agents",
    ]);
    // Every read takes 1.5 s: the first ends at about 1.5 s (Pending), the pause of at most
    // 1 s still fits before the 3 s deadline, and the second read then runs past it.
    sb.set_faults(json!({"latency_ms": 1500}));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "the wait times out:\n{text}");
    assert!(
        text.contains("Timed out waiting for Astronomer to approve")
            && text.contains("still Pending")
            && text.contains("connection name: astro-privatelink"),
        "the read cut short by the deadline reports the wait's timeout, with what to send support:\n{text}"
    );
}

#[test]
fn right_after_an_approved_apply_both_plans_are_clean_and_a_later_rejection_replaces() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let (out, _) = apply_approved_while_waiting(&sb, &mut ws);
    assert!(out.status.success(), "{}", flat(&both(&out)));
    // Nothing in between: the very next plans are what a scheduled drift check runs.
    ws.assert_clean_plan("right after the apply that saw the approval");

    // Astronomer rejects it later: the endpoint's replacement is planned, with the warning.
    sb.approve(
        &pe_id(&sb),
        "Rejected",
        "Cluster ID does not match this organization",
    );
    let (code, text, _) = plan_text(&ws);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("astro_private_endpoint.agents must be replaced")
            && text.contains("will be replaced: its connection is Rejected")
            && text.contains("Cluster ID does not match this organization")
            && text.contains("# forces replacement"),
        "{text}"
    );
}
