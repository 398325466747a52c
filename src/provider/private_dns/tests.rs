//! Unit tests of link naming, ownership and the PUT bodies.

use super::bodies::{record_body, zone_body};
use super::naming::owns;
use super::*;
use crate::azure;

#[test]
fn link_names_are_stable_short_and_distinct() {
    let a = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet-agents";
    let b = a.replace("rg1", "rg2");
    assert_eq!(link_name("clx", a), link_name("clx", &a.to_uppercase()));
    assert_ne!(link_name("clx", a), link_name("clx", &b));
    assert_ne!(link_name("clx", a), link_name("cly", a));
    assert!(link_name("clx", a).starts_with("clx-vnet-agents-"));
    let long = format!("{a}{}", "x".repeat(200));
    assert!(link_name(&"c".repeat(63), &long).len() <= 80);
}

#[test]
fn only_links_named_for_this_cluster_are_owned() {
    let vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
    let zone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z";
    let mine = format!("{zone}/virtualNetworkLinks/{}", link_name("clx", vnet));
    let theirs = format!("{zone}/virtualNetworkLinks/{}", link_name("cly", vnet));
    assert!(owns("clx", vnet, &mine));
    assert!(!owns("clx", vnet, &theirs));
    assert!(!owns(
        "clx",
        vnet,
        &format!("{zone}/virtualNetworkLinks/hand-made")
    ));
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
