//! HTTP plumbing: URLs, sending JSON, reading responses and errors, and the per-try policy that
//! sets the user agent and logs each request without secrets.

use std::sync::Arc;

use azure_core::http::headers::HeaderName;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Method, PipelineSendOptions, RawResponse, Request, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::debug;

use super::*;
use crate::azure::error::{Error, Result};
use crate::azure::lro::{self};
use crate::azure::retry::{self, Policy as RetryPolicy};

impl ArmClient {
    // ---- Plumbing ----------------------------------------------------------------------

    pub(super) fn url<I: ArmResource>(&self, id: &I) -> Result<Url> {
        self.url_for(&id.arm_path(), I::API_VERSION)
    }

    /// `endpoint + path?api-version=...`, each path segment percent-encoded.
    pub(super) fn url_for(&self, path: &str, api_version: &str) -> Result<Url> {
        let mut url = self.endpoint.clone();
        url.path_segments_mut()
            .map_err(|()| {
                Error::Internal(format!("endpoint {} cannot take a path", self.endpoint))
            })?
            .pop_if_empty()
            .extend(path.split('/').filter(|s| !s.is_empty()));
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        Ok(url)
    }

    /// Validates a URL Azure handed back (nextLink, Azure-AsyncOperation, Location): it must
    /// be https on the endpoint's host, so the bearer token never goes anywhere else.
    pub(crate) fn follow_url(&self, raw: &str) -> Result<Url> {
        let url = Url::parse(raw)
            .or_else(|_| self.endpoint.join(raw))
            .map_err(|e| Error::Internal(format!("Azure returned an unusable URL {raw:?}: {e}")))?;
        let same_origin = url.scheme() == "https"
            && url.host_str() == self.endpoint.host_str()
            && url.port_or_known_default() == self.endpoint.port_or_known_default();
        if !same_origin {
            return Err(Error::UntrustedUrl {
                url: format!(
                    "{}://{}{}",
                    url.scheme(),
                    url.host_str().unwrap_or(""),
                    url.path()
                ),
            });
        }
        Ok(url)
    }

    /// GET without status checks (the caller interprets 404/202), retried under
    /// [`RetryPolicy::reads`] on 408/429/5xx and broken connections.
    pub(crate) async fn raw_get(
        &self,
        url: Url,
        ctx: &ArmCallCtx,
        operation: &str,
    ) -> Result<RawResponse> {
        retry::run(&RetryPolicy::reads(), ctx, operation, |_| async {
            let resp = self
                .send_json::<()>(
                    Method::Get,
                    url.clone(),
                    None,
                    &WriteCondition::default(),
                    ctx,
                    operation,
                )
                .await?;
            fail_if_transient(resp)
        })
        .await
    }

    pub(super) async fn send_json<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        condition: &WriteCondition,
        ctx: &ArmCallCtx,
        operation: &str,
    ) -> Result<RawResponse> {
        let mut req = Request::new(url, method);
        req.insert_header("accept", "application/json");
        condition.apply(&mut req);
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                Error::Internal(format!("encoding the request for {operation}: {e}"))
            })?;
            req.insert_header("content-type", "application/json");
            req.set_body(bytes);
        }
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let send = async {
            self.pipeline
                .send(&Context::new(), &mut req, Some(options))
                .await
                .map_err(map_core_error)
        };
        ctx.run(operation, send).await
    }
}

/// Turns a 408/429/5xx answer into its error, so that [`retry::run`] repeats it; any other
/// answer is left to the caller.
pub(super) fn fail_if_transient(resp: RawResponse) -> Result<RawResponse> {
    let status = u16::from(resp.status());
    if status == 408 || status == 429 || status >= 500 {
        Err(response_error(&resp))
    } else {
        Ok(resp)
    }
}

pub(super) fn to_json<T: Serialize>(model: &T) -> Result<serde_json::Value> {
    serde_json::to_value(model)
        .map_err(|e| Error::Internal(format!("encoding a model for comparison: {e}")))
}

/// Whether `found` holds everything in `sent`: every non-null field of `sent` is in `found`
/// with an equal value (objects compared the same way, recursively; arrays element by
/// element; strings ignoring ASCII case, as ARM treats IDs and locations). Fields only in
/// `found` (read-only properties, etags, what Azure fills in) do not matter; an empty object
/// or array sent matches a missing one.
pub(crate) fn same_as_sent(sent: &serde_json::Value, found: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (sent, found) {
        (J::Null, _) => true,
        (J::Object(s), J::Null) => s.values().all(J::is_null),
        (J::Array(s), J::Null) => s.is_empty(),
        (J::Object(s), J::Object(f)) => s
            .iter()
            .all(|(k, v)| same_as_sent(v, f.get(k).unwrap_or(&J::Null))),
        (J::Array(s), J::Array(f)) => {
            s.len() == f.len() && s.iter().zip(f).all(|(a, b)| same_as_sent(a, b))
        }
        (J::String(s), J::String(f)) => s.eq_ignore_ascii_case(f),
        (J::Number(s), J::Number(f)) => s.as_f64() == f.as_f64(),
        (s, f) => s == f,
    }
}

/// azure_core's kinds say what a failed send means: `Connection` is reqwest's `is_connect()`
/// (refused, DNS, TLS handshake, connect timeout: the request was never written), while `Io`
/// and the rest may come after the request went out (a reset, a read timeout, a body that
/// broke off), so its outcome is unknown.
pub(super) fn map_core_error(e: azure_core::Error) -> Error {
    use azure_core::error::ErrorKind;
    match e.kind() {
        ErrorKind::Credential => Error::Credential(e),
        ErrorKind::Connection => Error::NotSent(e),
        _ => Error::Transport(e),
    }
}

/// A header's value as text.
pub(crate) fn header_str<'a>(resp: &'a RawResponse, name: &HeaderName) -> Option<&'a str> {
    resp.headers().get_optional_str(name)
}

/// The error for an unsuccessful response.
pub(crate) fn response_error(resp: &RawResponse) -> Error {
    Error::from_response(
        u16::from(resp.status()),
        resp.body().as_ref(),
        header_str(resp, &X_MS_REQUEST_ID).map(str::to_string),
        lro::retry_after(resp),
    )
}

pub(super) fn check(resp: RawResponse) -> Result<RawResponse> {
    if resp.status().is_success() {
        Ok(resp)
    } else {
        Err(response_error(&resp))
    }
}

pub(super) fn decode<T: DeserializeOwned>(resp: &RawResponse, operation: &str) -> Result<T> {
    serde_json::from_slice(resp.body().as_ref()).map_err(|source| Error::Decode {
        what: format!("the response to {operation}"),
        source,
    })
}

/// Per-try policy: appends our part to the SDK's user agent (azurerm's shape: SDK, Terraform,
/// provider, `pid-<partner>`) and logs each try at DEBUG (method, path, status, request IDs).
/// It never logs headers such as Authorization, query strings or bodies.
#[derive(Debug)]
pub(super) struct ArmRequestPolicy {
    /// Appended after the SDK's own user agent.
    pub(super) user_agent: String,
}

#[async_trait::async_trait]
impl Policy for ArmRequestPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let user_agent = match request.headers().get_optional_str(&USER_AGENT_HEADER) {
            // A retry sees the header this policy already extended.
            Some(already) if already.ends_with(&format!(" {}", self.user_agent)) => {
                already.to_string()
            }
            Some(sdk) => format!("{sdk} {}", self.user_agent),
            None => self.user_agent.clone(),
        };
        request.insert_header(USER_AGENT_HEADER, user_agent);
        let method = request.method();
        let path = request.url().path().to_string();
        let result = next[0].send(ctx, request, &next[1..]).await;
        match &result {
            Ok(resp) => {
                let h = resp.headers();
                debug!(
                    %method,
                    %path,
                    status = u16::from(resp.status()),
                    request_id = h.get_optional_str(&X_MS_REQUEST_ID).unwrap_or("-"),
                    correlation_id = h.get_optional_str(&X_MS_CORRELATION_REQUEST_ID).unwrap_or("-"),
                    "ARM response"
                );
            }
            Err(e) => debug!(%method, %path, error = %e, "ARM request failed"),
        }
        result
    }
}
