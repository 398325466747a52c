//! Federated (OIDC) tokens handed to Entra as client assertions: given inline (`oidc_token`,
//! HCP Terraform's `TFC_WORKLOAD_IDENTITY_TOKEN`) or asked for on every token request from a
//! GitHub Actions-style ID-token endpoint: `GET <url>&audience=api://AzureADTokenExchange` with
//! `Authorization: Bearer <request token>`, answered with `{"value": "<jwt>"}`
//! (https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect).
//! The request goes through an azure_core pipeline on the shared client, so it has the same
//! timeouts, https-only rule, no redirects, and the bounded retry on 5xx and broken
//! connections as every other call. Token files and Azure DevOps use azure_identity's
//! `WorkloadIdentityCredential` and `AzurePipelinesCredential` instead (see `super`).

use std::fmt;

use azure_core::error::ErrorKind;
use azure_core::http::{
    ClientMethodOptions, ClientOptions, Method, Pipeline, PipelineSendOptions, Request, Url,
};
use azure_identity::ClientAssertion;

use crate::azure::config::OidcTokenSource;
use crate::azure::error::{Error, Result};

/// The audience Entra expects in federated tokens.
pub const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

/// A federated token source usable as azure_identity's [`ClientAssertion`].
pub struct OidcAssertion {
    source: OidcTokenSource,
    pipeline: Pipeline,
}

impl OidcAssertion {
    /// An assertion for `source` (inline, HCP Terraform or request URL); the pipeline for the
    /// request URL is built from `options` (our transport and retry).
    pub fn new(source: OidcTokenSource, options: ClientOptions) -> Result<Self> {
        if let OidcTokenSource::Request { url, .. } = &source {
            id_token_url(url).map_err(Error::Credential)?;
        }
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            Vec::new(),
            None,
        );
        Ok(Self { source, pipeline })
    }

    /// Asks the CI system's ID-token endpoint for a token (`{"value": "<jwt>"}`).
    async fn request(
        &self,
        url: &str,
        bearer: &str,
        options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        #[derive(serde::Deserialize)]
        struct IdToken {
            value: String,
        }
        let mut req = Request::new(id_token_url(url)?, Method::Get);
        req.insert_header("authorization", format!("Bearer {bearer}"));
        req.insert_header("accept", "application/json");
        let options = options.unwrap_or_default();
        let ctx = options.context.to_borrowed();
        let resp = self
            .pipeline
            .send(
                &ctx,
                &mut req,
                Some(PipelineSendOptions {
                    skip_checks: true,
                    ..Default::default()
                }),
            )
            .await
            .map_err(|e| {
                azure_core::Error::with_message(
                    ErrorKind::Credential,
                    format!("requesting the OIDC token from the OIDC request URL: {e}"),
                )
            })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(azure_core::Error::with_message(
                ErrorKind::Credential,
                format!(
                    "the OIDC request URL answered {}{}: check ARM_OIDC_REQUEST_URL/ACTIONS_ID_TOKEN_REQUEST_URL and its token; in GitHub Actions the job needs `permissions: id-token: write`",
                    u16::from(status),
                    if u16::from(status) >= 500 {
                        " (after retries)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let body: IdToken = resp.into_body().json().map_err(|e| {
            azure_core::Error::with_message(
                ErrorKind::Credential,
                format!("the OIDC request URL's answer has no token `value`: {e}"),
            )
        })?;
        if body.value.is_empty() {
            return Err(azure_core::Error::with_message(
                ErrorKind::Credential,
                "the OIDC request URL returned an empty token",
            ));
        }
        Ok(body.value)
    }
}

/// `url` with the federated audience added as a query parameter; https only.
fn id_token_url(url: &str) -> azure_core::Result<Url> {
    let mut u = Url::parse(url).map_err(|e| {
        azure_core::Error::with_message(
            ErrorKind::Credential,
            format!("the OIDC request URL is not a URL: {e}"),
        )
    })?;
    if u.scheme() != "https" {
        return Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            "the OIDC request URL must use https",
        ));
    }
    u.query_pairs_mut()
        .append_pair("audience", FEDERATED_AUDIENCE);
    Ok(u)
}

impl fmt::Debug for OidcAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // OidcTokenSource's Debug already redacts tokens (Secret).
        f.debug_struct("OidcAssertion")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for OidcAssertion {
    async fn secret(&self, options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        match &self.source {
            OidcTokenSource::Inline(token) | OidcTokenSource::HcpTerraform(token) => {
                Ok(token.expose().trim().to_string())
            }
            OidcTokenSource::Request { url, token } => {
                self.request(url, token.expose(), options).await
            }
            OidcTokenSource::File(_) | OidcTokenSource::AzurePipelines { .. } => {
                Err(azure_core::Error::with_message(
                    ErrorKind::Credential,
                    "internal-error: token files and Azure DevOps use azure_identity's credentials",
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azure::config::Secret;
    use crate::azure::credential::{CREDENTIAL_MAX_RETRIES, credential_retry};
    use azure_core::http::headers::Headers;
    use azure_core::http::{AsyncRawResponse, HttpClient, StatusCode, Transport};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A transport whose first `failures` sends break (connection refused) or answer 503.
    #[derive(Debug)]
    struct Flaky {
        failures: u32,
        refuse: bool,
        calls: AtomicU32,
    }

    #[async_trait::async_trait]
    impl HttpClient for Flaky {
        async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            assert_eq!(request.url().scheme(), "https");
            if n < self.failures {
                if self.refuse {
                    return Err(azure_core::Error::with_message(
                        ErrorKind::Connection,
                        "connection refused",
                    ));
                }
                return Ok(AsyncRawResponse::from_bytes(
                    StatusCode::ServiceUnavailable,
                    Headers::new(),
                    azure_core::Bytes::from_static(b"{}"),
                ));
            }
            Ok(AsyncRawResponse::from_bytes(
                StatusCode::Ok,
                Headers::new(),
                azure_core::Bytes::from_static(br#"{"count":1,"value":"header.claims.signature"}"#),
            ))
        }
    }

    fn assertion(transport: Arc<Flaky>) -> OidcAssertion {
        OidcAssertion::new(
            OidcTokenSource::Request {
                url: "https://token.actions.example/idtoken?api-version=2.0".into(),
                token: Secret::new("request-token"),
            },
            ClientOptions {
                transport: Some(Transport::new(transport)),
                retry: credential_retry(),
                ..Default::default()
            },
        )
        .expect("assertion")
    }

    #[tokio::test(start_paused = true)]
    async fn the_id_token_request_retries_broken_connections_and_5xx_a_bounded_number_of_times() {
        for refuse in [true, false] {
            let flaky = Arc::new(Flaky {
                failures: 2,
                refuse,
                calls: AtomicU32::new(0),
            });
            let token = assertion(flaky.clone())
                .secret(None)
                .await
                .expect("token after retries");
            assert_eq!(token, "header.claims.signature");
            assert_eq!(flaky.calls.load(Ordering::SeqCst), 3, "refuse={refuse}");

            let down = Arc::new(Flaky {
                failures: u32::MAX,
                refuse,
                calls: AtomicU32::new(0),
            });
            let err = assertion(down.clone()).secret(None).await.unwrap_err();
            assert_eq!(
                down.calls.load(Ordering::SeqCst),
                1 + CREDENTIAL_MAX_RETRIES,
                "bounded: {err}"
            );
            assert!(!err.to_string().contains("request-token"), "{err}");
        }
    }

    #[test]
    fn id_token_url_adds_the_federated_audience_and_requires_https() {
        let u = id_token_url("https://token.actions.example/x?api-version=2.0").unwrap();
        assert_eq!(
            u.as_str(),
            "https://token.actions.example/x?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
        );
        assert!(id_token_url("http://token.actions.example/x").is_err());
        assert!(id_token_url("not a url").is_err());
    }
}
