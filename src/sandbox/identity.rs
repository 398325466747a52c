//! The token sources a pipeline gets its identity from, imitated with their real request
//! shapes and failure answers, and their test controls:
//!
//! * GitHub Actions' ID-token endpoint: `GET /github-actions/idtoken?api-version=2.0&audience=..`
//!   with `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`, answering
//!   `{"count": 1, "value": "<jwt>"}` (iss `https://token.actions.githubusercontent.com`); a
//!   missing or wrong bearer gets 401.
//! * Azure DevOps' OIDC endpoint (`SYSTEM_OIDCREQUESTURI`): `POST
//!   /azure-devops/_apis/distributedtask/hubs/build/plans/{plan}/jobs/{job}/oidctoken?api-version=7.1&serviceConnectionId=..`
//!   with `Authorization: Bearer <SYSTEM_ACCESSTOKEN>`, answering `{"oidcToken": "<jwt>"}`
//!   (iss `https://vstoken.dev.azure.com/<org id>`, sub `sc://<org>/<project>/<connection>`). A
//!   wrong token gets 203 with an HTML sign-in page unless `X-TFS-FedAuthRedirect: Suppress`
//!   asks for a plain 401, as Azure DevOps does; an unknown service connection gets 404, a GET
//!   405.
//! * The Instance Metadata Service: `GET /metadata/identity/oauth2/token?api-version=..&resource=..[&client_id=..]`
//!   with `Metadata: true` (400 without it).
//! * App Service's identity endpoint (`IDENTITY_ENDPOINT`): `GET /msi/token?api-version=2019-08-01&resource=..[&client_id=..]`
//!   with `X-IDENTITY-HEADER: <IDENTITY_HEADER>` (401 when wrong).
//!
//! Managed identity answers carry `{access_token, expires_on, resource, token_type, ...}` with
//! the times as strings, as both services send them. Federated tokens are signed by the
//! sandbox's issuer key ([`super::jwt::Issuer`]); the token endpoint accepts them only for a
//! matching federated identity credential in the seed.
//!
//! Test controls under `/_sandbox`: `POST principals/{client_id}/certificates`
//! `{"certificate_pem": ".."}` registers a certificate as an app registration's credential; `POST oidc/mint` `{issuer,
//! subject, audience?, lifetime_secs?}` returns `{"token"}` signed by the sandbox issuer (HCP
//! Terraform's and AKS's tokens, which reach the provider as a variable or a file);
//! `PUT token_source_failures` `{"statuses": [500, 500]}` makes the next CI or managed identity
//! token requests answer those statuses, one each, in order.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post, put};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use serde_json::json;

use super::auth::{TOKEN_LIFETIME_SECS, new_access_token};
use super::jwt::now_secs;
use super::request_log::LogEntry;
use super::state::Shared;

/// Path of the GitHub Actions-style ID-token endpoint.
pub const GITHUB_PATH: &str = "/github-actions/idtoken";
/// The bearer that endpoint accepts (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
pub const GITHUB_REQUEST_TOKEN: &str = "sandbox-github-request-token";
/// `iss` of the tokens it hands out.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// `sub` of the tokens it hands out (a repository's environment).
pub const GITHUB_SUBJECT: &str = "repo:astro-privatelink/infra:environment:production";
/// GitHub's default audience when the request names none (the repository owner's URL).
pub const GITHUB_DEFAULT_AUDIENCE: &str = "https://github.com/astro-privatelink";

/// Path of the Azure DevOps-style OIDC endpoint (`SYSTEM_OIDCREQUESTURI`).
pub const ADO_PATH: &str = "/azure-devops/_apis/distributedtask/hubs/build/plans/00000000-0000-0000-0000-0000000000b1/jobs/00000000-0000-0000-0000-0000000000b2/oidctoken";
/// The `SYSTEM_ACCESSTOKEN` it accepts.
pub const ADO_SYSTEM_ACCESS_TOKEN: &str = "sandbox-ado-system-access-token";
/// The service connection it knows.
pub const ADO_SERVICE_CONNECTION_ID: &str = "00000000-0000-0000-0000-0000000000d1";
/// `iss` of its tokens (`https://vstoken.dev.azure.com/<organization id>`).
pub const ADO_ISSUER: &str = "https://vstoken.dev.azure.com/00000000-0000-0000-0000-0000000000a0";
/// `sub` of its tokens for that service connection.
pub const ADO_SUBJECT: &str = "sc://astro/infra/astro-sandbox";

/// HCP Terraform's issuer and a workspace's apply-phase subject (for `oidc/mint`).
pub const HCP_ISSUER: &str = "https://app.terraform.io";
/// Subject of HCP Terraform apply runs in the seeded workspace.
pub const HCP_SUBJECT: &str =
    "organization:astro:project:infra:workspace:privatelink:run_phase:apply";
/// An AKS cluster's OIDC issuer (for `oidc/mint`).
pub const AKS_ISSUER: &str =
    "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-0000000000aa/";
/// The Kubernetes service account federated in the seed.
pub const AKS_SUBJECT: &str = "system:serviceaccount:astro:terraform";
/// The audience Entra expects in federated tokens.
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

/// Path of the IMDS-style managed identity endpoint.
pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
/// Path of the App Service-style managed identity endpoint (`IDENTITY_ENDPOINT`).
pub const APP_SERVICE_PATH: &str = "/msi/token";
/// The `IDENTITY_HEADER` it expects in `X-IDENTITY-HEADER`.
pub const APP_SERVICE_IDENTITY_HEADER: &str = "sandbox-identity-header";

/// A certificate registered on an app registration.
#[derive(Debug, Clone)]
pub struct RegisteredCertificate {
    /// DER bytes.
    pub der: Vec<u8>,
    /// base64url SHA-1 thumbprint.
    pub x5t: String,
    /// base64url SHA-256 thumbprint.
    pub x5t_s256: String,
}

/// Mutable identity state, under the shared lock.
#[derive(Debug, Default)]
pub struct IdentityState {
    /// Certificates by lower-cased client id.
    certificates: HashMap<String, Vec<RegisteredCertificate>>,
    /// Statuses the next token-source requests answer with, one each.
    failures: VecDeque<u16>,
}

impl IdentityState {
    /// The certificates registered for `client_id`.
    pub fn certificates_of(&self, client_id: &str) -> Vec<RegisteredCertificate> {
        self.certificates
            .get(&client_id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }
}

/// The request's `User-Agent`, for the log.
pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Routes of the token sources (outside `/_sandbox`, logged, never ARM-faulted).
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(GITHUB_PATH, any(github))
        .route(ADO_PATH, any(azure_devops))
        .route(IMDS_PATH, any(imds))
        .route(APP_SERVICE_PATH, any(app_service))
}

/// Test controls, nested under `/_sandbox`.
pub fn management_router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/principals/{client_id}/certificates",
            post(register_certificate),
        )
        .route("/oidc/mint", post(mint))
        .route(
            "/token_source_failures",
            put(set_failures).get(get_failures),
        )
}

/// Logs one token-source request (`seen` = method, URI and headers of the request).
fn log(
    shared: &Shared,
    (method, uri, headers): (&Method, &Uri, &HeaderMap),
    kind: &str,
    status: StatusCode,
    started: Instant,
    credential: Option<String>,
) {
    shared.lock().log.push(LogEntry {
        method: method.to_string(),
        path: uri.path().to_string(),
        resource_type: kind.to_string(),
        status: status.as_u16(),
        ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        user_agent: user_agent(headers),
        credential,
        fault: None,
    });
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get("authorization")?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
}

/// Takes the next queued failure, if any.
fn queued_failure(shared: &Shared) -> Option<StatusCode> {
    shared
        .lock()
        .identity
        .failures
        .pop_front()
        .and_then(|s| StatusCode::from_u16(s).ok())
}

fn failure_answer(status: StatusCode) -> Response {
    (
        status,
        Json(json!({"message": status.canonical_reason().unwrap_or("error")})),
    )
        .into_response()
}

async fn github(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::GET {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(json!({"message": "Method Not Allowed"})),
        )
            .into_response()
    } else if bearer(&headers) != Some(GITHUB_REQUEST_TOKEN) {
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "Unauthorized"})),
        )
            .into_response()
    } else {
        let audience = q
            .get("audience")
            .cloned()
            .unwrap_or_else(|| GITHUB_DEFAULT_AUDIENCE.to_string());
        let token = shared
            .issuer
            .mint(GITHUB_ISSUER, GITHUB_SUBJECT, &audience, 300);
        (StatusCode::OK, Json(json!({"count": 1, "value": token}))).into_response()
    };
    log(
        &shared,
        (&method, &uri, &headers),
        "github_oidc",
        response.status(),
        started,
        None,
    );
    response
}

async fn azure_devops(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let started = Instant::now();
    let ado_error = |status: StatusCode, message: &str| {
        (
            status,
            Json(json!({
                "$id": "1",
                "innerException": null,
                "message": message,
                "typeName": "Microsoft.TeamFoundation.DistributedTask.WebApi.TaskOrchestrationPlanSecurityException, Microsoft.TeamFoundation.DistributedTask.WebApi",
                "typeKey": "TaskOrchestrationPlanSecurityException",
                "errorCode": 0,
                "eventId": 3000
            })),
        )
            .into_response()
    };
    let suppress = headers
        .get("x-tfs-fedauthredirect")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("suppress"));
    let response = if let Some(status) = queued_failure(&shared) {
        failure_answer(status)
    } else if method != Method::POST {
        ado_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "The requested resource does not support http method 'GET'.",
        )
    } else if bearer(&headers) != Some(ADO_SYSTEM_ACCESS_TOKEN) {
        if suppress {
            (StatusCode::UNAUTHORIZED, "").into_response()
        } else {
            (
                StatusCode::NON_AUTHORITATIVE_INFORMATION,
                [("content-type", "text/html; charset=utf-8")],
                "<html><head><title>Azure DevOps Services | Sign In</title></head><body></body></html>",
            )
                .into_response()
        }
    } else if q.get("api-version").map(String::as_str) != Some("7.1") {
        ado_error(
            StatusCode::BAD_REQUEST,
            "The api-version query parameter must be 7.1.",
        )
    } else if !q
        .get("serviceConnectionId")
        .is_some_and(|id| id.eq_ignore_ascii_case(ADO_SERVICE_CONNECTION_ID))
    {
        ado_error(
            StatusCode::NOT_FOUND,
            "The service connection does not exist, is not shared with this project, or the pipeline is not authorized to use it.",
        )
    } else {
        let token = shared
            .issuer
            .mint(ADO_ISSUER, ADO_SUBJECT, FEDERATED_AUDIENCE, 600);
        (StatusCode::OK, Json(json!({"oidcToken": token}))).into_response()
    };
    log(
        &shared,
        (&method, &uri, &headers),
        "ado_oidc",
        response.status(),
        started,
        None,
    );
    response
}

/// Issues a managed identity token, or the service's `{error, error_description}` answer.
fn managed_identity_token(shared: &Shared, q: &HashMap<String, String>, source: &str) -> Response {
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
    let access_token = new_access_token(&mut inner.tokens);
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

async fn imds(
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

async fn app_service(
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

fn mgmt_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateUpload {
    certificate_pem: String,
}

async fn register_certificate(
    State(shared): State<Arc<Shared>>,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let upload: CertificateUpload = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => return mgmt_error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    let Ok(der) = CertificateDer::from_pem_slice(upload.certificate_pem.as_bytes()) else {
        return mgmt_error(
            StatusCode::BAD_REQUEST,
            "the body must be a PEM certificate",
        );
    };
    if webpki::EndEntityCert::try_from(&der).is_err() {
        return mgmt_error(
            StatusCode::BAD_REQUEST,
            "the body is not a valid X.509 certificate",
        );
    }
    let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    let sha256 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
    let cert = RegisteredCertificate {
        der: der.to_vec(),
        x5t: URL_SAFE_NO_PAD.encode(sha1),
        x5t_s256: URL_SAFE_NO_PAD.encode(sha256),
    };
    let mut inner = shared.lock();
    if !inner
        .seed
        .service_principals
        .iter()
        .any(|p| p.client_id.eq_ignore_ascii_case(&client_id) && !p.managed_identity)
    {
        return mgmt_error(
            StatusCode::NOT_FOUND,
            format!("no app registration {client_id}"),
        );
    }
    let x5t = cert.x5t.clone();
    inner
        .identity
        .certificates
        .entry(client_id.to_ascii_lowercase())
        .or_default()
        .push(cert);
    (StatusCode::CREATED, Json(json!({"x5t": x5t}))).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintRequest {
    issuer: String,
    subject: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    lifetime_secs: Option<i64>,
}

async fn mint(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: MintRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return mgmt_error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    let token = shared.issuer.mint(
        &req.issuer,
        &req.subject,
        req.audience.as_deref().unwrap_or(FEDERATED_AUDIENCE),
        req.lifetime_secs.unwrap_or(600),
    );
    (StatusCode::OK, Json(json!({"token": token}))).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Failures {
    statuses: Vec<u16>,
}

async fn set_failures(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let req: Failures = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return mgmt_error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    if let Some(bad) = req.statuses.iter().find(|s| !(400..=599).contains(*s)) {
        return mgmt_error(
            StatusCode::BAD_REQUEST,
            format!("{bad} is not an error status"),
        );
    }
    shared.lock().identity.failures = req.statuses.into_iter().collect();
    get_failures(State(shared)).await
}

async fn get_failures(State(shared): State<Arc<Shared>>) -> Response {
    let queued: Vec<u16> = shared.lock().identity.failures.iter().copied().collect();
    (StatusCode::OK, Json(json!({"statuses": queued}))).into_response()
}
