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
