//! Managed identity: the Instance Metadata Service and App Service's identity endpoint, each
//! with its header check and answer shape.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::*;
use crate::sandbox::auth::{TOKEN_LIFETIME_SECS, new_access_token};
use crate::sandbox::jwt::now_secs;
use crate::sandbox::state::Shared;

/// Issues a managed identity token, or the service's `{error, error_description}` answer.
pub(super) fn managed_identity_token(
    shared: &Shared,
    q: &HashMap<String, String>,
    source: &str,
) -> Response {
    let bad = |d: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request", "error_description": d})),
        )
            .into_response()
    };
    let Some(resource) = q.get("resource").filter(|r| !r.is_empty()) else {
        return bad("Required audience parameter not specified");
    };
    if q.get("api-version").is_none_or(String::is_empty) {
        return bad("Required query variable 'api-version' is missing");
    }
    let mut inner = shared.lock();
    let identity = inner
        .seed
        .service_principals
        .iter()
        .filter(|p| p.managed_identity)
        .find(|p| match q.get("client_id") {
            Some(id) => p.client_id.eq_ignore_ascii_case(id),
            None => true,
        })
        .map(|p| p.client_id.clone());
    let Some(client_id) = identity else {
        return bad("Identity not found");
    };
    let access_token = new_access_token(&mut inner.tokens, &client_id);
    let now = now_secs();
    tracing::debug!(source, client_id, "managed identity token issued");
    (
        StatusCode::OK,
        Json(json!({
            "access_token": access_token,
            "client_id": client_id,
            "expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "expires_on": (now + TOKEN_LIFETIME_SECS).to_string(),
            "ext_expires_in": TOKEN_LIFETIME_SECS.to_string(),
            "not_before": now.to_string(),
            "resource": resource,
            "token_type": "Bearer",
        })),
    )
        .into_response()
}

pub(super) async fn imds(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let metadata = headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::GET {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"error": "invalid_request", "error_description": "Method not allowed"})),
        )
            .into_response()
    } else if !metadata {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_request", "error_description": "Required metadata header not specified"})),
        )
            .into_response()
    } else {
        managed_identity_token(&shared, &q, "imds")
    };
    let ok = response.status().is_success();
    log(
        &shared,
        (&method, &uri, &headers),
        "imds",
        response.status(),
        started,
        ok.then(|| "managed_identity:imds".to_string()),
    );
    response
}

pub(super) async fn app_service(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let header_ok = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok())
        == Some(APP_SERVICE_IDENTITY_HEADER);
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::GET {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"statusCode": 405, "message": "Method not allowed"})),
        )
            .into_response()
    } else if !header_ok {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"statusCode": 401, "message": "Unauthorized: X-IDENTITY-HEADER is missing or wrong"})),
        )
            .into_response()
    } else if q.get("api-version").map(String::as_str) != Some("2019-08-01") {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"statusCode": 400, "message": "api-version must be 2019-08-01"})),
        )
            .into_response()
    } else {
        managed_identity_token(&shared, &q, "app_service")
    };
    let ok = response.status().is_success();
    log(
        &shared,
        (&method, &uri, &headers),
        "app_service_msi",
        response.status(),
        started,
        ok.then(|| "managed_identity:app_service".to_string()),
    );
    response
}
