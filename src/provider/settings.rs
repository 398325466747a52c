//! The provider block: its schema (Azure settings and every credential azurerm users already
//! have, with the same `ARM_*` fallbacks) and its conversion into [`azure::ProviderSettings`].

use serde::Deserialize;

use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::model;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::validators::{OneOf, StringCheck};
use crate::framework::value::Value;

/// The provider block as written by the user.
#[derive(Debug, Deserialize, Default)]
struct ProviderModel {
    subscription_id: Option<String>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_id_file_path: Option<String>,
    client_secret: Option<String>,
    client_certificate_path: Option<String>,
    client_certificate: Option<String>,
    client_certificate_password: Option<String>,
    use_oidc: Option<bool>,
    oidc_token: Option<String>,
    oidc_token_file_path: Option<String>,
    oidc_request_url: Option<String>,
    oidc_request_token: Option<String>,
    ado_pipeline_service_connection_id: Option<String>,
    use_msi: Option<bool>,
    msi_endpoint: Option<String>,
    use_cli: Option<bool>,
    environment: Option<String>,
    resource_manager_endpoint: Option<String>,
    authority_host: Option<String>,
    partner_id: Option<String>,
}

/// The provider block's configuration as settings for [`azure::resolve`].
pub fn from_config(
    config: &Value,
    terraform_version: &str,
) -> Result<azure::ProviderSettings, model::ModelError> {
    let m: ProviderModel = model::from_value(config)?;
    let secret = |v: Option<String>| v.map(azure::Secret::new);
    Ok(azure::ProviderSettings {
        subscription_id: m.subscription_id,
        tenant_id: m.tenant_id,
        client_id: m.client_id,
        client_id_file_path: m.client_id_file_path,
        client_secret: secret(m.client_secret),
        client_certificate_path: m.client_certificate_path,
        client_certificate: secret(m.client_certificate),
        client_certificate_password: secret(m.client_certificate_password),
        oidc_token: secret(m.oidc_token),
        oidc_token_file_path: m.oidc_token_file_path,
        oidc_request_url: m.oidc_request_url,
        oidc_request_token: secret(m.oidc_request_token),
        ado_pipeline_service_connection_id: m.ado_pipeline_service_connection_id,
        environment: m.environment,
        resource_manager_endpoint: m.resource_manager_endpoint,
        authority_host: m.authority_host,
        msi_endpoint: m.msi_endpoint,
        partner_id: m.partner_id,
        use_oidc: m.use_oidc,
        use_msi: m.use_msi,
        use_cli: m.use_cli,
        terraform_version: Some(terraform_version.to_string()).filter(|v| !v.is_empty()),
    })
}

/// An attribute's value in the provider block.
type Field = fn(&azure::ProviderSettings) -> &Option<String>;

/// The ID-shaped environment variables, each with the attribute it stands in for, in the
/// order they are looked at.
const ENV_IDS: [(&str, Field, &[&str]); 4] = [
    (
        "subscription_id",
        |s| &s.subscription_id,
        &["ARM_SUBSCRIPTION_ID"],
    ),
    (
        "tenant_id",
        |s| &s.tenant_id,
        &["ARM_TENANT_ID", "AZURE_TENANT_ID"],
    ),
    (
        "client_id",
        |s| &s.client_id,
        &["ARM_CLIENT_ID", "AZURE_CLIENT_ID"],
    ),
    (
        "ado_pipeline_service_connection_id",
        |s| &s.ado_pipeline_service_connection_id,
        &[
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
        ],
    ),
];

/// Checks each ID-shaped environment variable that stands in for an unset attribute as that
/// attribute is checked (a GUID), before any Azure call; the diagnostic names the variable.
pub fn check_env_ids(
    settings: &azure::ProviderSettings,
    env: &dyn Fn(&str) -> Option<String>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let check = super::validation::guid();
    for (attribute, field, variables) in ENV_IDS {
        let explicit = field(settings);
        if explicit.as_deref().is_some_and(|v| !v.trim().is_empty()) {
            continue;
        }
        let Some((variable, value)) = variables
            .iter()
            .find_map(|k| env(k).filter(|v| !v.trim().is_empty()).map(|v| (*k, v)))
        else {
            continue;
        };
        if let Err(problem) = (check.check_fn())(value.trim()) {
            diags.push(Diagnostic::error(
                format!("Invalid {variable}"),
                format!(
                    "Set {variable} to a GUID such as 00000000-0000-0000-0000-000000000000 (an ID, not a display name), or unset it and set the `{attribute}` attribute in the provider block. {problem}: the variable stands in for the `{attribute}` attribute, which is checked the same way."
                ),
            ));
        }
    }
    diags
}

/// `partner_id`: a GUID, optionally `pid-` prefixed (azurerm accepts both).
fn partner_id() -> StringCheck {
    StringCheck::new("a GUID, optionally prefixed with `pid-`", |s| {
        let guid = s.strip_prefix("pid-").unwrap_or(s);
        match uuid::Uuid::parse_str(guid) {
            Ok(_) if guid.len() == 36 => Ok(()),
            _ => Err(format!(
                "{s:?} is not a GUID such as 00000000-0000-0000-0000-000000000000 (optionally pid-00000000-…)"
            )),
        }
    })
}

/// `msi_endpoint`: https, or plain http only to a link-local or loopback address.
fn msi_endpoint() -> StringCheck {
    StringCheck::new(
        "an https:// URL, or http:// to a link-local or loopback address",
        |s| match url::Url::parse(s) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() => Ok(()),
            Ok(u) if u.scheme() == "http" => {
                let local = match u.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                    None => false,
                };
                if local {
                    Ok(())
                } else {
                    Err(format!(
                        "{s:?} uses plain http to a host that is not link-local or loopback: use https"
                    ))
                }
            }
            Ok(u) => Err(format!("{s:?} uses {:?}: use https", u.scheme())),
            Err(e) => Err(format!("{s:?} is not a URL: {e}")),
        },
    )
}

/// The provider block's schema.
pub fn provider_schema() -> Schema {
    use super::validation::{guid, https_url};
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::optional("subscription_id", s.clone())
                .describe("Azure subscription that holds the private endpoints and DNS zones. Falls back to `ARM_SUBSCRIPTION_ID`; required in effect.")
                .validate(guid()),
            Attribute::optional("tenant_id", s.clone())
                .describe("Microsoft Entra tenant ID. Falls back to `ARM_TENANT_ID`, then `AZURE_TENANT_ID` (AKS workload identity).")
                .validate(guid()),
            Attribute::optional("client_id", s.clone())
                .describe("Client ID of a service principal, or of a user-assigned managed identity. Falls back to `ARM_CLIENT_ID`, then `AZURE_CLIENT_ID` (AKS workload identity).")
                .validate(guid()),
            Attribute::optional("client_id_file_path", s.clone())
                .describe("File holding the client ID, as HCP Terraform writes it for each provider alias (`var.tfc_azure_dynamic_credentials`); must agree with `client_id` when both are set. Falls back to `ARM_CLIENT_ID_FILE_PATH`."),
            Attribute::optional("client_certificate_path", s.clone())
                .describe("Path of the service principal's client certificate with its private key: a PKCS#12 (`.pfx`) or PEM file (RSA key). Falls back to `ARM_CLIENT_CERTIFICATE_PATH`. Tried first of all credentials."),
            Attribute::optional("client_certificate", s.clone())
                .sensitive()
                .describe("Base64 of the client certificate file (PKCS#12, or PEM) when no path is given. Falls back to `ARM_CLIENT_CERTIFICATE`."),
            Attribute::optional("client_certificate_password", s.clone())
                .sensitive()
                .describe("Password of the PKCS#12 client certificate. Falls back to `ARM_CLIENT_CERTIFICATE_PASSWORD`."),
            Attribute::optional("client_secret", s.clone())
                .sensitive()
                .describe("Client secret of the service principal. Falls back to `ARM_CLIENT_SECRET`."),
            Attribute::optional("use_oidc", Type::Bool)
                .describe("Authenticate with workload identity federation (OIDC). Falls back to `ARM_USE_OIDC`; on AKS, `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID` and `AZURE_TENANT_ID` together turn it on when it is not set."),
            Attribute::optional("oidc_token", s.clone())
                .sensitive()
                .describe("The OIDC ID token to exchange. Falls back to `ARM_OIDC_TOKEN`."),
            Attribute::optional("oidc_token_file_path", s.clone())
                .describe("File holding the OIDC ID token. Falls back to `ARM_OIDC_TOKEN_FILE_PATH`, then `AZURE_FEDERATED_TOKEN_FILE`."),
            Attribute::optional("oidc_request_url", s.clone())
                .describe("GitHub Actions-style ID-token endpoint (https), asked with a GET on every token request. Falls back to `ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`.")
                .validate(https_url()),
            Attribute::optional("oidc_request_token", s.clone())
                .sensitive()
                .describe("Bearer token for `oidc_request_url`. Falls back to `ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`."),
            Attribute::optional("ado_pipeline_service_connection_id", s.clone())
                .validate(guid())
                .describe("Azure DevOps service connection (workload identity federation) to authenticate with; the pipeline must map `SYSTEM_ACCESSTOKEN`, and the agent sets `SYSTEM_OIDCREQUESTURI`. Falls back to `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, then `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`."),
            Attribute::optional("use_msi", Type::Bool).describe("Authenticate with a managed identity. Falls back to `ARM_USE_MSI`."),
            Attribute::optional("msi_endpoint", s.clone())
                .describe("Custom managed identity (IMDS-style) token endpoint; https, or http only to a link-local or loopback address. Falls back to `ARM_MSI_ENDPOINT`.")
                .validate(msi_endpoint()),
            Attribute::optional("use_cli", Type::Bool)
                .describe("Authenticate with the Azure CLI (`az login`). Falls back to `ARM_USE_CLI`; default `true`."),
            Attribute::optional("environment", s.clone())
                .describe("Azure cloud: `public`, `usgovernment` or `china`. Falls back to `ARM_ENVIRONMENT`; default `public`.")
                .validate(OneOf(&["public", "usgovernment", "china"])),
            Attribute::optional("resource_manager_endpoint", s.clone())
                .describe("Azure Resource Manager endpoint for custom clouds or the local sandbox (https only). Falls back to `ARM_RESOURCE_MANAGER_ENDPOINT`.")
                .validate(https_url()),
            Attribute::optional("authority_host", s.clone())
                .describe("Microsoft Entra authority for custom clouds or the local sandbox (https only). Falls back to `AZURE_AUTHORITY_HOST`.")
                .validate(https_url()),
            Attribute::optional("partner_id", s)
                .describe("A GUID (optionally `pid-` prefixed) sent in the user agent as `pid-<GUID>` to attribute usage. Falls back to `ARM_PARTNER_ID`.")
                .validate(partner_id()),
        ])
        .describe("Creates Azure Private Endpoints and private DNS for Astro Remote Execution Agents over Private Link."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_shaped_variables_are_checked_only_where_they_stand_in() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let none = azure::ProviderSettings::default();
        let bad = check_env_ids(&none, &vars(&[("ARM_SUBSCRIPTION_ID", "my-prod-sub")]));
        let text = format!("{bad:?}");
        assert!(
            bad.has_errors() && text.contains("Invalid ARM_SUBSCRIPTION_ID"),
            "{text}"
        );
        assert!(text.contains("`subscription_id`"), "{text}");
        // The first variable of a chain is the one used, and so the one checked.
        let bad = check_env_ids(&none, &vars(&[("AZURE_TENANT_ID", "contoso")]));
        assert!(format!("{bad:?}").contains("Invalid AZURE_TENANT_ID"));
        let ok = check_env_ids(
            &none,
            &vars(&[
                ("ARM_TENANT_ID", "00000000-0000-0000-0000-0000000000aa"),
                ("AZURE_TENANT_ID", "contoso"),
                ("ARM_CLIENT_ID", " 00000000-0000-0000-0000-0000000000c1 "),
            ]),
        );
        assert!(!ok.has_errors(), "{ok:?}");
        // A variable the provider block overrides is not used, so not checked.
        let explicit = azure::ProviderSettings {
            subscription_id: Some("00000000-0000-0000-0000-000000000001".into()),
            ..Default::default()
        };
        let ok = check_env_ids(&explicit, &vars(&[("ARM_SUBSCRIPTION_ID", "my-prod-sub")]));
        assert!(!ok.has_errors(), "{ok:?}");
        // Each variable is checked against its own attribute, down to the last of the table.
        let connection = &[("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "prod-connection")];
        let bad = check_env_ids(&none, &vars(connection));
        let text = format!("{bad:?}");
        assert!(
            text.contains("Invalid ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"),
            "{text}"
        );
        assert!(
            text.contains("`ado_pipeline_service_connection_id`"),
            "{text}"
        );
        let explicit = azure::ProviderSettings {
            ado_pipeline_service_connection_id: Some("00000000-0000-0000-0000-0000000000ad".into()),
            ..Default::default()
        };
        assert!(!check_env_ids(&explicit, &vars(connection)).has_errors());
        let client = check_env_ids(&explicit, &vars(&[("ARM_CLIENT_ID", "my-app")]));
        assert!(format!("{client:?}").contains("`client_id`"), "{client:?}");
    }

    #[test]
    fn partner_id_and_msi_endpoint_checks() {
        let ok = |c: &StringCheck, s: &str| (c.check_fn())(s).is_ok();
        let p = partner_id();
        assert!(ok(&p, "11111111-2222-3333-4444-555555555555"));
        assert!(ok(&p, "pid-11111111-2222-3333-4444-555555555555"));
        assert!(!ok(&p, "acme"));
        assert!(!ok(&p, "11111111222233334444555555555555"));
        let m = msi_endpoint();
        assert!(ok(&m, "https://msi.example/token"));
        assert!(ok(
            &m,
            "http://169.254.169.254/metadata/identity/oauth2/token"
        ));
        assert!(ok(
            &m,
            "http://127.0.0.1:40342/metadata/identity/oauth2/token"
        ));
        assert!(!ok(&m, "http://msi.example/token"));
        assert!(!ok(&m, "ftp://127.0.0.1/"));
    }
}
