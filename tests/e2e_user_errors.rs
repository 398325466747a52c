//! End-to-end tests of the errors a new user meets in the first week, each asserting the
//! message the user reads, the fix first: no credential and no Azure CLI lists every method
//! tried and why each did not apply; an ID-shaped `ARM_*` variable that is not a GUID is
//! refused before any Azure call, naming the variable; a subnet in another subscription than
//! the provider's says so with both IDs; the approval wait reads one last time at its
//! create deadline, and its reads start no further apart than the back-off ceiling; an error
//! while the approval waits is in the provider log (TF_LOG_PROVIDER=INFO) at once.

mod common;

use common::hcl::{self, PROVIDER};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat};
use serde_json::json;

/// Runs `args`, expects failure, and returns the output folded to one line.
fn failing(ws: &Workspace, args: &[&str]) -> String {
    let out = ws.run(args);
    let text = flat(&both(&out));
    assert!(
        !out.status.success(),
        "terraform {args:?} must fail:\n{text}"
    );
    text
}

const APPLY: [&str; 4] = ["apply", "-auto-approve", "-no-color", "-input=false"];

/// Asserts that `first` comes before `then` in `text` (the fix before the explanation).
fn in_order(text: &str, first: &str, then: &str) {
    let a = text
        .find(first)
        .unwrap_or_else(|| panic!("{first:?} missing:\n{text}"));
    let b = text
        .find(then)
        .unwrap_or_else(|| panic!("{then:?} missing:\n{text}"));
    assert!(a < b, "{first:?} must come before {then:?}:\n{text}");
}

/// A workspace with the sandbox's endpoints and CA but no credential: the Azure CLI is left
/// at its default (on).
fn no_credentials(sb: &TestSandbox) -> Workspace {
    let mut ws = Workspace::with_sandbox(sb);
    ws.env.retain(|(k, _)| {
        ![
            "ARM_CLIENT_SECRET",
            "ARM_CLIENT_ID",
            "ARM_TENANT_ID",
            "ARM_USE_CLI",
        ]
        .contains(&k.as_str())
    });
    ws.write_config(&format!(
        "{PROVIDER}{}",
        hcl::endpoint(sb, "agents", "astro-privatelink", "")
    ));
    ws.init();
    ws
}

const SKIPPED: [&str; 4] = [
    "client certificate (skipped",
    "client secret (skipped",
    "OIDC (skipped",
    "managed identity (skipped",
];

// ---- item 2: what was tried ----------------------------------------------------------------

#[test]
fn no_credential_and_no_az_lists_every_method_and_the_fix_first() {
    let sb = TestSandbox::start();
    let mut ws = no_credentials(&sb);
    let empty = ws.tmp.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let path = format!("{}:/usr/bin:/bin", empty.display());
    for dir in std::env::split_paths(&path) {
        assert!(
            !dir.join("az").exists(),
            "this test needs a PATH without az, and {} holds one",
            dir.display()
        );
    }
    ws.set_env("PATH", &path);
    let text = failing(&ws, &APPLY);
    for method in SKIPPED {
        assert!(text.contains(method), "{method}:\n{text}");
    }
    assert!(
        text.contains(
            "The Azure CLI, the last method tried and on by default, failed: `az` is not on PATH"
        ),
        "the CLI, the last method, says why it failed:\n{text}"
    );
    in_order(
        &text,
        "Install the Azure CLI so that `az` is on PATH and sign in with `az login`",
        "Tried before it:",
    );
    assert_eq!(sb.arm_total(), 0, "nothing reached Azure");
}

#[test]
fn the_azure_cli_failing_at_token_time_still_lists_what_was_tried() {
    let sb = TestSandbox::start();
    let mut ws = no_credentials(&sb);
    ws.az_on_path();
    // az is there but not logged in: its own message comes through with the list.
    let text = failing(&ws, &APPLY);
    assert!(text.contains("az login"), "{text}");
    for method in SKIPPED {
        assert!(text.contains(method), "{method}:\n{text}");
    }
    in_order(&text, "Sign in with `az login`", "Tried before it:");
}

// ---- item 3: ID-shaped ARM_* variables -----------------------------------------------------

#[test]
fn id_shaped_arm_variables_are_checked_before_any_azure_call() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    ws.write_config(&format!(
        "{PROVIDER}{}",
        hcl::endpoint(&sb, "agents", "astro-privatelink", "")
    ));
    ws.init();
    for (variable, value, attribute) in [
        ("ARM_SUBSCRIPTION_ID", "my-prod-sub", "subscription_id"),
        ("ARM_TENANT_ID", "contoso.onmicrosoft.com", "tenant_id"),
        ("ARM_CLIENT_ID", "my-terraform-app", "client_id"),
    ] {
        let good = sb.var(variable);
        ws.set_env(variable, value);
        let text = failing(&ws, &["plan", "-no-color", "-input=false"]);
        in_order(
            &text,
            &format!("Set {variable} to a GUID"),
            &format!("{value:?} is not a GUID"),
        );
        assert!(
            text.contains(&format!("the `{attribute}` attribute")),
            "{variable}: {text}"
        );
        assert_eq!(sb.total(), 0, "{variable}: nothing reached Azure or Entra");
        ws.set_env(variable, &good);
    }
    // The same value in the provider block is refused as before, at validate time.
    ws.write_config(&format!(
        "provider \"astro\" {{\n  subscription_id = \"my-prod-sub\"\n}}\n{}",
        hcl::endpoint(&sb, "agents", "astro-privatelink", "")
    ));
    let text = failing(&ws, &["validate", "-no-color"]);
    assert!(text.contains("\"my-prod-sub\" is not a GUID"), "{text}");
}

// ---- item 4: another subscription ----------------------------------------------------------

#[test]
fn a_subnet_in_another_subscription_names_both_subscriptions() {
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    let subnet_sub = sb.var("ARM_SUBSCRIPTION_ID");
    // Astronomer's subscription exists in the sandbox but holds no rg-astro-agents.
    let provider_sub = "00000000-0000-0000-0000-0000000000a5";
    ws.set_env("ARM_SUBSCRIPTION_ID", provider_sub);
    ws.write_config(&format!(
        "{PROVIDER}{}",
        hcl::endpoint(&sb, "agents", "astro-privatelink", "")
    ));
    ws.init();
    let text = failing(&ws, &APPLY);
    assert!(
        text.contains("ResourceGroupNotFound"),
        "Azure's code is kept:\n{text}"
    );
    in_order(
        &text,
        &format!("Set the provider's subscription_id (or ARM_SUBSCRIPTION_ID) to {subnet_sub}"),
        &format!("the provider works in subscription {provider_sub}"),
    );
    assert!(text.contains(&subnet), "the subnet ID is named:\n{text}");
    assert!(
        !text.contains("Create the resource group first"),
        "no misleading hint:\n{text}"
    );
}

// ---- items 5 and 6: the approval wait ------------------------------------------------------

/// The endpoint applied alone, then the approval added with `create` as its timeout.
fn endpoint_then_approval(sb: &TestSandbox, create: &str) -> Workspace {
    let ws = Workspace::with_sandbox(sb);
    ws.write_config(&format!(
        "{PROVIDER}{}\nresource \"astro_private_endpoint_approval\" \"astro\" {{\n  private_endpoint_id = astro_private_endpoint.agents.id\n  timeouts {{\n    create = \"{create}\"\n  }}\n}}\n",
        hcl::endpoint(sb, "agents", "astro-privatelink", "")
    ));
    ws.init();
    ws.apply_target("astro_private_endpoint.agents");
    ws
}

/// Arrival times (µs since the Unix epoch) of the GETs of private endpoints.
fn endpoint_reads(sb: &TestSandbox) -> Vec<u64> {
    sb.requests()
        .iter()
        .filter(|r| r["method"] == "GET" && r["resource_type"] == "privateEndpoints")
        .filter_map(|r| r["received_us"].as_u64())
        .collect()
}

/// Applies the approval without refreshing the endpoint, so every endpoint GET in the
/// request log is one of the wait's reads; it times out, and the message is returned.
fn approval_times_out(sb: &TestSandbox, ws: &Workspace) -> String {
    sb.clear_requests();
    let text = failing(
        ws,
        &[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-refresh=false",
        ],
    );
    in_order(
        &text,
        "Ask Astronomer support to approve the connection",
        "the connection is still Pending",
    );
    text
}

#[test]
fn the_approval_reads_one_last_time_at_its_create_deadline() {
    let sb = TestSandbox::start();
    let ws = endpoint_then_approval(&sb, "10s");
    let text = approval_times_out(&sb, &ws);
    assert!(
        text.contains("Waited 10s"),
        "the whole timeout was waited:\n{text}"
    );
    let reads = endpoint_reads(&sb);
    let (first, last) = (reads[0], reads[reads.len() - 1]);
    // Reads start about 0, 1, 3 and 7 s into the wait, then at the deadline: the last one
    // comes at least 9 s after the first (the first itself comes a little after the
    // deadline's start). Before the fix the wait gave up after the read at about 7 s.
    assert!(
        last - first >= 9_000_000,
        "the last read is at the deadline: reads at {reads:?} µs"
    );
}

#[test]
fn slow_reads_do_not_stretch_the_spacing_of_the_approval_reads() {
    let sb = TestSandbox::start();
    let ws = endpoint_then_approval(&sb, "30s");
    // Every ARM request takes 4 s. Reads are due 1, 2, 4, 8 and then 15 s after the start of
    // the one before: the first three follow at once (each read outlasts its spacing), the
    // fourth about 12 s in, the fifth about 19 s in and the last at the deadline, 30 s in:
    // six reads. Pausing after each read instead (before the fix) makes four.
    sb.set_faults(json!({"latency_ms": 4000}));
    let text = approval_times_out(&sb, &ws);
    let reads = endpoint_reads(&sb);
    assert!(
        reads.len() >= 6,
        "reads start on their schedule, not after the read before: {} reads at {reads:?} µs\n{text}",
        reads.len()
    );
}

#[test]
fn an_error_while_the_approval_waits_shows_in_the_provider_log_at_once() {
    // What the approval page says: Terraform prints an apply's errors only when the whole
    // apply ends, and TF_LOG_PROVIDER=INFO shows the wait's progress lines and each error
    // when it happens.
    let sb = TestSandbox::start();
    let mut ws = Workspace::with_sandbox(&sb);
    let missing_vnet = sb
        .var("ASTRO_SANDBOX_VNET_ID")
        .replace("vnet-agents", "vnet-missing");
    ws.write_config(&format!(
        "{PROVIDER}{}{}\nresource \"astro_private_endpoint_approval\" \"astro\" {{\n  private_endpoint_id = astro_private_endpoint.agents.id\n}}\n",
        hcl::endpoint(&sb, "agents", "astro-privatelink", ""),
        hcl::dns(
            "astro",
            "clxxxxxxxxx",
            "astro_private_endpoint.agents.private_ip_address",
            &[hcl::quoted(&missing_vnet)],
            ""
        )
    ));
    ws.init();
    let log = ws.log_provider_to("apply.log");
    let mut child = ws.spawn(&APPLY);
    common::wait::for_log(&log, "apply failed:", 1, &mut child);
    common::wait::for_log(&log, common::wait::WAITING, 1, &mut child);
    assert!(
        child.try_wait().expect("terraform runs").is_none(),
        "the DNS error is in the log while the approval still waits"
    );
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains("vnet-missing"),
        "the logged error names the VNet:\n{text}"
    );
    let pe = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    sb.approve(&pe, "Approved", "Approved by Astronomer support");
    let out = child.wait_with_output().expect("terraform apply");
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("astro_private_endpoint_approval.astro: Creation complete")
            && text.contains("Error:")
            && text.contains("vnet-missing"),
        "Terraform prints the DNS error once the wait has ended:\n{text}"
    );
}
