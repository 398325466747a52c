//! End-to-end, real `terraform` against the sandbox: what production networks set on
//! `astro_private_endpoint`: a static `private_ip_address` (created as the endpoint's one
//! static IP configuration; an address outside the subnet refused before anything is made) and
//! `application_security_group_ids` (set, changed in place, unset keeps them, an association
//! removed outside Terraform repaired); an endpoint with both imports with a clean plan.

mod common;

use common::hcl::{PROVIDER, endpoint};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values, wait};
use reqwest::Method;
use serde_json::{Value as Json, json};

const ARM_NETWORK: &str = "api-version=2025-01-01";

/// Application security groups made outside Terraform (a network team's), in the agents' group.
fn asgs(sb: &TestSandbox, names: &[&str]) -> Vec<String> {
    names.iter().map(|name| sb.make_asg(name)).collect()
}

fn get(sb: &TestSandbox, id: &str) -> Json {
    let (code, body) = sb.arm(Method::GET, &format!("{id}?{ARM_NETWORK}"), None);
    assert_eq!(code, 200, "GET {id}: {body}");
    body
}

/// The endpoint's ASG IDs as Azure holds them, lower-cased and sorted.
fn asgs_in_azure(sb: &TestSandbox, pe: &str) -> Vec<String> {
    let mut ids: Vec<String> = get(sb, pe)["properties"]["applicationSecurityGroups"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    ids.sort();
    ids
}

fn lower(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|i| i.to_ascii_lowercase()).collect();
    ids.sort();
    ids
}

fn set(ids: &[&String]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The endpoint `agents` with these extra argument lines.
fn config(sb: &TestSandbox, extra: &str) -> String {
    format!(
        "{PROVIDER}{}",
        endpoint(sb, "agents", "astro-privatelink", extra)
    )
}

fn pe_id(ws: &Workspace) -> String {
    resource_values(&ws.state_json(), "astro_private_endpoint.agents")["id"]
        .as_str()
        .expect("endpoint id")
        .to_string()
}

#[test]
fn a_static_ip_and_asgs_are_created_and_import_plans_clean() {
    let sb = TestSandbox::start();
    let groups = asgs(&sb, &["asg-astro", "asg-egress"]);
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(
        &sb,
        &format!(
            "  private_ip_address             = \"10.10.1.50\"\n  application_security_group_ids = {}\n",
            set(&[&groups[0], &groups[1]])
        ),
    ));
    ws.init();
    ws.apply();
    let state = ws.state_json();
    let values = resource_values(&state, "astro_private_endpoint.agents");
    assert_eq!(values["private_ip_address"], "10.10.1.50");
    let pe = pe_id(&ws);
    let body = get(&sb, &pe);
    assert_eq!(
        body["properties"]["ipConfigurations"],
        json!([{"name": "astro-static-ip", "properties": {"privateIPAddress": "10.10.1.50"}}]),
        "one static IP configuration, no group ID or member name: {body}"
    );
    let nic = get(
        &sb,
        values["network_interface_id"].as_str().expect("NIC id"),
    );
    let ipc = &nic["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(ipc["privateIPAddress"], "10.10.1.50");
    assert_eq!(ipc["privateIPAllocationMethod"], "Static");
    assert_eq!(asgs_in_azure(&sb, &pe), lower(&[&groups[0], &groups[1]]));
    ws.assert_clean_plan("static IP and ASGs");

    // Forgotten and imported back by its ID: nothing to change.
    ws.ok(&["state", "rm", "-no-color", "astro_private_endpoint.agents"]);
    std::fs::write(
        ws.dir().join("import.tf"),
        format!("import {{\n  to = astro_private_endpoint.agents\n  id = \"{pe}\"\n}}\n"),
    )
    .expect("write import block");
    let plan = flat(&ws.ok(&["plan", "-no-color", "-input=false"]));
    assert!(
        plan.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    ws.apply();
    std::fs::remove_file(ws.dir().join("import.tf")).expect("remove import block");
    ws.assert_clean_plan("after importing the endpoint");
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
}

#[test]
fn an_address_outside_the_subnet_is_refused_before_anything_is_made() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, "  private_ip_address = \"10.10.9.9\"\n"));
    ws.init();
    sb.clear_requests();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("10.10.9.9 is outside the subnet's address prefix 10.10.1.0/24")
            && text.contains("Nothing was created")
            && text.contains("private_ip_address"),
        "{text}"
    );
    assert_eq!(sb.count("PUT privateEndpoints"), 0, "{}", sb.summary());
    assert_eq!(sb.resources(), Vec::<String>::new(), "nothing is half-made");

    // A reserved address (the first four of a subnet) too.
    ws.write_config(&config(&sb, "  private_ip_address = \"10.10.1.2\"\n"));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("one of the five addresses Azure reserves")
            && text.contains("the first one free for an endpoint is 10.10.1.4"),
        "{text}"
    );
    assert_eq!(sb.resources(), Vec::<String>::new());
}

#[test]
fn asgs_change_in_place_unset_keeps_them_and_an_out_of_band_removal_is_repaired() {
    let sb = TestSandbox::start();
    let g = asgs(&sb, &["asg-a", "asg-b"]);
    let ws = Workspace::with_sandbox(&sb);
    let with = |ids: &[&String]| {
        config(
            &sb,
            &format!("  application_security_group_ids = {}\n", set(ids)),
        )
    };
    ws.write_config(&with(&[&g[0]]));
    ws.init();
    ws.apply();
    let pe = pe_id(&ws);
    assert_eq!(asgs_in_azure(&sb, &pe), lower(&[&g[0]]));
    ws.assert_clean_plan("one ASG");

    // Changed in place: the same endpoint, one PUT.
    ws.write_config(&with(&[&g[0], &g[1]]));
    assert_eq!(ws.planned_actions(), [json!(["update"])], "in place");
    sb.clear_requests();
    ws.apply();
    assert_eq!(sb.count("PUT privateEndpoints"), 1, "{}", sb.summary());
    assert_eq!(sb.count("DELETE privateEndpoints"), 0);
    assert_eq!(pe_id(&ws), pe);
    assert_eq!(asgs_in_azure(&sb, &pe), lower(&[&g[0], &g[1]]));
    ws.assert_clean_plan("two ASGs");

    // Unset: the associations stay as they are.
    ws.write_config(&config(&sb, ""));
    ws.assert_clean_plan("unset keeps the associations");
    assert_eq!(asgs_in_azure(&sb, &pe), lower(&[&g[0], &g[1]]));

    // Set again, then someone removes one in the portal.
    ws.write_config(&with(&[&g[0], &g[1]]));
    ws.assert_clean_plan("set again to what Azure holds");
    let mut body = get(&sb, &pe);
    body["properties"]["applicationSecurityGroups"] = json!([{"id": g[0]}]);
    let (code, answer) = sb.arm(Method::PUT, &format!("{pe}?{ARM_NETWORK}"), Some(body));
    assert!(code < 300, "out-of-band PUT: {answer}");
    wait::until("the out-of-band edit to land", || {
        (asgs_in_azure(&sb, &pe) == lower(&[&g[0]])
            && get(&sb, &pe)["properties"]["provisioningState"] == "Succeeded")
            .then_some(())
    });
    let drift = ws.refresh_drift();
    assert_eq!(drift.len(), 1, "refresh-only shows the removal: {drift:#?}");
    assert_eq!(
        drift[0]["change"]["after"]["application_security_group_ids"],
        json!([g[0]]),
        "{drift:#?}"
    );
    let (code, text) = ws.plan_exit();
    assert_eq!(code, 2, "{text}");
    assert!(
        flat(&text).contains("1 to change, 0 to destroy"),
        "an in-place update: {text}"
    );
    ws.apply();
    assert_eq!(asgs_in_azure(&sb, &pe), lower(&[&g[0], &g[1]]));
    ws.assert_clean_plan("after the repair");
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
}
