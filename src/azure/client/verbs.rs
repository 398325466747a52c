//! The verbs every `ArmResource` shares: GET, PUT and DELETE with their long-running operations
//! and retries, and paged lists.

use azure_core::http::{Method, RawResponse};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::debug;

use super::*;
use crate::azure::error::{Error, Result};
use crate::azure::lro::{self, LroKind, OperationStatus, Start};
use crate::azure::models::Page;
use crate::azure::retry::{self, Attempt, Policy as RetryPolicy};

impl ArmClient {
    // ---- Generic operations ------------------------------------------------------------

    /// GET any resource; `None` on 404.
    pub async fn get<I: ArmResource>(&self, id: &I, ctx: &ArmCallCtx) -> Result<Option<I::Model>> {
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
        ctx: &ArmCallCtx,
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
    pub(super) async fn put_lro<I: ArmResource>(
        &self,
        id: &I,
        body: &I::Model,
        condition: &WriteCondition,
        policy: &RetryPolicy,
        ctx: &ArmCallCtx,
    ) -> Result<I::Model> {
        let operation = format!("writing {id}");
        retry::run(policy, ctx, &operation, |attempt| {
            self.put_lro_once(id, body, condition, attempt, ctx, &operation)
        })
        .await
    }

    pub(super) async fn put_lro_once<I: ArmResource>(
        &self,
        id: &I,
        body: &I::Model,
        condition: &WriteCondition,
        attempt: Attempt,
        ctx: &ArmCallCtx,
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
                    crate::azure::error::fmt_duration(READ_AFTER_WRITE_WINDOW)
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
    pub(super) async fn adopt_own_write<I: ArmResource>(
        &self,
        id: &I,
        sent: &I::Model,
        condition: &WriteCondition,
        attempt: Attempt,
        resp: &RawResponse,
        ctx: &ArmCallCtx,
    ) -> Result<Option<I::Model>> {
        if u16::from(resp.status()) != 412
            || *condition == WriteCondition::default()
            || !attempt.earlier_outcome_unknown
        {
            return Ok(None);
        }
        // The object as ARM answers it (read-only properties included: the model's own
        // serialization drops them, as a request body must).
        let operation = format!("reading {id}");
        let resp = self.raw_get(self.url(id)?, ctx, &operation).await?;
        if u16::from(resp.status()) == 404 {
            return Ok(None);
        }
        let resp = check(resp)?;
        let found: I::Model = decode(&resp, &operation)?;
        let found_json: serde_json::Value = decode(&resp, &operation)?;
        let mut sent_json = to_json(sent)?;
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
    pub async fn delete<I: ArmResource>(&self, id: &I, ctx: &ArmCallCtx) -> Result<()> {
        let operation = format!("deleting {id}");
        retry::run(&RetryPolicy::arm(), ctx, &operation, |_| {
            self.delete_lro_once(id, ctx, &operation)
        })
        .await
    }

    pub(super) async fn delete_lro_once<I: ArmResource>(
        &self,
        id: &I,
        ctx: &ArmCallCtx,
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

    pub(super) async fn wait_until_gone<I: ArmResource>(
        &self,
        id: &I,
        ctx: &ArmCallCtx,
    ) -> Result<()> {
        let started = Instant::now();
        let operation = format!("{id} to disappear after deletion");
        while self.get(id, ctx).await?.is_some() {
            debug!("{id} still readable after its deletion finished; waiting");
            ctx.sleep(GONE_POLL_INTERVAL, &operation, started, "still present")
                .await?;
        }
        Ok(())
    }

    pub(super) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        api_version: &str,
        ctx: &ArmCallCtx,
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
}
