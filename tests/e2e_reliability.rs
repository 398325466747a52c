//! Reliability and security end to end: throttling, server errors, busy resources and lost
//! responses lose nothing and create nothing twice; bad input never reaches Azure; TRACE
//! logs hold no secret.

mod common;

use common::bad_inputs::cases;
use common::sandbox::TestSandbox;
use common::{Workspace, both};
use serde_json::json;

/// `n` endpoint + DNS pairs, each pair with its own zone (one VNet may link one zone per name).
fn pairs(sb: &TestSandbox, n: usize) -> String {
    format!(
        r#"provider "astro" {{}}

resource "astro_private_endpoint" "pe" {{
  count                      = {n}
  name                       = "astro-pl-${{count.index}}"
  resource_group_name        = "rg-astro-agents"
  location                   = "eastus"
  subnet_id                  = "{subnet}"
  private_link_service_alias = "{alias}"
}}

resource "astro_private_dns" "dns" {{
  count               = {n}
  resource_group_name = "rg-astro-dns"
  cluster_id          = "cl${{count.index}}"
  zone_name           = "zone${{count.index}}.astronomer.run"
  ip_address          = astro_private_endpoint.pe[count.index].private_ip_address
  virtual_network_ids = ["{vnet}"]
}}
"#,
        subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        vnet = sb.var("ASTRO_SANDBOX_VNET_ID"),
    )
}

/// A fault rule for the sandbox: the next `count` `method` requests on `resource_type`
/// answer `status`/`code`.
fn rule(
    method: &str,
    resource_type: &str,
    status: u16,
    code: &str,
    count: u32,
) -> serde_json::Value {
    json!({"method": method, "resource_type": resource_type, "status": status, "code": code, "count": count})
}

/// A lost-response rule: the next `count` requests are applied, then answered 500.
fn lost(method: &str, resource_type: &str, count: u32) -> serde_json::Value {
    json!({"method": method, "resource_type": resource_type, "count": count, "lost_response": true})
}

/// Every ARM ID the state refers to (lower-cased: ARM IDs are case-insensitive).
fn ids_in_state(state: &serde_json::Value) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in resources {
        let v = &r["values"];
        for key in ["id", "network_interface_id", "zone_id"] {
            if let Some(id) = v[key].as_str() {
                ids.insert(id.to_ascii_lowercase());
            }
        }
        if let Some(links) = v["virtual_network_link_ids"].as_object() {
            ids.extend(
                links
                    .values()
                    .filter_map(|l| l.as_str())
                    .map(str::to_ascii_lowercase),
            );
        }
    }
    ids
}

/// How many faults of `kind` the sandbox injected, per its summary.
fn injected(faults: &serde_json::Value, kind: &str) -> u64 {
    faults[kind].as_u64().unwrap_or(0)
}

#[test]
fn twenty_pairs_apply_and_destroy_under_faults_on_every_kind_of_write_without_duplicates() {
    const N: usize = 20;
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&pairs(&sb, N));
    ws.init();
    let aoip = "AnotherOperationInProgress";
    sb.set_faults(json!({
        "throttle_rate": 0.1, "error_rate": 0.05, "latency_ms": 5, "latency_jitter_ms": 20,
        "rng_seed": 42,
        "rules": [
            rule("PUT", "privateEndpoints", 409, aoip, 3),
            rule("PUT", "virtualNetworkLinks", 409, aoip, 4),
            rule("PUT", "virtualNetworkLinks", 500, "InternalServerError", 2),
            lost("PUT", "A", 3),
            lost("PUT", "privateDnsZones", 2),
            lost("PUT", "virtualNetworkLinks", 2),
        ]
    }));
    ws.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=10",
    ]);
    let faults = sb.faults_injected();
    println!("faults injected during apply: {faults:#}");
    for kind in [
        "429 TooManyRequests",
        "500 InternalServerError",
        "409 AnotherOperationInProgress",
        "lost_response",
    ] {
        assert!(
            injected(&faults, kind) > 0,
            "no {kind} was injected: {faults}"
        );
    }
    let on = |key: &str| sb.fault_count(key);
    assert_eq!(on("PUT privateEndpoints 409 AnotherOperationInProgress"), 3);
    assert_eq!(
        on("PUT virtualNetworkLinks 409 AnotherOperationInProgress"),
        4
    );
    assert_eq!(on("PUT A lost_response"), 3);
    assert_eq!(on("PUT privateDnsZones lost_response"), 2);
    assert!(on("PUT virtualNetworkLinks 500 InternalServerError") >= 2);
    assert_eq!(on("PUT virtualNetworkLinks lost_response"), 2);

    sb.set_faults(json!({}));
    ws.assert_clean_plan("plan after the faulty apply must be empty");
    let resources = sb.resources();
    let count = |needle: &str| resources.iter().filter(|r| r.contains(needle)).count();
    for kind in [
        "/privateEndpoints/",
        "/networkInterfaces/",
        "/privateEndpointConnections/",
        "/virtualNetworkLinks/",
        "/A/",
    ] {
        assert_eq!(count(kind), N, "exactly {N} of {kind}: {resources:#?}");
    }
    assert_eq!(
        resources
            .iter()
            .filter(|r| r.ends_with(".astronomer.run"))
            .count(),
        N,
        "{resources:#?}"
    );
    assert_eq!(
        resources.len(),
        6 * N,
        "exactly the expected objects: {resources:#?}"
    );
    // None outside state (the PLS-side connections are Astronomer's, named by the endpoint).
    let known = ids_in_state(&ws.state_json());
    let outside: Vec<&String> = resources
        .iter()
        .filter(|r| !r.contains("/privateEndpointConnections/"))
        .filter(|r| !known.contains(&r.to_ascii_lowercase()))
        .collect();
    assert!(outside.is_empty(), "objects outside state: {outside:#?}");

    sb.clear_requests();
    sb.set_faults(json!({
        "throttle_rate": 0.1, "error_rate": 0.05, "rng_seed": 43,
        "rules": [
            rule("DELETE", "privateEndpoints", 500, "InternalServerError", 3),
            rule("DELETE", "virtualNetworkLinks", 409, aoip, 4),
            rule("DELETE", "A", 500, "InternalServerError", 2),
            rule("DELETE", "privateDnsZones", 409, aoip, 2),
        ]
    }));
    ws.ok(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=10",
    ]);
    let faults = sb.faults_injected();
    println!("faults injected during destroy: {faults:#}");
    // 500s also come from error_rate, so the rules' counts are a floor there.
    assert!(on("DELETE privateEndpoints 500 InternalServerError") >= 3);
    assert_eq!(
        on("DELETE virtualNetworkLinks 409 AnotherOperationInProgress"),
        4
    );
    assert!(on("DELETE A 500 InternalServerError") >= 2);
    assert_eq!(
        on("DELETE privateDnsZones 409 AnotherOperationInProgress"),
        2
    );
    assert!(injected(&faults, "429 TooManyRequests") > 0, "{faults}");
    sb.set_faults(json!({}));
    assert!(sb.resources().is_empty(), "{:#?}", sb.resources());
}

#[test]
fn bad_inputs_fail_at_plan_with_zero_requests_to_azure() {
    let sb = TestSandbox::start();
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus holds {} cases", cases.len());
    for (label, path, hcl) in cases {
        let ws = Workspace::with_sandbox(&sb);
        ws.write_config(&format!("provider \"astro\" {{}}\n\n{hcl}"));
        ws.init();
        sb.clear_requests();
        let out = ws.run(&["plan", "-no-color", "-input=false"]);
        let text = both(&out);
        assert!(!out.status.success(), "{label}: plan must fail:\n{text}");
        assert!(
            common::flat(&text).contains(path),
            "{label}: the error names {path}:\n{text}"
        );
        assert_eq!(
            sb.total(),
            0,
            "{label}: no request may reach Azure, got {}",
            sb.summary()
        );
    }
}

#[test]
fn trace_logs_hold_no_secret_and_no_token() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.set_env("TF_LOG", "TRACE");
    ws.write_config(&pairs(&sb, 1));
    ws.init();
    let mut log = String::new();
    for args in [
        &["apply", "-auto-approve", "-no-color", "-input=false"][..],
        &["plan", "-no-color", "-input=false"][..],
        &["destroy", "-auto-approve", "-no-color", "-input=false"][..],
    ] {
        let out = ws.run(args);
        assert!(out.status.success(), "{}", both(&out));
        log.push_str(&both(&out));
    }
    assert!(
        log.contains("provider.terraform-provider-astro"),
        "the provider's own log lines are in the TRACE output"
    );
    assert!(
        log.contains("tf_rpc=ApplyResourceChange"),
        "RPC ids are logged"
    );
    let secret = sb.var("ARM_CLIENT_SECRET");
    assert!(
        !log.contains(&secret),
        "the client secret leaked into the log"
    );
    assert!(!log.contains("sbx."), "a bearer token leaked into the log");
    assert!(
        !log.to_lowercase().contains("bearer "),
        "an Authorization header leaked into the log"
    );
}

#[test]
fn tf_log_info_shows_what_is_being_waited_for_and_for_how_long() {
    let sb = TestSandbox::start();
    sb.set_faults(json!({"lro_polls": 3}));
    let mut ws = Workspace::with_sandbox(&sb);
    ws.set_env("TF_LOG", "INFO");
    ws.write_config(&pairs(&sb, 1));
    ws.init();
    let log = ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let provider_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-astro"))
        .collect();
    let waits: Vec<&&str> = provider_lines
        .iter()
        .filter(|l| l.contains("waiting for"))
        .collect();
    assert!(
        waits.len() >= 2,
        "LRO progress is logged at INFO:\n{}",
        provider_lines.join("\n")
    );
    assert!(
        waits.iter().any(|l| l.contains("Private Endpoint")),
        "{}",
        provider_lines.join("\n")
    );
    assert!(
        provider_lines.iter().any(|l| l.contains("finished after")),
        "{}",
        provider_lines.join("\n")
    );
    assert!(
        !log.contains("[DEBUG]") && !log.contains("[TRACE]"),
        "INFO shows no debug noise"
    );
}

#[test]
fn objects_that_read_as_not_found_just_after_creation_are_waited_for() {
    let sb = TestSandbox::start();
    sb.set_faults(json!({"not_found_window_ms": 2000}));
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&pairs(&sb, 1));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let state = ws.state_json();
    let pe = common::resource_values(&state, "astro_private_endpoint.pe[0]");
    let dns = common::resource_values(&state, "astro_private_dns.dns[0]");
    assert!(
        pe["private_ip_address"]
            .as_str()
            .unwrap()
            .starts_with("10.10.1."),
        "{pe}"
    );
    assert_eq!(dns["ip_address"], pe["private_ip_address"]);
    // The apply proved the wait; end the window rather than sleep it out, so the plan sees
    // the objects as any later run would.
    sb.set_faults(json!({"not_found_window_ms": 0}));
    ws.assert_clean_plan("plan");
}
