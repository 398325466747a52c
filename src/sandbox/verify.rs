//! Imitates Astronomer's verification step from inside a VNet: resolve the cluster host
//! through the private DNS zones linked to that VNet, then "curl" it, which answers
//! `404 page not found` only when the address is an Approved private endpoint in the VNet.

use serde::Serialize;

use super::network::{network_interfaces, private_link_services};
use super::state::{Kind, World, key};

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verification {
    /// Address the host resolved to in the VNet, if any.
    pub resolved: Option<String>,
    /// The zone that answered, if any.
    pub zone: Option<String>,
    /// Connection status of the endpoint at that address, if any.
    pub connection_status: Option<String>,
    /// What an HTTPS request to the host would show.
    pub http: String,
}

fn zone_of_link(link_id: &str) -> Option<(String, String)> {
    let lower = link_id.to_ascii_lowercase();
    let at = lower.find("/virtualnetworklinks/")?;
    let zone_id = &link_id[..at];
    let name = zone_id.rsplit('/').next()?.to_string();
    Some((zone_id.to_string(), name))
}

/// Resolves `host` as seen from `vnet_id` and reports what a request would get.
pub fn verify(world: &World, vnet_id: &str, host: &str) -> Result<Verification, String> {
    if world
        .get(vnet_id)
        .is_none_or(|v| v.kind != Kind::VirtualNetwork)
    {
        return Err(format!(
            "virtual network {vnet_id} does not exist in the sandbox"
        ));
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let best = world
        .of_kind(Kind::VnetLink)
        .filter(|l| {
            l.body["properties"]["virtualNetwork"]["id"]
                .as_str()
                .is_some_and(|v| key(v) == key(vnet_id))
        })
        .filter_map(|l| zone_of_link(&l.id))
        .filter(|(_, zone)| {
            let zone = zone.to_ascii_lowercase();
            host == zone || host.ends_with(&format!(".{zone}"))
        })
        .max_by_key(|(_, zone)| zone.len());
    let Some((zone_id, zone)) = best else {
        return Ok(Verification {
            resolved: None,
            zone: None,
            connection_status: None,
            http: format!(
                "Could not resolve host: {host} (no private DNS zone linked to the VNet)"
            ),
        });
    };
    let relative = host
        .strip_suffix(&format!(".{}", zone.to_ascii_lowercase()))
        .unwrap_or("@");
    let resolved = world.get(&format!("{zone_id}/A/{relative}")).and_then(|r| {
        r.body["properties"]["aRecords"][0]["ipv4Address"]
            .as_str()
            .map(String::from)
    });
    let Some(ip) = resolved.clone() else {
        return Ok(Verification {
            resolved: None,
            zone: Some(zone),
            connection_status: None,
            http: format!("Could not resolve host: {host} (NXDOMAIN in the linked zone)"),
        });
    };
    let vnet_prefix = format!("{}/subnets/", key(vnet_id));
    let nic = world.of_kind(Kind::NetworkInterface).find(|nic| {
        network_interfaces::first_ip(&nic.body).as_deref() == Some(ip.as_str())
            && nic.body["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
                .as_str()
                .is_some_and(|s| key(s).starts_with(&vnet_prefix))
    });
    let pe_id = nic.and_then(|n| n.body["properties"]["privateEndpoint"]["id"].as_str());
    let status = pe_id.map(|pe| {
        private_link_services::connection_of(world, pe)
            .and_then(|c| {
                c.body["properties"]["privateLinkServiceConnectionState"]["status"].as_str()
            })
            .unwrap_or("Disconnected")
            .to_string()
    });
    let http = match status.as_deref() {
        None => format!(
            "Failed to connect to {host} ({ip}): connection timed out (no private endpoint at that address in the VNet)"
        ),
        Some("Approved") => "404 page not found".to_string(),
        Some(other) => format!(
            "Failed to connect to {host} ({ip}): connection timed out (private endpoint connection is {other})"
        ),
    };
    Ok(Verification {
        resolved,
        zone: Some(zone),
        connection_status: status,
        http,
    })
}
