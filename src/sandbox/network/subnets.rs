//! `Microsoft.Network/virtualNetworks/subnets` (seeded only): GET and list. The body lists
//! the private endpoints placed in the subnet.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::sandbox::arm::route::{Operation, Target};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, Resource, World, key, network_id};

/// The GET body: stored subnet plus `privateEndpoints[]` referencing it.
pub fn render(world: &World, subnet: &Resource) -> Value {
    let mut body = subnet.body.clone();
    let subnet_key = key(&subnet.id);
    let pes: Vec<Value> = world
        .of_kind(Kind::PrivateEndpoint)
        .filter(|pe| {
            pe.body["properties"]["subnet"]["id"]
                .as_str()
                .is_some_and(|s| key(s) == subnet_key)
        })
        .map(|pe| json!({"id": pe.id}))
        .collect();
    if !pes.is_empty() {
        body["properties"]["privateEndpoints"] = json!(pes);
    }
    body
}

/// Handles subnet operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    let (scope, vnet) = match &op.target {
        Target::Subnets(scope, vnet) | Target::Subnet(scope, vnet, _) => (scope, vnet),
        _ => return Err(ArmError::method_not_allowed("this method", "subnets")),
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
        Target::Subnet(_, _, name) => {
            let subnet = world
                .get(&format!("{vnet_id}/subnets/{name}"))
                .ok_or_else(|| {
                    ArmError::resource_not_found(
                        "Microsoft.Network/virtualNetworks",
                        &format!("{vnet}/subnets/{name}"),
                        &scope.rg,
                    )
                })?;
            Ok(ArmResponse::json(StatusCode::OK, render(world, subnet)))
        }
        _ => {
            let value: Vec<Value> = world
                .under(&vnet_id, Kind::Subnet)
                .into_iter()
                .map(|s| render(world, s))
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
    }
}
