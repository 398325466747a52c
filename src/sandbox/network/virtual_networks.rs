//! `Microsoft.Network/virtualNetworks` (seeded only): GET and list. The GET body embeds the
//! subnets as ARM does.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::sandbox::arm::route::{Operation, Target};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, Resource, World, network_id, rg_id};

/// The GET body: stored VNet plus its subnets.
pub fn render(world: &World, vnet: &Resource) -> Value {
    let mut body = vnet.body.clone();
    let subnets: Vec<Value> = world
        .under(&vnet.id, Kind::Subnet)
        .into_iter()
        .map(|s| super::subnets::render(world, s))
        .collect();
    body["properties"]["subnets"] = json!(subnets);
    body["properties"]["virtualNetworkPeerings"] =
        json!(super::virtual_network_peerings::of(world, &vnet.id));
    body
}

/// Handles virtual network operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match &op.target {
        Target::VirtualNetworks(scope) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::VirtualNetwork)
                .into_iter()
                .map(|v| render(world, v))
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        Target::VirtualNetwork(scope, name) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let id = network_id(&scope.sub, &scope.rg, &format!("virtualNetworks/{name}"));
            let vnet = world.get(&id).ok_or_else(|| {
                ArmError::resource_not_found("Microsoft.Network/virtualNetworks", name, &scope.rg)
            })?;
            Ok(ArmResponse::json(StatusCode::OK, render(world, vnet)))
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "virtualNetworks",
        )),
    }
}
