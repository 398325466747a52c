//! The ARM client's error type: one enum built from HTTP statuses and ARM's error envelope
//! (`{"error":{"code","message","details"}}`) in one place, so callers match on variants and
//! Azure's error code instead of message text. Messages never contain tokens or secrets.

use std::time::Duration;

use serde::Deserialize;

use super::config::ConfigError;

/// What a transient ARM error code says (design/arm-rules.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// Another operation on the same or a dependent object is running: the request was
    /// refused, nothing applied, and may succeed a little later.
    Busy,
    /// A Private Link alias Azure does not see yet (or a wrong one): repeated a few times,
    /// for endpoint writes only.
    AliasNotVisibleYet,
}

/// The one list of ARM error codes that describe a transient condition: the same request
/// usually succeeds when repeated a little later (azurerm retries endpoint writes on these;
/// design/arm-rules.md §2). The retry policy and the diagnostics' hints both read it.
pub const RETRYABLE_ARM_CODES: &[(&str, Transient)] = &[
    ("RetryableError", Transient::Busy),
    ("AnotherOperationInProgress", Transient::Busy),
    ("ConflictError", Transient::Busy),
    ("InvalidPrivateLinkServiceId", Transient::AliasNotVisibleYet),
];

/// Everything that can go wrong talking to Azure Resource Manager.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 404: the resource (or its parent) does not exist.
    #[error("not found (HTTP 404, {code}): {message}")]
    NotFound {
        /// Azure's error code, e.g. `ResourceNotFound`, `ResourceGroupNotFound`.
        code: String,
        /// Azure's error message.
        message: String,
    },
    /// 409 or 412: the request conflicts with the current state (concurrent operation, an
    /// existing object with If-None-Match, a stale etag with If-Match).
    #[error("conflict ({code}): {message}")]
    Conflict {
        /// Azure's error code.
        code: String,
        /// Azure's error message.
        message: String,
    },
    /// 429 after the pipeline's retries ran out.
    #[error("throttled by Azure Resource Manager (HTTP 429){}; retry later or lower -parallelism", fmt_retry_after(.retry_after))]
    Throttled {
        /// The last Retry-After Azure asked for, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Any other unsuccessful HTTP status.
    #[error("unexpected HTTP {status} ({code}): {message}{}", fmt_request_id(.request_id))]
    Http {
        /// HTTP status code.
        status: u16,
        /// Azure's error code, or the status' reason phrase when the body had none.
        code: String,
        /// Azure's error message.
        message: String,
        /// `x-ms-request-id`, for Azure support.
        request_id: Option<String>,
        /// Retry-After, when Azure sent one (503s often do).
        retry_after: Option<Duration>,
    },
    /// A long-running operation ended Failed or Canceled.
    #[error("the operation ended {status} ({code}): {message}")]
    OperationFailed {
        /// Terminal status as Azure reported it (Failed, Canceled).
        status: String,
        /// Azure's error code from the operation's `error` object.
        code: String,
        /// Azure's error message from the operation's `error` object.
        message: String,
    },
    /// The operation's deadline passed while waiting.
    #[error("timed out after {} waiting for {operation}; last status: {last_status}", fmt_duration(*.waited))]
    Timeout {
        /// What was being waited for, e.g. `creation of Private Endpoint "x" (...)`.
        operation: String,
        /// How long this call waited.
        waited: Duration,
        /// The last status seen (an LRO status, or "request in flight").
        last_status: String,
    },
    /// The operation was cancelled (Terraform's StopProvider or an interrupted run).
    #[error("cancelled before Azure finished the operation")]
    Cancelled,
    /// The connection broke after the request may have been sent (a reset, a read timeout, an
    /// unreadable answer): Azure may or may not have applied it (design/arm-rules.md §8).
    #[error("sending the request to Azure: {0}")]
    Transport(#[source] azure_core::Error),
    /// No connection to Azure could be made (refused, DNS, TLS handshake, connect timeout):
    /// the request was never sent, so nothing was applied.
    #[error("connecting to Azure (the request was not sent): {}", chain(.0))]
    NotSent(#[source] azure_core::Error),
    /// No access token could be obtained.
    #[error("obtaining an Azure access token: {}", chain(.0))]
    Credential(#[source] azure_core::Error),
    /// A response body was not what the API defines.
    #[error("decoding {what}: {source}")]
    Decode {
        /// What was being decoded.
        what: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// Provider settings could not be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Azure pointed a follow-up request (nextLink, operation status) at another host.
    #[error(
        "Azure returned a follow-up URL on another host or without https ({url}); refusing to send credentials there"
    )]
    UntrustedUrl {
        /// The URL without its query.
        url: String,
    },
    /// A broken invariant in this client (a bug, not an Azure or user problem).
    #[error("internal-error: {0}")]
    Internal(String),
}

/// Result alias for the ARM client.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Azure's error code, when the error came from an ARM error body.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::NotFound { code, .. }
            | Error::Conflict { code, .. }
            | Error::Http { code, .. }
            | Error::OperationFailed { code, .. } => Some(code),
            _ => None,
        }
    }

    /// How long Azure asked the caller to wait before trying again (`Retry-After` on a 429,
    /// 503 or other status), when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after } | Error::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True for a 404: the resource is gone (or was never there).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// What Azure's code says when it is one of [`RETRYABLE_ARM_CODES`].
    pub fn transient(&self) -> Option<Transient> {
        let code = self.code()?;
        RETRYABLE_ARM_CODES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(_, t)| *t)
    }

    /// True when Azure's code is one of [`RETRYABLE_ARM_CODES`]: the whole operation may be
    /// repeated after a pause.
    pub fn is_retryable_arm_code(&self) -> bool {
        self.transient().is_some()
    }

    /// Builds the error for an unsuccessful HTTP response from its status, headers' values and
    /// body, reading ARM's error envelope when there is one.
    pub fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Error {
        let (code, message) = ArmErrorBody::parse(body)
            .map(|e| (e.code.clone(), e.full_message()))
            .unwrap_or_else(|| (reason(status).to_string(), body_snippet(body)));
        match status {
            404 => Error::NotFound { code, message },
            409 | 412 => Error::Conflict { code, message },
            429 => Error::Throttled { retry_after },
            _ => Error::Http {
                status,
                code,
                message,
                request_id,
                retry_after,
            },
        }
    }

    /// Builds [`Error::OperationFailed`] from an LRO status body's `error` object.
    pub fn operation_failed(status: &str, error: Option<&ArmErrorDetail>) -> Error {
        let (code, message) = match error {
            Some(e) => (e.code.clone(), e.full_message()),
            None => (
                "Unknown".to_string(),
                "Azure gave no error details".to_string(),
            ),
        };
        Error::OperationFailed {
            status: status.to_string(),
            code,
            message,
        }
    }
}

/// ARM's error envelope: `{"error": {...}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ArmErrorBody {
    /// The error object.
    pub error: ArmErrorDetail,
}

impl ArmErrorBody {
    /// Parses an envelope; `None` when the body is not one.
    pub fn parse(body: &[u8]) -> Option<ArmErrorDetail> {
        serde_json::from_slice::<ArmErrorBody>(body)
            .ok()
            .map(|b| b.error)
            .filter(|e| !e.code.is_empty() || !e.message.is_empty())
    }
}

/// One ARM error object; `details` nest recursively.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ArmErrorDetail {
    /// Machine-readable code, e.g. `InvalidPrivateLinkServiceId`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The property or resource the error is about.
    pub target: Option<String>,
    /// Nested causes.
    pub details: Vec<ArmErrorDetail>,
}

impl ArmErrorDetail {
    /// The message followed by every nested detail as `code: message`, depth first.
    pub fn full_message(&self) -> String {
        let mut out = self.message.clone();
        self.append_details(&mut out);
        out
    }

    fn append_details(&self, out: &mut String) {
        for d in &self.details {
            out.push_str(&format!("; {}: {}", d.code, d.message));
            d.append_details(out);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "HttpError",
    }
}

/// A short, printable excerpt of a non-JSON error body (ARM bodies carry no secrets).
fn body_snippet(body: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "Azure sent no error body".to_string();
    }
    let mut s: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        s.push('…');
    }
    s
}

fn fmt_retry_after(d: &Option<Duration>) -> String {
    d.map(|d| format!(" (Retry-After {})", fmt_duration(d)))
        .unwrap_or_default()
}

/// An error and its causes, `outer: inner: innermost`, skipping repeats: azure_core wraps the
/// identity service's answer (e.g. AADSTS7000215, invalid client secret) a few levels down.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

fn fmt_request_id(id: &Option<String>) -> String {
    id.as_ref()
        .map(|i| format!(" (x-ms-request-id {i})"))
        .unwrap_or_default()
}

/// Formats a duration for humans: `1m30s`, `45s`, `250ms`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_maps_by_status() {
        let body = br#"{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'rg' could not be found."}}"#;
        let e = Error::from_response(404, body, None, None);
        assert!(e.is_not_found());
        assert_eq!(e.code(), Some("ResourceGroupNotFound"));
        assert!(
            e.to_string()
                .contains("Resource group 'rg' could not be found.")
        );

        let e = Error::from_response(
            409,
            br#"{"error":{"code":"AnotherOperationInProgress","message":"busy"}}"#,
            None,
            None,
        );
        assert!(matches!(e, Error::Conflict { .. }));
        assert!(e.is_retryable_arm_code());

        let e = Error::from_response(
            412,
            br#"{"error":{"code":"PreconditionFailed","message":"exists"}}"#,
            None,
            None,
        );
        assert!(matches!(e, Error::Conflict { ref code, .. } if code == "PreconditionFailed"));

        let e = Error::from_response(429, b"", None, Some(Duration::from_secs(17)));
        assert!(matches!(e, Error::Throttled { retry_after: Some(d) } if d.as_secs() == 17));
        assert!(e.to_string().contains("17s"));
    }

    #[test]
    fn nested_details_are_kept_in_the_message() {
        let body = br#"{"error":{"code":"RetryableError","message":"A retryable error occurred.","details":[{"code":"ReferencedResourceNotProvisioned","message":"Subnet is Updating","details":[{"code":"Inner","message":"deep"}]}]}}"#;
        let e = Error::from_response(400, body, Some("req-1".into()), None);
        let Error::Http {
            status,
            code,
            message,
            request_id,
            ..
        } = &e
        else {
            panic!("expected Http, got {e:?}");
        };
        assert_eq!(*status, 400);
        assert_eq!(code, "RetryableError");
        assert_eq!(
            message,
            "A retryable error occurred.; ReferencedResourceNotProvisioned: Subnet is Updating; Inner: deep"
        );
        assert_eq!(request_id.as_deref(), Some("req-1"));
        assert!(e.is_retryable_arm_code());
        assert!(e.to_string().contains("x-ms-request-id req-1"));
    }

    #[test]
    fn non_json_body_falls_back_to_reason_and_snippet() {
        let e = Error::from_response(502, b"<html>bad gateway</html>", None, None);
        assert_eq!(e.code(), Some("BadGateway"));
        assert!(e.to_string().contains("<html>bad gateway</html>"));
        let e = Error::from_response(403, b"", None, None);
        assert_eq!(e.code(), Some("Forbidden"));
        assert!(!e.is_retryable_arm_code());
    }

    #[test]
    fn operation_failed_carries_code_and_message() {
        let detail = ArmErrorDetail {
            code: "InvalidPrivateLinkServiceId".into(),
            message: "bad alias".into(),
            ..Default::default()
        };
        let e = Error::operation_failed("Failed", Some(&detail));
        assert_eq!(e.code(), Some("InvalidPrivateLinkServiceId"));
        assert!(e.is_retryable_arm_code());
        assert_eq!(
            e.to_string(),
            "the operation ended Failed (InvalidPrivateLinkServiceId): bad alias"
        );
    }

    #[test]
    fn one_list_of_transient_codes_in_any_case() {
        let of = |code: &str| {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
            Error::from_response(409, body.as_bytes(), None, None).transient()
        };
        for code in [
            "AnotherOperationInProgress",
            "RetryableError",
            "conflicterror",
        ] {
            assert_eq!(of(code), Some(Transient::Busy), "{code}");
        }
        assert_eq!(
            of("InvalidPrivateLinkServiceId"),
            Some(Transient::AliasNotVisibleYet)
        );
        for code in [
            "PreconditionFailed",
            "Conflict",
            "BadRequest",
            "AuthorizationFailed",
        ] {
            assert_eq!(of(code), None, "{code}");
        }
        assert_eq!(RETRYABLE_ARM_CODES.len(), 4);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_secs(45)), "45s");
        assert_eq!(fmt_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(fmt_duration(Duration::from_secs(3725)), "1h2m5s");
    }
}
