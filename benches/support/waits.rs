//! Figure 5: how soon the provider sees an LRO completion and an approval after they happen.
//! The sandbox advances LROs by polls, so the benchmark completes the operation itself at a
//! known instant (polling its status URL until Succeeded), then times the provider's next
//! request; for the approval it approves at a known instant while the data source waits.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::hcl::{self, PROVIDER};
use crate::common::sandbox::TestSandbox;
use crate::common::{Workspace, both};
use crate::{Figure, median};

/// Samples per figure (quick: 1).
fn samples() -> usize {
    if crate::quick() { 1 } else { 3 }
}
const RETRY_AFTER_SECS: u64 = 1;
const POLL_INTERVAL_SECS: u64 = 2;

fn endpoint_config(sb: &TestSandbox, name: &str, with_wait: bool) -> String {
    let wait = if with_wait {
        format!(
            r#"
data "astro_private_endpoint_connection" "astro" {{
  private_endpoint_id = astro_private_endpoint.pe.id
  wait_for_status     = "Approved"
  timeout             = "2m"
  poll_interval       = "{POLL_INTERVAL_SECS}s"
}}
"#
        )
    } else {
        String::new()
    };
    format!("{PROVIDER}{}{wait}", hcl::endpoint(sb, "pe", name, ""))
}

/// Blocks until `cond` holds (checked every 2 ms); the instant it was seen.
fn wait_until(what: &str, mut cond: impl FnMut() -> bool) -> Instant {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    Instant::now()
}

/// Median round trip of an ARM GET to the sandbox, in seconds.
fn round_trip(sb: &TestSandbox, token: &str) -> f64 {
    let path = format!(
        "{}?api-version=2025-01-01",
        sb.var("ASTRO_SANDBOX_SUBNET_ID")
    );
    let times = (0..11)
        .map(|_| {
            let t = Instant::now();
            let (code, body) = sb.arm_with(token, reqwest::Method::GET, &path, None);
            assert_eq!(code, 200, "{body}");
            t.elapsed().as_secs_f64()
        })
        .collect();
    median(times)
}

/// Path of the operation status URL the provider is polling.
fn operation_path(sb: &TestSandbox) -> String {
    sb.requests()
        .iter()
        .rev()
        .find(|e| e["resource_type"] == "operations")
        .and_then(|e| e["path"].as_str().map(String::from))
        .expect("the provider polls an Azure-AsyncOperation URL")
}

/// One LRO sample: seconds from completion to the provider's next request.
fn lro_sample(sb: &TestSandbox, i: usize, token: &str) -> f64 {
    let ws = Workspace::with_sandbox(sb);
    ws.write_config(&endpoint_config(sb, &format!("astro-lro-{i}"), false));
    ws.init();
    sb.set_faults(json!({"lro_polls": 30, "retry_after_secs": RETRY_AFTER_SECS}));
    sb.clear_requests();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let apply = std::thread::spawn(move || child.wait_with_output());
    wait_until("two provider polls", || sb.count("GET operations") >= 2);
    let op = format!("{}?api-version=2025-01-01", operation_path(sb));
    let done_at = wait_until("the operation to complete", || {
        let (code, body) = sb.arm_with(token, reqwest::Method::GET, &op, None);
        code == 200 && body["status"] == "Succeeded"
    });
    let before = sb.arm_total();
    let seen_at = wait_until("the provider's next request", || sb.arm_total() > before);
    let out = apply
        .join()
        .expect("apply thread")
        .expect("terraform apply");
    assert!(out.status.success(), "{}", both(&out));
    sb.set_faults(json!({}));
    seen_at.duration_since(done_at).as_secs_f64()
}

/// One approval sample: seconds from approval to the data source's next request, and to the
/// end of `terraform apply`.
fn approval_sample(sb: &TestSandbox, i: usize) -> (f64, f64) {
    let ws = Workspace::with_sandbox(sb);
    let name = format!("astro-approve-{i}");
    ws.write_config(&endpoint_config(sb, &name, false));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    ws.write_config(&endpoint_config(sb, &name, true));
    sb.clear_requests();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let apply = std::thread::spawn(move || child.wait_with_output());
    // Let the data source settle into its poll loop, then approve at an instant of our own.
    let settle = Instant::now();
    wait_until("the data source to poll", || {
        settle.elapsed() > Duration::from_millis(3300 + 500 * i as u64) && sb.arm_total() >= 3
    });
    let pe_id = format!(
        "{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/{name}",
        sb.var("ASTRO_SANDBOX_SUBNET_ID")
            .split("/resourceGroups/")
            .next()
            .expect("subscription prefix")
    );
    let before = sb.arm_total();
    let approved_at = Instant::now();
    sb.approve(&pe_id, "Approved", "approved by the benchmark");
    let seen_at = wait_until("the data source's next request", || sb.arm_total() > before);
    let out = apply
        .join()
        .expect("apply thread")
        .expect("terraform apply");
    let done = approved_at.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", both(&out));
    (seen_at.duration_since(approved_at).as_secs_f64(), done)
}

/// Prints figure 5.
pub fn lro_and_approval() {
    let sb = TestSandbox::start();
    let token = sb.token();
    let rtt = round_trip(&sb, &token);
    println!(
        "\n[5] time to notice, {} samples each (max reported); sandbox round trip {:.1} ms",
        samples(),
        rtt * 1000.0
    );
    let lro: Vec<f64> = (0..samples()).map(|i| lro_sample(&sb, i, &token)).collect();
    let goal = RETRY_AFTER_SECS as f64 + rtt;
    println!("  LRO completion -> provider's next request, s: {lro:.3?}");
    Figure::new(
        format!("LRO completion seen after (Retry-After {RETRY_AFTER_SECS}s + RTT)"),
        lro.iter().copied().fold(0.0, f64::max),
        "s",
        Some(goal),
    )
    .positive()
    .print();
    let approvals: Vec<(f64, f64)> = (0..samples()).map(|i| approval_sample(&sb, i)).collect();
    let seen: Vec<f64> = approvals.iter().map(|s| s.0).collect();
    let done: Vec<f64> = approvals.iter().map(|s| s.1).collect();
    println!(
        "  approval -> data source's next request, s: {seen:.3?}; -> apply exits, s: {done:.3?}"
    );
    let goal = POLL_INTERVAL_SECS as f64 + rtt;
    Figure::new(
        format!("approval seen after (poll_interval {POLL_INTERVAL_SECS}s + RTT)"),
        seen.iter().copied().fold(0.0, f64::max),
        "s",
        Some(goal),
    )
    .positive()
    .print();
}
