//! `Microsoft.Resources/resourceGroups` (api 2021-04-01, 2022-09-01, 2024-03-01): GET, list,
//! and PUT (create or update, synchronous 201/200).

use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sandbox::arm::body::{self, Tags};
use crate::sandbox::arm::route::{Operation, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{Kind, Resource, World, key, rg_id};

#[derive(Debug, Deserialize)]
struct PutBody {
    location: Option<String>,
    tags: Option<Tags>,
}

/// The GET body of a resource group.
pub fn body(id: &str, name: &str, location: &str, tags: &Value) -> Value {
    json!({
        "id": id,
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "tags": tags,
        "properties": {"provisioningState": "Succeeded"}
    })
}

/// Handles resource group operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match (&op.target, op.verb) {
        (Target::ResourceGroups(sub), Verb::Get) => {
            world.require_sub(sub)?;
            let prefix = format!("{}/resourcegroups/", key(&format!("/subscriptions/{sub}")));
            let value: Vec<Value> = world
                .of_kind(Kind::ResourceGroup)
                .filter(|r| key(&r.id).starts_with(&prefix))
                .map(|r| r.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::ResourceGroup(scope), Verb::Get) => {
            world.require_sub(&scope.sub)?;
            world
                .get(&rg_id(&scope.sub, &scope.rg))
                .map(|r| ArmResponse::json(StatusCode::OK, r.body.clone()))
                .ok_or_else(|| ArmError::resource_group_not_found(&scope.rg))
        }
        (Target::ResourceGroup(scope), Verb::Put) => {
            world.require_sub(&scope.sub)?;
            let req: PutBody = body::parse(ctx.body)?;
            let location = body::normalize_location(&body::require_location(&req.location)?);
            let id = rg_id(&scope.sub, &scope.rg);
            let tags = json!(req.tags.unwrap_or_default());
            if let Some(existing) = world.get_mut(&id) {
                if existing.body["location"].as_str() != Some(location.as_str()) {
                    return Err(ArmError::new(
                        StatusCode::CONFLICT,
                        "InvalidResourceGroupLocation",
                        format!(
                            "Invalid resource group location '{location}'. The Resource group \
                             already exists in location '{}'.",
                            existing.body["location"].as_str().unwrap_or_default()
                        ),
                    ));
                }
                existing.body["tags"] = tags;
                return Ok(ArmResponse::json(StatusCode::OK, existing.body.clone()));
            }
            let body = body(&id, &scope.rg, &location, &tags);
            world.insert(Resource {
                id,
                kind: Kind::ResourceGroup,
                body: body.clone(),
                seeded: false,
                created_at: Instant::now(),
                busy: None,
            });
            Ok(ArmResponse::json(StatusCode::CREATED, body))
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "resourceGroups",
        )),
    }
}
