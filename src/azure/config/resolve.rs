//! Resolving the provider block against the `ARM_*` environment: explicit settings win, empty
//! strings count as unset, URLs must be https.

use super::credentials::{CredentialInputs, choose_credential};
use super::*;
use url::Url;

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
pub(super) fn client_id_from_file(
    path: &str,
    client_id: Option<String>,
) -> Result<String, ConfigError> {
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
pub(super) fn partner_guid(value: &str) -> Option<String> {
    let v = value.trim();
    let guid = v.strip_prefix("pid-").unwrap_or(v);
    uuid::Uuid::parse_str(guid).ok().map(|_| guid.to_string())
}

/// `msi_endpoint`: https, or plain http to a machine-local address only (IMDS at
/// 169.254.169.254 and local identity agents are http by design and never leave the host).
pub(super) fn msi_url(value: &str) -> Result<Url, ConfigError> {
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
pub(super) fn oidc_request(
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

pub(super) fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

pub(super) fn parse_bool(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ConfigError::BadBool {
            variable,
            value: value.to_string(),
        }),
    }
}

pub(super) fn https_url(
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
