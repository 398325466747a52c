//! Killed at any write, nothing stranded: a fresh apply of one endpoint and one DNS unit
//! linked to two VNets is SIGKILLed (terraform and the provider, as a dying CI runner) while
//! each write is applied in Azure but unanswered: the endpoint, the zone, the record, one
//! link, both links. The user's next steps (apply; each import the error prints, run as
//! printed with the address filled in; apply) must end with both plans clean and every
//! object in Azure held by state, with no manual cleanup. Also: an empty zone made outside
//! the unit is adopted by the import the error prints.

mod common;

use common::hcl::{self, PROVIDER};
use common::kill::{self, assert_nothing_stranded, carry_on, hold, printed_import, rules_fired};
use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, wait};
use serde_json::json;

const CLUSTER: &str = "clkilled0001";
const ZONE: &str = "external.astronomer.run";

/// The endpoint and a DNS unit on its address linked to the seeded VNet and `vnet-link-0`.
fn config(sb: &TestSandbox) -> String {
    let vnets = [
        hcl::quoted(&sb.var("ASTRO_SANDBOX_VNET_ID")),
        hcl::quoted(&sb.extra_vnet_id(0)),
    ];
    format!(
        "{PROVIDER}{}{}",
        hcl::endpoint(sb, "pe", "astro-killed", ""),
        hcl::dns(
            "dns",
            CLUSTER,
            "astro_private_endpoint.pe.private_ip_address",
            &vnets,
            ""
        )
    )
}

/// Applies the configuration, kills the run once the `count` first `PUT`s of
/// `resource_type` are applied and held unanswered (and `ready` holds), then carries on as
/// the user would and checks the outcome. Returns the imports the user had to run.
fn killed_at(resource_type: &str, count: u32, ready: impl Fn(&TestSandbox) -> bool) -> Vec<String> {
    let sb = TestSandbox::start_with_extra_vnets(1);
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb));
    ws.init();
    sb.set_faults(json!({"rules": [hold("PUT", resource_type, count)]}));
    sb.clear_requests();
    let child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    wait::until_true(
        &format!("{count} PUT {resource_type} to be applied"),
        || rules_fired(&sb) && ready(&sb),
    );
    kill::kill_both(child);
    assert_eq!(
        sb.count("DELETE privateEndpoints") + sb.count("DELETE privateDnsZones"),
        0,
        "nothing may be deleted behind the user's back"
    );
    sb.set_faults(json!({}));

    let imports = carry_on(&ws);
    ws.assert_clean_plan(&format!("after a kill at PUT {resource_type}"));
    let state = ws.state_json();
    assert_nothing_stranded(&sb, &state);
    let dns = common::resource_values(&state, "astro_private_dns.dns");
    assert_eq!(
        dns["virtual_network_link_ids"].as_object().map(|m| m.len()),
        Some(2),
        "both VNets linked: {dns}"
    );
    ws.destroy_to_nothing(&sb);
    imports.into_iter().map(|(address, _)| address).collect()
}

#[test]
fn killed_at_the_endpoint_put() {
    let imports = killed_at("privateEndpoints", 1, |_| true);
    assert_eq!(imports, ["astro_private_endpoint.pe"]);
}

/// A kill at a write of the DNS unit: only the unit is asked to be imported (the endpoint
/// was in state already).
fn killed_at_a_dns_write(resource_type: &str) {
    let imports = killed_at(resource_type, 1, |_| true);
    assert!(
        imports.iter().all(|a| a == "astro_private_dns.dns"),
        "{imports:?}"
    );
}

#[test]
fn killed_at_the_zone_put() {
    killed_at_a_dns_write("privateDnsZones");
}

#[test]
fn killed_at_the_record_put() {
    killed_at_a_dns_write("A");
}

#[test]
fn killed_at_one_link_put_while_the_other_was_answered() {
    killed_at("virtualNetworkLinks", 1, |sb| {
        sb.count("PUT virtualNetworkLinks") >= 1
    });
}

#[test]
fn killed_at_both_link_puts() {
    killed_at("virtualNetworkLinks", 2, |_| true);
}

#[test]
fn an_empty_zone_made_outside_is_adopted_by_the_import_the_error_prints() {
    let sb = TestSandbox::start();
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let zone = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/{ZONE}"
    );
    let url = format!("{zone}?api-version=2024-06-01");
    let (code, answer) = sb.arm(
        reqwest::Method::PUT,
        &url,
        Some(json!({"location": "global"})),
    );
    assert!((200..300).contains(&code), "{answer}");
    wait::until_true("the zone to be made", || {
        sb.arm(reqwest::Method::GET, &url, None).1["properties"]["provisioningState"] == "Succeeded"
    });

    let ws = Workspace::with_sandbox(&sb);
    let vnets = [hcl::quoted(&sb.var("ASTRO_SANDBOX_VNET_ID"))];
    ws.write_config(&format!(
        "{PROVIDER}{}",
        hcl::dns("dns", CLUSTER, "\"10.10.1.40\"", &vnets, "")
    ));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = both(&out);
    assert!(!out.status.success(), "the zone is not ours yet:\n{text}");
    let folded = flat(&text);
    // The real fix first: leave the zone to its owner, or adopt it as printed.
    let unmanaged = folded
        .find("manage_zone = false")
        .expect("names manage_zone = false");
    let import = folded.find("terraform import").expect("prints the import");
    assert!(
        unmanaged < import,
        "manage_zone = false comes first:\n{text}"
    );
    let (address, id) = printed_import(&text).expect("an import command");
    assert_eq!(address, "astro_private_dns.dns");
    assert!(
        id.eq_ignore_ascii_case(&format!("{zone}/A/{CLUSTER}")),
        "imports by the record's ID: {id}"
    );
    ws.ok(&["import", "-no-color", "-input=false", &address, &id]);
    ws.apply();
    ws.assert_clean_plan("after importing the empty zone and applying");
    let (code, record) = sb.arm(
        reqwest::Method::GET,
        &format!("{zone}/A/{CLUSTER}?api-version=2024-06-01"),
        None,
    );
    assert_eq!(code, 200, "the apply made the record: {record}");
    assert_eq!(
        record["properties"]["aRecords"][0]["ipv4Address"],
        "10.10.1.40"
    );
    assert_nothing_stranded(&sb, &ws.state_json());
}
