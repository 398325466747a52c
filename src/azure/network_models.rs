//! Serde models of what the connectivity checks read and never write, from the REST specs
//! (Microsoft.Network `virtualNetwork.json` and `networkSecurityGroup.json`, api-version
//! [`NETWORK_API_VERSION`](super::NETWORK_API_VERSION)): a virtual network's address space,
//! custom DNS servers (`dhcpOptions.dnsServers`), subnets (with their NSG and private
//! endpoint network policies) and peerings; a network security group's rules and Azure's
//! default rules. Only the fields read are modelled; unknown fields are ignored. Each object
//! is a [`Named`] envelope (id, name, properties) around its properties.

use serde::{Deserialize, Serialize};

use super::client::ArmResource;
use super::ids::{NetworkSecurityGroupId, SubnetId, VirtualNetworkId};
use super::models::SubResource;

/// An ARM object read for its properties: ID, name and properties; other fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Named<P> {
    /// ARM ID.
    #[serde(default)]
    pub id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// The object's own properties.
    #[serde(default)]
    pub properties: Option<P>,
}

/// `Microsoft.Network/virtualNetworks`.
pub type VirtualNetwork = Named<VirtualNetworkProperties>;

/// `VirtualNetwork.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkProperties {
    /// Address prefixes of the VNet.
    #[serde(default)]
    pub address_space: Option<AddressSpace>,
    /// DNS servers handed to the VNet's machines; empty or absent: Azure-provided DNS.
    #[serde(default)]
    pub dhcp_options: Option<DhcpOptions>,
    /// Subnets (embedded in the VNet's GET).
    #[serde(default)]
    pub subnets: Option<Vec<Subnet>>,
    /// Peerings from this VNet (embedded in the VNet's GET).
    #[serde(default)]
    pub virtual_network_peerings: Option<Vec<VirtualNetworkPeering>>,
}

/// `AddressSpace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    /// CIDR prefixes.
    #[serde(default)]
    pub address_prefixes: Option<Vec<String>>,
}

/// `DhcpOptions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DhcpOptions {
    /// Custom DNS server addresses.
    #[serde(default)]
    pub dns_servers: Option<Vec<String>>,
}

/// `Subnet`.
pub type Subnet = Named<SubnetProperties>;

/// `Subnet.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    /// The subnet's prefix.
    #[serde(default)]
    pub address_prefix: Option<String>,
    /// The subnet's prefixes, when it has several.
    #[serde(default)]
    pub address_prefixes: Option<Vec<String>>,
    /// The NSG attached to the subnet.
    #[serde(default)]
    pub network_security_group: Option<SubResource>,
    /// `Disabled`, `Enabled`, `NetworkSecurityGroupEnabled` or `RouteTableEnabled`: whether
    /// NSG rules apply to private endpoints in the subnet.
    #[serde(default)]
    pub private_endpoint_network_policies: Option<String>,
}

impl Named<SubnetProperties> {
    /// Every prefix of the subnet.
    pub fn prefixes(&self) -> Vec<String> {
        let p = self.properties.clone().unwrap_or_default();
        let mut out: Vec<String> = p.address_prefix.into_iter().collect();
        out.extend(p.address_prefixes.unwrap_or_default());
        out.sort();
        out.dedup();
        out
    }
}

/// `VirtualNetworkPeering`.
pub type VirtualNetworkPeering = Named<VirtualNetworkPeeringProperties>;

/// `VirtualNetworkPeering.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkPeeringProperties {
    /// `Initiated`, `Connected` or `Disconnected`.
    #[serde(default)]
    pub peering_state: Option<String>,
    /// The VNet on the other side.
    #[serde(default)]
    pub remote_virtual_network: Option<SubResource>,
    /// Whether machines in the two VNets may reach each other.
    #[serde(default)]
    pub allow_virtual_network_access: Option<bool>,
    /// The other VNet's address space.
    #[serde(default)]
    pub remote_address_space: Option<AddressSpace>,
}

/// `Microsoft.Network/networkSecurityGroups`.
pub type NetworkSecurityGroup = Named<NetworkSecurityGroupProperties>;

/// `NetworkSecurityGroup.properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSecurityGroupProperties {
    /// Custom rules.
    #[serde(default)]
    pub security_rules: Option<Vec<SecurityRule>>,
    /// The rules Azure puts in every group.
    #[serde(default)]
    pub default_security_rules: Option<Vec<SecurityRule>>,
}

/// `SecurityRule`.
pub type SecurityRule = Named<SecurityRuleProperties>;

/// `SecurityRulePropertiesFormat`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityRuleProperties {
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`.
    #[serde(default)]
    pub protocol: Option<String>,
    /// CIDR, IP, `*` or service tag.
    #[serde(default)]
    pub source_address_prefix: Option<String>,
    /// Several source prefixes.
    #[serde(default)]
    pub source_address_prefixes: Option<Vec<String>>,
    /// `*`, a port or a range.
    #[serde(default)]
    pub source_port_range: Option<String>,
    /// Several source ports or ranges.
    #[serde(default)]
    pub source_port_ranges: Option<Vec<String>>,
    /// CIDR, IP, `*` or service tag.
    #[serde(default)]
    pub destination_address_prefix: Option<String>,
    /// Several destination prefixes.
    #[serde(default)]
    pub destination_address_prefixes: Option<Vec<String>>,
    /// `*`, a port or a range.
    #[serde(default)]
    pub destination_port_range: Option<String>,
    /// Several destination ports or ranges.
    #[serde(default)]
    pub destination_port_ranges: Option<Vec<String>>,
    /// Application security groups as the source.
    #[serde(default)]
    pub source_application_security_groups: Option<Vec<SubResource>>,
    /// Application security groups as the destination.
    #[serde(default)]
    pub destination_application_security_groups: Option<Vec<SubResource>>,
    /// `Allow` or `Deny`.
    #[serde(default)]
    pub access: Option<String>,
    /// 100-4096 for custom rules; lower is evaluated first.
    #[serde(default)]
    pub priority: Option<i64>,
    /// `Inbound` or `Outbound`.
    #[serde(default)]
    pub direction: Option<String>,
}

impl ArmResource for VirtualNetworkId {
    type Model = VirtualNetwork;
    const API_VERSION: &'static str = super::NETWORK_API_VERSION;
    fn arm_path(&self) -> String {
        self.path()
    }
}

impl ArmResource for SubnetId {
    type Model = Subnet;
    const API_VERSION: &'static str = super::NETWORK_API_VERSION;
    fn arm_path(&self) -> String {
        self.path()
    }
}

impl ArmResource for NetworkSecurityGroupId {
    type Model = NetworkSecurityGroup;
    const API_VERSION: &'static str = super::NETWORK_API_VERSION;
    fn arm_path(&self) -> String {
        self.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vnet_body_from_the_spec_shape_reads() {
        let vnet: VirtualNetwork = serde_json::from_value(serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "dhcpOptions": {"dnsServers": ["10.0.0.4"]},
                "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "n"}, "privateEndpointNetworkPolicies": "Enabled"}}],
                "virtualNetworkPeerings": [{"name": "p", "properties": {"peeringState": "Connected", "remoteVirtualNetwork": {"id": "r"}, "allowVirtualNetworkAccess": true}}],
                "somethingNew": 1
            }
        }))
        .expect("parses");
        let p = vnet.properties.expect("properties");
        assert_eq!(
            p.dhcp_options.and_then(|d| d.dns_servers),
            Some(vec!["10.0.0.4".to_string()])
        );
        let subnets = p.subnets.expect("subnets");
        assert_eq!(subnets[0].prefixes(), ["10.0.1.0/24"]);
        assert_eq!(
            p.virtual_network_peerings.expect("peerings")[0]
                .properties
                .clone()
                .and_then(|x| x.peering_state)
                .as_deref(),
            Some("Connected")
        );
    }
}
