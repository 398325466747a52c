//! `Microsoft.Network/privateDnsZones` (PrivateZones_CreateOrUpdate / Get / Delete / List).
//! PUT and DELETE are LROs answered 202 with Location + Azure-AsyncOperation + Retry-After;
//! the final Location GET gives 200 with the zone (PUT) or 204 (DELETE). Location must be
//! `global`. A new zone gets its SOA record set `@`. A zone with virtual network links
//! cannot be deleted: 400 `CannotDeleteResource` (the sandbox's choice of code).

use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{check_preconditions, etag, record_sets, require_global, start_operation, zone_id};
use crate::sandbox::arm::body::{self, Tags};
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, OpKind, Resource, World, rg_id};

const TYPE: &str = "Microsoft.Network/privateDnsZones";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutBody {
    location: Option<String>,
    tags: Option<Tags>,
    #[allow(dead_code)]
    etag: Option<String>,
    #[allow(dead_code)]
    properties: Option<serde_json::Map<String, Value>>,
}

/// Zone names: 2–34 labels of letters, digits, `-` and `_`, each 1–63 characters.
fn check_zone_name(name: &str) -> Result<(), ArmError> {
    let labels: Vec<&str> = name.split('.').collect();
    let ok = (2..=34).contains(&labels.len())
        && name.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The zone name '{name}' is invalid: it must have 2 to 34 labels of letters, digits, '-' or '_'."
            ),
        ))
    }
}

/// The GET body with the record set and link counters filled in.
pub fn render(world: &World, zone: &Resource) -> Value {
    let mut body = zone.body.clone();
    let links = world.under(&zone.id, Kind::VnetLink);
    let with_registration = links
        .iter()
        .filter(|l| l.body["properties"]["registrationEnabled"] == json!(true))
        .count();
    body["properties"]["numberOfRecordSets"] = json!(world.under(&zone.id, Kind::RecordSet).len());
    body["properties"]["numberOfVirtualNetworkLinks"] = json!(links.len());
    body["properties"]["numberOfVirtualNetworkLinksWithRegistration"] = json!(with_registration);
    body
}

/// Handles zone operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match (&op.target, op.verb) {
        (Target::DnsZones(scope), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::DnsZone)
                .into_iter()
                .map(|z| render(world, z))
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::SubscriptionDnsZones(sub), Verb::Get) => list_subscription(world, ctx, sub),
        (Target::DnsZone(scope, name), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            match world.get(&zone_id(scope, name)) {
                Some(zone) if !World::hidden_by_window(zone, ctx.faults) => {
                    Ok(ArmResponse::json(StatusCode::OK, render(world, zone)))
                }
                _ => Err(ArmError::resource_not_found(TYPE, name, &scope.rg)),
            }
        }
        (Target::DnsZone(scope, name), Verb::Put) => put(world, ctx, scope, name),
        (Target::DnsZone(scope, name), Verb::Patch) => patch(world, ctx, scope, name),
        (Target::DnsZone(scope, name), Verb::Delete) => delete(world, ctx, scope, name),
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "privateDnsZones",
        )),
    }
}

/// PrivateZones_List: every zone of the subscription, paged as every list is.
fn list_subscription(world: &World, ctx: &Ctx<'_>, sub: &str) -> Result<ArmResponse, ArmError> {
    crate::sandbox::arm::paging::subscription_list(world, ctx, sub, Kind::DnsZone)
}

fn put(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    check_zone_name(name)?;
    let scope = &world.canonical_scope(scope);
    let id = world.canonical_id(&zone_id(scope, name));
    world.require_idle(&id)?;
    check_preconditions(ctx, world.get(&id), &format!("private DNS zone '{name}'"))?;
    let req: PutBody = body::parse(ctx.body)?;
    require_global(&req.location)?;
    let tags = json!(super::accepted_tags(req.tags.unwrap_or_default()));
    if let Some(zone) = world.get_mut(&id) {
        zone.body["tags"] = tags;
        zone.body["etag"] = json!(etag());
        zone.body["properties"]["provisioningState"] = json!("Updating");
    } else {
        let body = json!({
            "id": id,
            "name": name,
            "type": TYPE,
            "etag": etag(),
            "location": "global",
            "tags": tags,
            "properties": {
                "maxNumberOfRecordSets": 25000,
                "maxNumberOfVirtualNetworkLinks": 1000,
                "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                "numberOfRecordSets": 1,
                "numberOfVirtualNetworkLinks": 0,
                "numberOfVirtualNetworkLinksWithRegistration": 0,
                "provisioningState": "Creating",
                "internalId": uuid::Uuid::new_v4().simple().to_string()
            }
        });
        world.insert(Resource {
            id: id.clone(),
            kind: Kind::DnsZone,
            body,
            seeded: false,
            created_at: Instant::now(),
            busy: None,
        });
        record_sets::create_soa(world, &id, name);
    }
    Ok(start_operation(world, ctx, scope, OpKind::Put, &id))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    location: Option<String>,
    tags: Option<Tags>,
}

/// PATCH (PrivateZones_Update): tags only; an LRO like PUT.
fn patch(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    let id = zone_id(scope, name);
    if world.get(&id).is_none() {
        return Err(ArmError::resource_not_found(TYPE, name, &scope.rg));
    }
    world.require_idle(&id)?;
    check_preconditions(ctx, world.get(&id), &format!("private DNS zone '{name}'"))?;
    let req: PatchBody = body::parse(ctx.body)?;
    if req.location.is_some() {
        require_global(&req.location)?;
    }
    if let Some(zone) = world.get_mut(&id) {
        if let Some(tags) = req.tags {
            zone.body["tags"] = json!(super::accepted_tags(tags));
        }
        zone.body["etag"] = json!(etag());
        zone.body["properties"]["provisioningState"] = json!("Updating");
    }
    Ok(start_operation(world, ctx, scope, OpKind::Put, &id))
}

fn delete(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    let id = zone_id(scope, name);
    if world.get(&id).is_none() {
        return Ok(ArmResponse::empty(StatusCode::NO_CONTENT));
    }
    world.require_idle(&id)?;
    check_preconditions(ctx, world.get(&id), &format!("private DNS zone '{name}'"))?;
    let links = world.under(&id, Kind::VnetLink).len();
    if links > 0 {
        return Err(ArmError::bad_request(
            "CannotDeleteResource",
            format!(
                "The private DNS zone '{name}' cannot be deleted because it still has {links} \
                 virtual network link(s). Delete the links first."
            ),
        ));
    }
    if let Some(zone) = world.get_mut(&id) {
        zone.body["properties"]["provisioningState"] = json!("Deleting");
    }
    Ok(start_operation(world, ctx, scope, OpKind::Delete, &id))
}
