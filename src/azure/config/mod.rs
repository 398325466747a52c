//! Provider settings → resolved Azure configuration: applies the `ARM_*` environment fallbacks
//! azurerm users already have (explicit settings win), picks the cloud's endpoints, and chooses
//! one credential in azurerm's order: client certificate, client secret, OIDC (token, token
//! file, Azure DevOps service connection, CI request URL, HCP Terraform), managed identity,
//! Azure CLI. When none applies, the error says why each was skipped.

mod cloud;
mod credentials;
mod resolve;

pub use cloud::CloudEnvironment;
pub use credentials::{CertificateSource, CredentialChoice, OidcTokenSource, tried_before_cli};
pub use resolve::resolve;

use std::fmt;

use url::Url;

/// A secret string (client secret, OIDC token) whose `Debug`/`Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: pass it on, never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The provider block's Azure settings as the user wrote them (`None` = not set).
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    /// `subscription_id`
    pub subscription_id: Option<String>,
    /// `tenant_id`
    pub tenant_id: Option<String>,
    /// `client_id`
    pub client_id: Option<String>,
    /// `client_id_file_path`: a file holding the client ID (HCP Terraform writes one per
    /// provider alias)
    pub client_id_file_path: Option<String>,
    /// `client_secret` (sensitive)
    pub client_secret: Option<Secret>,
    /// `client_certificate_path`: a PKCS#12 or PEM file
    pub client_certificate_path: Option<String>,
    /// `client_certificate` (sensitive): base64 of a PKCS#12 (or PEM) file
    pub client_certificate: Option<Secret>,
    /// `client_certificate_password` (sensitive)
    pub client_certificate_password: Option<Secret>,
    /// `oidc_token` (sensitive)
    pub oidc_token: Option<Secret>,
    /// `oidc_token_file_path`
    pub oidc_token_file_path: Option<String>,
    /// `oidc_request_url` (GitHub Actions style ID-token endpoint)
    pub oidc_request_url: Option<String>,
    /// `oidc_request_token` (sensitive): bearer for `oidc_request_url`
    pub oidc_request_token: Option<Secret>,
    /// `ado_pipeline_service_connection_id`
    pub ado_pipeline_service_connection_id: Option<String>,
    /// `environment`: public, usgovernment, china
    pub environment: Option<String>,
    /// `resource_manager_endpoint` (https URL)
    pub resource_manager_endpoint: Option<String>,
    /// `authority_host` (https URL)
    pub authority_host: Option<String>,
    /// `msi_endpoint`: a custom managed identity (IMDS-style) token endpoint
    pub msi_endpoint: Option<String>,
    /// `partner_id`: appended to the user agent as `pid-<id>`
    pub partner_id: Option<String>,
    /// `use_oidc`
    pub use_oidc: Option<bool>,
    /// `use_msi`
    pub use_msi: Option<bool>,
    /// `use_cli` (default true)
    pub use_cli: Option<bool>,
    /// Terraform's version, from Configure (for the user agent).
    pub terraform_version: Option<String>,
}

/// Fully resolved configuration for [`ArmClient`](super::ArmClient).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureConfig {
    /// Subscription the provider works in.
    pub subscription_id: String,
    /// The cloud (for defaults).
    pub environment: CloudEnvironment,
    /// Resource Manager endpoint, https, ending in `/`.
    pub resource_manager_endpoint: Url,
    /// Entra ID authority host, https.
    pub authority_host: Url,
    /// Token scope: `<resource manager endpoint>/.default`.
    pub token_scope: String,
    /// The credential to use.
    pub credential: CredentialChoice,
    /// `partner_id` (a GUID), sent in the user agent as `pid-<id>`.
    pub partner_id: Option<String>,
    /// Terraform's version, sent in the user agent.
    pub terraform_version: Option<String>,
}

impl AzureConfig {
    /// What we add to the SDK's user agent, as azurerm does: Terraform's part, ours, then
    /// the partner ID.
    pub fn user_agent_suffix(&self) -> String {
        let mut ua = String::new();
        if let Some(v) = &self.terraform_version {
            ua.push_str(&format!(
                "HashiCorp Terraform/{v} (+https://www.terraform.io) "
            ));
        }
        ua.push_str(concat!(
            "terraform-provider-astro/",
            env!("CARGO_PKG_VERSION")
        ));
        if let Some(pid) = &self.partner_id {
            ua.push_str(&format!(" pid-{pid}"));
        }
        ua
    }
}

/// A setting problem; the message names the attribute and the environment variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No subscription.
    #[error(
        "no subscription configured: set `subscription_id` in the provider block or the ARM_SUBSCRIPTION_ID environment variable"
    )]
    MissingSubscription,
    /// An endpoint is not a valid https URL.
    #[error(
        "`{attribute}` ({variable}) must be an https URL without query or fragment, got {value:?}: {problem}"
    )]
    BadEndpoint {
        /// Provider attribute.
        attribute: &'static str,
        /// Environment variable.
        variable: &'static str,
        /// The value given.
        value: String,
        /// What is wrong.
        problem: String,
    },
    /// Unknown environment name.
    #[error("unknown `environment` (ARM_ENVIRONMENT) {0:?}: use public, usgovernment or china")]
    BadEnvironment(String),
    /// A boolean environment variable that is not a boolean.
    #[error("environment variable {variable} must be true or false, got {value:?}")]
    BadBool {
        /// Variable name.
        variable: &'static str,
        /// The value given.
        value: String,
    },
    /// use_oidc without a token.
    #[error(
        "`use_oidc` is true but no OIDC token was found: set `oidc_token` (ARM_OIDC_TOKEN) or `oidc_token_file_path` (ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE); in GitHub Actions grant `id-token: write` so ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN are set (or set ARM_OIDC_REQUEST_URL and ARM_OIDC_REQUEST_TOKEN); in Azure DevOps set `ado_pipeline_service_connection_id` (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) and map SYSTEM_ACCESSTOKEN; in HCP Terraform enable dynamic credentials (TFC_WORKLOAD_IDENTITY_TOKEN)"
    )]
    OidcWithoutToken,
    /// An Azure DevOps service connection without what the pipeline must provide.
    #[error("`ado_pipeline_service_connection_id` is set but {missing} is not: {hint}")]
    AzurePipelinesIncomplete {
        /// What is missing.
        missing: &'static str,
        /// How to provide it.
        hint: &'static str,
    },
    /// Client secret, certificate or OIDC without tenant/client id.
    #[error("{auth} needs {missing}: set {hint}")]
    IncompleteServicePrincipal {
        /// client secret or OIDC.
        auth: &'static str,
        /// What is missing.
        missing: &'static str,
        /// How to set it.
        hint: &'static str,
    },
    /// `partner_id` is not a GUID.
    #[error(
        "`partner_id` (ARM_PARTNER_ID) must be a GUID, optionally prefixed with \"pid-\", got {0:?}"
    )]
    BadPartnerId(String),
    /// `client_id_file_path` could not be read or disagrees with `client_id`.
    #[error("`client_id_file_path` (ARM_CLIENT_ID_FILE_PATH) {path}: {problem}")]
    ClientIdFile {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// Every way of authenticating was skipped; says why for each.
    #[error(
        "no way to authenticate to Azure applies: set one up (see the provider documentation's authentication table). Tried, in order: {tried}"
    )]
    NoCredential {
        /// `method (skipped: reason); ...`, never a secret.
        tried: String,
    },
}
#[cfg(test)]
mod tests;
