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
fn ten_pairs_apply_under_throttling_and_server_errors_without_duplicates() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&pairs(&sb, 10));
    ws.init();
    sb.set_faults(json!({"throttle_rate": 0.2, "error_rate": 0.1, "rng_seed": 42}));
    ws.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-parallelism=10",
    ]);
    let summary = sb.summary();
    assert!(
        summary["total"].as_u64().unwrap() > 100,
        "faults were exercised: {summary}"
    );
    let (code, text) = ws.plan_exit();
    assert_eq!(
        code, 0,
        "plan after the faulty apply must be empty:\n{text}"
    );
    sb.set_faults(json!({}));
    let resources = sb.resources();
    let count = |needle: &str| resources.iter().filter(|r| r.contains(needle)).count();
    assert_eq!(count("/privateEndpoints/"), 10, "{resources:#?}");
    assert_eq!(count("/networkInterfaces/"), 10, "{resources:#?}");
    assert_eq!(count("/privateEndpointConnections/"), 10, "{resources:#?}");
    assert_eq!(count("/virtualNetworkLinks/"), 10, "{resources:#?}");
    assert_eq!(count("/A/"), 10, "{resources:#?}");
    assert_eq!(
        resources
            .iter()
            .filter(|r| r.ends_with(".astronomer.run"))
            .count(),
        10,
        "{resources:#?}"
    );
    assert_eq!(
        resources.len(),
        60,
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
