//! `Microsoft.Network/applicationSecurityGroups` as `applicationSecurityGroup.json` (network
//! stable) describes them: PUT (ApplicationSecurityGroups_CreateOrUpdate, an LRO tracked
//! through Azure-AsyncOperation, 201 create / 200 update), GET, DELETE (an LRO tracked
//! through Location, 202; 204 when absent) and the resource-group list; the subscription list
//! is `arm::paging`'s. The body is `{location, tags, properties: {resourceGuid,
//! provisioningState}}`, every property but location and tags read-only. Deleting one that a
//! private endpoint still references is refused as ARM refuses it (400 `InUseApplicationSecurityGroupCannotBeDeleted`).

use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sandbox::arm::body::{self, Tags};
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, Resource, World, key, network_id, rg_id};

const TYPE: &str = "Microsoft.Network/applicationSecurityGroups";

#[derive(Debug, Deserialize)]
struct PutBody {
    location: Option<String>,
    tags: Option<Tags>,
}

fn asg_id(scope: &Scope, name: &str) -> String {
    network_id(
        &scope.sub,
        &scope.rg,
        &format!("applicationSecurityGroups/{name}"),
    )
}

/// Handles application security group operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match (&op.target, op.verb) {
        (Target::ApplicationSecurityGroups(scope), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(
                    &rg_id(&scope.sub, &scope.rg),
                    Kind::ApplicationSecurityGroup,
                )
                .into_iter()
                .map(|a| a.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::ApplicationSecurityGroup(scope, name), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            match world.get(&asg_id(scope, name)) {
                Some(asg) if !World::hidden_by_window(asg, ctx.faults) => {
                    Ok(ArmResponse::json(StatusCode::OK, asg.body.clone()))
                }
                _ => Err(ArmError::resource_not_found(TYPE, name, &scope.rg)),
            }
        }
        (Target::ApplicationSecurityGroup(scope, name), Verb::Put) => put(world, ctx, scope, name),
        (Target::ApplicationSecurityGroup(scope, name), Verb::Delete) => {
            delete(world, ctx, scope, name)
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "applicationSecurityGroups",
        )),
    }
}

fn put(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    body::check_name(name, TYPE, 1, 80)?;
    let scope = &world.canonical_scope(scope);
    let id = world.canonical_id(&asg_id(scope, name));
    world.require_idle(&id)?;
    let req: PutBody = body::parse(ctx.body)?;
    let location = body::normalize_location(&body::require_location(&req.location)?);
    let tags = req.tags.unwrap_or_default();
    let status = match world.get_mut(&id) {
        Some(existing) => {
            if existing.body["location"].as_str() != Some(location.as_str()) {
                return Err(ArmError::bad_request(
                    "PropertyChangeNotAllowed",
                    "Changing property 'location' of an application security group is not allowed.",
                )
                .with_target("location"));
            }
            existing.body["tags"] = json!(tags);
            existing.body["etag"] = json!(network_etag());
            existing.body["properties"]["provisioningState"] = json!("Updating");
            StatusCode::OK
        }
        None => {
            world.insert(Resource {
                id: id.clone(),
                kind: Kind::ApplicationSecurityGroup,
                body: json!({
                    "name": name,
                    "id": id,
                    "etag": network_etag(),
                    "type": TYPE,
                    "location": location,
                    "tags": tags,
                    "properties": {
                        "resourceGuid": uuid::Uuid::new_v4().to_string(),
                        "provisioningState": "Updating",
                    }
                }),
                seeded: false,
                created_at: Instant::now(),
                busy: None,
            });
            StatusCode::CREATED
        }
    };
    Ok(super::answer_put(world, ctx, &id, &location, status))
}

/// The private endpoints that reference `asg_id`.
pub fn referencing_endpoints(world: &World, asg_id: &str) -> Vec<String> {
    world
        .of_kind(Kind::PrivateEndpoint)
        .filter(|pe| {
            pe.body["properties"]["applicationSecurityGroups"]
                .as_array()
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r["id"].as_str().is_some_and(|r| key(r) == key(asg_id)))
                })
        })
        .map(|pe| pe.id.clone())
        .collect()
}

fn delete(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    let id = asg_id(scope, name);
    let Some(asg) = world.get(&id) else {
        return Ok(ArmResponse::empty(StatusCode::NO_CONTENT));
    };
    let (id, location) = (
        asg.id.clone(),
        asg.body["location"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    world.require_idle(&id)?;
    let users = referencing_endpoints(world, &id);
    if !users.is_empty() {
        // Code and wording as ARM answers a delete of an ASG still in use by an IP
        // configuration (the sandbox has not seen the exact text for a private endpoint's
        // NIC, so the message names the endpoints instead).
        return Err(ArmError::bad_request(
            "InUseApplicationSecurityGroupCannotBeDeleted",
            format!(
                "Application security group {id} cannot be deleted because it is in use by: {}.",
                users.join(", ")
            ),
        ));
    }
    Ok(super::answer_delete(world, ctx, &id, &location))
}
