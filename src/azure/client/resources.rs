//! Operations whose behaviour differs per resource type: PUT retry policies, deletes that wait
//! until gone, lists, the endpoint's IP and Private Link visibility. Plain GETs and DELETEs use
//! the generic verbs.

use azure_core::http::Method;
use serde::Serialize;

use super::*;
use crate::azure::error::{Error, Result};
use crate::azure::ids::{
    ARecordId, NetworkInterfaceId, PrivateDnsZoneId, PrivateEndpointId, VirtualNetworkLinkId,
};
use crate::azure::models::{PrivateDnsZone, PrivateEndpoint, RecordSet, VirtualNetworkLink};
use crate::azure::retry::{self, Policy as RetryPolicy};
use crate::azure::{NETWORK_API_VERSION, PRIVATE_DNS_API_VERSION};

impl ArmClient {
    // ---- Private Endpoints -------------------------------------------------------------

    /// PUT a Private Endpoint, wait for the operation (Azure-AsyncOperation), then GET it.
    pub async fn put_private_endpoint(
        &self,
        id: &PrivateEndpointId,
        body: &PrivateEndpoint,
        ctx: &ArmCallCtx,
    ) -> Result<PrivateEndpoint> {
        let policy = RetryPolicy::arm().with_alias_retries(ALIAS_RETRIES);
        self.put_lro(id, body, &WriteCondition::default(), &policy, ctx)
            .await
    }

    /// The endpoint's private IP, read from its first NIC (azurerm's way); `None` when the
    /// endpoint has no NIC yet, the NIC is gone, or it has no address.
    pub async fn private_endpoint_ip(
        &self,
        endpoint: &PrivateEndpoint,
        ctx: &ArmCallCtx,
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
            .get(&nic_id, ctx)
            .await?
            .as_ref()
            .and_then(crate::azure::models::private_ip))
    }

    // ---- Private DNS zones -------------------------------------------------------------

    /// PUT a private DNS zone (LRO), optionally create-only or etag-guarded, then GET it.
    pub async fn put_private_dns_zone(
        &self,
        id: &PrivateDnsZoneId,
        body: &PrivateDnsZone,
        condition: &WriteCondition,
        ctx: &ArmCallCtx,
    ) -> Result<PrivateDnsZone> {
        self.put_lro(id, body, condition, &RetryPolicy::arm(), ctx)
            .await
    }

    /// Every private DNS zone of the configured subscription (PrivateZones_List, follows
    /// nextLink).
    pub async fn list_private_dns_zones(&self, ctx: &ArmCallCtx) -> Result<Vec<PrivateDnsZone>> {
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

    /// PUT a virtual network link (LRO), then GET it.
    pub async fn put_virtual_network_link(
        &self,
        id: &VirtualNetworkLinkId,
        body: &VirtualNetworkLink,
        condition: &WriteCondition,
        ctx: &ArmCallCtx,
    ) -> Result<VirtualNetworkLink> {
        self.put_lro(id, body, condition, &RetryPolicy::arm(), ctx)
            .await
    }

    /// DELETE a virtual network link (LRO), then wait until GET answers 404 several times in
    /// a row ([`Self::wait_until_gone`]): the API has reported links deleted while they could
    /// still be read. azurerm does the same after its delete, with a longer wait: a
    /// `pluginsdk.StateChangeConf` from `Available` to `NotFound` with
    /// `ContinuousTargetOccurence: 10`, polling every 10s after a 30s delay
    /// (hashicorp/terraform-provider-azurerm,
    /// internal/services/privatedns/private_dns_zone_virtual_network_link_resource.go).
    /// The DELETE and the reads spend one retry budget.
    pub async fn delete_virtual_network_link(
        &self,
        id: &VirtualNetworkLinkId,
        ctx: &ArmCallCtx,
    ) -> Result<()> {
        let ctx = &ctx.operation();
        self.delete(id, ctx).await?;
        self.wait_until_gone(id, ctx).await
    }

    /// All virtual network links of a zone (follows nextLink).
    pub async fn list_virtual_network_links(
        &self,
        zone: &PrivateDnsZoneId,
        ctx: &ArmCallCtx,
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

    /// PUT an A record set (synchronous: 200/201 with the record).
    pub async fn put_a_record(
        &self,
        id: &ARecordId,
        body: &RecordSet,
        condition: &WriteCondition,
        ctx: &ArmCallCtx,
    ) -> Result<RecordSet> {
        let ctx = &ctx.operation();
        let operation = format!("writing {id}");
        let url = self.url(id)?;
        let (url, what) = (&url, operation.as_str());
        retry::run(&RetryPolicy::arm(), ctx, what, |attempt| async move {
            if let Some(found) = self.reread_after_unknown(id, body, attempt, ctx).await? {
                return Ok(found);
            }
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
    pub async fn delete_a_record(&self, id: &ARecordId, ctx: &ArmCallCtx) -> Result<()> {
        let ctx = &ctx.operation();
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

    /// Every record set of a zone, all types (RecordSets_List: `.../ALL`, follows nextLink).
    pub async fn list_record_sets(
        &self,
        zone: &PrivateDnsZoneId,
        ctx: &ArmCallCtx,
    ) -> Result<Vec<RecordSet>> {
        self.list_records_of(zone, "ALL", ctx).await
    }

    /// The A record sets of a zone (RecordSets_ListByType with type `A`, follows nextLink).
    pub async fn list_a_records(
        &self,
        zone: &PrivateDnsZoneId,
        ctx: &ArmCallCtx,
    ) -> Result<Vec<RecordSet>> {
        self.list_records_of(zone, "A", ctx).await
    }

    /// The record sets of a zone under `.../{record_type}` (`ALL` or a type).
    async fn list_records_of(
        &self,
        zone: &PrivateDnsZoneId,
        record_type: &str,
        ctx: &ArmCallCtx,
    ) -> Result<Vec<RecordSet>> {
        let path = format!("{}/{record_type}", zone.path());
        self.list(
            &path,
            PRIVATE_DNS_API_VERSION,
            ctx,
            &format!("listing the {record_type} record sets of {zone}"),
        )
        .await
    }

    // ---- Private Link Service visibility -----------------------------------------------

    /// Whether the Private Link Service behind `alias` is visible to the configured
    /// subscription in `location` (POST `.../locations/{location}/checkPrivateLinkServiceVisibility`).
    /// `None` when Azure answers with a long-running operation instead of the result: this is
    /// a diagnostic aid, not worth waiting for.
    pub async fn private_link_service_visible(
        &self,
        location: &str,
        alias: &str,
        ctx: &ArmCallCtx,
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
            "/subscriptions/{}/providers/Microsoft.Network/locations/{location}/checkPrivateLinkServiceVisibility",
            self.subscription_id
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
}
