//! `Microsoft.Network/privateDnsZones/virtualNetworkLinks` (VirtualNetworkLinks_CreateOrUpdate
//! / Get / Delete / List). PUT and DELETE are LROs (202 + Location + Azure-AsyncOperation).
//! A VNet may not be linked to two zones with the same name (400 `BadRequest`, the wording
//! of the real service), and a link's virtual network cannot be changed.

use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    check_preconditions, etag, parent_not_found, require_global, start_operation, zone_id,
};
use crate::sandbox::arm::body::{self, SubResource, Tags};
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, OpKind, Resource, World, key};

const TYPE: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutBody {
    location: Option<String>,
    tags: Option<Tags>,
    properties: Option<PutProps>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutProps {
    virtual_network: Option<SubResource>,
    registration_enabled: Option<bool>,
    resolution_policy: Option<String>,
}

/// Handles link operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    let (scope, zone) = match &op.target {
        Target::VnetLinks(s, z) | Target::VnetLink(s, z, _) => (s, z),
        _ => {
            return Err(ArmError::method_not_allowed(
                "this method",
                "virtualNetworkLinks",
            ));
        }
    };
    world.require_rg(&scope.sub, &scope.rg)?;
    let zid = zone_id(scope, zone);
    if world.get(&zid).is_none() {
        return Err(parent_not_found(zone));
    }
    match (&op.target, op.verb) {
        (Target::VnetLinks(..), Verb::Get) => {
            let value: Vec<Value> = world
                .under(&zid, Kind::VnetLink)
                .into_iter()
                .map(|l| l.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::VnetLink(_, _, name), Verb::Get) => {
            match world.get(&format!("{zid}/virtualNetworkLinks/{name}")) {
                Some(link) if !World::hidden_by_window(link, ctx.faults) => {
                    Ok(ArmResponse::json(StatusCode::OK, link.body.clone()))
                }
                _ => Err(ArmError::resource_not_found(
                    "Microsoft.Network/privateDnsZones",
                    &format!("{zone}/virtualNetworkLinks/{name}"),
                    &scope.rg,
                )),
            }
        }
        (Target::VnetLink(_, _, name), Verb::Put) => put(world, ctx, scope, zone, name),
        (Target::VnetLink(_, _, name), Verb::Patch) => patch(world, ctx, scope, zone, name),
        (Target::VnetLink(_, _, name), Verb::Delete) => delete(world, ctx, scope, zone, name),
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "virtualNetworkLinks",
        )),
    }
}

/// 400 when `vnet_id` is already linked to a zone named `zone` through another link.
fn check_overlap(world: &World, zone: &str, vnet_id: &str, link_id: &str) -> Result<(), ArmError> {
    let clash = world.of_kind(Kind::VnetLink).find(|l| {
        key(&l.id) != key(link_id)
            && l.body["properties"]["virtualNetwork"]["id"]
                .as_str()
                .is_some_and(|v| key(v) == key(vnet_id))
            && l.id
                .to_ascii_lowercase()
                .contains(&format!("/privatednszones/{}/", zone.to_ascii_lowercase()))
    });
    match clash {
        None => Ok(()),
        Some(other) => Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "A virtual network cannot be linked to multiple zones with overlapping namespaces. \
                 You tried to link virtual network with '{zone}' and '{}' zones.",
                other.id.split('/').nth(8).unwrap_or(zone)
            ),
        )),
    }
}

fn put(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    zone: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    body::check_name(name, TYPE, 1, 80)?;
    let zid = world.canonical_id(&zone_id(scope, zone));
    let id = world.canonical_id(&format!("{zid}/virtualNetworkLinks/{name}"));
    world.require_idle(&id)?;
    check_preconditions(
        ctx,
        world.get(&id),
        &format!("virtual network link '{name}'"),
    )?;
    let req: PutBody = body::parse(ctx.body)?;
    require_global(&req.location)?;
    let props = body::require(&req.properties, "properties", "BadRequest")?;
    let vnet = body::require(
        &props.virtual_network,
        "properties.virtualNetwork",
        "BadRequest",
    )?;
    let vnet_id = body::require(&vnet.id, "properties.virtualNetwork.id", "BadRequest")?.clone();
    let policy = props
        .resolution_policy
        .clone()
        .unwrap_or_else(|| "Default".into());
    check_policy(&policy)?;
    if world
        .get(&vnet_id)
        .is_none_or(|v| v.kind != Kind::VirtualNetwork)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The virtual network '{vnet_id}' referenced by the link does not exist."),
        )
        .with_target("properties.virtualNetwork.id"));
    }
    check_overlap(world, zone, &vnet_id, &id)?;
    // ARM answers with the virtual network's own casing, not the request's.
    let vnet_id = world.canonical_id(&vnet_id);
    let tags = json!(super::accepted_tags(req.tags.clone().unwrap_or_default()));
    let registration = props.registration_enabled.unwrap_or(false);
    // Create and update both answer 202 with the operation (Private DNS LRO).
    if let Some(link) = world.get_mut(&id) {
        let old = link.body["properties"]["virtualNetwork"]["id"]
            .as_str()
            .map(key);
        if old != Some(key(&vnet_id)) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The virtual network of an existing virtual network link cannot be changed.",
            )
            .with_target("properties.virtualNetwork.id"));
        }
        link.body["tags"] = tags;
        link.body["etag"] = json!(etag());
        link.body["properties"]["registrationEnabled"] = json!(registration);
        link.body["properties"]["resolutionPolicy"] = json!(policy);
        link.body["properties"]["provisioningState"] = json!("Updating");
    } else {
        let body = json!({
            "id": id,
            "name": name,
            "type": TYPE,
            "etag": etag(),
            "location": "global",
            "tags": tags,
            "properties": {
                "virtualNetwork": {"id": vnet_id},
                "registrationEnabled": registration,
                "resolutionPolicy": policy,
                "virtualNetworkLinkState": "InProgress",
                "provisioningState": "Creating"
            }
        });
        world.insert(Resource {
            id: id.clone(),
            kind: Kind::VnetLink,
            body,
            seeded: false,
            created_at: Instant::now(),
            busy: None,
        });
    }
    Ok(start_operation(world, ctx, scope, OpKind::Put, &id))
}

/// PATCH (VirtualNetworkLinks_Update): tags, registrationEnabled, resolutionPolicy; an LRO.
fn patch(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    zone: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let id = format!("{}/virtualNetworkLinks/{name}", zone_id(scope, zone));
    let Some(existing) = world.get(&id) else {
        return Err(ArmError::resource_not_found(
            "Microsoft.Network/privateDnsZones",
            &format!("{zone}/virtualNetworkLinks/{name}"),
            &scope.rg,
        ));
    };
    let old_vnet = existing.body["properties"]["virtualNetwork"]["id"]
        .as_str()
        .map(key);
    world.require_idle(&id)?;
    check_preconditions(
        ctx,
        world.get(&id),
        &format!("virtual network link '{name}'"),
    )?;
    let req: PutBody = body::parse(ctx.body)?;
    if req.location.is_some() {
        require_global(&req.location)?;
    }
    let props = req.properties.as_ref();
    let new_vnet = props
        .and_then(|p| p.virtual_network.as_ref())
        .and_then(|v| v.id.as_ref());
    if new_vnet.is_some_and(|v| Some(key(v)) != old_vnet) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The virtual network of an existing virtual network link cannot be changed.",
        )
        .with_target("properties.virtualNetwork.id"));
    }
    let policy = props.and_then(|p| p.resolution_policy.clone());
    if let Some(policy) = &policy {
        check_policy(policy)?;
    }
    if let Some(link) = world.get_mut(&id) {
        if let Some(tags) = &req.tags {
            link.body["tags"] = json!(super::accepted_tags(tags.clone()));
        }
        if let Some(registration) = props.and_then(|p| p.registration_enabled) {
            link.body["properties"]["registrationEnabled"] = json!(registration);
        }
        if let Some(policy) = policy {
            link.body["properties"]["resolutionPolicy"] = json!(policy);
        }
        link.body["etag"] = json!(etag());
        link.body["properties"]["provisioningState"] = json!("Updating");
    }
    Ok(start_operation(world, ctx, scope, OpKind::Put, &id))
}

fn check_policy(policy: &str) -> Result<(), ArmError> {
    if ["Default", "NxDomainRedirect"].contains(&policy) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "BadRequest",
        format!("The resolutionPolicy '{policy}' is invalid; use Default or NxDomainRedirect."),
    )
    .with_target("properties.resolutionPolicy"))
}

fn delete(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    zone: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let id = format!("{}/virtualNetworkLinks/{name}", zone_id(scope, zone));
    if world.get(&id).is_none() {
        return Ok(ArmResponse::empty(StatusCode::NO_CONTENT));
    }
    world.require_idle(&id)?;
    check_preconditions(
        ctx,
        world.get(&id),
        &format!("virtual network link '{name}'"),
    )?;
    if let Some(link) = world.get_mut(&id) {
        link.body["properties"]["provisioningState"] = json!("Deleting");
    }
    Ok(start_operation(world, ctx, scope, OpKind::Delete, &id))
}
