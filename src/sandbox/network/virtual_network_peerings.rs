//! `Microsoft.Network/virtualNetworks/virtualNetworkPeerings` (seeded only, edited through
//! the management API): GET and list, shaped as `virtualNetwork.json` (Network 2025-07-01)
//! answers. A VNet's GET embeds its peerings too. Each direction is its own peering; traffic
//! flows only when both are `Connected`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::sandbox::arm::route::{Operation, Target};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, World, network_id};

/// The body of a peering named `name` from `vnet_id` to `remote_id` (whose address space is
/// `remote_prefixes`).
pub fn body(
    vnet_id: &str,
    name: &str,
    remote_id: &str,
    state: &str,
    remote_prefixes: &Value,
) -> Value {
    json!({
        "name": name,
        "id": format!("{vnet_id}/virtualNetworkPeerings/{name}"),
        "etag": super::super::seeded_world::network_etag(),
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "properties": {
            "provisioningState": "Succeeded",
            "peeringState": state,
            "peeringSyncLevel": "FullyInSync",
            "remoteVirtualNetwork": {"id": remote_id},
            "remoteAddressSpace": {"addressPrefixes": remote_prefixes},
            "allowVirtualNetworkAccess": true,
            "allowForwardedTraffic": false,
            "allowGatewayTransit": false,
            "useRemoteGateways": false
        }
    })
}

/// The peerings of `vnet_id`, as their GET bodies.
pub fn of(world: &World, vnet_id: &str) -> Vec<Value> {
    world
        .under(vnet_id, Kind::VnetPeering)
        .into_iter()
        .map(|p| p.body.clone())
        .collect()
}

/// Handles peering operations (GET and list).
pub fn handle(world: &mut World, _ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    let (scope, vnet) = match &op.target {
        Target::VnetPeerings(scope, vnet) | Target::VnetPeering(scope, vnet, _) => (scope, vnet),
        _ => {
            return Err(ArmError::method_not_allowed(
                "this method",
                "virtualNetworkPeerings",
            ));
        }
    };
    world.require_rg(&scope.sub, &scope.rg)?;
    let vnet_id = network_id(&scope.sub, &scope.rg, &format!("virtualNetworks/{vnet}"));
    if world.get(&vnet_id).is_none() {
        return Err(ArmError::resource_not_found(
            "Microsoft.Network/virtualNetworks",
            vnet,
            &scope.rg,
        ));
    }
    match &op.target {
        Target::VnetPeering(_, _, name) => {
            let peering = world
                .get(&format!("{vnet_id}/virtualNetworkPeerings/{name}"))
                .ok_or_else(|| {
                    ArmError::resource_not_found(
                        "Microsoft.Network/virtualNetworks",
                        &format!("{vnet}/virtualNetworkPeerings/{name}"),
                        &scope.rg,
                    )
                })?;
            Ok(ArmResponse::json(StatusCode::OK, peering.body.clone()))
        }
        _ => Ok(ArmResponse::json(
            StatusCode::OK,
            json!({"value": of(world, &vnet_id)}),
        )),
    }
}
