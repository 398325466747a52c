//! The seed file: tenant, service principals, subscriptions, resource groups, VNets, subnets
//! and Astronomer's Private Link Services that exist before any client call.

use std::path::Path;

use serde::Deserialize;

use super::SandboxError;

/// The seed embedded in the binary, used when no `--seed` is given.
pub const DEFAULT_SEED: &str = include_str!("default-seed.json");

/// Everything the sandbox starts with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    /// The Entra tenant id accepted on the token endpoint.
    pub tenant_id: String,
    /// Service principals that may obtain tokens.
    pub service_principals: Vec<ServicePrincipal>,
    /// Subscriptions; the first is the customer's (ARM_SUBSCRIPTION_ID).
    pub subscriptions: Vec<SeedSubscription>,
    /// Loopback DNS and Astro imitation for probes (see `loopback.rs`); absent: none.
    #[serde(default)]
    pub loopback: Option<SeedLoopback>,
}

/// The loopback services a seed asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLoopback {
    /// UDP port of the DNS server on 127.0.0.1 (0: any free port; see `ASTRO_SANDBOX_DNS`).
    #[serde(default)]
    pub dns_port: u16,
}

/// A seed for probing on one machine: one VNet in 127.77.0.0/16 (loopback on Linux), so the
/// endpoint's private IP is reachable here, with the loopback DNS server and the Astro
/// imitation on port 443.
pub const LOOPBACK_SEED: &str = include_str!("loopback-seed.json");

/// A service principal: a client secret and/or federated identity credentials; certificates
/// are registered at run time (`POST /_sandbox/principals/{client_id}/certificates`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePrincipal {
    /// Application (client) id.
    pub client_id: String,
    /// Accepted client secret, if any.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Federated identity credentials: which external tokens Entra exchanges for this client.
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredential>,
    /// A managed identity (served by the IMDS and App Service imitations) rather than an
    /// app registration.
    #[serde(default)]
    pub managed_identity: bool,
}

/// A federated identity credential as Entra stores it on an app registration
/// (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential): a token is
/// accepted when its `iss` and `sub` equal these exactly and its `aud` holds one of `audiences`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedCredential {
    /// A name for logs (`github`, `azure_devops`, `hcp_terraform`, `aks`).
    pub name: String,
    /// The token's `iss`.
    pub issuer: String,
    /// The token's `sub`.
    pub subject: String,
    /// Accepted `aud` values.
    #[serde(default = "default_audiences")]
    pub audiences: Vec<String>,
}

fn default_audiences() -> Vec<String> {
    vec!["api://AzureADTokenExchange".to_string()]
}

impl std::fmt::Debug for ServicePrincipal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServicePrincipal")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("federated_credentials", &self.federated_credentials)
            .field("managed_identity", &self.managed_identity)
            .finish()
    }
}

/// A subscription and its resource groups.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSubscription {
    /// Subscription GUID.
    pub id: String,
    /// Display name (informational).
    #[serde(default)]
    pub display_name: String,
    /// Resource groups.
    #[serde(default)]
    pub resource_groups: Vec<SeedResourceGroup>,
}

/// A resource group and the seeded resources in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedResourceGroup {
    /// Name.
    pub name: String,
    /// Azure region (e.g. `eastus`).
    pub location: String,
    /// Virtual networks.
    #[serde(default)]
    pub virtual_networks: Vec<SeedVirtualNetwork>,
    /// Private Link Services (Astronomer's side).
    #[serde(default)]
    pub private_link_services: Vec<SeedPrivateLinkService>,
    /// Network security groups (Azure adds its default rules to each).
    #[serde(default)]
    pub network_security_groups: Vec<SeedNetworkSecurityGroup>,
}

/// A network security group and its custom rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNetworkSecurityGroup {
    /// Name.
    pub name: String,
    /// Custom rules (`securityRules`).
    #[serde(default)]
    pub security_rules: Vec<SeedSecurityRule>,
}

/// One security rule, with the fields of `SecurityRulePropertiesFormat` the sandbox serves.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSecurityRule {
    /// Rule name.
    pub name: String,
    /// 100..=4096; lower wins.
    pub priority: i64,
    /// `Inbound` or `Outbound`.
    pub direction: String,
    /// `Allow` or `Deny`.
    pub access: String,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`.
    #[serde(default = "any")]
    pub protocol: String,
    /// CIDR, IP, `*` or a service tag.
    #[serde(default = "any")]
    pub source_address_prefix: String,
    /// `*`, a port or a range.
    #[serde(default = "any")]
    pub source_port_range: String,
    /// CIDR, IP, `*` or a service tag.
    #[serde(default = "any")]
    pub destination_address_prefix: String,
    /// `*`, a port or a range such as `400-500`.
    #[serde(default = "any")]
    pub destination_port_range: String,
}

fn any() -> String {
    "*".to_string()
}

/// A peering from the VNet it is listed under to another seeded VNet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPeering {
    /// Peering name.
    pub name: String,
    /// Name of the remote VNet in the same resource group, or its full ARM ID.
    pub remote_virtual_network: String,
    /// `Initiated`, `Connected` or `Disconnected`.
    #[serde(default = "connected")]
    pub peering_state: String,
}

fn connected() -> String {
    "Connected".to_string()
}

/// A virtual network.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedVirtualNetwork {
    /// Name.
    pub name: String,
    /// Region; defaults to the resource group's.
    #[serde(default)]
    pub location: Option<String>,
    /// Address prefixes (CIDR).
    pub address_space: Vec<String>,
    /// Subnets.
    #[serde(default)]
    pub subnets: Vec<SeedSubnet>,
    /// Custom DNS servers (`dhcpOptions.dnsServers`); empty: Azure-provided DNS.
    #[serde(default)]
    pub dns_servers: Vec<String>,
    /// Peerings from this VNet.
    #[serde(default)]
    pub peerings: Vec<SeedPeering>,
}

/// A subnet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSubnet {
    /// Name.
    pub name: String,
    /// IPv4 prefix (CIDR) addresses are allocated from.
    pub address_prefix: String,
    /// `Disabled` lets private endpoints in; `Enabled` makes PE creation fail.
    #[serde(default = "default_policies")]
    pub private_endpoint_network_policies: String,
    /// Name of a network security group of the same resource group attached to the subnet.
    #[serde(default)]
    pub network_security_group: Option<String>,
}

fn default_policies() -> String {
    "Disabled".to_string()
}

/// A Private Link Service with a fixed alias GUID.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPrivateLinkService {
    /// Name (the alias starts with it, lower-cased).
    pub name: String,
    /// The GUID part of the alias.
    pub guid: String,
    /// Region; defaults to the resource group's.
    #[serde(default)]
    pub location: Option<String>,
    /// Subscriptions whose automatic connections are approved at once.
    #[serde(default)]
    pub auto_approval_subscriptions: Vec<String>,
}

impl SeedPrivateLinkService {
    /// `<name>.<guid>.<region>.azure.privatelinkservice`.
    pub fn alias(&self, location: &str) -> String {
        format!(
            "{}.{}.{}.azure.privatelinkservice",
            self.name.to_ascii_lowercase(),
            self.guid,
            location.to_ascii_lowercase()
        )
    }
}

impl Seed {
    /// Parses seed JSON, naming `origin` in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SandboxError> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| SandboxError::Seed {
            origin: origin.to_string(),
            reason: e.to_string(),
        })?;
        seed.check(origin)?;
        Ok(seed)
    }

    /// Loads the seed from a file, or the embedded default.
    pub fn load(path: Option<&Path>) -> Result<Self, SandboxError> {
        match path {
            None => Self::parse(DEFAULT_SEED, "embedded default seed"),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| SandboxError::Seed {
                    origin: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                Self::parse(&text, &path.display().to_string())
            }
        }
    }

    fn check(&self, origin: &str) -> Result<(), SandboxError> {
        let fail = |reason: String| SandboxError::Seed {
            origin: origin.to_string(),
            reason,
        };
        if self.subscriptions.is_empty() {
            return Err(fail("at least one subscription is required".into()));
        }
        if self.service_principals.is_empty() {
            return Err(fail("at least one service principal is required".into()));
        }
        for sub in &self.subscriptions {
            for rg in &sub.resource_groups {
                for nsg in &rg.network_security_groups {
                    for rule in &nsg.security_rules {
                        super::network::network_security_groups::check_rule(rule).map_err(|e| {
                            fail(format!("network security group {}: {e}", nsg.name))
                        })?;
                    }
                }
                for vnet in &rg.virtual_networks {
                    for server in &vnet.dns_servers {
                        if server.parse::<std::net::Ipv4Addr>().is_err() {
                            return Err(fail(format!(
                                "VNet {} has a DNS server {server:?} that is not an IPv4 address",
                                vnet.name
                            )));
                        }
                    }
                    for subnet in &vnet.subnets {
                        if let Some(nsg) = &subnet.network_security_group
                            && !rg
                                .network_security_groups
                                .iter()
                                .any(|n| n.name.eq_ignore_ascii_case(nsg))
                        {
                            return Err(fail(format!(
                                "subnet {} names network security group {nsg:?}, which resource group {} does not hold",
                                subnet.name, rg.name
                            )));
                        }
                        if super::network::ip::parse_cidr(&subnet.address_prefix).is_none() {
                            return Err(fail(format!(
                                "subnet {} has an invalid address_prefix {:?}",
                                subnet.name, subnet.address_prefix
                            )));
                        }
                        let first = subnet.address_prefix.split('/').next().unwrap_or_default();
                        let inside = vnet
                            .address_space
                            .iter()
                            .any(|space| super::network::ip::contains(space, first));
                        if !inside {
                            return Err(fail(format!(
                                "subnet {} ({}) is outside the address space of VNet {}",
                                subnet.name, subnet.address_prefix, vnet.name
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_parses_and_has_the_astronomer_alias() {
        let seed = Seed::load(None).expect("default seed");
        let pls = &seed.subscriptions[1].resource_groups[0].private_link_services[0];
        assert_eq!(
            pls.alias("EastUS"),
            "astro-pls.7d1f2c3a-4b5e-4f60-8a71-92b3c4d5e6f7.eastus.azure.privatelinkservice"
        );
    }

    #[test]
    fn loopback_seed_parses_and_asks_for_loopback_services() {
        let seed = Seed::parse(LOOPBACK_SEED, "loopback seed").expect("loopback seed");
        assert_eq!(seed.loopback.map(|l| l.dns_port), Some(0));
        let vnet = &seed.subscriptions[0].resource_groups[0].virtual_networks[0];
        assert!(vnet.subnets[0].address_prefix.starts_with("127."));
    }

    #[test]
    fn bad_prefix_is_rejected_with_the_subnet_name() {
        let text = DEFAULT_SEED.replace("10.10.1.0/24", "10.10.1.0/99");
        let err = Seed::parse(&text, "x").expect_err("bad prefix");
        assert!(err.to_string().contains("snet-agents"), "{err}");
    }

    #[test]
    fn subnet_outside_the_vnet_is_rejected() {
        let text = DEFAULT_SEED.replace("10.20.1.0/24", "10.30.1.0/24");
        let err = Seed::parse(&text, "x").expect_err("outside");
        assert!(err.to_string().contains("vnet-agents-2"), "{err}");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let seed = Seed::load(None).expect("default seed");
        let text = format!("{seed:?}");
        assert!(!text.contains("sandbox-client-secret"));
    }
}
