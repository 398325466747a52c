//! Test controls under `/_sandbox`: registering certificates, minting federated tokens, and
//! queueing token-source failures.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use serde_json::json;

use super::*;
use crate::sandbox::state::Shared;

pub(super) fn mgmt_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CertificateUpload {
    pub(super) certificate_pem: String,
}

pub(super) async fn register_certificate(
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
pub(super) struct MintRequest {
    pub(super) issuer: String,
    pub(super) subject: String,
    #[serde(default)]
    pub(super) audience: Option<String>,
    #[serde(default)]
    pub(super) lifetime_secs: Option<i64>,
}

pub(super) async fn mint(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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
pub(super) struct Failures {
    pub(super) statuses: Vec<u16>,
}

pub(super) async fn set_failures(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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

pub(super) async fn get_failures(State(shared): State<Arc<Shared>>) -> Response {
    let queued: Vec<u16> = shared.lock().identity.failures.iter().copied().collect();
    (StatusCode::OK, Json(json!({"statuses": queued}))).into_response()
}
