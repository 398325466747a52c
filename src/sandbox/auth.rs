//! The Entra-style token endpoint `POST /{tenant}/oauth2/v2.0/token` (client credentials with
//! a client secret, or a federated client assertion) and the bearer-token check every ARM
//! request passes. Tokens are random opaque strings valid for an hour.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ArmError;
use super::request_log::LogEntry;
use super::state::Shared;

/// The assertion type azure_identity sends for federated credentials.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Token lifetime reported in `expires_in`.
pub const TOKEN_LIFETIME_SECS: u64 = 3599;

/// An Entra (AADSTS) error answer.
fn entra_error(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{aadsts}: {description}"),
        "error_codes": [aadsts],
        "timestamp": super::state::now_rfc3339(),
        "trace_id": uuid::Uuid::new_v4().to_string(),
        "correlation_id": uuid::Uuid::new_v4().to_string(),
    });
    (status, axum::Json(body)).into_response()
}

/// Handles `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let response = issue(&shared, &tenant, &body);
    let entry = LogEntry {
        method: "POST".into(),
        path: format!("/{tenant}/oauth2/v2.0/token"),
        resource_type: "token".into(),
        status: response.status().as_u16(),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        fault: None,
    };
    shared.lock().log.push(entry);
    response
}

fn issue(shared: &Shared, tenant: &str, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let mut inner = shared.lock();
    if !tenant.eq_ignore_ascii_case(&inner.seed.tenant_id) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    if field("grant_type") != "client_credentials" {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type; only client_credentials is served.",
        );
    }
    let scope = field("scope");
    if scope.is_empty() || !scope.split(' ').all(|s| s.ends_with("/.default")) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a \
             scope value with /.default suffixed to the resource identifier.",
        );
    }
    let client_id = field("client_id");
    let Some(principal) = inner
        .seed
        .service_principals
        .iter()
        .find(|p| p.client_id.eq_ignore_ascii_case(client_id))
    else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    };
    let accepted = if form.contains_key("client_assertion") {
        field("client_assertion_type") == JWT_BEARER
            && principal
                .federated_assertions
                .iter()
                .any(|a| a == field("client_assertion"))
    } else {
        principal
            .client_secret
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s == field("client_secret"))
    };
    if !accepted {
        let (code, text) = if form.contains_key("client_assertion") {
            (
                700213,
                "No matching federated identity record found for presented assertion.",
            )
        } else {
            (7000215, "Invalid client secret provided.")
        };
        return entra_error(StatusCode::UNAUTHORIZED, "invalid_client", code, text);
    }
    let access_token = format!(
        "sbx.{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    inner.tokens.insert(
        access_token.clone(),
        Instant::now() + Duration::from_secs(TOKEN_LIFETIME_SECS),
    );
    let body = json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "ext_expires_in": TOKEN_LIFETIME_SECS,
        "access_token": access_token,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// Checks `Authorization: Bearer <token>` against issued tokens (401 otherwise).
pub fn check_bearer(
    tokens: &mut HashMap<String, Instant>,
    headers: &HeaderMap,
) -> Result<(), ArmError> {
    let challenge = "Bearer authorization_uri=\"https://login.microsoftonline.com/\", \
                     error=\"invalid_token\"";
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
        .with_header("www-authenticate", challenge));
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is not in the 'Bearer <token>' format.",
        )
        .with_header("www-authenticate", challenge));
    };
    match tokens.get(token.trim()) {
        Some(expiry) if *expiry > Instant::now() => Ok(()),
        Some(_) => Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        )
        .with_header("www-authenticate", challenge)),
        None => Err(ArmError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )
        .with_header("www-authenticate", challenge)),
    }
}
