//! `Microsoft.Network/networkInterfaces`: the NIC a private endpoint gets, created in the
//! endpoint's resource group with the next free address of the subnet (from `.4`), or with the
//! static address of the endpoint's `ipConfigurations` (allocation method Static), refused
//! when it lies outside the subnet, is one Azure reserves, or is taken. GET and list only; the
//! NIC goes away with its endpoint.

use std::time::Instant;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ip;
use crate::sandbox::arm::route::{Operation, Scope, Target};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, Resource, World, key, network_id, rg_id};

const TYPE: &str = "Microsoft.Network/networkInterfaces";

/// Addresses already handed out in a subnet, with the IP configuration holding each.
fn used_ips(world: &World, subnet_id: &str) -> Vec<(String, String)> {
    let subnet_key = key(subnet_id);
    world
        .of_kind(Kind::NetworkInterface)
        .flat_map(|nic| {
            nic.body["properties"]["ipConfigurations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|cfg| {
            cfg["properties"]["subnet"]["id"]
                .as_str()
                .is_some_and(|s| key(s) == subnet_key)
        })
        .filter_map(|cfg| {
            let ip = cfg["properties"]["privateIPAddress"].as_str()?;
            Some((
                ip.to_string(),
                cfg["id"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// What the NIC of a new private endpoint is made from.
#[derive(Debug)]
pub struct NewNic<'a> {
    /// The endpoint's name and ARM id.
    pub pe_name: &'a str,
    /// The endpoint's ARM id.
    pub pe_id: &'a str,
    /// Region.
    pub location: &'a str,
    /// The subnet the address comes from.
    pub subnet_id: &'a str,
    /// `customNetworkInterfaceName`, if given.
    pub custom_name: Option<&'a str>,
    /// The static address of the endpoint's `ipConfigurations`, if given.
    pub static_ip: Option<&'a str>,
    /// The JSON path of that address in the request, for errors.
    pub static_ip_target: &'a str,
}

/// Checks a requested static address against the subnet (ARM's errors; see the codes' note).
fn check_static_ip(
    nic: &NewNic<'_>,
    ip: &str,
    prefix: &str,
    used: &[(String, String)],
) -> Result<(), ArmError> {
    let target = nic.static_ip_target;
    if ip.parse::<std::net::Ipv4Addr>().is_err() {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            format!("'{ip}' is not a valid IPv4 address."),
        )
        .with_target(target));
    }
    // Codes as NRP names these refusals for a static private IP; the exact message wording
    // of real Azure for a private endpoint's address has not been seen by the sandbox's
    // authors, so the messages below are the sandbox's, naming what Azure's do.
    if !ip::contains(prefix, ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressNotInSubnet",
            format!(
                "Private static IP address {ip} of private endpoint {} does not belong to the                  range of subnet prefix {prefix} of subnet {}.",
                nic.pe_id, nic.subnet_id
            ),
        )
        .with_target(target));
    }
    if ip::is_reserved(prefix, ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressIsReserved",
            format!(
                "Private static IP address {ip} is reserved by Azure in subnet prefix {prefix}                  (the first four addresses and the last one of every subnet)."
            ),
        )
        .with_target(target));
    }
    if let Some((_, holder)) = used.iter().find(|(u, _)| u == ip) {
        return Err(ArmError::bad_request(
            "PrivateIPAddressInUse",
            format!(
                "Private static IP address {ip} requested by private endpoint {} is already                  allocated to {holder}.",
                nic.pe_id
            ),
        )
        .with_target(target));
    }
    Ok(())
}

/// Creates the NIC of a new private endpoint; returns its id.
pub fn create(world: &mut World, scope: &Scope, nic: &NewNic<'_>) -> Result<String, ArmError> {
    let NewNic {
        pe_name,
        pe_id,
        location,
        subnet_id,
        custom_name,
        static_ip,
        ..
    } = *nic;
    let guid = uuid::Uuid::new_v4();
    let name = custom_name
        .map(str::to_string)
        .unwrap_or_else(|| format!("{pe_name}.nic.{guid}"));
    let id = network_id(&scope.sub, &scope.rg, &format!("networkInterfaces/{name}"));
    if world.get(&id).is_some() {
        return Err(ArmError::bad_request(
            "InUseNetworkInterfaceName",
            format!(
                "A network interface named {name} already exists in resource group {}.",
                scope.rg
            ),
        ));
    }
    let prefix = world
        .get(subnet_id)
        .and_then(|s| s.body["properties"]["addressPrefix"].as_str())
        .unwrap_or_default()
        .to_string();
    let used = used_ips(world, subnet_id);
    let (ip, method) = match static_ip {
        Some(ip) => {
            check_static_ip(nic, ip, &prefix, &used)?;
            (ip.to_string(), "Static")
        }
        None => {
            let taken: Vec<String> = used.into_iter().map(|(ip, _)| ip).collect();
            let ip = ip::next_free(&prefix, &taken).ok_or_else(|| {
                ArmError::bad_request(
                    "SubnetIsFull",
                    format!(
                        "Subnet {subnet_id} with address prefix {prefix} has no free address left."
                    ),
                )
            })?;
            (ip, "Dynamic")
        }
    };
    let config_name = format!("privateEndpointIpConfig.{}", uuid::Uuid::new_v4());
    let body = json!({
        "name": name,
        "id": id,
        "etag": network_etag(),
        "type": TYPE,
        "location": location,
        "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": uuid::Uuid::new_v4().to_string(),
            "ipConfigurations": [{
                "name": config_name,
                "id": format!("{id}/ipConfigurations/{config_name}"),
                "etag": network_etag(),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateIPAddress": ip,
                    "privateIPAllocationMethod": method,
                    "privateIPAddressVersion": "IPv4",
                    "subnet": {"id": subnet_id},
                    "primary": true,
                    "privateLinkConnectionProperties": {"groupId": "", "requiredMemberName": "", "fqdns": []}
                }
            }],
            "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
            "macAddress": "",
            "enableAcceleratedNetworking": false,
            "enableIPForwarding": false,
            "hostedWorkloads": [],
            "privateEndpoint": {"id": pe_id},
            "nicType": "Standard",
            "auxiliaryMode": "None"
        }
    });
    world.insert(Resource {
        id: id.clone(),
        kind: Kind::NetworkInterface,
        body,
        seeded: false,
        created_at: Instant::now(),
        busy: None,
    });
    Ok(id)
}

/// The first private IP of a NIC.
pub fn first_ip(nic: &Value) -> Option<String> {
    nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .map(String::from)
}

/// Handles NIC operations (GET, list).
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match &op.target {
        Target::NetworkInterfaces(scope) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::NetworkInterface)
                .into_iter()
                .map(|n| n.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        Target::NetworkInterface(scope, name) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let id = network_id(&scope.sub, &scope.rg, &format!("networkInterfaces/{name}"));
            match world.get(&id) {
                Some(nic) if !World::hidden_by_window(nic, ctx.faults) => {
                    Ok(ArmResponse::json(StatusCode::OK, nic.body.clone()))
                }
                _ => Err(ArmError::resource_not_found(TYPE, name, &scope.rg)),
            }
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "networkInterfaces",
        )),
    }
}
