//! The Astro provider: the provider block (Azure settings and credentials), and the
//! registry of its resources and data sources.

pub mod connection_data_source;
pub mod errors;
pub mod poll_schedule;
pub mod private_dns;
pub mod private_endpoint;
pub mod private_endpoint_approval;
pub mod private_link_check;
pub mod settings;
pub mod tags;
pub mod validation;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;

use crate::azure::{self, ArmClient};
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::erased::{self, AnyDataSource, AnyResource};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Provider};
use crate::framework::schema::Schema;
use crate::framework::timeouts::TimeoutDefaults;
use crate::framework::value::Value;

/// Default deadlines of both resources (docs/resources/): create 30m, read 5m, update 30m,
/// delete 30m.
pub(crate) const TIMEOUTS: TimeoutDefaults = TimeoutDefaults {
    create: Duration::from_secs(30 * 60),
    read: Duration::from_secs(5 * 60),
    update: Duration::from_secs(30 * 60),
    delete: Duration::from_secs(30 * 60),
};

/// The ARM client's view of an operation's deadline and cancellation.
/// The default of every `tags` argument. Azure does not tell "no tags" from "empty tags", so
/// state always holds a map (empty when there are none): a resource imported without tags
/// then plans clean whether the configuration leaves `tags` out or writes `tags = {}`, and a
/// null/empty flip can never show as drift.
pub(crate) fn no_tags() -> Value {
    Value::Map(std::collections::BTreeMap::new())
}

/// The deadline and cancellation of a Terraform operation, as the ARM client takes them.
pub(crate) fn arm_ctx(ctx: &OpContext) -> azure::ArmCallCtx {
    azure::ArmCallCtx {
        deadline: ctx.deadline,
        cancel: ctx.cancel.clone(),
        budget: Default::default(),
    }
}

/// Whether two ID-valued attribute values name the same resources: ARM IDs compare
/// case-insensitively (a string, or a set/list of them element by element). Used with
/// `equivalent_when`, so a case-only change in the configuration keeps the stored spelling
/// and plans no change.
pub(crate) fn same_id(a: &Value, b: &Value) -> bool {
    if let (Some(a), Some(b)) = (a.as_str(), b.as_str()) {
        return a.eq_ignore_ascii_case(b);
    }
    let (Some(a), Some(b)) = (a.as_elements(), b.as_elements()) else {
        return false;
    };
    let lower = |v: &[Value]| -> Option<std::collections::BTreeSet<String>> {
        v.iter()
            .map(|e| e.as_str().map(str::to_ascii_lowercase))
            .collect()
    };
    a.len() == b.len() && lower(a).is_some() && lower(a) == lower(b)
}

/// The planned spelling of `id` when the plan holds the same ID in another case, else `id`.
pub(crate) fn planned_spelling<'a>(
    planned: impl IntoIterator<Item = &'a String>,
    id: &str,
) -> String {
    planned
        .into_iter()
        .find(|p| p.eq_ignore_ascii_case(id))
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

/// The prior spelling when it equals Azure's ignoring case (ARM changes casing freely).
pub(crate) fn keep_if_same(prior: Option<&str>, azure: &str) -> String {
    match prior {
        Some(p) if p.eq_ignore_ascii_case(azure) => p.to_string(),
        _ => azure.to_string(),
    }
}

/// The Azure client, set by Configure. The subscription new objects go in is the client's
/// ([`ArmClient::subscription_id`]): it is resolved once, in `azure::resolve`, and held there.
#[derive(Debug)]
pub struct Configured {
    /// The ARM client.
    pub arm: ArmClient,
}

/// The configured client, set once Configure has run; shared by every resource.
#[derive(Clone, Default)]
pub struct Client(Arc<OnceLock<Arc<Configured>>>);

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Client(configured)"
        } else {
            "Client(unconfigured)"
        })
    }
}

impl Client {
    /// The configured client, or an error diagnostic saying the provider is not configured.
    pub fn get(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.0.get().cloned().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The astro provider has no usable configuration (its provider block may depend on values only known after apply). Set subscription_id and credentials to known values.",
            )
            .into()
        })
    }
}

/// The provider.
#[derive(Debug, Default)]
pub struct AstroProvider {
    client: Client,
}

impl AstroProvider {
    /// A provider with no configuration yet.
    pub fn new() -> Self {
        Self::default()
    }
}

pub use settings::provider_schema;

#[async_trait]
impl Provider for AstroProvider {
    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        if set("client_secret")
            && config.get_attr("use_oidc").and_then(Value::as_bool) == Some(true)
        {
            diags.push(
                Diagnostic::warning(
                    "Conflicting credentials",
                    "client_secret and use_oidc are both set; the client secret is used (credential order: client certificate, client secret, OIDC, managed identity, Azure CLI).",
                )
                .at(AttributePath::root().attr("use_oidc")),
            );
        }
        if set("oidc_token") && set("oidc_token_file_path") {
            diags.push(
                Diagnostic::error(
                    "Conflicting attributes",
                    "set only one of oidc_token and oidc_token_file_path",
                )
                .at(AttributePath::root().attr("oidc_token_file_path")),
            );
        }
    }

    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        if !config.is_wholly_known() {
            // Known only after apply: resources that need the client report it when used.
            return Diagnostics::new();
        }
        let settings = match settings::from_config(config, terraform_version) {
            Ok(s) => s,
            Err(e) => {
                return Diagnostic::error("Invalid provider configuration", e.to_string()).into();
            }
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let bad_ids = settings::check_env_ids(&settings, &env);
        if bad_ids.has_errors() {
            return bad_ids;
        }
        let cfg = match azure::resolve(&settings, &env) {
            Ok(c) => c,
            Err(e) => {
                return Diagnostic::error("Invalid provider configuration", e.to_string()).into();
            }
        };
        match ArmClient::new(&cfg) {
            Ok(arm) => {
                let _ = self.client.0.set(Arc::new(Configured { arm }));
                Diagnostics::new()
            }
            Err(e) => Diagnostic::error("Cannot set up Azure credentials", e.to_string()).into(),
        }
    }

    fn resources(&self) -> Vec<Box<dyn AnyResource>> {
        vec![
            erased::resource(private_endpoint::PrivateEndpoint::new(self.client.clone())),
            erased::resource(private_dns::PrivateDns::new(self.client.clone())),
            erased::resource(private_endpoint_approval::PrivateEndpointApproval::new(
                self.client.clone(),
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Box<dyn AnyDataSource>> {
        vec![
            erased::data_source(connection_data_source::Connection::new(self.client.clone())),
            erased::data_source(private_link_check::PrivateLinkCheck::new(
                self.client.clone(),
            )),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_without_case_and_keep_the_planned_spelling() {
        let s = |v: &str| Value::string(v);
        assert!(same_id(
            &s("/subscriptions/S/resourceGroups/RG/x"),
            &s("/subscriptions/s/resourcegroups/rg/x")
        ));
        assert!(!same_id(&s("/a/x"), &s("/a/y")));
        let set = |v: &[&str]| Value::Set(v.iter().map(|x| s(x)).collect());
        assert!(same_id(&set(&["/A", "/b"]), &set(&["/B", "/a"])));
        assert!(!same_id(&set(&["/A", "/b"]), &set(&["/a"])));
        assert!(!same_id(&set(&["/A", "/a"]), &set(&["/a", "/b"])));
        let planned = ["/RG/v".to_string()];
        assert_eq!(planned_spelling(&planned, "/rg/V"), "/RG/v");
        assert_eq!(planned_spelling(&planned, "/other"), "/other");
    }
}
