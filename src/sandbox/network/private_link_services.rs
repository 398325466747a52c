//! `Microsoft.Network/privateLinkServices` (Astronomer's side, seeded): GET of the service,
//! and its `privateEndpointConnections` (list, GET, PUT to approve/reject — synchronous 200 —
//! and DELETE, which leaves the consumer's endpoint Disconnected).

use std::time::Instant;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sandbox::arm::body;
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, Resource, World, key, network_id};

const CONN_TYPE: &str = "Microsoft.Network/privateLinkServices/privateEndpointConnections";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutBody {
    properties: Option<PutProps>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutProps {
    private_link_service_connection_state: Option<ConnState>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnState {
    status: Option<String>,
    description: Option<String>,
    actions_required: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VisibilityBody {
    private_link_service_alias: Option<String>,
}

/// POST checkPrivateLinkServiceVisibility: 200 `{"visible": bool}` — true when the alias
/// names a PLS whose visibility list holds `*` or the caller's subscription.
pub fn check_visibility(world: &World, ctx: &Ctx<'_>, sub: &str) -> Result<ArmResponse, ArmError> {
    world.require_sub(sub)?;
    let req: VisibilityBody = body::parse(ctx.body)?;
    let alias = body::require(
        &req.private_link_service_alias,
        "privateLinkServiceAlias",
        "InvalidRequestFormat",
    )?;
    let visible = resolve(world, alias)
        .filter(|_| !alias.starts_with('/'))
        .and_then(|id| world.get(&id))
        .is_some_and(|pls| {
            pls.body["properties"]["visibility"]["subscriptions"]
                .as_array()
                .is_some_and(|subs| {
                    subs.iter()
                        .filter_map(|s| s.as_str())
                        .any(|s| s == "*" || s.eq_ignore_ascii_case(sub))
                })
        });
    Ok(ArmResponse::json(
        StatusCode::OK,
        json!({"visible": visible}),
    ))
}

/// The PLS id an alias or ARM id designates, if such a service exists.
pub fn resolve(world: &World, reference: &str) -> Option<String> {
    if reference.starts_with('/') {
        return world
            .get(reference)
            .filter(|r| r.kind == Kind::PrivateLinkService)
            .map(|r| r.id.clone());
    }
    world
        .of_kind(Kind::PrivateLinkService)
        .find(|pls| {
            pls.body["properties"]["alias"]
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case(reference))
        })
        .map(|pls| pls.id.clone())
}

/// The PLS-side connection of a private endpoint, if it still exists.
pub fn connection_of<'a>(world: &'a World, pe_id: &str) -> Option<&'a Resource> {
    let pe_key = key(pe_id);
    world.of_kind(Kind::PlsConnection).find(|c| {
        c.body["properties"]["privateEndpoint"]["id"]
            .as_str()
            .is_some_and(|id| key(id) == pe_key)
    })
}

/// Opens the connection `<peName>.<guid>` on the PLS for a new endpoint.
pub fn open_connection(
    world: &mut World,
    pls_id: &str,
    pe_name: &str,
    pe_id: &str,
    pe_location: &str,
    state: Value,
) {
    let name = format!("{pe_name}.{}", uuid::Uuid::new_v4());
    let id = format!("{pls_id}/privateEndpointConnections/{name}");
    let link_identifier = (u64::from(uuid::Uuid::new_v4().as_fields().0) << 4).to_string();
    let body = json!({
        "name": name,
        "id": id,
        "etag": network_etag(),
        "type": CONN_TYPE,
        "properties": {
            "provisioningState": "Succeeded",
            "privateEndpoint": {"id": pe_id},
            "privateLinkServiceConnectionState": state,
            "linkIdentifier": link_identifier,
            "privateEndpointLocation": pe_location
        }
    });
    world.insert(Resource {
        id,
        kind: Kind::PlsConnection,
        body,
        seeded: false,
        created_at: Instant::now(),
        busy: None,
    });
}

/// Sets a connection's state (the effect of the PLS-side PUT and of `/_sandbox/approve`).
pub fn set_state(
    world: &mut World,
    conn_id: &str,
    status: &str,
    description: &str,
) -> Option<Value> {
    let conn = world.get_mut(conn_id)?;
    conn.body["properties"]["privateLinkServiceConnectionState"] = json!({
        "status": status,
        "description": description,
        "actionsRequired": "None"
    });
    conn.body["etag"] = json!(network_etag());
    Some(conn.body.clone())
}

fn render_pls(world: &World, pls: &Resource) -> Value {
    let mut body = pls.body.clone();
    let conns: Vec<Value> = world
        .under(&pls.id, Kind::PlsConnection)
        .into_iter()
        .map(|c| c.body.clone())
        .collect();
    body["properties"]["privateEndpointConnections"] = json!(conns);
    body
}

/// Handles PLS and PLS-connection operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    let (scope, pls_name) = match &op.target {
        Target::PrivateLinkService(s, p)
        | Target::PlsConnections(s, p)
        | Target::PlsConnection(s, p, _) => (s, p),
        _ => {
            return Err(ArmError::method_not_allowed(
                "this method",
                "privateLinkServices",
            ));
        }
    };
    world.require_rg(&scope.sub, &scope.rg)?;
    let pls_id = network_id(
        &scope.sub,
        &scope.rg,
        &format!("privateLinkServices/{pls_name}"),
    );
    let Some(pls) = world.get(&pls_id) else {
        return Err(ArmError::resource_not_found(
            "Microsoft.Network/privateLinkServices",
            pls_name,
            &scope.rg,
        ));
    };
    match (&op.target, op.verb) {
        (Target::PrivateLinkService(..), Verb::Get) => {
            Ok(ArmResponse::json(StatusCode::OK, render_pls(world, pls)))
        }
        (Target::PlsConnections(..), Verb::Get) => {
            let value: Vec<Value> = world
                .under(&pls_id, Kind::PlsConnection)
                .into_iter()
                .map(|c| c.body.clone())
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        (Target::PlsConnection(_, _, conn), verb) => {
            connection(world, ctx, scope, &pls_id, conn, verb)
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "privateLinkServices",
        )),
    }
}

fn connection(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    pls_id: &str,
    conn: &str,
    verb: Verb,
) -> Result<ArmResponse, ArmError> {
    let id = format!("{pls_id}/privateEndpointConnections/{conn}");
    let pls_name = pls_id.rsplit('/').next().unwrap_or_default();
    let exists = world.get(&id).is_some();
    match verb {
        Verb::Patch | Verb::Post => Err(ArmError::method_not_allowed(
            "this method",
            "privateEndpointConnections",
        )),
        Verb::Get => world
            .get(&id)
            .map(|c| ArmResponse::json(StatusCode::OK, c.body.clone()))
            .ok_or_else(|| {
                ArmError::resource_not_found(
                    "Microsoft.Network/privateLinkServices",
                    &format!("{pls_name}/privateEndpointConnections/{conn}"),
                    &scope.rg,
                )
            }),
        Verb::Delete => {
            if exists {
                world.remove(&id);
                Ok(ArmResponse::empty(StatusCode::OK))
            } else {
                Ok(ArmResponse::empty(StatusCode::NO_CONTENT))
            }
        }
        Verb::Put => {
            let req: PutBody = body::parse(ctx.body)?;
            let props = body::require(&req.properties, "properties", "InvalidRequestFormat")?;
            let state = body::require(
                &props.private_link_service_connection_state,
                "properties.privateLinkServiceConnectionState",
                "InvalidRequestFormat",
            )?;
            let status = body::require(
                &state.status,
                "properties.privateLinkServiceConnectionState.status",
                "InvalidRequestFormat",
            )?;
            let status = match status.to_ascii_lowercase().as_str() {
                "approved" => "Approved",
                "rejected" => "Rejected",
                _ => {
                    return Err(ArmError::bad_request(
                        "InvalidPrivateEndpointConnectionStatus",
                        format!("Status '{status}' is invalid; a service owner may set Approved or Rejected."),
                    )
                    .with_target("properties.privateLinkServiceConnectionState.status"));
                }
            };
            if !exists {
                return Err(ArmError::bad_request(
                    "PrivateEndpointConnectionCannotBeCreatedByServiceProvider",
                    format!(
                        "Private endpoint connection {conn} does not exist and cannot be created by the service provider."
                    ),
                ));
            }
            let _ = &state.actions_required;
            let description = state.description.clone().unwrap_or_default();
            let body = set_state(world, &id, status, &description).unwrap_or_default();
            Ok(ArmResponse::json(StatusCode::OK, body))
        }
    }
}
