//! The credential methods and choosing one in azurerm's order (certificate, secret, OIDC,
//! managed identity, Azure CLI), saying why each other was skipped.

use std::path::PathBuf;

use super::*;
use url::Url;

/// Where the OIDC (federated) token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcTokenSource {
    /// The token itself (`oidc_token` / `ARM_OIDC_TOKEN`).
    Inline(Secret),
    /// A file (`oidc_token_file_path` / `ARM_OIDC_TOKEN_FILE_PATH` / `AZURE_FEDERATED_TOKEN_FILE`).
    File(PathBuf),
    /// Asked for on every token request from a CI system's ID-token endpoint, as azurerm does
    /// in GitHub Actions: `ARM_OIDC_REQUEST_URL` / `ACTIONS_ID_TOKEN_REQUEST_URL` with the
    /// bearer `ARM_OIDC_REQUEST_TOKEN` / `ACTIONS_ID_TOKEN_REQUEST_TOKEN`; a GET answered with
    /// `{"value": "<jwt>"}`.
    Request {
        /// The endpoint (https).
        url: String,
        /// Its bearer token.
        token: Secret,
    },
    /// An Azure DevOps service connection (workload identity federation): a POST to
    /// `SYSTEM_OIDCREQUESTURI` with `SYSTEM_ACCESSTOKEN`, answered with `{"oidcToken": ..}`.
    AzurePipelines {
        /// `ado_pipeline_service_connection_id`.
        service_connection_id: String,
        /// `SYSTEM_ACCESSTOKEN` (or `oidc_request_token` / `ARM_OIDC_REQUEST_TOKEN`).
        access_token: Secret,
    },
    /// HCP Terraform dynamic provider credentials: the run's workload identity token
    /// (`TFC_WORKLOAD_IDENTITY_TOKEN`).
    HcpTerraform(Secret),
}

impl OidcTokenSource {
    /// Short name for logs and diagnostics (never the token).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Inline(_) => "OIDC token",
            Self::File(_) => "OIDC token file",
            Self::Request { .. } => "OIDC token request URL (GitHub Actions)",
            Self::AzurePipelines { .. } => "Azure DevOps service connection",
            Self::HcpTerraform(_) => "HCP Terraform workload identity token",
        }
    }
}

/// Where the client certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateSource {
    /// `client_certificate_path` / `ARM_CLIENT_CERTIFICATE_PATH`: a PKCS#12 or PEM file.
    Path(PathBuf),
    /// `client_certificate` / `ARM_CLIENT_CERTIFICATE`: base64 of the file's content.
    Base64(Secret),
}

/// The credential the provider authenticates with, first that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialChoice {
    /// Service principal with a client certificate (a signed client assertion).
    ClientCertificate {
        /// Tenant ID.
        tenant_id: String,
        /// Application (client) ID.
        client_id: String,
        /// The certificate and its private key.
        certificate: CertificateSource,
        /// Password of a PKCS#12 file.
        password: Option<Secret>,
    },
    /// Service principal with a client secret.
    ClientSecret {
        /// Tenant ID.
        tenant_id: String,
        /// Application (client) ID.
        client_id: String,
        /// Client secret.
        secret: Secret,
    },
    /// Workload identity federation (GitHub Actions, Azure DevOps, HCP Terraform, AKS ...).
    Oidc {
        /// Tenant ID.
        tenant_id: String,
        /// Application (client) ID.
        client_id: String,
        /// The federated token.
        token: OidcTokenSource,
    },
    /// Managed identity; `client_id` picks a user-assigned identity.
    ManagedIdentity {
        /// Client ID of a user-assigned identity.
        client_id: Option<String>,
        /// `msi_endpoint`: an IMDS-style endpoint used instead of the platform's own.
        endpoint: Option<Url>,
    },
    /// `az login`.
    AzureCli {
        /// Tenant to request tokens for (the CLI's default when `None`).
        tenant_id: Option<String>,
    },
}

impl CredentialChoice {
    /// Short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ClientCertificate { .. } => "client certificate",
            Self::ClientSecret { .. } => "client secret",
            Self::Oidc { .. } => "OIDC",
            Self::ManagedIdentity { .. } => "managed identity",
            Self::AzureCli { .. } => "Azure CLI",
        }
    }
}

pub(super) struct CredentialInputs {
    pub(super) tenant_id: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<Secret>,
    pub(super) certificate_path: Option<String>,
    pub(super) certificate: Option<Secret>,
    pub(super) certificate_password: Option<Secret>,
    pub(super) oidc_token: Option<Secret>,
    pub(super) oidc_token_file: Option<String>,
    pub(super) oidc_request: Option<(String, Secret)>,
    pub(super) ado_service_connection_id: Option<String>,
    pub(super) ado_access_token: Option<Secret>,
    pub(super) ado_request_uri: bool,
    pub(super) hcp_token: Option<Secret>,
    pub(super) use_oidc: bool,
    pub(super) use_oidc_explicit: bool,
    pub(super) use_msi: bool,
    pub(super) msi_endpoint: Option<Url>,
    pub(super) use_cli: bool,
}

/// Why the client certificate was skipped.
const CERTIFICATE_SKIPPED: &str = "client certificate (skipped: neither `client_certificate_path` / ARM_CLIENT_CERTIFICATE_PATH nor `client_certificate` / ARM_CLIENT_CERTIFICATE is set)";
/// Why the client secret was skipped.
const SECRET_SKIPPED: &str =
    "client secret (skipped: `client_secret` / ARM_CLIENT_SECRET is not set)";
/// Why managed identity was skipped.
const MSI_SKIPPED: &str = "managed identity (skipped: `use_msi` / ARM_USE_MSI is not true)";

/// Why each method before the Azure CLI was skipped, when the CLI is the one chosen (it is
/// chosen only when every other was skipped, so the reasons are the same whatever the inputs).
pub fn tried_before_cli() -> String {
    [
        CERTIFICATE_SKIPPED,
        SECRET_SKIPPED,
        "OIDC (skipped: neither `use_oidc` / ARM_USE_OIDC nor AKS's AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID together turn it on)",
        MSI_SKIPPED,
    ]
    .join("; ")
}

/// azurerm's order: client certificate, client secret, OIDC, managed identity, Azure CLI.
/// A method whose main setting is given but incomplete is an error (falling through to the
/// next would authenticate as someone else); one not set up at all is skipped, and the
/// reasons are listed when nothing applies.
pub(super) fn choose_credential(i: CredentialInputs) -> Result<CredentialChoice, ConfigError> {
    let mut skipped: Vec<String> = Vec::new();
    let certificate = match (i.certificate_path, i.certificate) {
        (Some(path), _) => Some(CertificateSource::Path(PathBuf::from(path))),
        (None, Some(b64)) => Some(CertificateSource::Base64(b64)),
        (None, None) => None,
    };
    if let Some(certificate) = certificate {
        let (tenant_id, client_id) = service_principal(
            i.tenant_id,
            i.client_id,
            "client certificate authentication",
        )?;
        return Ok(CredentialChoice::ClientCertificate {
            tenant_id,
            client_id,
            certificate,
            password: i.certificate_password,
        });
    }
    skipped.push(CERTIFICATE_SKIPPED.into());
    if let Some(secret) = i.client_secret {
        let (tenant_id, client_id) =
            service_principal(i.tenant_id, i.client_id, "client secret authentication")?;
        return Ok(CredentialChoice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        });
    }
    skipped.push(SECRET_SKIPPED.into());
    if i.use_oidc {
        let token = if let Some(t) = i.oidc_token {
            OidcTokenSource::Inline(t)
        } else if let Some(path) = i.oidc_token_file {
            OidcTokenSource::File(PathBuf::from(path))
        } else if let Some(service_connection_id) = i.ado_service_connection_id {
            // A service connection ID says "Azure DevOps" even where a request URL is also
            // set, since DevOps' endpoint must be POSTed to, not read like GitHub's.
            if !i.ado_request_uri {
                return Err(ConfigError::AzurePipelinesIncomplete {
                    missing: "SYSTEM_OIDCREQUESTURI",
                    hint: "run inside an Azure DevOps pipeline job (the agent sets it)",
                });
            }
            let Some(access_token) = i.ado_access_token else {
                return Err(ConfigError::AzurePipelinesIncomplete {
                    missing: "SYSTEM_ACCESSTOKEN",
                    hint: "map it in the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`",
                });
            };
            OidcTokenSource::AzurePipelines {
                service_connection_id,
                access_token,
            }
        } else if let Some((url, token)) = i.oidc_request {
            OidcTokenSource::Request { url, token }
        } else if let Some(t) = i.hcp_token {
            OidcTokenSource::HcpTerraform(t)
        } else {
            return Err(ConfigError::OidcWithoutToken);
        };
        let (tenant_id, client_id) =
            service_principal(i.tenant_id, i.client_id, "OIDC authentication")?;
        return Ok(CredentialChoice::Oidc {
            tenant_id,
            client_id,
            token,
        });
    }
    skipped.push(if i.use_oidc_explicit {
        "OIDC (skipped: `use_oidc` / ARM_USE_OIDC is false)".into()
    } else {
        "OIDC (skipped: `use_oidc` / ARM_USE_OIDC is not set, and AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID are not all set)".into()
    });
    if i.use_msi {
        return Ok(CredentialChoice::ManagedIdentity {
            client_id: i.client_id,
            endpoint: i.msi_endpoint,
        });
    }
    skipped.push(MSI_SKIPPED.into());
    if i.use_cli {
        return Ok(CredentialChoice::AzureCli {
            tenant_id: i.tenant_id,
        });
    }
    skipped.push("Azure CLI (skipped: `use_cli` / ARM_USE_CLI is false)".into());
    Err(ConfigError::NoCredential {
        tried: skipped.join("; "),
    })
}

pub(super) fn service_principal(
    tenant_id: Option<String>,
    client_id: Option<String>,
    auth: &'static str,
) -> Result<(String, String), ConfigError> {
    match (tenant_id, client_id) {
        (Some(t), Some(c)) => Ok((t, c)),
        (None, Some(_)) => Err(ConfigError::IncompleteServicePrincipal {
            auth,
            missing: "a tenant ID",
            hint: "`tenant_id` or ARM_TENANT_ID",
        }),
        (Some(_), None) => Err(ConfigError::IncompleteServicePrincipal {
            auth,
            missing: "a client ID",
            hint: "`client_id` or ARM_CLIENT_ID",
        }),
        (None, None) => Err(ConfigError::IncompleteServicePrincipal {
            auth,
            missing: "a tenant ID and a client ID",
            hint: "`tenant_id` and `client_id` (ARM_TENANT_ID, ARM_CLIENT_ID)",
        }),
    }
}
