//! Reliability and security end to end: throttling and server errors lose nothing and
//! create nothing twice; bad input never reaches Azure; TRACE logs hold no secret.

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

#[test]
fn twenty_pairs_apply_under_throttling_server_errors_and_jitter_without_duplicates() {
    const N: usize = 20;
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&pairs(&sb, N));
    ws.init();
    sb.set_faults(json!({"throttle_rate": 0.2, "error_rate": 0.1, "latency_ms": 5, "latency_jitter_ms": 20, "rng_seed": 42}));
    ws.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=10",
    ]);
    let summary = sb.summary();
    assert!(
        summary["total"].as_u64().unwrap() > 200,
        "faults were exercised: {summary}"
    );
    ws.assert_clean_plan("plan after the faulty apply must be empty");
    sb.set_faults(json!({}));
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
    ws.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sb.resources().is_empty());
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
    std::thread::sleep(std::time::Duration::from_millis(2100));
    ws.assert_clean_plan("plan");
}
