//! The one error type of the ARM routes: it renders ARM's error envelope
//! `{"error":{"code","message","target"?,"details":[...]}}` with the right status and headers.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An ARM error answer: status, ARM code, message and optional target/details/extra headers.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    /// HTTP status sent.
    pub status: StatusCode,
    /// ARM `error.code` (e.g. `ResourceNotFound`).
    pub code: String,
    /// ARM `error.message`.
    pub message: String,
    /// Target, details and headers (boxed to keep `Result<_, ArmError>` small).
    extra: Box<Extra>,
}

/// The optional parts of an [`ArmError`].
#[derive(Debug, Clone, PartialEq, Default)]
struct Extra {
    /// ARM `error.target` (the offending property), if any.
    target: Option<String>,
    /// ARM `error.details[]` as `(code, message)` pairs.
    details: Vec<(String, String)>,
    /// Extra headers such as `Retry-After` on 429.
    headers: Vec<(&'static str, String)>,
}

impl ArmError {
    /// An error with a status, an ARM code and a message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            extra: Box::default(),
        }
    }

    /// 400 with the given code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Sets `error.target`.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.extra.target = Some(target.into());
        self
    }

    /// Adds one `error.details[]` entry.
    pub fn with_detail(mut self, code: &str, message: impl Into<String>) -> Self {
        self.extra.details.push((code.to_string(), message.into()));
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.headers.push((name, value.into()));
        self
    }

    /// 404 `ResourceNotFound` worded as ARM words it.
    pub fn resource_not_found(resource_type: &str, name: &str, rg: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{resource_type}/{name}' under resource group '{rg}' was not found. \
                 For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 404 `ResourceGroupNotFound`.
    pub fn resource_group_not_found(rg: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
    }

    /// 404 `SubscriptionNotFound`.
    pub fn subscription_not_found(sub: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        )
    }

    /// 409 `AnotherOperationInProgress` pointing at the running operation's status URL.
    pub fn another_operation(status_url: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "AnotherOperationInProgress",
            format!(
                "Another operation on this or dependent resource is in progress. To retrieve \
                 status of the operation use uri: {status_url}."
            ),
        )
    }

    /// 412 `PreconditionFailed` for an etag mismatch.
    pub fn precondition_failed(what: &str) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            format!("The condition on the request was not met for {what}."),
        )
    }

    /// 400 `InvalidRequestContent` (body not JSON, or a property with the wrong type).
    pub fn invalid_content(message: impl Into<String>) -> Self {
        Self::bad_request(
            "InvalidRequestContent",
            format!(
                "The request content was invalid and could not be deserialized: '{}'.",
                message.into()
            ),
        )
    }

    /// 400 for a required property that is missing (`target` names it).
    pub fn missing_property(code: &str, path: &str) -> Self {
        Self::bad_request(
            code,
            format!("The request is missing the required property '{path}'."),
        )
        .with_target(path)
    }

    /// 405 for a method the sandbox does not implement on a known resource type.
    pub fn method_not_allowed(method: &str, resource_type: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!(
                "The sandbox does not support {method} on '{resource_type}'. It imitates only the \
                 part of ARM the provider uses."
            ),
        )
    }

    /// ARM `error.target`, if set.
    pub fn target(&self) -> Option<&str> {
        self.extra.target.as_deref()
    }

    /// The JSON body ARM sends.
    pub fn body(&self) -> Value {
        let details: Vec<Value> = self
            .extra
            .details
            .iter()
            .map(|(code, message)| json!({"code": code, "message": message}))
            .collect();
        let mut error = json!({"code": self.code, "message": self.message, "details": details});
        if let Some(target) = &self.extra.target {
            error["target"] = json!(target);
        }
        json!({ "error": error })
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ArmError {}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        for (name, value) in &self.extra.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}
