//! Managed identity on a custom endpoint (`msi_endpoint` / `ARM_MSI_ENDPOINT`), for hosts
//! whose identity endpoint is not the platform default azure_identity looks for. The request is
//! the Instance Metadata Service's
//! (https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token):
//! `GET <endpoint>?api-version=2018-02-01&resource=<resource>[&client_id=<id>]` with
//! `Metadata: true`, answered with `{access_token, expires_on, ...}` (`expires_on` in epoch
//! seconds, as a string). Tokens are cached by the ARM pipeline's bearer policy, which asks
//! again five minutes before expiry.

use std::fmt;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::{ClientOptions, Method, Pipeline, PipelineSendOptions, Request, Url};
use azure_core::time::OffsetDateTime;

/// api-version of the IMDS token request azurerm's SDK sends.
pub const IMDS_API_VERSION: &str = "2018-02-01";

/// A managed identity credential on `endpoint`.
pub struct MsiEndpointCredential {
    endpoint: Url,
    client_id: Option<String>,
    pipeline: Pipeline,
}

impl fmt::Debug for MsiEndpointCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsiEndpointCredential")
            .field("endpoint", &self.endpoint.as_str())
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl MsiEndpointCredential {
    /// A credential asking `endpoint` (for the user-assigned identity `client_id`, if given).
    pub fn new(endpoint: Url, client_id: Option<String>, options: ClientOptions) -> Self {
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            Vec::new(),
            None,
        );
        Self {
            endpoint,
            client_id,
            pipeline,
        }
    }
}

fn fail(message: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, message)
}

#[async_trait::async_trait]
impl TokenCredential for MsiEndpointCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        #[derive(serde::Deserialize)]
        struct Answer {
            access_token: Secret,
            expires_on: serde_json::Value,
        }
        let [scope] = scopes else {
            return Err(fail("managed identity needs exactly one scope".into()));
        };
        let resource = scope.strip_suffix("/.default").unwrap_or(scope);
        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", IMDS_API_VERSION);
            q.append_pair("resource", resource);
            if let Some(id) = &self.client_id {
                q.append_pair("client_id", id);
            }
        }
        let mut req = Request::new(url, Method::Get);
        req.insert_header("metadata", "true");
        let options = options.unwrap_or_default();
        let ctx = options.method_options.context.to_borrowed();
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
                fail(format!(
                    "requesting a managed identity token from msi_endpoint {}: {e}",
                    self.endpoint
                ))
            })?;
        let status = resp.status();
        let body = resp.into_body();
        if !status.is_success() {
            let body = body.into_string().unwrap_or_default();
            return Err(fail(format!(
                "msi_endpoint {} answered {}: {}",
                self.endpoint,
                u16::from(status),
                body.chars().take(300).collect::<String>()
            )));
        }
        let answer: Answer = body
            .json()
            .map_err(|e| fail(format!("reading the managed identity token: {e}")))?;
        let expires = match &answer.expires_on {
            serde_json::Value::String(s) => s.parse::<i64>().ok(),
            serde_json::Value::Number(n) => n.as_i64(),
            _ => None,
        }
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .ok_or_else(|| fail("the managed identity token has no usable expires_on".into()))?;
        Ok(AccessToken::new(answer.access_token, expires))
    }
}
