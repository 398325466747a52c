//! Builds the `TokenCredential` chosen by [`AzureConfig`], with azure_identity's credentials
//! where they exist (client secret, client assertion, workload identity, Azure Pipelines,
//! managed identity, Azure CLI) and our own only where they do not: certificate assertions
//! signed with aws-lc-rs ([`certificate`], azure_identity's needs OpenSSL), the GitHub-style
//! ID-token request ([`oidc`]) and a custom managed identity endpoint ([`msi`]).
//!
//! Every credential sends through the same reqwest (rustls) client as the ARM pipeline:
//! connect and read timeouts, https only, no redirects, and a bounded retry on 408/429/5xx and
//! broken connections ([`credential_retry`]). Managed identity alone gets a twin of that client
//! that also allows plain http, because IMDS and App Service's local endpoint are http by design
//! and machine-local (config resolution refuses any other http endpoint).
//!
//! TLS trust: reqwest's `rustls` feature verifies with rustls-platform-verifier, which on
//! Linux loads roots through rustls-native-certs; that honours `SSL_CERT_FILE`/`SSL_CERT_DIR`
//! (replacing the system store when set). That is how the sandbox's CA is trusted.

pub mod certificate;
pub mod cli;
pub mod msi;
pub mod oidc;

use std::sync::Arc;
use std::time::Duration;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret as CoreSecret, TokenCredential};
use azure_core::error::ErrorKind;
use azure_core::http::{
    ClientOptions, ExponentialRetryOptions, HttpClient, RetryOptions, Transport,
};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzurePipelinesCredential,
    AzurePipelinesCredentialOptions, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

use super::config::{AzureConfig, CredentialChoice, OidcTokenSource};
use super::error::{Error, Result};

/// Connect timeout of the shared HTTP client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Read timeout of the shared HTTP client.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Retries of one token-source request (Entra, a CI's ID-token endpoint, managed identity).
pub const CREDENTIAL_MAX_RETRIES: u32 = 4;
/// First pause before such a retry; it doubles each time.
pub const CREDENTIAL_RETRY_DELAY: Duration = Duration::from_millis(500);
/// Longest time one token request spends retrying.
pub const CREDENTIAL_RETRY_ELAPSED: Duration = Duration::from_secs(30);

fn reqwest_client(https_only: bool) -> Result<Arc<dyn HttpClient>> {
    let client = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(https_only)
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

/// The one HTTP client (reqwest, rustls, platform verifier, https only, redirects off) shared
/// by the credentials and the ARM pipeline.
pub fn http_client() -> Result<Arc<dyn HttpClient>> {
    reqwest_client(true)
}

/// The bounded retry every token request gets: 408, 429, 500, 502, 503, 504 and broken
/// connections (azure_core's retry policy), at most [`CREDENTIAL_MAX_RETRIES`] times.
pub fn credential_retry() -> RetryOptions {
    let t = |d: Duration| {
        azure_core::time::Duration::milliseconds(i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    };
    RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: t(CREDENTIAL_RETRY_DELAY),
        max_retries: CREDENTIAL_MAX_RETRIES,
        max_total_elapsed: t(CREDENTIAL_RETRY_ELAPSED),
        max_delay: t(Duration::from_secs(8)),
    })
}

fn credential_error(e: azure_core::Error) -> Error {
    Error::Credential(e)
}

/// Builds the credential for `config.credential` on `http`.
pub fn build_credential(
    config: &AzureConfig,
    http: Arc<dyn HttpClient>,
) -> Result<Arc<dyn TokenCredential>> {
    let client_options = || client_options(config, http.clone());
    let assertion_options = || {
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(),
        })
    };
    let credential: Arc<dyn TokenCredential> = match &config.credential {
        CredentialChoice::ClientCertificate {
            tenant_id,
            client_id,
            certificate,
            password,
        } => {
            let cert = certificate::ClientCertificate::load(certificate, password.as_ref())
                .map_err(|e| Error::Credential(azure_core::Error::with_message(ErrorKind::Credential, e.to_string())))?;
            let audience = token_endpoint(config, tenant_id);
            ClientAssertionCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                certificate::CertificateAssertion::new(cert, client_id.clone(), audience),
                assertion_options(),
            )
            .map_err(credential_error)?
        }
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
        .map_err(credential_error)?,
        CredentialChoice::Oidc {
            tenant_id,
            client_id,
            token,
        } => match token {
            OidcTokenSource::File(path) => {
                WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: client_options(),
                    },
                    client_id: Some(client_id.clone()),
                    tenant_id: Some(tenant_id.clone()),
                    token_file_path: Some(path.clone()),
                }))
                .map_err(|e| {
                    Error::Credential(azure_core::Error::with_message(
                        ErrorKind::Credential,
                        format!(
                            "reading the OIDC token file {} (oidc_token_file_path, ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE): {e}",
                            path.display()
                        ),
                    ))
                })?
            }
            OidcTokenSource::AzurePipelines {
                service_connection_id,
                access_token,
            } => AzurePipelinesCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                service_connection_id,
                CoreSecret::new(access_token.expose().to_string()),
                Some(AzurePipelinesCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions {
                        client_options: client_options(),
                    },
                }),
            )
            .map_err(credential_error)?,
            other => ClientAssertionCredential::new(
                tenant_id.clone(),
                client_id.clone(),
                oidc::OidcAssertion::new(other.clone(), client_options())?,
                assertion_options(),
            )
            .map_err(credential_error)?,
        },
        CredentialChoice::ManagedIdentity {
            client_id,
            endpoint,
        } => {
            let mut options = client_options();
            options.transport = Some(Transport::new(reqwest_client(false)?));
            match endpoint {
                Some(url) => Arc::new(msi::MsiEndpointCredential::new(
                    url.clone(),
                    client_id.clone(),
                    options,
                )),
                None => ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options: options,
                }))
                .map_err(credential_error)?,
            }
        }
        CredentialChoice::AzureCli { tenant_id } => Arc::new(cli::AzureCli(
            AzureCliCredential::new(Some(AzureCliCredentialOptions {
                tenant_id: tenant_id.clone(),
                ..Default::default()
            }))
            .map_err(credential_error)?,
        )),
    };
    Ok(credential)
}

/// Entra's token endpoint for `tenant`: the audience of a certificate's client assertion.
fn token_endpoint(config: &AzureConfig, tenant: &str) -> String {
    format!(
        "{}/{tenant}/oauth2/v2.0/token",
        config.authority_host.as_str().trim_end_matches('/')
    )
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
        retry: credential_retry(),
        ..Default::default()
    }
}
