//! End-to-end, real `terraform` against the in-process Azure sandbox: the two resources and
//! the data source through create, plan, in-place update, drift, import and destroy.

mod common;

use common::sandbox::TestSandbox;
use common::{Workspace, hcl, resource_values, wait};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// The second seeded VNet, next to the first.
fn vnet2(sb: &TestSandbox) -> String {
    format!("{}-2", sb.var("ASTRO_SANDBOX_VNET_ID"))
}

/// Every argument set; `tags`, `message`, `ttl`, `vnets` vary between steps.
fn complete(sb: &TestSandbox, team: &str, message: &str, ttl: u32, vnets: &[String]) -> String {
    let vnets = vnets
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"provider "astro" {{}}

resource "astro_private_endpoint" "agents" {{
  name                          = "astro-privatelink"
  resource_group_name           = "rg-astro-agents"
  location                      = "East US"
  subnet_id                     = "{subnet}"
  private_link_service_alias    = "{alias}"
  request_message               = "{message}"
  connection_name               = "astro-connection"
  manual_connection             = true
  custom_network_interface_name = "astro-privatelink-nic"
  tags                          = {{ team = "{team}" }}

  timeouts {{
    create = "10m"
    delete = "10m"
  }}
}}

resource "astro_private_dns" "astro" {{
  resource_group_name = "rg-astro-dns"
  cluster_id          = "clxxxxxxxxx"
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = [{vnets}]
  zone_name           = "external.astronomer.run"
  ttl                 = {ttl}
  manage_zone         = true
  tags                = {{ team = "{team}" }}
}}

data "astro_private_endpoint_connection" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id
}}

output "status" {{
  value = data.astro_private_endpoint_connection.astro.status
}}
"#,
        subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
    )
}

#[test]
fn basic_config_applies_plans_empty_and_destroys_to_nothing() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&hcl::basic(&sb));
    ws.init();
    ws.apply();
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.agents");
    let ip = pe["private_ip_address"].as_str().unwrap().to_string();
    assert!(
        ip.starts_with("10.10.1."),
        "endpoint IP from the agents' subnet, got {ip}"
    );
    assert_eq!(pe["connection_closed"], false);
    assert_eq!(pe["connection_name"], "astro-privatelink");
    assert!(
        pe["id"]
            .as_str()
            .unwrap()
            .ends_with("/privateEndpoints/astro-privatelink")
    );
    let dns = resource_values(&state, "astro_private_dns.astro");
    assert_eq!(dns["ip_address"], ip.as_str());
    assert_eq!(dns["fqdn"], "clxxxxxxxxx.external.astronomer.run");
    assert_eq!(
        dns["virtual_network_link_ids"].as_object().unwrap().len(),
        1
    );
    ws.assert_clean_plan("plan after apply must be empty");
    assert!(!sb.resources().is_empty());
    ws.destroy_to_nothing(&sb);
}

#[test]
fn complete_config_applies_plans_empty_and_destroys_to_nothing() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let vnets = [sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb)];
    ws.write_config(&complete(
        &sb,
        "data",
        "Astro cluster clxxxxxxxxx, org acme",
        60,
        &vnets,
    ));
    ws.init();
    let out = ws.apply();
    assert!(out.contains("status = \"Pending\""), "{out}");
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.agents");
    assert_eq!(
        pe["location"], "East US",
        "the user's spelling of the region is kept"
    );
    assert_eq!(pe["connection_name"], "astro-connection");
    assert!(
        pe["network_interface_id"]
            .as_str()
            .unwrap()
            .ends_with("/networkInterfaces/astro-privatelink-nic")
    );
    assert_eq!(pe["timeouts"]["create"], "10m");
    let dns = resource_values(&state, "astro_private_dns.astro");
    assert_eq!(dns["ttl"], 60);
    assert_eq!(
        dns["virtual_network_link_ids"].as_object().unwrap().len(),
        2
    );
    ws.assert_clean_plan("plan after apply must be empty");
    ws.destroy_to_nothing(&sb);
}

#[test]
fn in_place_updates_touch_only_what_changed() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let one = [sb.var("ASTRO_SANDBOX_VNET_ID")];
    let two = [sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb)];
    ws.write_config(&complete(&sb, "data", "first message", 300, &one));
    ws.init();
    ws.apply();
    let id_before =
        resource_values(&ws.state_json(), "astro_private_endpoint.agents")["id"].clone();

    let step = |config: String, expect: &[(&str, u64)]| {
        ws.write_config(&config);
        sb.clear_requests();
        ws.apply();
        for (key, n) in expect {
            assert_eq!(
                sb.count(key),
                *n,
                "{key} after this step; summary: {}",
                sb.summary()
            );
        }
        for never in [
            "DELETE privateEndpoints",
            "DELETE privateDnsZones",
            "DELETE A",
        ] {
            assert_eq!(
                sb.count(never),
                0,
                "{never} must not happen in an in-place update; summary: {}",
                sb.summary()
            );
        }
        ws.assert_clean_plan("plan after the update must be empty");
    };
    // Tags: one endpoint PUT, one zone PUT and one PUT of the zone's link, nothing else.
    step(
        complete(&sb, "platform", "first message", 300, &one),
        &[
            ("PUT privateEndpoints", 1),
            ("PUT privateDnsZones", 1),
            ("PUT A", 0),
            ("PUT virtualNetworkLinks", 1),
        ],
    );
    // Request message: the endpoint only.
    step(
        complete(&sb, "platform", "second message", 300, &one),
        &[
            ("PUT privateEndpoints", 1),
            ("PUT privateDnsZones", 0),
            ("PUT A", 0),
        ],
    );
    // TTL: the record only.
    step(
        complete(&sb, "platform", "second message", 60, &one),
        &[
            ("PUT A", 1),
            ("PUT privateEndpoints", 0),
            ("PUT privateDnsZones", 0),
        ],
    );
    // A second VNet: one link created, nothing else.
    step(
        complete(&sb, "platform", "second message", 60, &two),
        &[
            ("PUT virtualNetworkLinks", 1),
            ("DELETE virtualNetworkLinks", 0),
            ("PUT A", 0),
            ("PUT privateEndpoints", 0),
        ],
    );
    // And removed again: one link deleted.
    step(
        complete(&sb, "platform", "second message", 60, &one),
        &[
            ("DELETE virtualNetworkLinks", 1),
            ("PUT virtualNetworkLinks", 0),
            ("PUT A", 0),
        ],
    );
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.agents");
    assert_eq!(pe["id"], id_before, "the endpoint was never replaced");
    assert_eq!(pe["request_message"], "second message");
    assert_eq!(pe["tags"]["team"], "platform");
}

#[test]
fn ip_address_change_rewrites_only_the_record() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let config = |ip: &str| {
        format!(
            "provider \"astro\" {{}}\n\nresource \"astro_private_dns\" \"astro\" {{\n  resource_group_name = \"rg-astro-dns\"\n  cluster_id          = \"clxxxxxxxxx\"\n  ip_address          = \"{ip}\"\n  virtual_network_ids = [\"{}\"]\n}}\n",
            sb.var("ASTRO_SANDBOX_VNET_ID")
        )
    };
    ws.write_config(&config("10.10.1.50"));
    ws.init();
    ws.apply();
    ws.write_config(&config("10.10.1.51"));
    let plan = ws.plan_json();
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["actions"], json!(["update"]));
    assert_ne!(
        change["after_unknown"]["virtual_network_link_ids"], true,
        "unchanged VNets keep their known link IDs: {change}"
    );
    sb.clear_requests();
    ws.apply();
    assert_eq!(sb.count("PUT A"), 1, "{}", sb.summary());
    assert_eq!(
        sb.count("PUT privateDnsZones")
            + sb.count("PUT virtualNetworkLinks")
            + sb.count("DELETE A"),
        0,
        "{}",
        sb.summary()
    );
    assert_eq!(
        resource_values(&ws.state_json(), "astro_private_dns.astro")["ip_address"],
        "10.10.1.51"
    );
    ws.assert_clean_plan("plan");
}

#[test]
fn out_of_band_changes_show_in_plan_and_apply_repairs_them() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let vnets = [sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb)];
    ws.write_config(&complete(&sb, "data", "msg", 300, &vnets));
    ws.init();
    ws.apply();
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.agents").clone();
    let dns = resource_values(&state, "astro_private_dns.astro").clone();
    let record = dns["id"].as_str().unwrap().to_string();
    let first_link = dns["virtual_network_link_ids"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();

    let edits = [
        (
            "record IP changed",
            json!({"op": "set_a_record", "id": record, "ipv4": ["10.10.1.99"]}),
        ),
        (
            "record TTL changed",
            json!({"op": "set_a_record", "id": record, "ipv4": [dns["ip_address"]], "ttl": 5}),
        ),
        ("record deleted", json!({"op": "delete", "id": record})),
        ("link removed", json!({"op": "delete", "id": first_link})),
        (
            "endpoint tags changed",
            json!({"op": "set_tags", "id": pe["id"], "tags": {"team": "intruder"}}),
        ),
        ("endpoint deleted", json!({"op": "delete", "id": pe["id"]})),
    ];
    for (what, edit) in edits {
        sb.oob(edit);
        let (code, text) = ws.plan_exit();
        assert_eq!(code, 2, "plan must show the drift after: {what}\n{text}");
        ws.apply();
        ws.assert_clean_plan(&format!("apply must repair: {what}"));
    }
    let state = ws.state_json();
    let pe = resource_values(&state, "astro_private_endpoint.agents");
    let dns = resource_values(&state, "astro_private_dns.astro");
    assert_eq!(
        dns["ip_address"], pe["private_ip_address"],
        "the record follows the re-created endpoint's IP"
    );
    assert_eq!(pe["tags"]["team"], "data");
}

#[test]
fn import_gives_an_empty_plan_and_create_over_existing_objects_gives_the_import_hint() {
    let sb = TestSandbox::start();
    let first = Workspace::with_sandbox(&sb);
    first.write_config(&hcl::basic(&sb));
    first.init();
    first.apply();
    let state = first.state_json();
    let pe_id = resource_values(&state, "astro_private_endpoint.agents")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dns_id = resource_values(&state, "astro_private_dns.astro")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // A second configuration that does not know these objects must refuse to adopt them.
    let second = Workspace::with_sandbox(&sb);
    second.write_config(&hcl::basic(&sb));
    second.init();
    let out = second.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = common::both(&out);
    assert!(
        !out.status.success(),
        "create over an existing endpoint must fail:\n{text}"
    );
    assert!(text.contains("already exists"), "{text}");
    assert!(
        text.contains(&format!(
            "terraform import astro_private_endpoint.<name> {pe_id}"
        )),
        "{text}"
    );

    // Importing both gives an empty plan.
    let third = Workspace::with_sandbox(&sb);
    third.write_config(&hcl::basic(&sb));
    third.init();
    third.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_endpoint.agents",
        &pe_id,
    ]);
    third.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_dns.astro",
        &dns_id,
    ]);
    let (code, text) = third.plan_exit();
    assert_eq!(code, 0, "plan after import must be empty:\n{text}");
    // `terraform import` stores no dependencies; the first refresh records the configured ones
    // (astro_private_dns uses the endpoint's IP), so that one refresh-only plan is applyable
    // with nothing to show. Terraform's own terraform_data does the same after an import with
    // a dependency; `import` blocks (tests/e2e_examples.rs) record them at apply instead.
    // First: it shows no change to any attribute of the objects made outside Terraform.
    let drift = third.refresh_drift();
    assert!(
        drift.is_empty(),
        "the imported objects show no drift: {drift:?}"
    );
    third.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    third.assert_clean_plan("plan after import must be empty");
}

#[test]
fn bad_import_ids_are_refused_with_the_expected_format() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&hcl::basic(&sb));
    ws.init();
    let out = ws.run(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_endpoint.agents",
        "astro-privatelink",
    ]);
    let text = common::both(&out);
    assert!(!out.status.success());
    assert!(
        text.contains("Invalid import ID")
            && text.contains("/providers/Microsoft.Network/privateEndpoints/<name>"),
        "{text}"
    );
}

fn dns_unit(
    label: &str,
    rg: &str,
    cluster: &str,
    manage: bool,
    vnets: &[String],
    extra: &str,
) -> String {
    let vnets = vnets
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "resource \"astro_private_dns\" \"{label}\" {{\n  resource_group_name = \"{rg}\"\n  cluster_id          = \"{cluster}\"\n  ip_address          = \"10.10.1.40\"\n  virtual_network_ids = [{vnets}]\n  manage_zone         = {manage}\n{extra}}}\n"
    )
}

#[test]
fn two_clusters_share_one_zone_and_destroying_one_keeps_the_links_the_other_resolves_through() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let (v1, v2) = (sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb));
    ws.write_config(&format!(
        "provider \"astro\" {{}}\n\n{}\n{}",
        dns_unit(
            "a",
            "rg-astro-dns",
            "cla",
            true,
            std::slice::from_ref(&v1),
            ""
        ),
        dns_unit(
            "b",
            "rg-astro-dns",
            "clb",
            false,
            &[v1.clone(), v2.clone()],
            "  depends_on          = [astro_private_dns.a]\n"
        ),
    ));
    ws.init();
    ws.apply();
    ws.assert_clean_plan("plan");
    let links = |rs: &[String]| {
        rs.iter()
            .filter(|r| r.contains("/virtualNetworkLinks/"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        links(&sb.resources()).len(),
        2,
        "b reuses a's link to the first VNet and makes one for the second"
    );

    let out = ws.ok(&[
        "destroy",
        "-auto-approve",
        "-no-color",
        "-target=astro_private_dns.b",
    ]);
    assert!(
        common::flat(&out).contains("Kept the link of"),
        "b says why its link stays: {out}"
    );
    let left = sb.resources();
    assert!(
        left.iter().any(|r| r.ends_with("/A/cla")),
        "a's record stays: {left:#?}"
    );
    assert!(
        !left.iter().any(|r| r.ends_with("/A/clb")),
        "b's record is gone: {left:#?}"
    );
    assert_eq!(
        links(&left).len(),
        2,
        "a's record still resolves through both links, so b keeps them: {left:#?}"
    );
    assert_eq!(ws.plan_exit().0, 2, "b is planned again");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(sb.resources(), Vec::<String>::new());
}

#[test]
fn destroy_stops_with_a_clear_error_when_the_zone_holds_foreign_records() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&format!(
        "provider \"astro\" {{}}\n\n{}",
        dns_unit(
            "a",
            "rg-astro-dns",
            "cla",
            true,
            &[sb.var("ASTRO_SANDBOX_VNET_ID")],
            ""
        )
    ));
    ws.init();
    ws.apply();
    let zone = resource_values(&ws.state_json(), "astro_private_dns.a")["zone_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, body) = sb.arm(
        reqwest::Method::PUT,
        &format!("{zone}/A/someone-else?api-version=2024-06-01"),
        Some(json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.10.1.77"}]}})),
    );
    assert!(code == 200 || code == 201, "{body}");
    let before = sb.resources();
    let out = ws.run(&["destroy", "-auto-approve", "-no-color"]);
    let text = common::flat(&common::both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("holds records this resource does not manage"),
        "{text}"
    );
    assert!(
        text.contains("A someone-else"),
        "the error names the record: {text}"
    );
    assert!(text.contains("Nothing was deleted"), "{text}");
    assert_eq!(sb.resources(), before, "nothing was deleted");
}

#[test]
fn a_vnet_already_linked_to_a_zone_of_the_same_name_gets_a_clear_error() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let v1 = sb.var("ASTRO_SANDBOX_VNET_ID");
    ws.write_config(&format!(
        "provider \"astro\" {{}}\n\n{}\n{}",
        dns_unit(
            "a",
            "rg-astro-dns",
            "cla",
            true,
            std::slice::from_ref(&v1),
            ""
        ),
        dns_unit(
            "b",
            "rg-astro-agents",
            "clb",
            true,
            &[v1],
            "  depends_on          = [astro_private_dns.a]\n"
        ),
    ));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = common::flat(&common::both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("overlapping namespaces"),
        "Azure's reason is shown: {text}"
    );
    assert!(
        text.contains("already linked to another private DNS zone with the same name"),
        "{text}"
    );
    assert!(
        text.contains("external.astronomer.run"),
        "the zone is named: {text}"
    );
}

/// A zone, a link to the agents' VNet and the record `clxxxxxxxxx`, made by hand (not by this
/// provider) in `sb`; returns (zone ID, VNet ID).
fn hand_made_dns(sb: &TestSandbox) -> (String, String) {
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    let zone = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
    );
    let put = |path: String, body: serde_json::Value| {
        let (code, answer) = sb.arm(
            reqwest::Method::PUT,
            &format!("{path}?api-version=2024-06-01"),
            Some(body),
        );
        assert!((200..300).contains(&code), "{path}: {answer}");
        // Zone and link PUTs are long-running: wait until they read back.
        wait::until_true(&format!("{path} to appear"), || {
            sb.arm(
                reqwest::Method::GET,
                &format!("{path}?api-version=2024-06-01"),
                None,
            )
            .0 == 200
        });
    };
    put(zone.clone(), json!({"location": "global"}));
    put(
        format!("{zone}/virtualNetworkLinks/hand-made-link"),
        json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
    );
    put(
        format!("{zone}/A/clxxxxxxxxx"),
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.10.1.40"}]}}),
    );

    (zone, vnet)
}

#[test]
fn importing_a_hand_made_record_into_an_unmanaged_zone_adopts_without_replacing() {
    let sb = TestSandbox::start();
    let (zone, vnet) = hand_made_dns(&sb);
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&format!(
        "provider \"astro\" {{}}\n\nimport {{\n  to = astro_private_dns.a\n  id = \"{zone}/A/clxxxxxxxxx\"\n}}\n\n{}",
        dns_unit("a", "rg-astro-dns", "clxxxxxxxxx", false, std::slice::from_ref(&vnet), "")
    ));
    ws.init();
    let plan = ws.plan_json();
    let change = &plan["resource_changes"].as_array().unwrap()[0]["change"];
    assert_eq!(
        change["actions"],
        json!(["update"]),
        "adopted in place, not replaced: {change}"
    );
    sb.clear_requests();
    ws.apply();
    let writes = sb.summary()["by_method"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(m, _)| *m != "GET")
        .map(|(_, n)| n.as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(
        writes,
        1,
        "only the token request; no write to Azure: {}",
        sb.summary()
    );
    ws.assert_clean_plan("plan");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    let left = sb.resources();
    assert!(
        left.iter()
            .any(|r| r.ends_with("/virtualNetworkLinks/hand-made-link")),
        "a link it did not make stays: {left:#?}"
    );
    assert!(
        left.iter()
            .any(|r| r.ends_with("/privateDnsZones/external.astronomer.run")),
        "the unmanaged zone stays: {left:#?}"
    );
    assert!(
        !left.iter().any(|r| r.ends_with("/A/clxxxxxxxxx")),
        "its record is gone: {left:#?}"
    );
}

#[test]
fn an_alias_azure_does_not_know_fails_with_what_to_send_support() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let unknown = "nobody.00000000-0000-0000-0000-00000000dead.eastus.azure.privatelinkservice";
    ws.write_config(&hcl::basic(&sb).replace(&sb.var("ASTRO_SANDBOX_PLS_ALIAS"), unknown));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = common::flat(&common::both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("InvalidPrivateLinkServiceId"),
        "Azure's code is shown: {text}"
    );
    assert!(text.contains("is visible to subscription"), "{text}");
    assert!(
        text.contains("send Astronomer support your subscription ID and the alias"),
        "{text}"
    );
    assert!(
        sb.resources().is_empty(),
        "nothing was left behind: {:?}",
        sb.resources()
    );
}

#[test]
fn a_command_line_import_into_an_unmanaged_zone_never_replaces_it() {
    // `terraform import` stores the unit and Terraform upgrades that state at the start of the
    // next plan: the ownership left open by the import (manage_zone = null) must survive it,
    // or a configuration with manage_zone = false would replace (and so delete) a zone that
    // is not ours.
    let sb = TestSandbox::start();
    let (zone, vnet) = hand_made_dns(&sb);
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&format!(
        "provider \"astro\" {{}}\n\n{}",
        dns_unit(
            "a",
            "rg-astro-dns",
            "clxxxxxxxxx",
            false,
            std::slice::from_ref(&vnet),
            ""
        )
    ));
    ws.init();
    ws.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_dns.a",
        &format!("{zone}/A/clxxxxxxxxx"),
    ]);
    let plan = ws.plan_json();
    let change = &plan["resource_changes"].as_array().unwrap()[0]["change"];
    assert_eq!(
        change["actions"],
        json!(["update"]),
        "adopted in place, not replaced: {change}"
    );
    ws.apply();
    ws.assert_clean_plan("plan");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(
        sb.resources()
            .iter()
            .any(|r| r.ends_with("/privateDnsZones/external.astronomer.run")),
        "the unmanaged zone stays"
    );
}

/// True when `after_unknown` marks anything (at any depth) as known only after apply.
fn marks_unknown(v: &Json) -> bool {
    match v {
        Json::Bool(b) => *b,
        Json::Array(items) => items.iter().any(marks_unknown),
        Json::Object(m) => m.values().any(marks_unknown),
        _ => false,
    }
}

/// Saves a plan of `config` and returns, per resource address, the attributes whose before
/// and after differ and whether `after_unknown` marks anything.
fn saved_plan(ws: &Workspace, config: &str) -> BTreeMap<String, (Vec<String>, bool)> {
    ws.write_config(config);
    ws.ok(&["plan", "-no-color", "-input=false", "-out=exact.tfplan"]);
    let plan: Json =
        serde_json::from_str(&ws.ok(&["show", "-json", "exact.tfplan"])).expect("plan JSON");
    let mut out = BTreeMap::new();
    for rc in plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let change = &rc["change"];
        // A data source that depends on a changed resource is read again at apply.
        if rc["mode"] != "managed" || change["actions"] == json!(["no-op"]) {
            continue;
        }
        assert_eq!(change["actions"], json!(["update"]), "in place: {rc}");
        let (before, after) = (&change["before"], &change["after"]);
        let keys: Vec<String> = after
            .as_object()
            .expect("after is an object")
            .iter()
            .filter(|(k, v)| before[k.as_str()] != **v)
            .map(|(k, _)| k.clone())
            .collect();
        out.insert(
            rc["address"].as_str().unwrap_or_default().to_string(),
            (keys, marks_unknown(&change["after_unknown"])),
        );
    }
    ws.ok(&["apply", "-no-color", "-input=false", "exact.tfplan"]);
    out
}

#[test]
fn tags_only_and_ttl_only_updates_plan_exactly_the_changed_attribute() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let one = [sb.var("ASTRO_SANDBOX_VNET_ID")];
    ws.write_config(&complete(&sb, "data", "first message", 300, &one));
    ws.init();
    ws.apply();
    // Tags of both resources: each plans `tags` and nothing known only after apply.
    let tags = saved_plan(&ws, &complete(&sb, "platform", "first message", 300, &one));
    let exact = (vec!["tags".to_string()], false);
    assert_eq!(
        tags.get("astro_private_endpoint.agents"),
        Some(&exact),
        "{tags:?}"
    );
    assert_eq!(
        tags.get("astro_private_dns.astro"),
        Some(&exact),
        "{tags:?}"
    );
    assert_eq!(tags.len(), 2, "{tags:?}");
    // TTL: only the DNS unit, only `ttl`.
    let ttl = saved_plan(&ws, &complete(&sb, "platform", "first message", 600, &one));
    assert_eq!(
        ttl.get("astro_private_dns.astro"),
        Some(&(vec!["ttl".to_string()], false)),
        "{ttl:?}"
    );
    assert_eq!(ttl.len(), 1, "the endpoint does not change: {ttl:?}");
    ws.assert_clean_plan("after the exact updates");
}
