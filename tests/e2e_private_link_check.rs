//! End-to-end tests of `astro_private_link_check` with the real `terraform` against the
//! sandbox: one healthy hub-and-spoke setup where every check passes, then one broken setup
//! per check (unapproved, record IP wrong, VNet not linked, spoke not peered, custom DNS
//! servers outside any linked VNet, an NSG deny on 443 above the default allow, and the
//! endpoint subnet's NSG when network policies apply), each failing with its fix; and
//! `fail_on_error` turning failures into an error; and `zone_records` listing the names the
//! zone resolves.

mod common;

use std::collections::BTreeMap;

use common::hcl::{self, PROVIDER};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat};
use serde_json::{Value as Json, json};

const CLUSTER: &str = "clcheck000001";

struct Setup {
    sb: TestSandbox,
    ws: Workspace,
}

fn hub(sb: &TestSandbox) -> String {
    sb.var("ASTRO_SANDBOX_VNET_ID")
}

fn spoke(sb: &TestSandbox) -> String {
    hub(sb).replace(
        "/virtualNetworks/vnet-agents",
        "/virtualNetworks/vnet-agents-2",
    )
}

fn pe_id(sb: &TestSandbox) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink",
        sb.var("ARM_SUBSCRIPTION_ID")
    )
}

fn quoted(ids: &[String]) -> String {
    ids.iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Endpoint in the hub's agent subnet, the zone linked to `linked`, and the check over the
/// agents in `agent_subnets`.
fn config(
    sb: &TestSandbox,
    linked: &[String],
    agent_subnets: &[String],
    fail_on_error: bool,
) -> String {
    let endpoint = hcl::endpoint(sb, "agents", "astro-privatelink", "");
    let linked: Vec<String> = linked.iter().map(|id| hcl::quoted(id)).collect();
    let unit = hcl::dns(
        "astro",
        CLUSTER,
        "astro_private_endpoint.agents.private_ip_address",
        &linked,
        "",
    );
    format!(
        r#"{PROVIDER}{endpoint}{unit}
data "astro_private_link_check" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id
  dns_record_id       = astro_private_dns.astro.id
  agent_subnet_ids    = [{agents}]
  fail_on_error       = {fail_on_error}
}}

output "ok" {{
  value = data.astro_private_link_check.astro.ok
}}

output "checks" {{
  value = data.astro_private_link_check.astro.checks
}}
"#,
        agents = quoted(agent_subnets),
    )
}

/// Hub and spoke: agents in both VNets' `snet-agents`, the zone linked to both.
fn hub_and_spoke(sb: &TestSandbox, fail_on_error: bool) -> String {
    config(
        sb,
        &[hub(sb), spoke(sb)],
        &[
            sb.var("ASTRO_SANDBOX_SUBNET_ID"),
            format!("{}/subnets/snet-agents", spoke(sb)),
        ],
        fail_on_error,
    )
}

/// Applies the hub-and-spoke setup; `approve`: Astronomer approves the connection.
fn setup(approve: bool) -> Setup {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&hub_and_spoke(&sb, false));
    ws.init();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    if approve {
        sb.approve(&pe_id(&sb), "Approved", "Approved by Astronomer support");
    }
    Setup { sb, ws }
}

/// Asserts that exactly `failing` failed, its fix contains `fix`, and every other passed.
fn assert_only_failing(
    checks: &BTreeMap<String, Json>,
    failing: &str,
    fix: &[&str],
    detail: &[&str],
) {
    for (name, c) in checks {
        if name == failing {
            assert_eq!(c["ok"], false, "{name} must fail: {c}");
            let f = c["fix"].as_str().unwrap_or_default();
            for want in fix {
                assert!(f.contains(want), "{name}'s fix lacks {want:?}: {f}");
            }
            let d = c["detail"].as_str().unwrap_or_default();
            for want in detail {
                assert!(d.contains(want), "{name}'s detail lacks {want:?}: {d}");
            }
        } else {
            assert_eq!(c["ok"], true, "{name} must pass: {c}");
            assert_eq!(c["fix"], "", "{name} passed, so no fix: {c}");
        }
    }
    assert!(
        checks.contains_key(failing),
        "no check {failing}: {checks:?}"
    );
}

fn network(sb: &TestSandbox, control: Json) {
    let (code, body) = sb.arm(reqwest::Method::POST, "/_sandbox/network", Some(control));
    assert_eq!(code, 200, "{body}");
}

#[test]
fn a_healthy_hub_and_spoke_passes_every_check_and_plans_clean() {
    let Setup { sb, ws } = setup(true);
    let (ok, checks) = ws.link_checks();
    let names: Vec<&str> = checks.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "agent_vnets_reach_endpoint",
            "agent_vnets_resolve_zone",
            "connection_approved",
            "nsg_allows_443",
            "record_points_at_endpoint",
            "zone_records"
        ]
    );
    for (name, c) in &checks {
        assert_eq!(c["ok"], true, "{name}: {c}");
    }
    assert!(ok);
    let detail = |n: &str| checks[n]["detail"].as_str().unwrap_or_default().to_string();
    assert!(
        detail("nsg_allows_443").contains("default rule \"AllowVnetOutBound\" (priority 65000)"),
        "{}",
        detail("nsg_allows_443")
    );
    assert!(
        detail("agent_vnets_reach_endpoint").contains(
            "vnet-agents-2 -> vnet-agents: Connected; vnet-agents -> vnet-agents-2: Connected"
        ),
        "{}",
        detail("agent_vnets_reach_endpoint")
    );
    assert!(detail("record_points_at_endpoint").contains(&format!(
        "{CLUSTER}.external.astronomer.run points at 10.10.1.4"
    )));
    assert!(
        detail("zone_records").starts_with(&format!(
            "zone external.astronomer.run holds 1 A record: {CLUSTER}.external.astronomer.run -> 10.10.1.4 (this cluster). A VNet linked to the zone (vnet-agents, vnet-agents-2) resolves only these names"
        )),
        "{}",
        detail("zone_records")
    );
    // The list keeps its documented order.
    let raw: Json = serde_json::from_str(&ws.ok(&["output", "-json", "checks"])).expect("JSON");
    let order: Vec<&str> = raw
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        order,
        [
            "connection_approved",
            "record_points_at_endpoint",
            "agent_vnets_resolve_zone",
            "agent_vnets_reach_endpoint",
            "zone_records",
            "nsg_allows_443"
        ]
    );
    ws.assert_clean_plan("healthy setup");
    drop(sb);
}

#[test]
fn zone_records_lists_every_name_the_zone_resolves_this_cluster_first() {
    let Setup { sb, ws } = setup(true);
    // Another cluster's record, made by hand, sorts before this one.
    let other = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/claother00001?api-version=2024-06-01",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    let (code, body) = sb.arm(
        reqwest::Method::PUT,
        &other,
        Some(json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.20.1.9"}]}})),
    );
    assert_eq!(code, 201, "{body}");
    let (ok, checks) = ws.link_checks();
    assert!(ok, "{checks:?}");
    let detail = checks["zone_records"]["detail"]
        .as_str()
        .unwrap_or_default();
    assert!(
        detail.starts_with(&format!(
            "zone external.astronomer.run holds 2 A records: {CLUSTER}.external.astronomer.run -> 10.10.1.4 (this cluster); claother00001.external.astronomer.run -> 10.20.1.9."
        )),
        "{detail}"
    );
    assert!(
        detail.contains("gets NXDOMAIN for every other name under external.astronomer.run"),
        "{detail}"
    );
    assert!(
        detail.contains("NxDomainRedirect fallback to public DNS is for privatelink.* zones only"),
        "{detail}"
    );
}

#[test]
fn an_unapproved_connection_fails_with_what_to_send_support() {
    let Setup { sb, ws } = setup(false);
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "connection_approved",
        &[
            "Ask Astronomer support to approve",
            &pe_id(&sb),
            &sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        ],
        &["is Pending"],
    );
}

#[test]
fn a_record_pointing_elsewhere_fails_with_the_endpoint_ip() {
    let Setup { sb, ws } = setup(true);
    let record = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/{CLUSTER}",
        sb.var("ARM_SUBSCRIPTION_ID")
    );
    sb.oob(json!({"op": "set_a_record", "id": record, "ipv4": ["10.10.1.99"]}));
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "record_points_at_endpoint",
        &["Point the record at 10.10.1.4"],
        &["points at 10.10.1.99; the endpoint's private IP is 10.10.1.4"],
    );
}

#[test]
fn an_agent_vnet_not_linked_to_the_zone_fails_with_the_link_fix() {
    let Setup { sb, ws } = setup(true);
    // The spoke's agents are checked, but the zone is linked to the hub only.
    ws.write_config(&config(
        &sb,
        &[hub(&sb)],
        &[
            sb.var("ASTRO_SANDBOX_SUBNET_ID"),
            format!("{}/subnets/snet-agents", spoke(&sb)),
        ],
        false,
    ));
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "agent_vnets_resolve_zone",
        &["Link the zone to VNet vnet-agents-2", &spoke(&sb)],
        &[
            "vnet-agents-2 uses Azure-provided DNS",
            "peering does not carry zone links",
        ],
    );
}

#[test]
fn a_spoke_not_peered_with_the_hub_fails_with_the_peering_fix() {
    let Setup { sb, ws } = setup(true);
    network(
        &sb,
        json!({"op": "delete_peering", "vnet_id": spoke(&sb), "remote_vnet_id": hub(&sb)}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    let reach = &checks["agent_vnets_reach_endpoint"];
    assert_eq!(reach["ok"], false, "{reach}");
    assert!(
        reach["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("Peer VNet vnet-agents-2 with VNet vnet-agents in both directions"),
        "{reach}"
    );
    assert!(
        reach["detail"].as_str().unwrap_or_default().contains(
            "vnet-agents-2 -> vnet-agents: no peering; vnet-agents -> vnet-agents-2: Connected"
        ),
        "{reach}"
    );
    // Without the peering the hub's space leaves the spoke NSG's VirtualNetwork tag, so the
    // default allow no longer covers the endpoint either: DenyAllOutBound decides.
    assert!(
        checks["nsg_allows_443"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("denied by default rule \"DenyAllOutBound\" (priority 65500)"),
        "{checks:?}"
    );
    for name in [
        "connection_approved",
        "record_points_at_endpoint",
        "agent_vnets_resolve_zone",
    ] {
        assert_eq!(checks[name]["ok"], true, "{name}: {checks:?}");
    }
    // Half-made: present both ways but Initiated on one side.
    network(
        &sb,
        json!({"op": "set_peering", "vnet_id": spoke(&sb), "remote_vnet_id": hub(&sb), "peering_state": "Initiated"}),
    );
    let (_, checks) = ws.link_checks();
    assert!(
        checks["agent_vnets_reach_endpoint"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("vnet-agents-2 -> vnet-agents: Initiated"),
        "{checks:?}"
    );
}

#[test]
fn custom_dns_servers_outside_any_linked_vnet_fail_with_the_forwarding_fix() {
    let Setup { sb, ws } = setup(true);
    // Servers in the (linked) hub: resolving works.
    network(
        &sb,
        json!({"op": "set_dns_servers", "vnet_id": spoke(&sb), "dns_servers": ["10.10.0.4"]}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(ok, "{checks:?}");
    assert!(
        checks["agent_vnets_resolve_zone"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("10.10.0.4 (in linked VNet vnet-agents)"),
        "{checks:?}"
    );
    // Servers elsewhere: named, with the forwarding fix.
    network(
        &sb,
        json!({"op": "set_dns_servers", "vnet_id": spoke(&sb), "dns_servers": ["10.99.0.4"]}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "agent_vnets_resolve_zone",
        &["forward `external.astronomer.run` to 168.63.129.16 from a VNet linked to the zone"],
        &[
            "vnet-agents-2 uses custom DNS servers 10.99.0.4, which are not in any VNet linked to external.astronomer.run",
        ],
    );
}

#[test]
fn an_nsg_deny_on_443_above_the_default_allow_fails_naming_the_rule() {
    let Setup { sb, ws } = setup(true);
    let nsg = sb.var("ASTRO_SANDBOX_VNET_ID").replace(
        "/virtualNetworks/vnet-agents",
        "/networkSecurityGroups/nsg-agents-2",
    );
    network(
        &sb,
        json!({"op": "put_security_rule", "nsg_id": nsg, "rule": {"name": "deny-https-out", "priority": 200, "direction": "Outbound", "access": "Deny", "protocol": "Tcp", "destination_port_range": "443"}}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "nsg_allows_443",
        &[
            "In NSG nsg-agents-2",
            "priority number below 200",
            "deny-https-out",
        ],
        &[
            "subnet snet-agents: NSG nsg-agents-2, outbound TCP 443 to 10.10.1.4 denied by custom rule \"deny-https-out\" (priority 200)",
        ],
    );
    // An allow with a lower number wins again.
    network(
        &sb,
        json!({"op": "put_security_rule", "nsg_id": nsg, "rule": {"name": "allow-astro", "priority": 150, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "destination_address_prefix": "10.10.1.4/32", "destination_port_range": "443"}}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(ok, "{checks:?}");
    assert!(
        checks["nsg_allows_443"]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("allowed by custom rule \"allow-astro\" (priority 150)"),
        "{checks:?}"
    );
}

#[test]
fn the_endpoint_subnet_nsg_counts_when_network_policies_apply_to_endpoints() {
    let Setup { sb, ws } = setup(true);
    let nsg = sb.var("ASTRO_SANDBOX_VNET_ID").replace(
        "/virtualNetworks/vnet-agents",
        "/networkSecurityGroups/nsg-agents",
    );
    network(
        &sb,
        json!({"op": "put_security_rule", "nsg_id": nsg, "rule": {"name": "deny-spoke-in", "priority": 300, "direction": "Inbound", "access": "Deny", "source_address_prefix": "10.20.0.0/16"}}),
    );
    // Policies Disabled: NSG rules do not apply to the endpoint.
    let (ok, checks) = ws.link_checks();
    assert!(ok, "{checks:?}");
    network(
        &sb,
        json!({"op": "set_subnet_policies", "subnet_id": sb.var("ASTRO_SANDBOX_SUBNET_ID"), "private_endpoint_network_policies": "NetworkSecurityGroupEnabled"}),
    );
    let (ok, checks) = ws.link_checks();
    assert!(!ok);
    assert_only_failing(
        &checks,
        "nsg_allows_443",
        &[
            "In NSG nsg-agents, add an inbound rule allowing TCP 443 from 10.20.1.0/24 to 10.10.1.4/32",
            "deny-spoke-in",
        ],
        &[
            "inbound TCP 443 from snet-agents denied by custom rule \"deny-spoke-in\" (priority 300)",
        ],
    );
}

#[test]
fn fail_on_error_turns_failed_checks_into_an_error_with_the_fixes() {
    let Setup { sb, ws } = setup(false);
    ws.write_config(&hub_and_spoke(&sb, true));
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("Private Link check failed: connection_approved"),
        "{text}"
    );
    assert!(
        text.contains("Fix: Ask Astronomer support to approve the connection"),
        "{text}"
    );
    sb.approve(&pe_id(&sb), "Approved", "Approved by Astronomer support");
    let applied = ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert!(flat(&applied).contains("ok = true"), "{applied}");
}
