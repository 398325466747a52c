//! `ArmClient`: one Azure Resource Manager client on the azure_core pipeline (bearer token,
//! request logging without secrets) with typed methods for Private Endpoints, NICs and
//! Private DNS. Retries follow one policy ([`super::retry`]), applied here: around every GET,
//! and around every write and delete as a whole (request and long-running operation). Every
//! method takes an [`OpCtx`] whose deadline and cancellation token bound the whole call,
//! including retries and LRO polling.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, RawResponse, Request,
    RetryOptions, Transport, Url,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::config::AzureConfig;
use super::error::{Error, Result};
use super::ids::{
    ARecordId, NetworkInterfaceId, PrivateDnsZoneId, PrivateEndpointId, VirtualNetworkLinkId,
};
use super::lro::{self, LroKind, OperationStatus, Start};
use super::models::{
    NetworkInterface, Page, PrivateDnsZone, PrivateEndpoint, RecordSet, VirtualNetworkLink,
};
use super::retry::{self, Attempt, Policy as RetryPolicy};
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
/// Pause between reads while waiting for a deleted resource to disappear.
pub const GONE_POLL_INTERVAL: Duration = Duration::from_secs(5);

const X_MS_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const X_MS_CORRELATION_REQUEST_ID: HeaderName =
    HeaderName::from_static("x-ms-correlation-request-id");
const USER_AGENT_HEADER: HeaderName = HeaderName::from_static("user-agent");

/// Deadline and cancellation for one provider operation.
#[derive(Debug, Clone)]
pub struct OpCtx {
    /// When the operation must give up (from the resource's `timeouts`).
    pub deadline: Instant,
    /// Cancelled by StopProvider or when Terraform goes away.
    pub cancel: CancellationToken,
}

impl OpCtx {
    /// A context that ends `timeout` from now.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        Self {
            deadline: Instant::now() + timeout,
            cancel,
        }
    }

    /// Sleeps `pause`, failing with Timeout if the deadline comes first (after sleeping up to
    /// it) or Cancelled on cancellation.
    pub(crate) async fn sleep(
        &self,
        pause: Duration,
        operation: &str,
        started: Instant,
        last_status: &str,
    ) -> Result<()> {
        let wake = Instant::now() + pause;
        tokio::select! {
            _ = self.cancel.cancelled() => Err(Error::Cancelled),
            _ = tokio::time::sleep_until(wake.min(self.deadline)) => {
                if wake > self.deadline {
                    Err(self.timeout(operation, started, last_status))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Runs `fut` bounded by the deadline and cancellation.
    pub(crate) async fn run<T>(
        &self,
        operation: &str,
        fut: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let started = Instant::now();
        tokio::select! {
            _ = self.cancel.cancelled() => Err(Error::Cancelled),
            _ = tokio::time::sleep_until(self.deadline) => {
                Err(self.timeout(operation, started, "request in flight"))
            }
            r = fut => r,
        }
    }

    fn timeout(&self, operation: &str, started: Instant, last_status: &str) -> Error {
        Error::Timeout {
            operation: operation.to_string(),
            waited: started.elapsed(),
            last_status: last_status.to_string(),
        }
    }
}

/// Conditional-write headers for Private DNS PUTs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCondition {
    /// Send `If-Match: <etag>`: fail with Conflict if the object changed.
    pub if_match: Option<String>,
    /// Send `If-None-Match: *`: fail with Conflict if the object already exists.
    pub if_none_match: bool,
}

impl WriteCondition {
    /// Create only: fail if it exists.
    pub fn create_only() -> Self {
        Self {
            if_match: None,
            if_none_match: true,
        }
    }

    /// Update only the version with this etag.
    pub fn if_match(etag: impl Into<String>) -> Self {
        Self {
            if_match: Some(etag.into()),
            if_none_match: false,
        }
    }

    fn apply(&self, req: &mut Request) {
        if let Some(etag) = &self.if_match {
            req.insert_header("if-match", etag.clone());
        }
        if self.if_none_match {
            req.insert_header("if-none-match", "*");
        }
    }
}

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

    // ---- Private Endpoints -------------------------------------------------------------

    /// GET a Private Endpoint; `None` on 404.
    pub async fn get_private_endpoint(
        &self,
        id: &PrivateEndpointId,
        ctx: &OpCtx,
    ) -> Result<Option<PrivateEndpoint>> {
        self.get(id, ctx).await
    }

    /// PUT a Private Endpoint, wait for the operation (Azure-AsyncOperation), then GET it.
    pub async fn put_private_endpoint(
        &self,
        id: &PrivateEndpointId,
        body: &PrivateEndpoint,
        ctx: &OpCtx,
    ) -> Result<PrivateEndpoint> {
        let policy = RetryPolicy::arm().with_alias_retries(ALIAS_RETRIES);
        self.put_lro(id, body, &WriteCondition::default(), &policy, ctx)
            .await
    }

    /// DELETE a Private Endpoint and wait until it is gone (404 at any point = done).
    pub async fn delete_private_endpoint(&self, id: &PrivateEndpointId, ctx: &OpCtx) -> Result<()> {
        self.delete_lro(id, ctx).await
    }

    /// GET a network interface; `None` on 404.
    pub async fn get_network_interface(
        &self,
        id: &NetworkInterfaceId,
        ctx: &OpCtx,
    ) -> Result<Option<NetworkInterface>> {
        self.get(id, ctx).await
    }

    /// The endpoint's private IP, read from its first NIC (azurerm's way); `None` when the
    /// endpoint has no NIC yet, the NIC is gone, or it has no address.
    pub async fn private_endpoint_ip(
        &self,
        endpoint: &PrivateEndpoint,
        ctx: &OpCtx,
    ) -> Result<Option<String>> {
        let Some(nic_id) = endpoint.network_interface_id() else {
            return Ok(None);
        };
        let nic_id = NetworkInterfaceId::parse(nic_id).map_err(|e| {
            Error::Internal(format!(
                "Azure returned a network interface ID that does not parse: {e}"
            ))
        })?;
        Ok(self
            .get_network_interface(&nic_id, ctx)
            .await?
            .as_ref()
            .and_then(super::models::private_ip))
    }

    // ---- Private DNS zones -------------------------------------------------------------

    /// GET a private DNS zone; `None` on 404.
    pub async fn get_private_dns_zone(
        &self,
        id: &PrivateDnsZoneId,
        ctx: &OpCtx,
    ) -> Result<Option<PrivateDnsZone>> {
        self.get(id, ctx).await
    }

    /// PUT a private DNS zone (LRO), optionally create-only or etag-guarded, then GET it.
    pub async fn put_private_dns_zone(
        &self,
        id: &PrivateDnsZoneId,
        body: &PrivateDnsZone,
        condition: &WriteCondition,
        ctx: &OpCtx,
    ) -> Result<PrivateDnsZone> {
        self.put_lro(id, body, condition, &RetryPolicy::arm(), ctx)
            .await
    }

    /// DELETE a private DNS zone (LRO). Azure refuses while links exist.
    pub async fn delete_private_dns_zone(&self, id: &PrivateDnsZoneId, ctx: &OpCtx) -> Result<()> {
        self.delete_lro(id, ctx).await
    }

    /// Every private DNS zone of the configured subscription (PrivateZones_List, follows
    /// nextLink).
    pub async fn list_private_dns_zones(&self, ctx: &OpCtx) -> Result<Vec<PrivateDnsZone>> {
        let path = format!(
            "/subscriptions/{}/providers/Microsoft.Network/privateDnsZones",
            self.subscription_id
        );
        self.list(
            &path,
            PRIVATE_DNS_API_VERSION,
            ctx,
            &format!(
                "listing the private DNS zones of subscription {}",
                self.subscription_id
            ),
        )
        .await
    }

    // ---- Virtual network links ---------------------------------------------------------

    /// GET a virtual network link; `None` on 404.
    pub async fn get_virtual_network_link(
        &self,
        id: &VirtualNetworkLinkId,
        ctx: &OpCtx,
    ) -> Result<Option<VirtualNetworkLink>> {
        self.get(id, ctx).await
    }

    /// PUT a virtual network link (LRO), then GET it.
    pub async fn put_virtual_network_link(
        &self,
        id: &VirtualNetworkLinkId,
        body: &VirtualNetworkLink,
        condition: &WriteCondition,
        ctx: &OpCtx,
    ) -> Result<VirtualNetworkLink> {
        self.put_lro(id, body, condition, &RetryPolicy::arm(), ctx)
            .await
    }

    /// DELETE a virtual network link (LRO), then wait until GET answers 404: the API has
    /// reported links gone while they lingered (azurerm polls the same way).
    pub async fn delete_virtual_network_link(
        &self,
        id: &VirtualNetworkLinkId,
        ctx: &OpCtx,
    ) -> Result<()> {
        self.delete_lro(id, ctx).await?;
        self.wait_until_gone(id, ctx).await
    }

    /// All virtual network links of a zone (follows nextLink).
    pub async fn list_virtual_network_links(
        &self,
        zone: &PrivateDnsZoneId,
        ctx: &OpCtx,
    ) -> Result<Vec<VirtualNetworkLink>> {
        let path = format!("{}/virtualNetworkLinks", zone.path());
        self.list(
            &path,
            PRIVATE_DNS_API_VERSION,
            ctx,
            &format!("listing virtual network links of {zone}"),
        )
        .await
    }

    // ---- Record sets -------------------------------------------------------------------

    /// GET an A record set; `None` on 404.
    pub async fn get_a_record(&self, id: &ARecordId, ctx: &OpCtx) -> Result<Option<RecordSet>> {
        self.get(id, ctx).await
    }

    /// PUT an A record set (synchronous: 200/201 with the record).
    pub async fn put_a_record(
        &self,
        id: &ARecordId,
        body: &RecordSet,
        condition: &WriteCondition,
        ctx: &OpCtx,
    ) -> Result<RecordSet> {
        let operation = format!("writing {id}");
        let url = self.url(id)?;
        let (url, what) = (&url, operation.as_str());
        retry::run(&RetryPolicy::arm(), ctx, what, |attempt| async move {
            let resp = self
                .send_json(Method::Put, url.clone(), Some(body), condition, ctx, what)
                .await?;
            if let Some(adopted) = self
                .adopt_own_write(id, body, condition, attempt, &resp, ctx)
                .await?
            {
                return Ok(adopted);
            }
            decode(&check(resp)?, what)
        })
        .await
    }

    /// DELETE an A record set (synchronous; 404 = already gone).
    pub async fn delete_a_record(&self, id: &ARecordId, ctx: &OpCtx) -> Result<()> {
        let operation = format!("deleting {id}");
        let url = self.url(id)?;
        retry::run(&RetryPolicy::arm(), ctx, &operation, |_| async {
            let resp = self
                .send_json::<()>(
                    Method::Delete,
                    url.clone(),
                    None,
                    &WriteCondition::default(),
                    ctx,
                    &operation,
                )
                .await?;
            if u16::from(resp.status()) == 404 {
                return Ok(());
            }
            check(resp).map(|_| ())
        })
        .await
    }

    /// Every record set of a zone, all types (`.../ALL`, follows nextLink).
    pub async fn list_record_sets(
        &self,
        zone: &PrivateDnsZoneId,
        ctx: &OpCtx,
    ) -> Result<Vec<RecordSet>> {
        let path = format!("{}/ALL", zone.path());
        self.list(
            &path,
            PRIVATE_DNS_API_VERSION,
            ctx,
            &format!("listing record sets of {zone}"),
        )
        .await
    }

    // ---- Private Link Service visibility -----------------------------------------------

    /// Whether the Private Link Service behind `alias` is visible to `subscription_id` in
    /// `location` (POST `.../locations/{location}/checkPrivateLinkServiceVisibility`).
    /// `None` when Azure answers with a long-running operation instead of the result: this is
    /// a diagnostic aid, not worth waiting for.
    pub async fn private_link_service_visible(
        &self,
        subscription_id: &str,
        location: &str,
        alias: &str,
        ctx: &OpCtx,
    ) -> Result<Option<bool>> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Ask<'a> {
            private_link_service_alias: &'a str,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            visible: Option<bool>,
        }
        let path = format!(
            "/subscriptions/{subscription_id}/providers/Microsoft.Network/locations/{location}/checkPrivateLinkServiceVisibility"
        );
        let operation = format!("checking the visibility of {alias}");
        let url = self.url_for(&path, NETWORK_API_VERSION)?;
        let body = Ask {
            private_link_service_alias: alias,
        };
        let resp = self
            .send_json(
                Method::Post,
                url,
                Some(&body),
                &WriteCondition::default(),
                ctx,
                &operation,
            )
            .await?;
        if u16::from(resp.status()) == 202 {
            return Ok(None);
        }
        let answer: Answer = decode(&check(resp)?, &operation)?;
        Ok(answer.visible)
    }

    // ---- Generic operations ------------------------------------------------------------

    /// GET any resource; `None` on 404.
    pub async fn get<I: ArmResource>(&self, id: &I, ctx: &OpCtx) -> Result<Option<I::Model>> {
        let operation = format!("reading {id}");
        let resp = self.raw_get(self.url(id)?, ctx, &operation).await?;
        if u16::from(resp.status()) == 404 {
            return Ok(None);
        }
        decode(&check(resp)?, &operation).map(Some)
    }

    /// GET after a successful write: a 404 within [`READ_AFTER_WRITE_WINDOW`] means "not
    /// visible yet" and is retried; `None` only if it stays 404 for the whole window.
    pub async fn get_after_write<I: ArmResource>(
        &self,
        id: &I,
        ctx: &OpCtx,
    ) -> Result<Option<I::Model>> {
        let started = Instant::now();
        loop {
            if let Some(model) = self.get(id, ctx).await? {
                return Ok(Some(model));
            }
            if started.elapsed() >= READ_AFTER_WRITE_WINDOW {
                return Ok(None);
            }
            debug!("{id} not visible yet after a successful write; reading again");
            ctx.sleep(
                READ_AFTER_WRITE_INTERVAL,
                &format!("{id} to become readable"),
                started,
                "404 Not Found",
            )
            .await?;
        }
    }

    /// PUT, wait for the operation, then GET; retried as a whole under `policy`.
    async fn put_lro<I: ArmResource>(
        &self,
        id: &I,
        body: &I::Model,
        condition: &WriteCondition,
        policy: &RetryPolicy,
        ctx: &OpCtx,
    ) -> Result<I::Model> {
        let operation = format!("writing {id}");
        retry::run(policy, ctx, &operation, |attempt| {
            self.put_lro_once(id, body, condition, attempt, ctx, &operation)
        })
        .await
    }

    async fn put_lro_once<I: ArmResource>(
        &self,
        id: &I,
        body: &I::Model,
        condition: &WriteCondition,
        attempt: Attempt,
        ctx: &OpCtx,
        operation: &str,
    ) -> Result<I::Model> {
        let url = self.url(id)?;
        let resp = self
            .send_json(
                Method::Put,
                url.clone(),
                Some(body),
                condition,
                ctx,
                operation,
            )
            .await?;
        if let Some(adopted) = self
            .adopt_own_write(id, body, condition, attempt, &resp, ctx)
            .await?
        {
            return Ok(adopted);
        }
        let resp = check(resp)?;
        match lro::start(self, &resp, &url, LroKind::Write)? {
            Start::Done if !resp.body().as_ref().is_empty() => return decode(&resp, operation),
            Start::Done => {}
            Start::Poll {
                target,
                retry_after,
                last_status,
            } => {
                lro::wait(
                    self,
                    target,
                    retry_after,
                    last_status,
                    LroKind::Write,
                    operation,
                    ctx,
                )
                .await?;
            }
        }
        self.get_after_write(id, ctx)
            .await?
            .ok_or_else(|| Error::NotFound {
                code: "ResourceNotFound".to_string(),
                message: format!(
                    "{id} was written successfully but still reads as not found after {}",
                    super::error::fmt_duration(READ_AFTER_WRITE_WINDOW)
                ),
            })
    }

    /// A conditional PUT answered 412 after an earlier attempt whose answer was lost (5xx,
    /// 408, broken connection) may have met its own write: a create-only one (`If-None-Match:
    /// *`) the object that attempt created, an `If-Match` one the new etag that attempt gave
    /// the object. The object is taken as ours when it holds everything we sent
    /// ([`same_as_sent`], the etag aside); anything else is someone else's and the 412 stands
    /// (the caller reports it, with the import hint for a create). Why both conditions: a 412
    /// on the first attempt means the object existed (or changed) before we wrote anything,
    /// so it cannot be our doing whatever it holds; and after a lost answer the object could
    /// still be someone else's write in that instant, which is only harmless to adopt when it
    /// is exactly what we asked for. A marker tag would tell the two apart for certain, but it
    /// would show up in Azure and as drift in tags. Returns the adopted object, or `None` to
    /// go on with the response.
    async fn adopt_own_write<I: ArmResource>(
        &self,
        id: &I,
        sent: &I::Model,
        condition: &WriteCondition,
        attempt: Attempt,
        resp: &RawResponse,
        ctx: &OpCtx,
    ) -> Result<Option<I::Model>> {
        if u16::from(resp.status()) != 412
            || *condition == WriteCondition::default()
            || !attempt.earlier_outcome_unknown
        {
            return Ok(None);
        }
        let Some(found) = self.get(id, ctx).await? else {
            return Ok(None);
        };
        let (mut sent_json, found_json) = (to_json(sent)?, to_json(&found)?);
        // The etag we sent is the version we started from, not content.
        if let Some(body) = sent_json.as_object_mut() {
            body.remove("etag");
        }
        if !same_as_sent(&sent_json, &found_json) {
            return Ok(None);
        }
        // Ours, but its creation may still be running or may have ended Failed: take it
        // only once it succeeded. A busy code makes the retry policy come back later; a
        // failure is reported like a failed operation (the caller keeps the object, tainted).
        let state = found_json["properties"]["provisioningState"]
            .as_str()
            .map(OperationStatus::parse);
        match state {
            Some(s @ (OperationStatus::Failed | OperationStatus::Canceled)) => {
                Err(Error::OperationFailed {
                    status: s.as_str().to_string(),
                    code: "ProvisioningFailed".to_string(),
                    message: format!(
                        "{id} was created by an earlier try whose answer was lost, and its provisioning ended {}",
                        s.as_str()
                    ),
                })
            }
            Some(s) if !s.is_terminal() => Err(Error::Conflict {
                code: "AnotherOperationInProgress".to_string(),
                message: format!(
                    "{id} is still being created by an earlier try whose answer was lost (provisioningState {})",
                    s.as_str()
                ),
            }),
            _ => {
                tracing::info!(
                    "{id}: the answer to an earlier create was lost and the object it created is there; using it"
                );
                Ok(Some(found))
            }
        }
    }

    /// DELETE and wait for the operation; 404 at any point means done. Retried as a whole.
    async fn delete_lro<I: ArmResource>(&self, id: &I, ctx: &OpCtx) -> Result<()> {
        let operation = format!("deleting {id}");
        retry::run(&RetryPolicy::arm(), ctx, &operation, |_| {
            self.delete_lro_once(id, ctx, &operation)
        })
        .await
    }

    async fn delete_lro_once<I: ArmResource>(
        &self,
        id: &I,
        ctx: &OpCtx,
        operation: &str,
    ) -> Result<()> {
        let url = self.url(id)?;
        let resp = self
            .send_json::<()>(
                Method::Delete,
                url.clone(),
                None,
                &WriteCondition::default(),
                ctx,
                operation,
            )
            .await?;
        if u16::from(resp.status()) == 404 {
            return Ok(());
        }
        let resp = check(resp)?;
        match lro::start(self, &resp, &url, LroKind::Delete)? {
            Start::Done => Ok(()),
            Start::Poll {
                target,
                retry_after,
                last_status,
            } => {
                lro::wait(
                    self,
                    target,
                    retry_after,
                    last_status,
                    LroKind::Delete,
                    operation,
                    ctx,
                )
                .await
            }
        }
    }

    async fn wait_until_gone<I: ArmResource>(&self, id: &I, ctx: &OpCtx) -> Result<()> {
        let started = Instant::now();
        let operation = format!("{id} to disappear after deletion");
        while self.get(id, ctx).await?.is_some() {
            debug!("{id} still readable after its deletion finished; waiting");
            ctx.sleep(GONE_POLL_INTERVAL, &operation, started, "still present")
                .await?;
        }
        Ok(())
    }

    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        api_version: &str,
        ctx: &OpCtx,
        operation: &str,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut next = Some(self.url_for(path, api_version)?);
        while let Some(url) = next.take() {
            let page: Page<T> =
                decode(&check(self.raw_get(url, ctx, operation).await?)?, operation)?;
            items.extend(page.value);
            next = match page.next_link.filter(|l| !l.is_empty()) {
                Some(link) => Some(self.follow_url(&link)?),
                None => None,
            };
        }
        Ok(items)
    }

    // ---- Plumbing ----------------------------------------------------------------------

    fn url<I: ArmResource>(&self, id: &I) -> Result<Url> {
        self.url_for(&id.arm_path(), I::API_VERSION)
    }

    /// `endpoint + path?api-version=...`, each path segment percent-encoded.
    fn url_for(&self, path: &str, api_version: &str) -> Result<Url> {
        let mut url = self.endpoint.clone();
        url.path_segments_mut()
            .map_err(|()| {
                Error::Internal(format!("endpoint {} cannot take a path", self.endpoint))
            })?
            .pop_if_empty()
            .extend(path.split('/').filter(|s| !s.is_empty()));
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        Ok(url)
    }

    /// Validates a URL Azure handed back (nextLink, Azure-AsyncOperation, Location): it must
    /// be https on the endpoint's host, so the bearer token never goes anywhere else.
    pub(crate) fn follow_url(&self, raw: &str) -> Result<Url> {
        let url = Url::parse(raw)
            .or_else(|_| self.endpoint.join(raw))
            .map_err(|e| Error::Internal(format!("Azure returned an unusable URL {raw:?}: {e}")))?;
        let same_origin = url.scheme() == "https"
            && url.host_str() == self.endpoint.host_str()
            && url.port_or_known_default() == self.endpoint.port_or_known_default();
        if !same_origin {
            return Err(Error::UntrustedUrl {
                url: format!(
                    "{}://{}{}",
                    url.scheme(),
                    url.host_str().unwrap_or(""),
                    url.path()
                ),
            });
        }
        Ok(url)
    }

    /// GET without status checks (the caller interprets 404/202), retried under
    /// [`RetryPolicy::reads`] on 408/429/5xx and broken connections.
    pub(crate) async fn raw_get(
        &self,
        url: Url,
        ctx: &OpCtx,
        operation: &str,
    ) -> Result<RawResponse> {
        retry::run(&RetryPolicy::reads(), ctx, operation, |_| async {
            let resp = self
                .send_json::<()>(
                    Method::Get,
                    url.clone(),
                    None,
                    &WriteCondition::default(),
                    ctx,
                    operation,
                )
                .await?;
            fail_if_transient(resp)
        })
        .await
    }

    async fn send_json<B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        condition: &WriteCondition,
        ctx: &OpCtx,
        operation: &str,
    ) -> Result<RawResponse> {
        let mut req = Request::new(url, method);
        req.insert_header("accept", "application/json");
        condition.apply(&mut req);
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                Error::Internal(format!("encoding the request for {operation}: {e}"))
            })?;
            req.insert_header("content-type", "application/json");
            req.set_body(bytes);
        }
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let send = async {
            self.pipeline
                .send(&Context::new(), &mut req, Some(options))
                .await
                .map_err(map_core_error)
        };
        ctx.run(operation, send).await
    }
}

/// Turns a 408/429/5xx answer into its error, so that [`retry::run`] repeats it; any other
/// answer is left to the caller.
fn fail_if_transient(resp: RawResponse) -> Result<RawResponse> {
    let status = u16::from(resp.status());
    if status == 408 || status == 429 || status >= 500 {
        Err(response_error(&resp))
    } else {
        Ok(resp)
    }
}

fn to_json<T: Serialize>(model: &T) -> Result<serde_json::Value> {
    serde_json::to_value(model)
        .map_err(|e| Error::Internal(format!("encoding a model for comparison: {e}")))
}

/// Whether `found` holds everything in `sent`: every non-null field of `sent` is in `found`
/// with an equal value (objects compared the same way, recursively; arrays element by
/// element; strings ignoring ASCII case, as ARM treats IDs and locations). Fields only in
/// `found` (read-only properties, etags, what Azure fills in) do not matter; an empty object
/// or array sent matches a missing one.
pub(crate) fn same_as_sent(sent: &serde_json::Value, found: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (sent, found) {
        (J::Null, _) => true,
        (J::Object(s), J::Null) => s.values().all(J::is_null),
        (J::Array(s), J::Null) => s.is_empty(),
        (J::Object(s), J::Object(f)) => s
            .iter()
            .all(|(k, v)| same_as_sent(v, f.get(k).unwrap_or(&J::Null))),
        (J::Array(s), J::Array(f)) => {
            s.len() == f.len() && s.iter().zip(f).all(|(a, b)| same_as_sent(a, b))
        }
        (J::String(s), J::String(f)) => s.eq_ignore_ascii_case(f),
        (J::Number(s), J::Number(f)) => s.as_f64() == f.as_f64(),
        (s, f) => s == f,
    }
}

fn map_core_error(e: azure_core::Error) -> Error {
    match e.kind() {
        azure_core::error::ErrorKind::Credential => Error::Credential(e),
        _ => Error::Transport(e),
    }
}

/// A header's value as text.
pub(crate) fn header_str<'a>(resp: &'a RawResponse, name: &HeaderName) -> Option<&'a str> {
    resp.headers().get_optional_str(name)
}

/// The error for an unsuccessful response.
pub(crate) fn response_error(resp: &RawResponse) -> Error {
    Error::from_response(
        u16::from(resp.status()),
        resp.body().as_ref(),
        header_str(resp, &X_MS_REQUEST_ID).map(str::to_string),
        lro::retry_after(resp),
    )
}

fn check(resp: RawResponse) -> Result<RawResponse> {
    if resp.status().is_success() {
        Ok(resp)
    } else {
        Err(response_error(&resp))
    }
}

fn decode<T: DeserializeOwned>(resp: &RawResponse, operation: &str) -> Result<T> {
    serde_json::from_slice(resp.body().as_ref()).map_err(|source| Error::Decode {
        what: format!("the response to {operation}"),
        source,
    })
}

/// Per-try policy: appends our part to the SDK's user agent (azurerm's shape: SDK, Terraform,
/// provider, `pid-<partner>`) and logs each try at DEBUG (method, path, status, request IDs).
/// It never logs headers such as Authorization, query strings or bodies.
#[derive(Debug)]
struct ArmRequestPolicy {
    /// Appended after the SDK's own user agent.
    user_agent: String,
}

#[async_trait::async_trait]
impl Policy for ArmRequestPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let user_agent = match request.headers().get_optional_str(&USER_AGENT_HEADER) {
            // A retry sees the header this policy already extended.
            Some(already) if already.ends_with(&format!(" {}", self.user_agent)) => {
                already.to_string()
            }
            Some(sdk) => format!("{sdk} {}", self.user_agent),
            None => self.user_agent.clone(),
        };
        request.insert_header(USER_AGENT_HEADER, user_agent);
        let method = request.method();
        let path = request.url().path().to_string();
        let result = next[0].send(ctx, request, &next[1..]).await;
        match &result {
            Ok(resp) => {
                let h = resp.headers();
                debug!(
                    %method,
                    %path,
                    status = u16::from(resp.status()),
                    request_id = h.get_optional_str(&X_MS_REQUEST_ID).unwrap_or("-"),
                    correlation_id = h.get_optional_str(&X_MS_CORRELATION_REQUEST_ID).unwrap_or("-"),
                    "ARM response"
                );
            }
            Err(e) => debug!(%method, %path, error = %e, "ARM request failed"),
        }
        result
    }
}
