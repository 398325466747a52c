//! Network RP (and resource group) resources, one file per ARM resource type, and the two
//! long-running answers they share (a PUT tracked through Azure-AsyncOperation, a DELETE
//! through Location).

pub mod application_security_groups;
pub mod controls;
pub mod ip;
pub mod network_interfaces;
pub mod network_security_groups;
pub mod private_endpoints;
pub mod private_link_services;
pub mod resource_groups;
pub mod subnets;
pub mod virtual_network_peerings;
pub mod virtual_networks;

use axum::http::StatusCode;
use serde_json::json;

use crate::sandbox::arm::lro::{self, OpScope};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::state::{OpKind, World};
use crate::sandbox::views;

/// The subscription of an ARM id.
fn sub_of(id: &str) -> &str {
    id.split('/').nth(2).unwrap_or_default()
}

/// Starts the PUT operation on `id` and answers `status` with the resource as a GET renders
/// it, tracked through Azure-AsyncOperation.
pub fn answer_put(
    world: &mut World,
    ctx: &Ctx<'_>,
    id: &str,
    location: &str,
    status: StatusCode,
) -> ArmResponse {
    let sub = sub_of(id).to_string();
    let scope = OpScope::Network {
        sub: &sub,
        location,
    };
    let op = lro::start(world, ctx, scope, OpKind::Put, id);
    let body = world
        .get(id)
        .map(|res| views::render(world, res))
        .unwrap_or_default();
    ArmResponse::json(status, body)
        .with_header("azure-asyncoperation", op.status_url)
        .with_header("retry-after", lro::retry_after(ctx))
}

/// Marks `id` Deleting and starts its DELETE operation: 202, tracked through Location.
pub fn answer_delete(world: &mut World, ctx: &Ctx<'_>, id: &str, location: &str) -> ArmResponse {
    if let Some(res) = world.get_mut(id) {
        res.body["properties"]["provisioningState"] = json!("Deleting");
    }
    let sub = sub_of(id).to_string();
    let scope = OpScope::Network {
        sub: &sub,
        location,
    };
    let op = lro::start(world, ctx, scope, OpKind::Delete, id);
    ArmResponse::empty(StatusCode::ACCEPTED)
        .with_header("location", op.result_url)
        .with_header("azure-asyncoperation", op.status_url)
        .with_header("retry-after", lro::retry_after(ctx))
}
