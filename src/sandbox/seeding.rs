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
                        "virtualNetworkPeerings": [],
                        "enableDdosProtection": false
                    }
                });
                world.insert(seeded(vnet_id.clone(), Kind::VirtualNetwork, body));
                for subnet in &vnet.subnets {
                    let subnet_id = format!("{vnet_id}/subnets/{}", subnet.name);
                    let body = json!({
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
                    world.insert(seeded(subnet_id, Kind::Subnet, body));
                }
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
