//! Unit tests of `models`.

use super::*;
use serde_json::json;

#[test]
fn private_endpoint_round_trips_the_spec_example() {
    // Shape of PrivateEndpointGetForManualApproval (network 2025-x), trimmed.
    let body = json!({
        "name": "testPe",
        "id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/privateEndpoints/testPe",
        "type": "Microsoft.Network/privateEndpoints",
        "location": "eastus",
        "etag": "W/\"1\"",
        "properties": {
            "provisioningState": "Succeeded",
            "subnet": {"id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
            "privateLinkServiceConnections": [],
            "manualPrivateLinkServiceConnections": [{
                "name": "plsConnection",
                "id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/privateEndpoints/testPe/manualPrivateLinkServiceConnections/plsConnection",
                "properties": {
                    "privateLinkServiceId": "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice",
                    "groupIds": [],
                    "requestMessage": "Please approve my connection.",
                    "privateLinkServiceConnectionState": {"status": "Pending", "description": "Awaiting approval", "actionsRequired": "None"}
                }
            }],
            "networkInterfaces": [{"id": "/subscriptions/s/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/testPe.nic.abc"}],
            "customDnsConfigs": [],
            "unknownFutureField": {"x": 1}
        }
    });
    let pe: PrivateEndpoint = serde_json::from_value(body).expect("decode");
    assert_eq!(pe.provisioning_state(), Some("Succeeded"));
    let conn = pe.connection().expect("connection");
    let state = conn
        .properties
        .as_ref()
        .and_then(|p| p.private_link_service_connection_state.as_ref())
        .expect("state");
    assert_eq!(state.status.as_deref(), Some("Pending"));
    assert_eq!(state.actions_required.as_deref(), Some("None"));
    assert!(
        pe.network_interface_id()
            .is_some_and(|n| n.ends_with("testPe.nic.abc"))
    );
}

#[test]
fn properties_not_modelled_survive_a_read_then_write() {
    let read = json!({
        "location": "eastus",
        "extendedLocation": {"name": "losangeles", "type": "EdgeZone"},
        "tags": {"team": "a"},
        "properties": {
            "subnet": {"id": "/subnet"},
            "applicationSecurityGroups": [{"id": "/asg"}],
            "ipConfigurations": [{"name": "static", "properties": {"privateIPAddress": "10.0.0.9"}}],
            "customDnsConfigs": [{"fqdn": "a.example.com", "ipAddresses": ["10.0.0.9"]}],
            "ipVersionType": "IPv4",
            "manualPrivateLinkServiceConnections": [{
                "name": "c",
                "properties": {"privateLinkServiceId": "alias", "requestMessage": "hi", "futureField": 1}
            }]
        }
    });
    let mut pe: PrivateEndpoint = serde_json::from_value(read.clone()).expect("decode");
    pe.tags = Some(
        [("team".to_string(), "b".to_string())]
            .into_iter()
            .collect(),
    );
    let mut want = read;
    want["tags"] = json!({"team": "b"});
    assert_eq!(serde_json::to_value(&pe).expect("encode"), want);
    let rec: RecordSet = serde_json::from_value(json!({
        "etag": "e", "properties": {"ttl": 1, "metadata": {"k": "v"}, "aRecords": [], "other": true}
    }))
    .expect("decode");
    let out = serde_json::to_value(&rec).expect("encode");
    assert_eq!(out["properties"]["metadata"], json!({"k": "v"}));
    assert_eq!(out["properties"]["other"], json!(true));
}

#[test]
fn request_body_skips_unset_fields() {
    let pe = PrivateEndpoint {
        location: Some("eastus".into()),
        properties: Some(PrivateEndpointProperties {
            subnet: Some(SubResource::new("/subnet")),
            manual_private_link_service_connections: Some(vec![PrivateLinkServiceConnection {
                name: Some("c".into()),
                properties: Some(PrivateLinkServiceConnectionProperties {
                    private_link_service_id: Some("alias".into()),
                    group_ids: Some(vec![]),
                    request_message: Some("hi".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&pe).expect("encode"),
        json!({
            "location": "eastus",
            "properties": {
                "subnet": {"id": "/subnet"},
                "manualPrivateLinkServiceConnections": [{
                    "name": "c",
                    "properties": {"privateLinkServiceId": "alias", "groupIds": [], "requestMessage": "hi"}
                }]
            }
        })
    );
}

#[test]
fn private_ip_strips_prefix_and_skips_empty_configs() {
    let nic: NetworkInterface = serde_json::from_value(json!({
        "properties": {"ipConfigurations": [
            {"name": "empty", "properties": {}},
            {"name": "privateEndpointIpConfig.1", "properties": {"privateIPAddress": "10.0.1.4/28", "privateIPAddressPrefixLength": 28}},
            {"name": "second", "properties": {"privateIPAddress": "10.0.1.5"}}
        ]}
    }))
    .expect("decode");
    assert_eq!(private_ip(&nic).as_deref(), Some("10.0.1.4"));
    let plain: NetworkInterface = serde_json::from_value(json!({
        "properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.0.1.9"}}]}
    }))
    .expect("decode");
    assert_eq!(private_ip(&plain).as_deref(), Some("10.0.1.9"));
    assert_eq!(private_ip(&NetworkInterface::default()), None);
}

#[test]
fn dns_models_match_the_spec_names() {
    let link: VirtualNetworkLink = serde_json::from_value(json!({
        "location": "global",
        "properties": {"virtualNetwork": {"id": "/vnet"}, "registrationEnabled": false,
                       "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}
    }))
    .expect("decode");
    assert_eq!(link.virtual_network_id(), Some("/vnet"));
    let rec: RecordSet = serde_json::from_value(json!({
        "name": "recorda", "type": "Microsoft.Network/privateDnsZones/A",
        "properties": {"ttl": 3600, "fqdn": "recorda.privatezone1.com.", "aRecords": [{"ipv4Address": "1.2.3.4"}], "isAutoRegistered": false}
    }))
    .expect("decode");
    assert_eq!(rec.record_type(), Some("A"));
    assert_eq!(rec.ipv4_addresses(), vec!["1.2.3.4"]);
    let out = serde_json::to_value(RecordSet {
        properties: Some(RecordSetProperties {
            ttl: Some(300),
            a_records: Some(vec![ARecord {
                ipv4_address: Some("10.0.0.4".into()),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    })
    .expect("encode");
    assert_eq!(
        out,
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.0.4"}]}})
    );
    let zone: PrivateDnsZone = serde_json::from_value(json!({
        "location": "global", "etag": "e1",
        "properties": {"numberOfRecordSets": 1, "numberOfVirtualNetworkLinks": 0, "provisioningState": "Succeeded"}
    }))
    .expect("decode");
    assert_eq!(
        zone.properties.and_then(|p| p.number_of_record_sets),
        Some(1)
    );
}

#[test]
fn read_only_properties_are_read_but_never_sent() {
    // privateEndpoint.json marks name, type, etag, networkInterfaces, provisioningState and a
    // connection's type, etag and provisioningState read-only; Microsoft's SDK leaves them out
    // of a PUT of what it read, and so do we. Everything unknown is kept.
    let read = json!({
        "id": "/pe", "name": "pe", "type": "Microsoft.Network/privateEndpoints", "etag": "W/\"1\"",
        "location": "eastus", "futureTop": 1,
        "properties": {
            "provisioningState": "Succeeded",
            "networkInterfaces": [{"id": "/nic"}],
            "subnet": {"id": "/subnet"},
            "applicationSecurityGroups": [{"id": "/asg"}],
            "manualPrivateLinkServiceConnections": [{
                "id": "/pe/c", "name": "c", "type": "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections",
                "etag": "W/\"2\"", "futureConn": true,
                "properties": {"provisioningState": "Succeeded", "privateLinkServiceId": "alias"}
            }]
        }
    });
    let pe: PrivateEndpoint = serde_json::from_value(read).expect("decode");
    assert_eq!(pe.name.as_deref(), Some("pe"));
    assert_eq!(pe.provisioning_state(), Some("Succeeded"));
    assert_eq!(pe.network_interface_id(), Some("/nic"));
    assert_eq!(
        serde_json::to_value(&pe).expect("encode"),
        json!({
            "id": "/pe", "location": "eastus", "futureTop": 1,
            "properties": {
                "subnet": {"id": "/subnet"},
                "applicationSecurityGroups": [{"id": "/asg"}],
                "manualPrivateLinkServiceConnections": [{
                    "id": "/pe/c", "name": "c", "futureConn": true,
                    "properties": {"privateLinkServiceId": "alias"}
                }]
            }
        })
    );
    // privatedns.json: id, name, type, systemData and the counters are read-only; the etag
    // and tags are not.
    let zone: PrivateDnsZone = serde_json::from_value(json!({
        "id": "/z", "name": "z", "type": "Microsoft.Network/privateDnsZones", "etag": "e",
        "location": "global", "tags": {"a": "b"}, "systemData": {"createdBy": "x"},
        "properties": {"numberOfRecordSets": 1, "provisioningState": "Succeeded", "futureZone": 2}
    }))
    .expect("decode");
    assert_eq!(
        serde_json::to_value(&zone).expect("encode"),
        json!({"etag": "e", "location": "global", "tags": {"a": "b"}, "properties": {"futureZone": 2}})
    );
    let rec: RecordSet = serde_json::from_value(json!({
        "id": "/z/A/r", "name": "r", "type": "Microsoft.Network/privateDnsZones/A", "etag": "e",
        "systemData": {"createdBy": "x"},
        "properties": {"fqdn": "r.z.", "isAutoRegistered": false, "ttl": 10, "aRecords": []}
    }))
    .expect("decode");
    assert_eq!(rec.record_type(), Some("A"));
    assert_eq!(
        serde_json::to_value(&rec).expect("encode"),
        json!({"etag": "e", "properties": {"ttl": 10, "aRecords": []}})
    );
}
