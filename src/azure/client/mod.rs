//! `ArmClient`: one Azure Resource Manager client on the azure_core pipeline (bearer token,
//! request logging without secrets) with generic verbs over [`ArmResource`] and typed methods
//! for what differs per resource. Retries follow one policy ([`super::retry`]), applied here:
//! around every GET, and around every write and delete as a whole (request and long-running
//! operation). Every method takes an [`ArmCallCtx`] whose deadline and cancellation token
//! bound the whole call, including retries and LRO polling.

mod context;
mod pipeline;
mod resources;
mod verbs;

pub use context::{ArmCallCtx, WriteCondition};
use pipeline::{ArmRequestPolicy, check, decode, to_json};
pub(crate) use pipeline::{header_str, response_error, same_as_sent};

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{ClientOptions, Pipeline, RetryOptions, Transport, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config::AzureConfig;
use super::error::{Error, Result};
use super::ids::{
    ARecordId, NetworkInterfaceId, PrivateDnsZoneId, PrivateEndpointId, VirtualNetworkLinkId,
};
use super::models::{
    NetworkInterface, PrivateDnsZone, PrivateEndpoint, RecordSet, VirtualNetworkLink,
};
use super::{NETWORK_API_VERSION, PRIVATE_DNS_API_VERSION};

/// Our part of the user agent when Terraform's version is unknown; Configure normally adds
/// Terraform's part and the partner ID ([`AzureConfig::user_agent_suffix`]).
pub const USER_AGENT: &str = concat!("terraform-provider-astro/", env!("CARGO_PKG_VERSION"));
/// How many times a Private Endpoint write repeats on `InvalidPrivateLinkServiceId` before
/// the alias counts as wrong: Azure answers it for a while after an alias appears.
pub const ALIAS_RETRIES: u32 = 3;
/// How long after a successful write a 404 counts as "not visible yet" (ARM is eventually
/// consistent: azurerm #25220, pulumi-azure-native #3138).
pub const READ_AFTER_WRITE_WINDOW: Duration = Duration::from_secs(60);
/// Pause between reads inside [`READ_AFTER_WRITE_WINDOW`].
pub const READ_AFTER_WRITE_INTERVAL: Duration = Duration::from_secs(3);
/// Pause between reads while a deleted resource still reads as present.
pub const GONE_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// How many 404s in a row count as gone after a delete: a single one has been followed by
/// the object reading again (design/arm-rules.md §9).
pub const GONE_CONFIRMATIONS: u32 = 3;
/// Pause between the confirming reads ([`GONE_CONFIRMATIONS`]): short, so a destroy does not
/// wait long on an object that is really gone.
pub const GONE_CONFIRM_INTERVAL: Duration = Duration::from_secs(1);

const X_MS_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const X_MS_CORRELATION_REQUEST_ID: HeaderName =
    HeaderName::from_static("x-ms-correlation-request-id");
const USER_AGENT_HEADER: HeaderName = HeaderName::from_static("user-agent");

/// An ARM resource ID with its model and api-version, so one generic code path serves all
/// typed methods.
pub trait ArmResource: fmt::Display + Sync {
    /// The serde model of the resource.
    type Model: DeserializeOwned + Serialize + Send + Sync;
    /// api-version for requests.
    const API_VERSION: &'static str;
    /// The ARM path (the ID).
    fn arm_path(&self) -> String;
}

macro_rules! arm_resource {
    ($id:ty, $model:ty, $api:expr) => {
        impl ArmResource for $id {
            type Model = $model;
            const API_VERSION: &'static str = $api;
            fn arm_path(&self) -> String {
                self.path()
            }
        }
    };
}
arm_resource!(PrivateEndpointId, PrivateEndpoint, NETWORK_API_VERSION);
arm_resource!(NetworkInterfaceId, NetworkInterface, NETWORK_API_VERSION);
arm_resource!(PrivateDnsZoneId, PrivateDnsZone, PRIVATE_DNS_API_VERSION);
arm_resource!(
    VirtualNetworkLinkId,
    VirtualNetworkLink,
    PRIVATE_DNS_API_VERSION
);
arm_resource!(ARecordId, RecordSet, PRIVATE_DNS_API_VERSION);

/// The Azure Resource Manager client.
#[derive(Debug, Clone)]
pub struct ArmClient {
    pipeline: Pipeline,
    endpoint: Url,
    subscription_id: String,
}

impl ArmClient {
    /// Builds the client for `config`: one reqwest (rustls) client shared by the credential
    /// and the ARM pipeline.
    pub fn new(config: &AzureConfig) -> Result<Self> {
        let http = super::credential::http_client()?;
        let credential = super::credential::build_credential(config, http.clone())?;
        Self::with_credential(config, credential, Transport::new(http))
    }

    /// Builds the client with an explicit credential and transport (tests, custom hosts).
    pub fn with_credential(
        config: &AzureConfig,
        credential: Arc<dyn TokenCredential>,
        transport: Transport,
    ) -> Result<Self> {
        let endpoint = config.resource_manager_endpoint.clone();
        if endpoint.scheme() != "https" {
            return Err(Error::Internal(format!(
                "resource manager endpoint {endpoint} is not https"
            )));
        }
        let auth = BearerTokenAuthorizationPolicy::new(credential, [config.token_scope.clone()]);
        let options = ClientOptions {
            transport: Some(transport),
            // Retries are ours (super::retry), so that writes and their long-running
            // operations are retried as a whole, with jitter, within the operation's deadline.
            retry: RetryOptions::none(),
            ..Default::default()
        };
        let per_try: Vec<Arc<dyn Policy>> = vec![
            Arc::new(auth),
            Arc::new(ArmRequestPolicy {
                user_agent: config.user_agent_suffix(),
            }),
        ];
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            per_try,
            None,
        );
        Ok(Self {
            pipeline,
            endpoint,
            subscription_id: config.subscription_id.clone(),
        })
    }

    /// The Resource Manager endpoint this client talks to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The configured subscription (for building IDs from names).
    pub fn subscription_id(&self) -> &str {
        &self.subscription_id
    }
}
