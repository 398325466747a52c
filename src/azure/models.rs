//! Serde models of the ARM resources the provider uses, written from the REST specs
//! (Microsoft.Network privateEndpoint.json / networkInterface.json, network api-version
//! [`NETWORK_API_VERSION`](super::NETWORK_API_VERSION); privatedns.json
//! [`PRIVATE_DNS_API_VERSION`](super::PRIVATE_DNS_API_VERSION)). Only the fields we read or
//! write are modelled, and `None` fields are not sent. Every object that the provider writes
//! back after reading it keeps the properties it does not model in `extra`, so that a PUT (a
//! full replace in ARM) sends them back unchanged instead of deleting them. Tracked
//! resources share one envelope, [`Tracked`] (id, name, location, tags, etag, properties).

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

/// What a resource type's definition marks read-only in the envelope around its properties
/// (`name`, `type` and `systemData` are read-only in every definition the provider uses).
pub trait Envelope {
    /// `id` is read-only (Private DNS's `Resource`; network.json's `Resource.id` is not).
    const ID_READ_ONLY: bool;
    /// `etag` is read-only (network resources; Private DNS's etags are writable).
    const ETAG_READ_ONLY: bool;
}

fn skip_id<P: Envelope>(id: &Option<String>) -> bool {
    P::ID_READ_ONLY || id.is_none()
}

fn skip_etag<P: Envelope>(etag: &Option<String>) -> bool {
    P::ETAG_READ_ONLY || etag.is_none()
}

/// Serializes a flattened map of unmodelled properties without `read_only` keys.
fn flatten_without<S: serde::Serializer>(
    extra: &Map<String, Value>,
    read_only: &[&str],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(
        extra
            .iter()
            .filter(|(k, _)| !read_only.contains(&k.as_str())),
    )
}

/// An envelope's unmodelled properties minus the read-only `type` and `systemData`.
fn envelope_extra<S: serde::Serializer>(
    extra: &Map<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    flatten_without(extra, &["type", "systemData"], serializer)
}

/// A private link service connection's unmodelled properties minus its read-only `type` and
/// `etag` (privateEndpoint.json `PrivateLinkServiceConnection`).
fn connection_extra<S: serde::Serializer>(
    extra: &Map<String, Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    flatten_without(extra, &["type", "etag"], serializer)
}

/// The envelope ARM puts around a tracked resource's properties: ID, name, region, tags and
/// etag. Fields not modelled here are kept in `extra`, so a PUT of what was read sends them
/// back unchanged; read-only ones ([`Envelope`]) are read but never sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", bound(serialize = "P: Serialize + Envelope"))]
pub struct Tracked<P> {
    /// ARM ID (read-only for Private DNS objects).
    #[serde(default, skip_serializing_if = "skip_id::<P>")]
    pub id: Option<String>,
    /// Name (read-only; the name is in the URL).
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    /// Azure region, e.g. `eastus` (`global` for Private DNS zones and links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    /// Etag, for If-Match (read-only for network resources).
    #[serde(default, skip_serializing_if = "skip_etag::<P>")]
    pub etag: Option<String>,
    /// The resource type's own properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<P>,
    /// Properties not modelled here, carried through unchanged (but `type`, `systemData`).
    #[serde(flatten, serialize_with = "envelope_extra")]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/privateEndpoints`.
pub type PrivateEndpoint = Tracked<PrivateEndpointProperties>;

impl Envelope for PrivateEndpointProperties {
    const ID_READ_ONLY: bool = false;
    const ETAG_READ_ONLY: bool = true;
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
    #[serde(default, skip_serializing)]
    pub network_interfaces: Option<Vec<SubResource>>,
    /// Name for the NIC Azure creates (create-time only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_network_interface_name: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    /// Static IP configurations (`PrivateEndpointIPConfiguration[]`); empty: Azure allocates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_configurations: Option<Vec<PrivateEndpointIpConfiguration>>,
    /// Application security groups the endpoint's NIC joins (`ApplicationSecurityGroup[]`,
    /// sent as references by ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_security_groups: Option<Vec<SubResource>>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One static IP configuration of an endpoint (privateEndpoint.json
/// `PrivateEndpointIPConfiguration`: `name`, read-only `type` and `etag`, `properties`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointIpConfiguration {
    /// Name, unique in the endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PrivateEndpointIpConfigurationProperties>,
    /// Properties not modelled here, carried through unchanged (but `type`, `etag`).
    #[serde(flatten, serialize_with = "connection_extra")]
    pub extra: Map<String, Value>,
}

/// `PrivateEndpointIPConfiguration.properties`: the address, and for services with groups the
/// group ID and member name (none for a Private Link Service).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointIpConfigurationProperties {
    /// The static private IP address.
    #[serde(
        rename = "privateIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
    /// Properties not modelled here (`groupId`, `memberName`), carried through unchanged.
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
    /// Properties not modelled here, carried through unchanged (but `type`, `etag`).
    #[serde(flatten, serialize_with = "connection_extra")]
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
    #[serde(default, skip_serializing)]
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

impl Tracked<PrivateEndpointProperties> {
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
pub type NetworkInterface = Tracked<NetworkInterfaceProperties>;

impl Envelope for NetworkInterfaceProperties {
    const ID_READ_ONLY: bool = false;
    const ETAG_READ_ONLY: bool = true;
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
pub type PrivateDnsZone = Tracked<PrivateDnsZoneProperties>;

impl Envelope for PrivateDnsZoneProperties {
    const ID_READ_ONLY: bool = true;
    const ETAG_READ_ONLY: bool = false;
}

/// `PrivateZone.properties` (read-only counters and state: read, never sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsZoneProperties {
    /// Limit of record sets.
    #[serde(default, skip_serializing)]
    pub max_number_of_record_sets: Option<i64>,
    /// Current number of record sets (SOA included).
    #[serde(default, skip_serializing)]
    pub number_of_record_sets: Option<i64>,
    /// Limit of virtual network links.
    #[serde(default, skip_serializing)]
    pub max_number_of_virtual_network_links: Option<i64>,
    /// Current number of virtual network links.
    #[serde(default, skip_serializing)]
    pub number_of_virtual_network_links: Option<i64>,
    /// Limit of links with auto-registration.
    #[serde(default, skip_serializing)]
    pub max_number_of_virtual_network_links_with_registration: Option<i64>,
    /// Current number of links with auto-registration.
    #[serde(default, skip_serializing)]
    pub number_of_virtual_network_links_with_registration: Option<i64>,
    /// Creating, Updating, Deleting, Succeeded, Failed, Canceled.
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    /// Internal ID.
    #[serde(default, skip_serializing)]
    pub internal_id: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/privateDnsZones/virtualNetworkLinks`.
pub type VirtualNetworkLink = Tracked<VirtualNetworkLinkProperties>;

impl Envelope for VirtualNetworkLinkProperties {
    const ID_READ_ONLY: bool = true;
    const ETAG_READ_ONLY: bool = false;
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
    #[serde(default, skip_serializing)]
    pub virtual_network_link_state: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing)]
    pub provisioning_state: Option<String>,
    /// Properties not modelled here, carried through unchanged.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Tracked<VirtualNetworkLinkProperties> {
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
    /// ARM ID (read-only).
    #[serde(default, skip_serializing)]
    pub id: Option<String>,
    /// Relative name (Azure lower-cases it; read-only).
    #[serde(default, skip_serializing)]
    pub name: Option<String>,
    /// `Microsoft.Network/privateDnsZones/A`, `.../SOA`, ... (read-only)
    #[serde(rename = "type", default, skip_serializing)]
    pub resource_type: Option<String>,
    /// Etag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<RecordSetProperties>,
    /// Properties not modelled here, carried through unchanged (but `systemData`).
    #[serde(flatten, serialize_with = "envelope_extra")]
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
    #[serde(default, skip_serializing)]
    pub fqdn: Option<String>,
    /// A records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a_records: Option<Vec<ARecord>>,
    /// Metadata (azurerm maps `tags` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Tags>,
    /// Whether the VNet link's auto-registration created it (read-only).
    #[serde(default, skip_serializing)]
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
mod tests;
