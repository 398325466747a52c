//! Builds the `TokenCredential` chosen by [`AzureConfig`] with azure_identity, on the same
//! reqwest (rustls) client as the ARM pipeline, with the configured authority host.
//!
//! TLS trust: reqwest's `rustls` feature verifies with rustls-platform-verifier, which on
//! Linux loads roots through rustls-native-certs; that honours `SSL_CERT_FILE`/`SSL_CERT_DIR`
//! (replacing the system store when set). That is how the sandbox's CA is trusted.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret as CoreSecret, TokenCredential};
use azure_core::error::ErrorKind;
use azure_core::http::{ClientMethodOptions, ClientOptions, HttpClient, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};

use super::config::{AzureConfig, CredentialChoice, OidcTokenSource};
use super::error::{Error, Result};

/// Connect timeout of the shared HTTP client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Read timeout of the shared HTTP client.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The one HTTP client (reqwest, rustls, platform verifier, redirects off) shared by the
/// credential and the ARM pipeline.
pub fn http_client() -> Result<Arc<dyn HttpClient>> {
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            Error::Transport(azure_core::Error::with_error(
                ErrorKind::Io,
                e,
                "building the HTTPS client",
            ))
        })?;
    Ok(Arc::new(client))
}

/// Builds the credential for `config.credential` on `http`.
pub fn build_credential(
    config: &AzureConfig,
    http: Arc<dyn HttpClient>,
) -> Result<Arc<dyn TokenCredential>> {
    let client_options = || client_options(config, http.clone());
    let credential: Arc<dyn TokenCredential> = match &config.credential {
        CredentialChoice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        } => ClientSecretCredential::new(
            tenant_id,
            client_id.clone(),
            CoreSecret::new(secret.expose().to_string()),
            Some(ClientSecretCredentialOptions {
                client_options: client_options(),
            }),
        )
        .map_err(Error::Credential)?,
        CredentialChoice::Oidc {
            tenant_id,
            client_id,
            token,
        } => ClientAssertionCredential::new(
            tenant_id.clone(),
            client_id.clone(),
            OidcAssertion::new(token.clone()),
            Some(ClientAssertionCredentialOptions {
                client_options: client_options(),
            }),
        )
        .map_err(Error::Credential)?,
        CredentialChoice::ManagedIdentity { client_id } => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                client_options: client_options(),
            }))
            .map_err(Error::Credential)?
        }
        CredentialChoice::AzureCli { tenant_id } => {
            AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id: tenant_id.clone(),
                ..Default::default()
            }))
            .map_err(Error::Credential)?
        }
    };
    Ok(credential)
}

/// Client options for azure_identity: our transport and our authority host. A Custom cloud
/// is always used so azure_identity never falls back to reading AZURE_AUTHORITY_HOST itself
/// (config resolution already did, with the explicit setting winning).
fn client_options(config: &AzureConfig, http: Arc<dyn HttpClient>) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = config
        .authority_host
        .as_str()
        .trim_end_matches('/')
        .to_string();
    ClientOptions {
        transport: Some(Transport::new(http)),
        cloud: Some(Arc::new(CloudConfiguration::from(custom))),
        ..Default::default()
    }
}

/// The federated (OIDC) token, read on every token request so rotated files are picked up.
struct OidcAssertion {
    source: OidcTokenSource,
}

impl OidcAssertion {
    fn new(source: OidcTokenSource) -> Self {
        Self { source }
    }

    async fn read_file(path: &PathBuf) -> azure_core::Result<String> {
        let text = tokio::fs::read_to_string(path).await.map_err(|e| {
            azure_core::Error::with_error(
                ErrorKind::Credential,
                e,
                format!("reading the OIDC token file {}", path.display()),
            )
        })?;
        let token = text.trim().to_string();
        if token.is_empty() {
            return Err(azure_core::Error::with_message(
                ErrorKind::Credential,
                format!("the OIDC token file {} is empty", path.display()),
            ));
        }
        Ok(token)
    }
}

/// The audience Entra expects in federated tokens.
const FEDERATED_AUDIENCE: &str = "api://AzureADTokenExchange";

/// `url` with the federated audience added as a query parameter.
fn id_token_url(url: &str) -> azure_core::Result<url::Url> {
    let mut u = url::Url::parse(url).map_err(|e| {
        azure_core::Error::with_error(ErrorKind::Credential, e, "parsing the OIDC request URL")
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

impl OidcAssertion {
    /// Asks the CI system's ID-token endpoint for a token (`{"value": "<jwt>"}`).
    async fn request(url: &str, bearer: &str) -> azure_core::Result<String> {
        #[derive(serde::Deserialize)]
        struct IdToken {
            value: String,
        }
        let fail =
            |what: &str| azure_core::Error::with_message(ErrorKind::Credential, what.to_string());
        let resp = reqwest::Client::new()
            .get(id_token_url(url)?)
            .bearer_auth(bearer)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                azure_core::Error::with_error(ErrorKind::Credential, e, "requesting the OIDC token")
            })?;
        if !resp.status().is_success() {
            return Err(fail(&format!(
                "the OIDC token endpoint answered {}",
                resp.status()
            )));
        }
        let body: IdToken = resp.json().await.map_err(|e| {
            azure_core::Error::with_error(ErrorKind::Credential, e, "reading the OIDC token")
        })?;
        if body.value.is_empty() {
            return Err(fail("the OIDC token endpoint returned an empty token"));
        }
        Ok(body.value)
    }
}

impl fmt::Debug for OidcAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // OidcTokenSource's Debug already redacts inline tokens (Secret).
        f.debug_struct("OidcAssertion")
            .field("source", &self.source)
            .finish()
    }
}

#[async_trait::async_trait]
impl ClientAssertion for OidcAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        match &self.source {
            OidcTokenSource::Inline(token) => Ok(token.expose().to_string()),
            OidcTokenSource::File(path) => Self::read_file(path).await,
            OidcTokenSource::Request { url, token } => Self::request(url, token.expose()).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
