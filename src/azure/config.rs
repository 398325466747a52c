//! Provider settings → resolved Azure configuration: applies the `ARM_*` environment fallbacks
//! azurerm users already have (explicit settings win), picks the cloud's endpoints, and chooses
//! one credential in azurerm's order: client certificate, client secret, OIDC (token, token
//! file, Azure DevOps service connection, CI request URL, HCP Terraform), managed identity,
//! Azure CLI. When none applies, the error says why each was skipped.

use std::fmt;
use std::path::PathBuf;

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

/// The Azure cloud whose endpoints are used unless overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudEnvironment {
    /// Azure public cloud.
    Public,
    /// Azure US Government.
    UsGovernment,
    /// Azure China (21Vianet).
    China,
}

impl CloudEnvironment {
    fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "public" => Some(Self::Public),
            "usgovernment" => Some(Self::UsGovernment),
            "china" => Some(Self::China),
            _ => None,
        }
    }

    /// Default Resource Manager endpoint.
    pub fn resource_manager_endpoint(self) -> &'static str {
        match self {
            Self::Public => "https://management.azure.com/",
            Self::UsGovernment => "https://management.usgovcloudapi.net/",
            Self::China => "https://management.chinacloudapi.cn/",
        }
    }

    /// Default Entra ID authority host.
    pub fn authority_host(self) -> &'static str {
        match self {
            Self::Public => "https://login.microsoftonline.com/",
            Self::UsGovernment => "https://login.microsoftonline.us/",
            Self::China => "https://login.chinacloudapi.cn/",
        }
    }
}

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
        "no way to authenticate to Azure applies. Tried, in order: {tried}. Set one of them up (see the provider documentation's authentication table)"
    )]
    NoCredential {
        /// `method (skipped: reason); ...`, never a secret.
        tried: String,
    },
}

/// Resolves provider settings against the environment (`env` returns a variable's value;
/// production passes `&|k| std::env::var(k).ok()`). Explicit settings win; empty strings count
/// as unset.
pub fn resolve(
    s: &ProviderSettings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<AzureConfig, ConfigError> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let text = |explicit: &Option<String>, k: &str| non_empty(explicit.clone()).or_else(|| var(k));
    let secret = |explicit: &Option<Secret>, k: &str| {
        explicit
            .clone()
            .filter(|s| !s.expose().is_empty())
            .or_else(|| var(k).map(Secret::new))
    };
    let flag = |explicit: Option<bool>, k: &'static str| -> Result<Option<bool>, ConfigError> {
        match explicit {
            Some(b) => Ok(Some(b)),
            None => var(k).map(|v| parse_bool(k, &v)).transpose(),
        }
    };

    let subscription_id =
        text(&s.subscription_id, "ARM_SUBSCRIPTION_ID").ok_or(ConfigError::MissingSubscription)?;
    let environment = match text(&s.environment, "ARM_ENVIRONMENT") {
        Some(name) => CloudEnvironment::parse(&name).ok_or(ConfigError::BadEnvironment(name))?,
        None => CloudEnvironment::Public,
    };
    let resource_manager_endpoint = https_url(
        text(
            &s.resource_manager_endpoint,
            "ARM_RESOURCE_MANAGER_ENDPOINT",
        )
        .as_deref()
        .unwrap_or(environment.resource_manager_endpoint()),
        "resource_manager_endpoint",
        "ARM_RESOURCE_MANAGER_ENDPOINT",
    )?;
    let authority_host = https_url(
        text(&s.authority_host, "AZURE_AUTHORITY_HOST")
            .as_deref()
            .unwrap_or(environment.authority_host()),
        "authority_host",
        "AZURE_AUTHORITY_HOST",
    )?;
    // azure_identity builds `<authority>/<tenant>/oauth2/v2.0/token` with an absolute path,
    // which would silently drop a path prefix: refuse one instead.
    if authority_host.path() != "/" {
        return Err(ConfigError::BadEndpoint {
            attribute: "authority_host",
            variable: "AZURE_AUTHORITY_HOST",
            value: authority_host.to_string(),
            problem: "give only scheme, host and port (no path)".to_string(),
        });
    }
    let token_scope = format!(
        "{}/.default",
        resource_manager_endpoint.as_str().trim_end_matches('/')
    );

    // AKS workload identity injects only AZURE_CLIENT_ID, AZURE_TENANT_ID and
    // AZURE_FEDERATED_TOKEN_FILE (https://learn.microsoft.com/azure/aks/workload-identity-overview),
    // so those stand in for the ARM_* names and, all three present, turn OIDC on by themselves.
    let tenant_id = text(&s.tenant_id, "ARM_TENANT_ID").or_else(|| var("AZURE_TENANT_ID"));
    let client_id = text(&s.client_id, "ARM_CLIENT_ID");
    let client_id = match text(&s.client_id_file_path, "ARM_CLIENT_ID_FILE_PATH") {
        Some(path) => Some(client_id_from_file(&path, client_id)?),
        None => client_id,
    }
    .or_else(|| var("AZURE_CLIENT_ID"));
    let aks = var("AZURE_FEDERATED_TOKEN_FILE").is_some()
        && var("AZURE_CLIENT_ID").is_some()
        && var("AZURE_TENANT_ID").is_some();
    let partner_id = match text(&s.partner_id, "ARM_PARTNER_ID") {
        Some(p) => Some(partner_guid(&p).ok_or(ConfigError::BadPartnerId(p))?),
        None => None,
    };
    let msi_endpoint = text(&s.msi_endpoint, "ARM_MSI_ENDPOINT")
        .map(|e| msi_url(&e))
        .transpose()?;
    let use_oidc = flag(s.use_oidc, "ARM_USE_OIDC")?;
    let credential = choose_credential(CredentialInputs {
        tenant_id,
        client_id,
        client_secret: secret(&s.client_secret, "ARM_CLIENT_SECRET"),
        certificate_path: text(&s.client_certificate_path, "ARM_CLIENT_CERTIFICATE_PATH"),
        certificate: secret(&s.client_certificate, "ARM_CLIENT_CERTIFICATE"),
        certificate_password: secret(
            &s.client_certificate_password,
            "ARM_CLIENT_CERTIFICATE_PASSWORD",
        ),
        oidc_token: secret(&s.oidc_token, "ARM_OIDC_TOKEN"),
        oidc_token_file: text(&s.oidc_token_file_path, "ARM_OIDC_TOKEN_FILE_PATH")
            .or_else(|| var("AZURE_FEDERATED_TOKEN_FILE")),
        oidc_request: oidc_request(s, &var),
        ado_service_connection_id: text(
            &s.ado_pipeline_service_connection_id,
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        )
        .or_else(|| var("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID")),
        ado_access_token: var("SYSTEM_ACCESSTOKEN")
            .map(Secret::new)
            .or_else(|| secret(&s.oidc_request_token, "ARM_OIDC_REQUEST_TOKEN")),
        ado_request_uri: var("SYSTEM_OIDCREQUESTURI").is_some(),
        hcp_token: var("TFC_WORKLOAD_IDENTITY_TOKEN").map(Secret::new),
        use_oidc: use_oidc.unwrap_or(aks),
        use_oidc_explicit: use_oidc.is_some(),
        use_msi: flag(s.use_msi, "ARM_USE_MSI")?.unwrap_or(false),
        msi_endpoint,
        use_cli: flag(s.use_cli, "ARM_USE_CLI")?.unwrap_or(true),
    })?;

    Ok(AzureConfig {
        subscription_id,
        environment,
        resource_manager_endpoint,
        authority_host,
        token_scope,
        credential,
        partner_id,
        terraform_version: non_empty(s.terraform_version.clone()),
    })
}

/// The client ID in `path` (trimmed); it must agree with `client_id` when both are given, as
/// azurerm requires.
fn client_id_from_file(path: &str, client_id: Option<String>) -> Result<String, ConfigError> {
    let bad = |problem: String| ConfigError::ClientIdFile {
        path: path.to_string(),
        problem,
    };
    let from_file = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("cannot be read: {e}")))?
        .trim()
        .to_string();
    if from_file.is_empty() {
        return Err(bad("is empty".into()));
    }
    match client_id {
        Some(id) if !id.eq_ignore_ascii_case(&from_file) => Err(bad(format!(
            "holds {from_file:?}, which differs from `client_id` {id:?}: set only one"
        ))),
        _ => Ok(from_file),
    }
}

/// `partner_id` as a bare GUID (azurerm accepts it with or without the `pid-` prefix).
fn partner_guid(value: &str) -> Option<String> {
    let v = value.trim();
    let guid = v.strip_prefix("pid-").unwrap_or(v);
    uuid::Uuid::parse_str(guid).ok().map(|_| guid.to_string())
}

/// `msi_endpoint`: https, or plain http to a machine-local address only (IMDS at
/// 169.254.169.254 and local identity agents are http by design and never leave the host).
fn msi_url(value: &str) -> Result<Url, ConfigError> {
    let bad = |problem: &str| ConfigError::BadEndpoint {
        attribute: "msi_endpoint",
        variable: "ARM_MSI_ENDPOINT",
        value: value.to_string(),
        problem: problem.to_string(),
    };
    let url = Url::parse(value.trim()).map_err(|e| bad(&e.to_string()))?;
    let local = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err(bad("the host is missing")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if local => Ok(url),
        _ => Err(bad(
            "only https is allowed (plain http only to a link-local or loopback address)",
        )),
    }
}

/// The CI ID-token endpoint and its bearer: the provider block, then azurerm's variables, then
/// GitHub Actions' own.
fn oidc_request(
    s: &ProviderSettings,
    var: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, Secret)> {
    let url = non_empty(s.oidc_request_url.clone())
        .or_else(|| var("ARM_OIDC_REQUEST_URL"))
        .or_else(|| var("ACTIONS_ID_TOKEN_REQUEST_URL"))?;
    let token = s
        .oidc_request_token
        .clone()
        .filter(|t| !t.expose().is_empty())
        .or_else(|| var("ARM_OIDC_REQUEST_TOKEN").map(Secret::new))
        .or_else(|| var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").map(Secret::new))?;
    Some((url, token))
}

struct CredentialInputs {
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    certificate_path: Option<String>,
    certificate: Option<Secret>,
    certificate_password: Option<Secret>,
    oidc_token: Option<Secret>,
    oidc_token_file: Option<String>,
    oidc_request: Option<(String, Secret)>,
    ado_service_connection_id: Option<String>,
    ado_access_token: Option<Secret>,
    ado_request_uri: bool,
    hcp_token: Option<Secret>,
    use_oidc: bool,
    use_oidc_explicit: bool,
    use_msi: bool,
    msi_endpoint: Option<Url>,
    use_cli: bool,
}

/// azurerm's order: client certificate, client secret, OIDC, managed identity, Azure CLI.
/// A method whose main setting is given but incomplete is an error (falling through to the
/// next would authenticate as someone else); one not set up at all is skipped, and the
/// reasons are listed when nothing applies.
fn choose_credential(i: CredentialInputs) -> Result<CredentialChoice, ConfigError> {
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
    skipped.push(
        "client certificate (skipped: neither `client_certificate_path` / ARM_CLIENT_CERTIFICATE_PATH nor `client_certificate` / ARM_CLIENT_CERTIFICATE is set)".into(),
    );
    if let Some(secret) = i.client_secret {
        let (tenant_id, client_id) =
            service_principal(i.tenant_id, i.client_id, "client secret authentication")?;
        return Ok(CredentialChoice::ClientSecret {
            tenant_id,
            client_id,
            secret,
        });
    }
    skipped.push("client secret (skipped: `client_secret` / ARM_CLIENT_SECRET is not set)".into());
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
    skipped.push("managed identity (skipped: `use_msi` / ARM_USE_MSI is not true)".into());
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

fn service_principal(
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

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ConfigError::BadBool {
            variable,
            value: value.to_string(),
        }),
    }
}

fn https_url(
    value: &str,
    attribute: &'static str,
    variable: &'static str,
) -> Result<Url, ConfigError> {
    let bad = |problem: &str| ConfigError::BadEndpoint {
        attribute,
        variable,
        value: value.to_string(),
        problem: problem.to_string(),
    };
    let mut url = Url::parse(value.trim()).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "https" {
        return Err(bad("only https is allowed"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("the host is missing"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("remove the query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests;
