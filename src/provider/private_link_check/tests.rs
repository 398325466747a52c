//! Unit tests of the check helpers.

use super::checks::*;
use super::world::*;
use super::*;
use crate::provider::connection_data_source::ConnectionStatus;

#[test]
fn vnet_of_a_subnet_keeps_the_spelling() {
    assert_eq!(
        vnet_of_subnet("/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/Subnets/x").as_deref(),
        Some("/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V")
    );
    assert_eq!(vnet_of_subnet("/nothing"), None);
}

#[test]
fn a_pending_connection_says_what_to_send_support() {
    let id = azure::PrivateEndpointId::new("s", "rg", "pe");
    let c = connection_check(
        &id,
        &ConnectionStatus {
            status: "Pending".into(),
            connection_name: "pe".into(),
            alias: "a.b.eastus.azure.privatelinkservice".into(),
            ..Default::default()
        },
    );
    assert!(!c.ok);
    assert!(
        c.fix.contains("Ask Astronomer support to approve"),
        "{}",
        c.fix
    );
    assert!(c.fix.contains("a.b.eastus.azure.privatelinkservice"));
}

#[test]
fn a_record_with_an_extra_address_fails() {
    let id = azure::ARecordId::new("s", "rg", "external.astronomer.run", "clx");
    let rs: azure::models::RecordSet = serde_json::from_value(serde_json::json!({"properties": {"aRecords": [{"ipv4Address": "10.0.0.4"}, {"ipv4Address": "10.0.0.5"}]}})).expect("record");
    let c = record_check(&id, Some(&rs), Some("10.0.0.4"));
    assert!(!c.ok, "{c:?}");
    assert!(c.detail.contains("10.0.0.4, 10.0.0.5"));
    let c = record_check(&id, None, Some("10.0.0.4"));
    assert!(c.detail.contains("does not exist"));
}

fn a_record(name: &str, ip: &str) -> azure::models::RecordSet {
    serde_json::from_value(serde_json::json!({"name": name, "type": "Microsoft.Network/privateDnsZones/A", "properties": {"aRecords": [{"ipv4Address": ip}]}})).expect("record")
}

#[test]
fn zone_records_lists_this_cluster_first_and_states_the_nxdomain_rule() {
    let id = azure::ARecordId::new("s", "rg", "external.astronomer.run", "clB");
    let records = [a_record("cla", "10.0.0.4"), a_record("clb", "10.0.0.5")];
    let linked = [
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a"
            .to_string(),
    ];
    let c = zone_records_check(&id, Ok(&records), &linked);
    assert!(c.ok, "{c:?}");
    assert!(
        c.detail.starts_with("zone external.astronomer.run holds 2 A records: clb.external.astronomer.run -> 10.0.0.5 (this cluster); cla.external.astronomer.run -> 10.0.0.4."),
        "{}",
        c.detail
    );
    assert!(
        c.detail.contains("(vnet-a) resolves only these names"),
        "{}",
        c.detail
    );
    assert!(
        c.detail
            .contains("NXDOMAIN for every other name under external.astronomer.run")
    );
    assert!(
        c.detail
            .contains("NxDomainRedirect fallback to public DNS is for privatelink.* zones only")
    );
    assert_eq!(c.fix, "");
}

#[test]
fn zone_records_fails_without_this_clusters_record_or_the_list() {
    let id = azure::ARecordId::new("s", "rg", "external.astronomer.run", "clb");
    let c = zone_records_check(&id, Ok(&[a_record("cla", "10.0.0.4")]), &[]);
    assert!(!c.ok);
    assert!(
        c.detail.contains("this cluster's record clb is missing"),
        "{}",
        c.detail
    );
    assert!(c.fix.contains("cluster_id = \"clb\""), "{}", c.fix);
    let c = zone_records_check(&id, Err("403 AuthorizationFailed".into()), &[]);
    assert!(!c.ok);
    assert!(
        c.detail
            .contains("cannot be listed (403 AuthorizationFailed)")
    );
    assert!(c.fix.contains("privateDnsZones/A/read"), "{}", c.fix);
}
