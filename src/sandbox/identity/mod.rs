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

mod ci;
mod controls;
mod managed;

use ci::{azure_devops, github};
use controls::{get_failures, mint, register_certificate, set_failures};
use managed::{app_service, imds};

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post, put};
use serde_json::json;

use super::request_log::{LogEntry, Timing};
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
        time: Timing::since(started),
        user_agent: user_agent(headers),
        credential,
        fault: None,
        body: None,
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
