//! Long-running operations: starting one (status and result URLs, Retry-After) and answering
//! its status URL (Azure-AsyncOperation: always 200 with `{status}`) and result URL
//! (Location: 202 while running, then 204 for a delete or 200 with the resource for a PUT).
//! An operation completes after `lro_polls` polls of either URL.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::route::{Operation as Request, Target};
use super::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::state::{OpFamily, OpKind, Operation, World, now_rfc3339};

/// Where an operation's URLs live.
#[derive(Debug, Clone, Copy)]
pub enum OpScope<'a> {
    /// Network RP: subscription + location.
    Network {
        /// Subscription id.
        sub: &'a str,
        /// Region of the resource.
        location: &'a str,
    },
    /// Private DNS: subscription + resource group.
    PrivateDns {
        /// Subscription id.
        sub: &'a str,
        /// Resource group.
        rg: &'a str,
    },
}

/// Registers a new operation on `resource_id` and marks the resource busy (or completes it
/// at once when `lro_polls` is 0).
pub fn start(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: OpScope<'_>,
    kind: OpKind,
    resource_id: &str,
) -> Operation {
    let id = uuid::Uuid::new_v4().to_string();
    let v = ctx.api_version;
    let (family, status_url, result_url) = match scope {
        OpScope::Network { sub, location } => {
            let base = format!(
                "{}/subscriptions/{sub}/providers/Microsoft.Network/locations/{location}",
                ctx.endpoint
            );
            (
                OpFamily::Network,
                format!("{base}/operations/{id}?api-version={v}"),
                format!("{base}/operationResults/{id}?api-version={v}"),
            )
        }
        OpScope::PrivateDns { sub, rg } => {
            let base = format!(
                "{}/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network",
                ctx.endpoint
            );
            (
                OpFamily::PrivateDns,
                format!("{base}/privateDnsOperationStatuses/{id}?api-version={v}"),
                format!("{base}/privateDnsOperationResults/{id}?api-version={v}"),
            )
        }
    };
    let op = Operation {
        id: id.clone(),
        status_url,
        result_url,
        family,
        kind,
        resource_id: resource_id.to_string(),
        polls_left: ctx.faults.lro_polls,
        start_time: now_rfc3339(),
        outcome: None,
        fails: ctx.lro_fails,
        last_polled: std::time::Instant::now(),
    };
    world.ops.insert(id.clone(), op.clone());
    if let Some(res) = world.get_mut(resource_id) {
        res.busy = Some(id);
    }
    if ctx.faults.lro_polls == 0 {
        world.complete(&op);
    }
    op
}

/// The Retry-After value for LRO answers.
pub fn retry_after(ctx: &Ctx<'_>) -> String {
    ctx.faults.retry_after_secs.to_string()
}

fn not_found(id: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "OperationNotFound",
        format!("The operation '{id}' could not be found."),
    )
}

fn status_body(op: &Operation) -> Value {
    let status = match &op.outcome {
        None => "InProgress",
        Some(Ok(())) => "Succeeded",
        Some(Err(_)) => "Failed",
    };
    let mut body = json!({
        "id": op.status_url.split('?').next().unwrap_or_default(),
        "name": op.id,
        "status": status,
        "startTime": op.start_time,
    });
    if op.outcome.is_some() {
        body["endTime"] = json!(now_rfc3339());
    }
    if let Some(Err(err)) = &op.outcome {
        body["error"] = json!({"code": err.code, "message": err.message});
    }
    body
}

/// Answers a status or result URL.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, req: &Request) -> Result<ArmResponse, ArmError> {
    let (sub, id, family, is_status) = match &req.target {
        Target::NetworkOperationStatus(sub, id) => (sub, id, OpFamily::Network, true),
        Target::NetworkOperationResult(sub, id) => (sub, id, OpFamily::Network, false),
        Target::DnsOperationStatus(scope, id) => (&scope.sub, id, OpFamily::PrivateDns, true),
        Target::DnsOperationResult(scope, id) => (&scope.sub, id, OpFamily::PrivateDns, false),
        _ => return Err(not_found("?")),
    };
    world.require_sub(sub)?;
    let known = world
        .ops
        .get(id)
        .is_some_and(|op| op.family == family && op.status_url.contains(&format!("/{sub}/")));
    if !known {
        return Err(not_found(id));
    }
    let op = world.poll(id).ok_or_else(|| not_found(id))?;
    if is_status {
        let mut response = ArmResponse::json(StatusCode::OK, status_body(&op));
        if op.outcome.is_none() {
            response = response.with_header("retry-after", retry_after(ctx));
        }
        return Ok(response);
    }
    match (&op.outcome, op.kind) {
        (None, _) => Ok(ArmResponse::empty(StatusCode::ACCEPTED)
            .with_header("location", op.result_url.clone())
            .with_header("retry-after", retry_after(ctx))),
        (Some(Err(err)), _) => Err(err.clone()),
        (Some(Ok(())), OpKind::Delete) => Ok(ArmResponse::empty(StatusCode::NO_CONTENT)),
        (Some(Ok(())), OpKind::Put) => match world.get(&op.resource_id) {
            Some(res) => Ok(ArmResponse::json(
                StatusCode::OK,
                crate::sandbox::views::render(world, res),
            )),
            None => Ok(ArmResponse::empty(StatusCode::NO_CONTENT)),
        },
    }
}
