//! Unit tests of link naming, ownership and the PUT bodies.

use super::bodies::{record_body, zone_body};
use super::naming::{legacy_link_name, unit_made};
use super::*;
use crate::azure;

#[test]
fn link_names_are_the_vnets_stable_short_and_distinct() {
    let a = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet-agents";
    let b = a.replace("rg1", "rg2");
    assert_eq!(link_name(a), link_name(&a.to_uppercase()));
    assert_ne!(link_name(a), link_name(&b));
    assert!(
        link_name(a).starts_with("astro-vnet-agents-"),
        "{}",
        link_name(a)
    );
    let long = format!("{a}{}", "x".repeat(200));
    assert!(link_name(&long).len() <= 80);
    assert!(legacy_link_name(&"c".repeat(63), &long).len() <= 80);
}

#[test]
fn links_any_unit_made_are_told_from_hand_made_ones() {
    let vnet =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a";
    let other = vnet.replace("vnet-a", "vnet-b");
    let zone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z";
    let link = |name: String| format!("{zone}/virtualNetworkLinks/{name}");
    assert!(unit_made(vnet, &link(link_name(vnet))));
    // Links earlier releases named after a cluster, also with the VNet's name cut short.
    assert!(unit_made(vnet, &link(legacy_link_name("clx", vnet))));
    assert!(unit_made(
        vnet,
        &link(legacy_link_name("cl-with-dashes", vnet))
    ));
    let long = format!("{vnet}{}", "x".repeat(100));
    assert!(unit_made(
        &long,
        &link(legacy_link_name(&"c".repeat(30), &long))
    ));
    assert!(unit_made(&long, &link(link_name(&long))));
    assert!(!unit_made(vnet, &link(link_name(&other))));
    assert!(!unit_made(vnet, &link("hand-made".into())));
    assert!(!unit_made(vnet, &link("vnet-a-link".into())));
}

#[test]
fn writes_after_reads_keep_what_they_do_not_manage() {
    let m = PrivateDnsModel {
        ip_address: "10.0.0.6".into(),
        ttl: Some(60),
        tags: Some(
            [("team".to_string(), "b".to_string())]
                .into_iter()
                .collect(),
        ),
        ..Default::default()
    };
    let current: azure::models::RecordSet = serde_json::from_value(serde_json::json!({
        "etag": "e1", "name": "clx", "properties": {"ttl": 300, "fqdn": "clx.z.", "isAutoRegistered": false,
        "metadata": {"owner": "netops"}, "aRecords": [{"ipv4Address": "10.0.0.5"}]}
    }))
    .unwrap();
    let body = serde_json::to_value(record_body(&m, Some(current))).unwrap();
    assert_eq!(
        body["properties"]["metadata"],
        serde_json::json!({"owner": "netops"})
    );
    assert_eq!(body["properties"]["ttl"], 60);
    assert_eq!(
        body["properties"]["aRecords"],
        serde_json::json!([{"ipv4Address": "10.0.0.6"}])
    );
    assert!(body["properties"].get("fqdn").is_none());
    let zone: azure::models::PrivateDnsZone = serde_json::from_value(serde_json::json!({
        "location": "global", "etag": "z1", "tags": {"team": "a"},
        "properties": {"numberOfRecordSets": 2, "provisioningState": "Succeeded", "futureWritable": "x"}
    }))
    .unwrap();
    let body = serde_json::to_value(zone_body(&m, Some(zone))).unwrap();
    assert_eq!(body["tags"], serde_json::json!({"team": "b"}));
    assert_eq!(
        body["properties"],
        serde_json::json!({"futureWritable": "x"})
    );
}

#[test]
fn record_body_has_one_address_and_ttl() {
    let m = PrivateDnsModel {
        ip_address: "10.0.0.5".into(),
        ttl: Some(60),
        ..Default::default()
    };
    let body = record_body(&m, None);
    let p = body.properties.unwrap();
    assert_eq!(p.ttl, Some(60));
    assert_eq!(
        p.a_records.unwrap()[0].ipv4_address.as_deref(),
        Some("10.0.0.5")
    );
}
