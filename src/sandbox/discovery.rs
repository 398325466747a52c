//! What Entra serves without a token and MSAL / azure-identity read before asking for one:
//! the OpenID Connect configuration of a tenant (`GET /{tenant}/v2.0/.well-known/openid-configuration`),
//! instance discovery (`GET /{tenant}/discovery/instance`, usually `/common/...`) and the
//! tenant's signing keys document (`GET /{tenant}/discovery/v2.0/keys`). Shapes follow
//! Microsoft identity platform's published documents
//! (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc): MSAL reads
//! `authorization_endpoint`, `token_endpoint` and `issuer` from the first, and
//! `tenant_discovery_endpoint` from the second.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::request_log::{LogEntry, Timing};
use super::state::Shared;

/// The routes (outside `/_sandbox`, logged, never faulted, no token needed).
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/instance", get(instance_discovery))
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
}

/// Logs a discovery request (kind `kind`) with its answer, and answers it.
fn logged(
    shared: &Shared,
    path: String,
    kind: &str,
    headers: &HeaderMap,
    started: Instant,
    response: Response,
) -> Response {
    shared.lock().log.push(LogEntry {
        method: "GET".into(),
        path,
        resource_type: kind.into(),
        status: response.status().as_u16(),
        time: Timing::since(started),
        user_agent: super::identity::user_agent(headers),
        credential: None,
        fault: None,
        body: None,
    });
    response
}

/// The tenant's id when `tenant` names the seeded tenant (by id, case-insensitively).
fn known_tenant(shared: &Shared, tenant: &str) -> Option<String> {
    let id = shared.lock().seed.tenant_id.clone();
    id.eq_ignore_ascii_case(tenant).then_some(id)
}

/// Entra's answer for a tenant it does not know (AADSTS90002).
fn unknown_tenant(tenant: &str) -> Response {
    let body = json!({
        "error": "invalid_tenant",
        "error_description": format!(
            "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct \
             tenant ID and are signing into the correct cloud."
        ),
        "error_codes": [90002],
        "timestamp": super::state::now_rfc3339(),
        "trace_id": uuid::Uuid::new_v4().to_string(),
        "correlation_id": uuid::Uuid::new_v4().to_string(),
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// The OpenID Connect configuration document of a tenant, as the v2.0 endpoint answers it.
pub fn configuration(endpoint: &str, tenant_id: &str) -> Value {
    let base = format!("{endpoint}/{tenant_id}");
    json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported":
            ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{base}/v2.0"),
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "ver"],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
    })
}

async fn openid_configuration(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let response = match known_tenant(&shared, &tenant) {
        Some(id) => axum::Json(configuration(&shared.endpoint, &id)).into_response(),
        None => unknown_tenant(&tenant),
    };
    let path = format!("/{tenant}/v2.0/.well-known/openid-configuration");
    logged(
        &shared,
        path,
        "openid-configuration",
        &headers,
        started,
        response,
    )
}

/// Instance discovery: for an `authorization_endpoint` on this host, where its tenant's
/// OpenID configuration is and which host names are aliases of it; Entra answers 400
/// `invalid_instance` for a host it does not serve.
async fn instance_discovery(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let asked = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "authorization_endpoint")
        .map(|(_, v)| v.into_owned());
    let host = shared.endpoint.trim_start_matches("https://").to_string();
    // MSAL names the authorization endpoint by host name only (it drops the port), so the
    // host decides whether the instance is this one.
    let our_host = url::Url::parse(&shared.endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let ours = asked.as_deref().and_then(|a| {
        let url = url::Url::parse(a).ok()?;
        let mut path = url.path_segments()?;
        let tenant = path.next()?.to_string();
        let rest: Vec<&str> = path.collect();
        (url.scheme() == "https"
            && url.host_str().map(str::to_string) == our_host
            && rest == ["oauth2", "v2.0", "authorize"])
        .then_some(tenant)
    });
    let response = match ours {
        Some(asked_tenant) => axum::Json(json!({
            "tenant_discovery_endpoint": format!(
                "{}/{asked_tenant}/v2.0/.well-known/openid-configuration",
                shared.endpoint
            ),
            "api-version": "1.1",
            "metadata": [{
                "preferred_network": host,
                "preferred_cache": host,
                "aliases": [host],
            }],
        }))
        .into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "error": "invalid_instance",
                "error_description": format!(
                    "AADSTS50049: Unknown or invalid instance: the authorization_endpoint \
                     {asked:?} is not served by {}.",
                    shared.endpoint
                ),
                "error_codes": [50049],
            })),
        )
            .into_response(),
    };
    let path = format!("/{tenant}/discovery/instance");
    logged(
        &shared,
        path,
        "instance-discovery",
        &headers,
        started,
        response,
    )
}

/// The signing keys document. The sandbox's access tokens are opaque (nothing signs them),
/// so the set is empty; it exists because `jwks_uri` names it.
async fn keys(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let started = Instant::now();
    let response = match known_tenant(&shared, &tenant) {
        Some(_) => axum::Json(json!({"keys": []})).into_response(),
        None => unknown_tenant(&tenant),
    };
    let path = format!("/{tenant}/discovery/v2.0/keys");
    logged(&shared, path, "keys", &headers, started, response)
}
