//! The Entra-style token endpoint `POST /{tenant}/oauth2/v2.0/token` (client credentials with
//! a client secret or a client assertion) and the bearer-token check every ARM request passes.
//! Assertions are verified, not trusted: a certificate-signed one by its `x5t`/`x5t#S256`
//! thumbprint, RS256/PS256 signature with that certificate's key, `iss`/`sub`, audience (this
//! token endpoint) and expiry; a federated one by the sandbox issuer's signature, expiry, and
//! an exact issuer, subject and audience match with one of the principal's federated identity
//! credentials (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
//! Access tokens are random opaque strings valid for an hour.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ArmError;
use super::jwt::Jwt;
use super::request_log::{LogEntry, Timing};
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
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let (response, credential) = issue(&shared, &tenant, &body);
    let entry = LogEntry {
        method: "POST".into(),
        path: format!("/{tenant}/oauth2/v2.0/token"),
        resource_type: "token".into(),
        status: response.status().as_u16(),
        time: Timing::since(started),
        user_agent: super::identity::user_agent(&headers),
        credential,
        fault: None,
        body: None,
    };
    shared.lock().log.push(entry);
    response
}

/// A new opaque access token issued to `client_id`, which ARM routes accept for
/// [`TOKEN_LIFETIME_SECS`].
pub fn new_access_token(
    tokens: &mut HashMap<String, (Instant, String)>,
    client_id: &str,
) -> String {
    let access_token = format!(
        "sbx.{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    tokens.insert(
        access_token.clone(),
        (
            Instant::now() + Duration::from_secs(TOKEN_LIFETIME_SECS),
            client_id.to_string(),
        ),
    );
    access_token
}

/// Seconds of clock skew Entra tolerates on assertion times.
const SKEW_SECS: u64 = 300;

type Answer = (Response, Option<String>);

fn reject(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Answer {
    (entra_error(status, error, aadsts, description), None)
}

/// Entra's refusal of an assertion: status, error, AADSTS code, description.
struct Refusal(StatusCode, &'static str, u32, String);

impl Refusal {
    fn answer(self) -> Answer {
        reject(self.0, self.1, self.2, &self.3)
    }
}

/// Checks a client assertion: a certificate-signed one (header `x5t` / `x5t#S256`) against the
/// principal's registered certificates, or a federated token against its federated identity
/// credentials. Returns what to log as the credential, or Entra's refusal.
fn check_assertion(
    shared: &Shared,
    inner: &super::state::Inner,
    principal: &super::seed::ServicePrincipal,
    tenant: &str,
    assertion: &str,
) -> Result<String, Refusal> {
    let Some(jwt) = Jwt::decode(assertion) else {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            50027,
            "JWT token is invalid or malformed.".to_string(),
        ));
    };
    let (x5t, x5t_s256) = (jwt.header.x5t.clone(), jwt.header.x5t_s256.clone());
    if x5t.is_some() || x5t_s256.is_some() {
        let client_id = &principal.client_id;
        if !(jwt
            .claim("iss")
            .is_some_and(|v| v.eq_ignore_ascii_case(client_id))
            && jwt
                .claim("sub")
                .is_some_and(|v| v.eq_ignore_ascii_case(client_id)))
        {
            return Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter."
                    .to_string(),
            ));
        }
        let expected_aud = format!("{}/{tenant}/oauth2/v2.0/token", shared.endpoint);
        if !jwt
            .audiences()
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&expected_aud))
        {
            return Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700016,
                format!(
                    "The client assertion's audience {:?} is not this token endpoint ({expected_aud}).",
                    jwt.audiences()
                ),
            ));
        }
        if !jwt.in_time(SKEW_SECS) {
            return Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.".to_string(),
            ));
        }
        let registered = inner.identity.certificates_of(client_id);
        let Some(cert) = registered.iter().find(|c| {
            x5t.as_deref() == Some(c.x5t.as_str())
                || x5t_s256.as_deref() == Some(c.x5t_s256.as_str())
        }) else {
            return Err(Refusal(StatusCode::UNAUTHORIZED, "invalid_client", 700027, "The certificate with identifier used to sign the client assertion is not registered on application.".to_string()));
        };
        if !jwt.verify_with_certificate(&cert.der) {
            return Err(Refusal(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700027,
                "Client assertion contains an invalid signature.".to_string(),
            ));
        }
        return Ok("client_certificate".into());
    }
    // A federated token: signed by an issuer Entra trusts (here: the sandbox's issuer key),
    // in time, and matching one federated identity credential exactly.
    if !shared.issuer.signed(&jwt) {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            50013,
            "Assertion failed signature validation.".to_string(),
        ));
    }
    if !jwt.in_time(0) {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700024,
            "Client assertion is not within its valid time range.".to_string(),
        ));
    }
    let iss = jwt.claim("iss").unwrap_or_default();
    let sub = jwt.claim("sub").unwrap_or_default();
    let by_issuer: Vec<_> = principal
        .federated_credentials
        .iter()
        .filter(|f| f.issuer == iss)
        .collect();
    if by_issuer.is_empty() {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{iss}'."
            ),
        ));
    }
    let by_subject: Vec<_> = by_issuer.into_iter().filter(|f| f.subject == sub).collect();
    if by_subject.is_empty() {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'."
            ),
        ));
    }
    let audiences = jwt.audiences();
    let Some(matched) = by_subject
        .into_iter()
        .find(|f| f.audiences.iter().any(|a| audiences.contains(a)))
    else {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'.",
                audiences.join(",")
            ),
        ));
    };
    Ok(format!("federated:{}", matched.name))
}

fn issue(shared: &Shared, tenant: &str, body: &[u8]) -> Answer {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let mut inner = shared.lock();
    if !tenant.eq_ignore_ascii_case(&inner.seed.tenant_id) {
        return reject(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    if field("grant_type") != "client_credentials" {
        return reject(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type; only client_credentials is served.",
        );
    }
    let scope = field("scope");
    if scope.is_empty() || !scope.split(' ').all(|s| s.ends_with("/.default")) {
        return reject(
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
        .find(|p| p.client_id.eq_ignore_ascii_case(client_id) && !p.managed_identity)
        .cloned()
    else {
        return reject(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    };
    let credential = if form.contains_key("client_assertion") {
        if field("client_assertion_type") != JWT_BEARER {
            return reject(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                50027,
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
            );
        }
        match check_assertion(
            shared,
            &inner,
            &principal,
            tenant,
            field("client_assertion"),
        ) {
            Ok(credential) => credential,
            Err(refusal) => return refusal.answer(),
        }
    } else {
        let ok = principal
            .client_secret
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s == field("client_secret"));
        if !ok {
            return reject(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided.",
            );
        }
        "client_secret".to_string()
    };
    let access_token = new_access_token(&mut inner.tokens, &principal.client_id);
    let body = json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "ext_expires_in": TOKEN_LIFETIME_SECS,
        "access_token": access_token,
    });
    (
        (StatusCode::OK, axum::Json(body)).into_response(),
        Some(credential),
    )
}

/// Checks `Authorization: Bearer <token>` against issued tokens (401 otherwise) and answers
/// the client id the token was issued to.
pub fn check_bearer(
    tokens: &mut HashMap<String, (Instant, String)>,
    headers: &HeaderMap,
) -> Result<String, ArmError> {
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
        Some((expiry, client_id)) if *expiry > Instant::now() => Ok(client_id.clone()),
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
