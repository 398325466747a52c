//! End-to-end, real `terraform` against the sandbox: several clusters behind the same VNets in
//! one zone (they share each VNet's link, and one leaving leaves the others untouched), and the
//! unit's `tags` on every link it holds, changed in place and repaired after an out-of-band
//! edit.

mod common;

use common::hcl::{PROVIDER, dns, quoted};
use common::sandbox::TestSandbox;
use common::{Workspace, resource_values, wait};
use reqwest::Method;
use serde_json::{Value as Json, json};

const ARM_DNS: &str = "api-version=2024-06-01";

fn zone_id(sb: &TestSandbox) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run",
        sb.var("ARM_SUBSCRIPTION_ID")
    )
}

/// The zone, made outside Terraform (a platform team's), with nothing but its SOA record.
fn zone_made_outside(sb: &TestSandbox) -> String {
    let zone = zone_id(sb);
    let (code, body) = sb.arm(
        Method::PUT,
        &format!("{zone}?{ARM_DNS}"),
        Some(json!({"location": "global"})),
    );
    assert!(code < 300, "PUT zone: {body}");
    wait::until("the hand-made zone to succeed", || {
        let (code, body) = sb.arm(Method::GET, &format!("{zone}?{ARM_DNS}"), None);
        (code == 200 && body["properties"]["provisioningState"] == "Succeeded").then_some(())
    });
    zone
}

/// The zone's links as Azure lists them.
fn links(sb: &TestSandbox) -> Vec<Json> {
    let (code, body) = sb.arm(
        Method::GET,
        &format!("{}/virtualNetworkLinks?{ARM_DNS}", zone_id(sb)),
        None,
    );
    assert_eq!(code, 200, "{body}");
    body["value"].as_array().cloned().unwrap_or_default()
}

fn link_ids(state: &Json, address: &str) -> Json {
    resource_values(state, address)["virtual_network_link_ids"].clone()
}

/// Unit `label` for `cluster` on `ip`, in the zone made outside, linked to `vnets`.
fn cluster(label: &str, cluster: &str, ip: &str, vnets: &[String]) -> String {
    let vnets: Vec<String> = vnets.iter().map(|v| quoted(v)).collect();
    dns(
        label,
        cluster,
        &quoted(ip),
        &vnets,
        "  manage_zone         = false\n  tags                = { team = \"data\" }\n",
    )
}

#[test]
fn two_clusters_share_a_zone_and_a_vnet_and_one_leaves_without_touching_the_other() {
    let sb = TestSandbox::start();
    let zone = zone_made_outside(&sb);
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    let ws = Workspace::with_sandbox(&sb);
    let b = cluster(
        "b",
        "clb000000001",
        "10.10.1.5",
        std::slice::from_ref(&vnet),
    );
    ws.write_config(&format!(
        "{PROVIDER}{}{b}",
        cluster(
            "a",
            "cla000000001",
            "10.10.1.4",
            std::slice::from_ref(&vnet)
        )
    ));
    ws.init();
    ws.apply();
    ws.assert_clean_plan("two clusters in one zone");

    // A VNet links a zone once: both units hold the same link.
    let linked = links(&sb);
    assert_eq!(linked.len(), 1, "one link for the shared VNet: {linked:#?}");
    let link = linked[0]["id"].as_str().expect("link id").to_string();
    let state = ws.state_json();
    for unit in ["astro_private_dns.a", "astro_private_dns.b"] {
        assert_eq!(
            link_ids(&state, unit),
            json!({ vnet.clone(): link.clone() }),
            "{unit}"
        );
    }
    assert_eq!(linked[0]["tags"], json!({"team": "data"}));

    // Cluster a leaves; b's record and the link it resolves through stay.
    ws.write_config(&format!("{PROVIDER}{b}"));
    let text = common::flat(&ws.apply());
    assert!(
        text.contains("Kept the link of") && text.contains("clb000000001"),
        "the apply says why the link stays: {text}"
    );
    let left = sb.resources();
    assert!(
        !left.iter().any(|r| r.ends_with("/A/cla000000001")),
        "{left:#?}"
    );
    let (code, body) = sb.arm(
        Method::GET,
        &format!("{zone}/A/clb000000001?{ARM_DNS}"),
        None,
    );
    assert_eq!(code, 200, "b's record stays: {body}");
    assert_eq!(
        body["properties"]["aRecords"],
        json!([{"ipv4Address": "10.10.1.5"}])
    );
    let linked = links(&sb);
    assert_eq!(linked.len(), 1, "{linked:#?}");
    assert_eq!(linked[0]["id"], json!(link), "the shared link stays");
    ws.assert_clean_plan("the cluster that stays");

    // The last one out deletes the link; the zone was never ours.
    ws.write_config(PROVIDER);
    ws.apply();
    assert_eq!(
        links(&sb),
        Vec::<Json>::new(),
        "the last unit deletes the link"
    );
    assert_eq!(
        sb.resources(),
        vec![zone.clone()],
        "only the zone made outside is left"
    );
}

/// One unit owning the zone, linked to three VNets, with `tags`.
fn tagged_unit(sb: &TestSandbox, tags: &str) -> String {
    let vnets = [
        sb.var("ASTRO_SANDBOX_VNET_ID"),
        format!("{}-2", sb.var("ASTRO_SANDBOX_VNET_ID")),
        sb.extra_vnet_id(0),
    ];
    let vnets: Vec<String> = vnets.iter().map(|v| quoted(v)).collect();
    format!(
        "{PROVIDER}{}",
        dns(
            "astro",
            "cltags0000001",
            "\"10.10.1.4\"",
            &vnets,
            &format!("  tags                = {tags}\n"),
        )
    )
}

/// The tags of each link, by link ID.
fn link_tags(sb: &TestSandbox) -> Vec<(String, Json)> {
    let mut all: Vec<(String, Json)> = links(sb)
        .iter()
        .map(|l| {
            (
                l["id"].as_str().unwrap_or_default().to_string(),
                l["tags"].clone(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

#[test]
fn link_tags_change_in_place_with_one_write_per_link_and_out_of_band_edits_are_repaired() {
    let sb = TestSandbox::start_with_extra_vnets(1);
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&tagged_unit(&sb, "{ team = \"a\" }"));
    ws.init();
    ws.apply();
    let before = link_tags(&sb);
    assert_eq!(before.len(), 3, "{before:#?}");
    for (id, tags) in &before {
        assert_eq!(*tags, json!({"team": "a"}), "{id}");
    }
    ws.assert_clean_plan("after create");

    ws.write_config(&tagged_unit(&sb, "{ team = \"b\", cost = \"42\" }"));
    assert_eq!(
        ws.planned_actions(),
        [json!(["update"])],
        "tags change in place"
    );
    sb.clear_requests();
    ws.apply();
    let requests = sb.requests();
    let count = |method: &str| {
        requests
            .iter()
            .filter(|r| r["resource_type"] == "virtualNetworkLinks" && r["method"] == method)
            .count()
    };
    assert_eq!(count("PUT"), 3, "one write per link: {requests:#?}");
    assert_eq!(count("DELETE"), 0, "no link is recreated");
    let after = link_tags(&sb);
    let ids = |v: &[(String, Json)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&after),
        ids(&before),
        "the same links, updated in place"
    );
    for (id, tags) in &after {
        assert_eq!(*tags, json!({"team": "b", "cost": "42"}), "{id}");
    }
    ws.assert_clean_plan("after the tag change");

    // Someone edits one link's tags in the portal.
    let edited = after[1].0.clone();
    sb.oob(json!({"op": "set_tags", "id": edited, "tags": {"team": "netops"}}));
    let drift = ws.refresh_drift();
    assert_eq!(drift.len(), 1, "refresh-only shows the edit: {drift:#?}");
    assert_eq!(
        drift[0]["change"]["after"]["tags"],
        json!({"team": "netops"}),
        "{drift:#?}"
    );
    let (code, text) = ws.plan_exit();
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("update in-place") && text.contains("1 to change, 0 to destroy"),
        "{text}"
    );
    sb.clear_requests();
    ws.apply();
    let requests = sb.requests();
    let puts: Vec<&Json> = requests
        .iter()
        .filter(|r| r["resource_type"] == "virtualNetworkLinks" && r["method"] == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "only the edited link is written: {puts:#?}");
    assert!(
        puts[0]["path"].as_str().is_some_and(|p| p
            .to_ascii_lowercase()
            .starts_with(&edited.to_ascii_lowercase())),
        "{puts:#?}"
    );
    for (id, tags) in link_tags(&sb) {
        assert_eq!(tags, json!({"team": "b", "cost": "42"}), "{id} repaired");
    }
    ws.assert_clean_plan("after the repair");
    ws.destroy_to_nothing(&sb);
}
