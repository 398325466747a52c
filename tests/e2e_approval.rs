//! End-to-end approval flow: `terraform apply` waits for Astronomer's approval through the
//! data source, fails fast on a rejection with the approver's message, and the next plan
//! replaces a rejected endpoint with a warning saying why.

mod common;

use common::hcl::{self, PROVIDER};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values, wait};
use serde_json::json;

fn config(sb: &TestSandbox, timeout: &str) -> String {
    let endpoint = hcl::endpoint(
        sb,
        "agents",
        "astro-privatelink",
        "  request_message            = \"Astro cluster clxxxxxxxxx\"\n",
    );
    format!(
        r#"{PROVIDER}{endpoint}
data "astro_private_endpoint_connection" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id
  wait_for_status     = "Approved"
  timeout             = "{timeout}"
  poll_interval       = "1s"
}}

output "approved" {{
  value = data.astro_private_endpoint_connection.astro.approved
}}

output "description" {{
  value = data.astro_private_endpoint_connection.astro.description
}}
"#
    )
}

/// Waits until Astronomer's service lists a connection request; returns its name.
fn connection_request(sb: &TestSandbox) -> String {
    let pls = sb.var("ASTRO_SANDBOX_PLS_ID");
    let list = format!("{pls}/privateEndpointConnections?api-version=2025-01-01");
    wait::until("a connection request to reach Astronomer's service", || {
        let (code, body) = sb.arm(reqwest::Method::GET, &list, None);
        assert_eq!(code, 200, "{body}");
        body["value"]
            .as_array()
            .and_then(|v| v.first())
            .and_then(|c| c["name"].as_str())
            .map(String::from)
    })
}

/// Waits until Astronomer's service lists a connection, then sets its status through the
/// service-side ARM PUT, as support does.
fn act_as_astronomer(sb: &TestSandbox, status: &str, description: &str) {
    let name = connection_request(sb);
    let pls = sb.var("ASTRO_SANDBOX_PLS_ID");
    let (code, body) = sb.arm(
        reqwest::Method::PUT,
        &format!("{pls}/privateEndpointConnections/{name}?api-version=2025-01-01"),
        Some(json!({"name": name, "properties": {"privateLinkServiceConnectionState": {"status": status, "description": description}}})),
    );
    assert_eq!(code, 200, "service-side {status}: {body}");
}

#[test]
fn apply_waits_for_approval_and_finishes_once_astronomer_approves() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, "3m"));
    ws.init();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    // Support approves only once the data source has read the endpoint while it was Pending:
    // three reads after the request reached Astronomer (the create reads it at most twice
    // after its PUT, so at least one is the data source's).
    connection_request(&sb);
    let reads = sb.count("GET privateEndpoints");
    wait::until_true("the data source to read the Pending endpoint", || {
        sb.count("GET privateEndpoints") >= reads + 3
    });
    act_as_astronomer(&sb, "Approved", "Approved by Astronomer support");
    let out = child.wait_with_output().expect("terraform apply");
    let text = flat(&both(&out));
    assert!(
        out.status.success(),
        "apply must finish after approval:\n{text}"
    );
    assert!(text.contains("approved = true"), "{text}");
    assert!(text.contains("Approved by Astronomer support"), "{text}");
    // Nothing to change in Azure or in state: the approval is no drift.
    ws.assert_clean_plan("plan right after the approval");
    assert_eq!(
        resource_values(&ws.state_json(), "astro_private_endpoint.agents")["connection_closed"],
        false
    );
}

#[test]
fn rejection_fails_fast_with_the_approver_message_and_the_endpoint_is_planned_for_replacement() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, "10m"));
    ws.init();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    act_as_astronomer(
        &sb,
        "Rejected",
        "Cluster ID does not match this organization",
    );
    let out = child.wait_with_output().expect("terraform apply");
    let text = flat(&both(&out));
    assert!(
        !out.status.success(),
        "apply must fail on rejection:\n{text}"
    );
    assert!(text.contains("was Rejected"), "{text}");
    assert!(
        text.contains("Cluster ID does not match this organization"),
        "{text}"
    );
    assert!(
        text.contains("private endpoint ID:")
            && text.contains("connection name:")
            && text.contains("alias:"),
        "{text}"
    );
    // Failing on the rejection rather than waiting out the 10m timeout.
    assert!(!text.contains("Timed out waiting for"), "{text}");

    let plan = ws.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    let text = flat(&both(&plan));
    assert_eq!(plan.status.code(), Some(2), "{text}");
    assert!(text.contains("must be replaced"), "{text}");
    assert!(
        text.contains("will be replaced: its connection is Rejected"),
        "the warning says why:\n{text}"
    );
    assert!(text.contains("# forces replacement"), "{text}");
}

#[test]
fn waiting_times_out_with_what_to_send_support() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, "3s"));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success());
    assert!(text.contains("Timed out waiting for"), "{text}");
    assert!(text.contains("still Pending"), "{text}");
    assert!(
        text.contains("Send Astronomer support")
            && text.contains("/privateEndpoints/astro-privatelink"),
        "{text}"
    );
}
