//! Turns a [`Seed`] into stored ARM resources (resource groups, VNets, subnets, PLS).

use std::time::Instant;

use serde_json::{Value, json};

use super::seed::Seed;
use super::state::{Kind, Resource, World, network_id, rg_id};

/// A weak etag as the Network RP writes them.
pub fn network_etag() -> String {
    format!("W/\"{}\"", uuid::Uuid::new_v4())
}

fn seeded(id: String, kind: Kind, body: Value) -> Resource {
    Resource {
        id,
        kind,
        body,
        seeded: true,
        created_at: Instant::now()
            .checked_sub(std::time::Duration::from_secs(3600))
            .unwrap_or_else(Instant::now),
        busy: None,
    }
}

/// Builds the world the seed describes.
pub fn build_world(seed: &Seed) -> World {
    let mut world = World::default();
    for sub in &seed.subscriptions {
        world.subscriptions.push(sub.id.to_ascii_lowercase());
        for rg in &sub.resource_groups {
            let id = rg_id(&sub.id, &rg.name);
            let body =
                super::network::resource_groups::body(&id, &rg.name, &rg.location, &json!({}));
            world.insert(seeded(id, Kind::ResourceGroup, body));
            for vnet in &rg.virtual_networks {
                let location = vnet.location.clone().unwrap_or_else(|| rg.location.clone());
                let vnet_id =
                    network_id(&sub.id, &rg.name, &format!("virtualNetworks/{}", vnet.name));
                let body = json!({
                    "name": vnet.name,
                    "id": vnet_id,
                    "etag": network_etag(),
                    "type": "Microsoft.Network/virtualNetworks",
                    "location": location,
                    "tags": {},
                    "properties": {
                        "provisioningState": "Succeeded",
                        "resourceGuid": uuid::Uuid::new_v4().to_string(),
                        "addressSpace": {"addressPrefixes": vnet.address_space},
                        "dhcpOptions": {"dnsServers": vnet.dns_servers},
                        "virtualNetworkPeerings": [],
                        "enableDdosProtection": false
                    }
                });
                world.insert(seeded(vnet_id.clone(), Kind::VirtualNetwork, body));
                for subnet in &vnet.subnets {
                    let subnet_id = format!("{vnet_id}/subnets/{}", subnet.name);
                    let mut body = json!({
                        "name": subnet.name,
                        "id": subnet_id,
                        "etag": network_etag(),
                        "type": "Microsoft.Network/virtualNetworks/subnets",
                        "properties": {
                            "provisioningState": "Succeeded",
                            "addressPrefix": subnet.address_prefix,
                            "privateEndpointNetworkPolicies": subnet.private_endpoint_network_policies,
                            "privateLinkServiceNetworkPolicies": "Enabled",
                            "delegations": []
                        }
                    });
                    if let Some(nsg) = &subnet.network_security_group {
                        body["properties"]["networkSecurityGroup"] = json!({"id": network_id(
                            &sub.id,
                            &rg.name,
                            &format!("networkSecurityGroups/{nsg}"),
                        )});
                    }
                    world.insert(seeded(subnet_id, Kind::Subnet, body));
                }
            }
            for nsg in &rg.network_security_groups {
                let nsg_id = network_id(
                    &sub.id,
                    &rg.name,
                    &format!("networkSecurityGroups/{}", nsg.name),
                );
                let body = super::network::network_security_groups::body(
                    &nsg_id,
                    &nsg.name,
                    &rg.location,
                    &nsg.security_rules,
                );
                world.insert(seeded(nsg_id, Kind::NetworkSecurityGroup, body));
            }
            for pls in &rg.private_link_services {
                let location = pls.location.clone().unwrap_or_else(|| rg.location.clone());
                let pls_id = network_id(
                    &sub.id,
                    &rg.name,
                    &format!("privateLinkServices/{}", pls.name),
                );
                let body = json!({
                    "name": pls.name,
                    "id": pls_id,
                    "etag": network_etag(),
                    "type": "Microsoft.Network/privateLinkServices",
                    "location": location,
                    "tags": {},
                    "properties": {
                        "provisioningState": "Succeeded",
                        "alias": pls.alias(&location),
                        "visibility": {"subscriptions": ["*"]},
                        "autoApproval": {"subscriptions": pls.auto_approval_subscriptions},
                        "fqdns": [],
                        "enableProxyProtocol": false,
                        "loadBalancerFrontendIpConfigurations": [],
                        "ipConfigurations": []
                    }
                });
                world.insert(seeded(pls_id, Kind::PrivateLinkService, body));
            }
        }
    }
    // Peerings last: they name VNets that may be seeded after the one they belong to.
    for sub in &seed.subscriptions {
        for rg in &sub.resource_groups {
            for vnet in &rg.virtual_networks {
                let vnet_id =
                    network_id(&sub.id, &rg.name, &format!("virtualNetworks/{}", vnet.name));
                for p in &vnet.peerings {
                    let remote_id = if p.remote_virtual_network.starts_with('/') {
                        p.remote_virtual_network.clone()
                    } else {
                        network_id(
                            &sub.id,
                            &rg.name,
                            &format!("virtualNetworks/{}", p.remote_virtual_network),
                        )
                    };
                    let prefixes = world
                        .get(&remote_id)
                        .map(|r| r.body["properties"]["addressSpace"]["addressPrefixes"].clone())
                        .unwrap_or_else(|| json!([]));
                    let body = super::network::virtual_network_peerings::body(
                        &vnet_id,
                        &p.name,
                        &remote_id,
                        &p.peering_state,
                        &prefixes,
                    );
                    let id = body["id"].as_str().unwrap_or_default().to_string();
                    world.insert(seeded(id, Kind::VnetPeering, body));
                }
            }
        }
    }
    world
}

/// Ids the env file advertises: (PLS alias, PLS id, first subnet id, first VNet id).
pub fn advertised_ids(seed: &Seed) -> (String, String, String, String) {
    let mut alias = String::new();
    let mut pls_id = String::new();
    let mut subnet_id = String::new();
    let mut vnet_id = String::new();
    for sub in &seed.subscriptions {
        for rg in &sub.resource_groups {
            if let Some(pls) = rg
                .private_link_services
                .first()
                .filter(|_| alias.is_empty())
            {
                let location = pls.location.clone().unwrap_or_else(|| rg.location.clone());
                alias = pls.alias(&location);
                pls_id = network_id(
                    &sub.id,
                    &rg.name,
                    &format!("privateLinkServices/{}", pls.name),
                );
            }
            if let Some(vnet) = rg.virtual_networks.first().filter(|_| vnet_id.is_empty()) {
                vnet_id = network_id(&sub.id, &rg.name, &format!("virtualNetworks/{}", vnet.name));
                if let Some(subnet) = vnet.subnets.first() {
                    subnet_id = format!("{vnet_id}/subnets/{}", subnet.name);
                }
            }
        }
    }
    (alias, pls_id, subnet_id, vnet_id)
}
