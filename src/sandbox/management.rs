//! The management API under `/_sandbox/` for tests and demos: health, reset, faults, the
//! request log, the resources clients created, approving/rejecting connections, out-of-band
//! edits for drift tests, network changes for the connectivity checks
//! (`network`, see `network/controls.rs`), and the verify imitation. No auth, never faulted, never logged.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::faults::Faults;
use super::network::private_link_services;
use super::request_log;
use super::seeded_world;
use super::state::{Kind, Shared, key};

/// A management error: status and a plain message.
#[derive(Debug)]
struct MgmtError(StatusCode, String);

impl IntoResponse for MgmtError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

type Answer = Result<Json<Value>, MgmtError>;

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, MgmtError> {
    serde_json::from_slice(body)
        .map_err(|e| MgmtError(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
}

/// The `/_sandbox` router.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/api_versions", get(api_versions))
        .route("/reset", post(reset))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/requests/summary", get(summary))
        .route("/resources", get(resources))
        .route("/approve", post(approve))
        .route("/oob", post(oob))
        .route("/verify", get(verify))
        .route("/network", post(super::network::controls::handler))
        .fallback(unknown)
}

/// Unknown management paths answer 404 here instead of falling through to the ARM routes.
async fn unknown(uri: axum::http::Uri) -> MgmtError {
    MgmtError(
        StatusCode::NOT_FOUND,
        format!("no management route {}; see SANDBOX.md", uri.path()),
    )
}

async fn health(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "endpoint": shared.endpoint,
        "arm_requests": {"received": shared.received()},
    }))
}

/// The api-version table: per family, the versions accepted and where the list came from.
async fn api_versions() -> Json<Value> {
    use super::arm::api_versions::{NETWORK, PRIVATE_DNS, RESOURCES};
    let rows: Vec<Value> = [NETWORK, PRIVATE_DNS, RESOURCES]
        .iter()
        .map(|t| json!({"family": t.family, "versions": t.versions, "source": t.source}))
        .collect();
    Json(json!(rows))
}

async fn reset(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut inner = shared.lock();
    inner.world = seeded_world::build_world(&inner.seed);
    Json(json!({"status": "reset"}))
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!(shared.lock().faults))
}

async fn put_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let faults: Faults = parse(&body)?;
    faults
        .validate()
        .map_err(|e| MgmtError(StatusCode::BAD_REQUEST, e))?;
    let mut inner = shared.lock();
    inner.rng = faults.rng();
    inner.faults = faults;
    Ok(Json(json!(inner.faults)))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!(shared.lock().log))
}

async fn summary(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(request_log::summary(&shared.lock().log))
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    shared.lock().log.clear();
    Json(json!({"status": "cleared"}))
}

async fn resources(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let inner = shared.lock();
    let ids: Vec<&str> = inner
        .world
        .resources
        .values()
        .filter(|r| !r.seeded)
        .filter(|r| !(r.kind == Kind::RecordSet && key(&r.id).contains("/soa/")))
        .map(|r| r.id.as_str())
        .collect();
    Json(json!(ids))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Approve {
    private_endpoint_id: String,
    status: String,
    #[serde(default)]
    description: String,
}

async fn approve(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let req: Approve = parse(&body)?;
    let status = match req.status.to_ascii_lowercase().as_str() {
        "approved" => "Approved",
        "rejected" => "Rejected",
        "disconnected" => "Disconnected",
        _ => {
            return Err(MgmtError(
                StatusCode::BAD_REQUEST,
                format!(
                    "status must be Approved, Rejected or Disconnected, got {:?}",
                    req.status
                ),
            ));
        }
    };
    let mut inner = shared.lock();
    let world = &mut inner.world;
    if world
        .get(&req.private_endpoint_id)
        .is_none_or(|r| r.kind != Kind::PrivateEndpoint)
    {
        return Err(MgmtError(
            StatusCode::NOT_FOUND,
            format!("no private endpoint {}", req.private_endpoint_id),
        ));
    }
    let conn_id = private_link_services::connection_of(world, &req.private_endpoint_id)
        .map(|c| c.id.clone())
        .ok_or_else(|| {
            MgmtError(
                StatusCode::NOT_FOUND,
                format!(
                    "private endpoint {} has no connection on a private link service",
                    req.private_endpoint_id
                ),
            )
        })?;
    let description = if req.description.is_empty() {
        status.to_string()
    } else {
        req.description
    };
    let body =
        private_link_services::set_state(world, &conn_id, status, &description).unwrap_or_default();
    Ok(Json(body))
}

#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Oob {
    Delete {
        id: String,
    },
    SetTags {
        id: String,
        tags: HashMap<String, String>,
    },
    SetARecord {
        id: String,
        ipv4: Vec<String>,
        ttl: Option<i64>,
    },
    /// Makes an endpoint report its connection's target as this value: Azure may answer
    /// with the Private Link Service's resource ID for a connection made by alias.
    SetPrivateLinkServiceId {
        id: String,
        private_link_service_id: String,
    },
}

async fn oob(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let req: Oob = parse(&body)?;
    let mut inner = shared.lock();
    let world = &mut inner.world;
    let missing = |id: &str| MgmtError(StatusCode::NOT_FOUND, format!("no resource {id}"));
    match req {
        Oob::Delete { id } => {
            if world.get(&id).is_none() {
                return Err(missing(&id));
            }
            world.delete_cascade(&id);
            Ok(Json(json!({"deleted": id})))
        }
        Oob::SetTags { id, tags } => {
            let res = world.get_mut(&id).ok_or_else(|| missing(&id))?;
            res.body["tags"] = json!(tags);
            bump_etag(&mut res.body, res.kind);
            Ok(Json(res.body.clone()))
        }
        Oob::SetARecord { id, ipv4, ttl } => {
            if let Some(bad) = ipv4
                .iter()
                .find(|ip| ip.parse::<std::net::Ipv4Addr>().is_err())
            {
                return Err(MgmtError(
                    StatusCode::BAD_REQUEST,
                    format!("{bad:?} is not an IPv4 address"),
                ));
            }
            let res = world
                .get_mut(&id)
                .filter(|r| r.kind == Kind::RecordSet && key(&r.id).contains("/a/"))
                .ok_or_else(|| missing(&id))?;
            res.body["properties"]["aRecords"] = json!(
                ipv4.iter()
                    .map(|ip| json!({"ipv4Address": ip}))
                    .collect::<Vec<_>>()
            );
            if let Some(ttl) = ttl {
                res.body["properties"]["ttl"] = json!(ttl);
            }
            bump_etag(&mut res.body, res.kind);
            Ok(Json(res.body.clone()))
        }
        Oob::SetPrivateLinkServiceId {
            id,
            private_link_service_id,
        } => {
            let res = world
                .get_mut(&id)
                .filter(|r| r.kind == Kind::PrivateEndpoint)
                .ok_or_else(|| missing(&id))?;
            for list in [
                "manualPrivateLinkServiceConnections",
                "privateLinkServiceConnections",
            ] {
                if let Some(conns) = res.body["properties"][list].as_array_mut() {
                    for conn in conns {
                        conn["properties"]["privateLinkServiceId"] = json!(private_link_service_id);
                    }
                }
            }
            Ok(Json(res.body.clone()))
        }
    }
}

fn bump_etag(body: &mut Value, kind: Kind) {
    if body.get("etag").is_some() {
        body["etag"] = match kind {
            Kind::DnsZone | Kind::VnetLink | Kind::RecordSet => json!(super::privatedns::etag()),
            _ => json!(seeded_world::network_etag()),
        };
    }
}

#[derive(Debug, Deserialize)]
struct VerifyQuery {
    vnet_id: String,
    host: String,
}

async fn verify(State(shared): State<Arc<Shared>>, Query(q): Query<VerifyQuery>) -> Answer {
    let inner = shared.lock();
    super::verify::verify(&inner.world, &q.vnet_id, &q.host)
        .map(|v| Json(json!(v)))
        .map_err(|e| MgmtError(StatusCode::NOT_FOUND, e))
}
