//! `Microsoft.Network/networkInterfaces`: the NIC a private endpoint gets, created in the
//! endpoint's resource group with the next free address of the subnet (from `.4`). GET and
//! list only; the NIC goes away with its endpoint.

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

/// Addresses already handed out in a subnet.
fn used_ips(world: &World, subnet_id: &str) -> Vec<String> {
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
            cfg["properties"]["privateIPAddress"]
                .as_str()
                .map(String::from)
        })
        .collect()
}

/// Creates the NIC of private endpoint `pe_name`; returns its id.
pub fn create(
    world: &mut World,
    scope: &Scope,
    pe_name: &str,
    location: &str,
    subnet_id: &str,
    custom_name: &Option<String>,
    pe_id: &str,
) -> Result<String, ArmError> {
    let guid = uuid::Uuid::new_v4();
    let name = custom_name
        .clone()
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
    let ip = ip::next_free(&prefix, &used_ips(world, subnet_id)).ok_or_else(|| {
        ArmError::bad_request(
            "SubnetIsFull",
            format!("Subnet {subnet_id} with address prefix {prefix} has no free address left."),
        )
    })?;
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
                    "privateIPAllocationMethod": "Dynamic",
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
            Ok(ArmResponse::json(StatusCode::OK, json!({"value": value})))
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
