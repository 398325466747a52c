//! `Microsoft.Network/privateEndpoints` (PrivateEndpoints_CreateOrUpdate / Get / Delete /
//! List). PUT is an LRO tracked through Azure-AsyncOperation (201 create, 200 update, body
//! `provisioningState: Updating`); DELETE is an LRO tracked through Location (202). Creating
//! one allocates a NIC in the endpoint's resource group with the next free IP of the subnet
//! and opens a connection on the target Private Link Service (Pending for a manual
//! connection). The connection state shown on the endpoint is read from the PLS side, so an
//! approval there is what the endpoint reports. PUT is a full replace, as in ARM: writable
//! properties left out of an update (application security groups, custom DNS configs, the
//! IP version) take their defaults, so a client that drops what it read loses them here too.
//! New IDs and references are answered in the stored resources' casing.

mod request;
mod write;

use request::parse_request;
use write::put;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::private_link_services;
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, Resource, World, network_id, rg_id};

const TYPE: &str = "Microsoft.Network/privateEndpoints";
const FORMAT: &str = "InvalidRequestFormat";

fn pe_id(scope: &Scope, name: &str) -> String {
    network_id(&scope.sub, &scope.rg, &format!("privateEndpoints/{name}"))
}

/// The GET body: the stored endpoint with the connection state read from the PLS side.
pub fn render(world: &World, pe: &Resource) -> Value {
    let mut body = pe.body.clone();
    let state = match private_link_services::connection_of(world, &pe.id) {
        Some(conn) => conn.body["properties"]["privateLinkServiceConnectionState"].clone(),
        None => json!({
            "status": "Disconnected",
            "description": "The connection was removed by the private link service owner.",
            "actionsRequired": "None"
        }),
    };
    for list in [
        "manualPrivateLinkServiceConnections",
        "privateLinkServiceConnections",
    ] {
        if let Some(conns) = body["properties"][list].as_array_mut() {
            for conn in conns {
                conn["properties"]["privateLinkServiceConnectionState"] = state.clone();
            }
        }
    }
    body
}

/// Handles private endpoint operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match (&op.target, op.verb) {
        (Target::PrivateEndpoints(scope), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::PrivateEndpoint)
                .into_iter()
                .map(|pe| render(world, pe))
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::PrivateEndpoint(scope, name), Verb::Get) => get(world, ctx, scope, name),
        (Target::PrivateEndpoint(scope, name), Verb::Put) => put(world, ctx, scope, name),
        (Target::PrivateEndpoint(scope, name), Verb::Delete) => delete(world, ctx, scope, name),
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "privateEndpoints",
        )),
    }
}

fn get(world: &World, ctx: &Ctx<'_>, scope: &Scope, name: &str) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    match world.get(&pe_id(scope, name)) {
        Some(pe) if !World::hidden_by_window(pe, ctx.faults) => {
            Ok(ArmResponse::json(StatusCode::OK, render(world, pe)))
        }
        _ => Err(ArmError::resource_not_found(TYPE, name, &scope.rg)),
    }
}

fn delete(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    let id = pe_id(scope, name);
    let Some(pe) = world.get(&id) else {
        return Ok(ArmResponse::empty(StatusCode::NO_CONTENT));
    };
    let location = pe.body["location"].as_str().unwrap_or("eastus").to_string();
    world.require_idle(&id)?;
    Ok(super::answer_delete(world, ctx, &id, &location))
}
