//! Serde models of the ARM resources the provider uses, written from the REST specs
//! (Microsoft.Network privateEndpoint.json / networkInterface.json, network api-version
//! [`NETWORK_API_VERSION`](super::NETWORK_API_VERSION); privatedns.json
//! [`PRIVATE_DNS_API_VERSION`](super::PRIVATE_DNS_API_VERSION)). Only the fields we read or
//! write are modelled, and `None` fields are not sent. Every object that the provider writes
//! back after reading it keeps the properties it does not model in `extra`, so that a PUT (a
//! full replace in ARM) sends them back unchanged instead of deleting them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Resource tags.
pub type Tags = BTreeMap<String, String>;

/// A reference to another resource: `{"id": "..."}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubResource {
    /// ARM ID of the referenced resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SubResource {
    /// A reference to `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            extra: Map::new(),
        }
    }
}

/// `Microsoft.Network/privateEndpoints`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    /// ARM ID (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (read-only in the body; the name is in the URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Azure region, e.g. `eastus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Etag (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PrivateEndpointProperties>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PrivateEndpoint.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointProperties {
    /// The subnet the endpoint's NIC is placed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<SubResource>,
    /// Connections that need the service owner's approval (Astro's case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_private_link_service_connections: Option<Vec<PrivateLinkServiceConnection>>,
    /// Auto-approved connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_connections: Option<Vec<PrivateLinkServiceConnection>>,
    /// The NIC(s) Azure created for the endpoint (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_interfaces: Option<Vec<SubResource>>,
    /// Name for the NIC Azure creates (create-time only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_network_interface_name: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One private link service connection of an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkServiceConnection {
    /// ARM ID (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Connection name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PrivateLinkServiceConnectionProperties>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PrivateLinkServiceConnection.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkServiceConnectionProperties {
    /// The service's ARM ID **or alias** (Astro gives an alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_id: Option<String>,
    /// Group IDs (empty for a custom Private Link Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_ids: Option<Vec<String>>,
    /// Message shown to the approver (<= 140 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_message: Option<String>,
    /// Approval state (set by the service owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_connection_state: Option<PrivateLinkServiceConnectionState>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Approval state of a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkServiceConnectionState {
    /// Approved, Pending, Rejected or Disconnected (a free string in the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The approver's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the consumer must do, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_required: Option<String>,
}

impl PrivateEndpoint {
    /// The first connection, manual or automatic (the provider creates exactly one).
    pub fn connection(&self) -> Option<&PrivateLinkServiceConnection> {
        let p = self.properties.as_ref()?;
        p.manual_private_link_service_connections
            .iter()
            .chain(p.private_link_service_connections.iter())
            .flatten()
            .next()
    }

    /// The ARM ID of the endpoint's first NIC.
    pub fn network_interface_id(&self) -> Option<&str> {
        self.properties
            .as_ref()?
            .network_interfaces
            .as_ref()?
            .iter()
            .find_map(|n| n.id.as_deref())
    }

    /// The endpoint's provisioning state.
    pub fn provisioning_state(&self) -> Option<&str> {
        self.properties.as_ref()?.provisioning_state.as_deref()
    }
}

/// `Microsoft.Network/networkInterfaces` (read only; Azure creates the endpoint's NIC).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterface {
    /// ARM ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<NetworkInterfaceProperties>,
}

/// `NetworkInterface.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterfaceProperties {
    /// IP configurations; a Private Endpoint NIC has one per IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_configurations: Option<Vec<NetworkInterfaceIpConfiguration>>,
    /// The endpoint this NIC belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<SubResource>,
    /// Provisioning state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

/// One IP configuration of a NIC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterfaceIpConfiguration {
    /// ARM ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (`privateEndpointIpConfig.<guid>` for endpoints).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<NetworkInterfaceIpConfigurationProperties>,
}

/// `NetworkInterfaceIPConfiguration.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterfaceIpConfigurationProperties {
    /// Private IP; newer api-versions may write it as `a.b.c.d/len`.
    #[serde(
        rename = "privateIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
    /// Prefix length when the address is a prefix.
    #[serde(
        rename = "privateIPAddressPrefixLength",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address_prefix_length: Option<u8>,
    /// IPv4 or IPv6.
    #[serde(
        rename = "privateIPAddressVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address_version: Option<String>,
    /// Static or Dynamic.
    #[serde(
        rename = "privateIPAllocationMethod",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_allocation_method: Option<String>,
    /// Whether this is the NIC's primary configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Provisioning state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
}

/// The NIC's private IP, azurerm-style: the first IP configuration that has an address, with
/// any `/prefix` suffix removed.
pub fn private_ip(nic: &NetworkInterface) -> Option<String> {
    nic.properties
        .as_ref()?
        .ip_configurations
        .as_ref()?
        .iter()
        .filter_map(|c| c.properties.as_ref()?.private_ip_address.as_deref())
        .map(|ip| ip.split('/').next().unwrap_or(ip).trim())
        .find(|ip| !ip.is_empty())
        .map(str::to_string)
}

/// `Microsoft.Network/privateDnsZones`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsZone {
    /// ARM ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Zone name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Always `global`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Etag, for If-Match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Properties (all read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PrivateDnsZoneProperties>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `PrivateZone.properties` (read-only counters and state).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsZoneProperties {
    /// Limit of record sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_number_of_record_sets: Option<i64>,
    /// Current number of record sets (SOA included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_record_sets: Option<i64>,
    /// Limit of virtual network links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_number_of_virtual_network_links: Option<i64>,
    /// Current number of virtual network links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_virtual_network_links: Option<i64>,
    /// Limit of links with auto-registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_number_of_virtual_network_links_with_registration: Option<i64>,
    /// Current number of links with auto-registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_virtual_network_links_with_registration: Option<i64>,
    /// Creating, Updating, Deleting, Succeeded, Failed, Canceled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Internal ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_id: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/privateDnsZones/virtualNetworkLinks`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkLink {
    /// ARM ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Link name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Always `global`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Etag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<VirtualNetworkLinkProperties>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `VirtualNetworkLink.properties`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkLinkProperties {
    /// The linked virtual network (may be in another subscription).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_network: Option<SubResource>,
    /// Auto-registration of VM records (the provider sends `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_enabled: Option<bool>,
    /// Default or NxDomainRedirect (privatelink zones only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_policy: Option<String>,
    /// InProgress or Completed (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_network_link_state: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VirtualNetworkLink {
    /// The linked virtual network's ARM ID.
    pub fn virtual_network_id(&self) -> Option<&str> {
        self.properties
            .as_ref()?
            .virtual_network
            .as_ref()?
            .id
            .as_deref()
    }
}

/// A Private DNS record set (`privateDnsZones/{zone}/{type}/{name}`); only A records are
/// modelled in detail.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordSet {
    /// ARM ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Relative name (Azure lower-cases it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Microsoft.Network/privateDnsZones/A`, `.../SOA`, ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// Etag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RecordSetProperties>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `RecordSet.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordSetProperties {
    /// TTL in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// Fully qualified name with trailing dot (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    /// A records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_records: Option<Vec<ARecord>>,
    /// Metadata (azurerm maps `tags` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Tags>,
    /// Whether the VNet link's auto-registration created it (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_auto_registered: Option<bool>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One A record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ARecord {
    /// The IPv4 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
}

impl RecordSet {
    /// The record type from `type` (`A`, `SOA`, ...), when present.
    pub fn record_type(&self) -> Option<&str> {
        self.resource_type.as_deref()?.rsplit('/').next()
    }

    /// The IPv4 addresses of an A record set.
    pub fn ipv4_addresses(&self) -> Vec<&str> {
        self.properties
            .as_ref()
            .and_then(|p| p.a_records.as_ref())
            .map(|r| r.iter().filter_map(|a| a.ipv4_address.as_deref()).collect())
            .unwrap_or_default()
    }
}

/// One page of an ARM list response.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// Items on this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// Absolute URL of the next page, if any.
    #[serde(default)]
    pub next_link: Option<String>,
}

#[cfg(test)]
mod tests {
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
}
