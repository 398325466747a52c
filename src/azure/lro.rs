//! The ARM long-running-operation protocol (design/arm-rules.md §1), implemented here because
//! azure_core has no ARM poller for hand-written clients: prefer `Azure-AsyncOperation`, else
//! `Location`, else the resource's own `provisioningState`; honour `Retry-After`; stop at the
//! caller's deadline or cancellation; report Failed/Canceled with Azure's error code.
//!
//! Statuses are parsed case-insensitively and both `Canceled` and `Cancelled` are accepted, as
//! azure_core's `PollerStatus` does (services are inconsistent about casing).

use std::time::Duration;

use azure_core::http::{RawResponse, Url, headers::HeaderName};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::info;

use super::client::{ArmCallCtx, ArmClient, header_str, response_error};
use super::error::{ArmErrorDetail, Error, Result, fmt_duration};

/// Poll interval when Azure sends no Retry-After.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

const AZURE_ASYNC_OPERATION: HeaderName = HeaderName::from_static("azure-asyncoperation");
const LOCATION: HeaderName = HeaderName::from_static("location");
const RETRY_AFTER: HeaderName = HeaderName::from_static("retry-after");
const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");
const X_MS_RETRY_AFTER_MS: HeaderName = HeaderName::from_static("x-ms-retry-after-ms");

/// Status of a long-running operation or a resource's `provisioningState`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationStatus {
    /// Still running (`InProgress`).
    InProgress,
    /// Finished successfully.
    Succeeded,
    /// Finished with an error.
    Failed,
    /// Cancelled by Azure or the user (`Canceled` or `Cancelled`).
    Canceled,
    /// Any other value (`Creating`, `Updating`, `Deleting`, `Accepted` ...): not terminal.
    Other(String),
}

impl OperationStatus {
    /// Parses a status case-insensitively; unknown values are kept.
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "inprogress" => Self::InProgress,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" | "cancelled" => Self::Canceled,
            _ => Self::Other(s.trim().to_string()),
        }
    }

    /// Succeeded, Failed or Canceled.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Canceled)
    }

    /// The status as a word for messages.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InProgress => "InProgress",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Canceled => "Canceled",
            Self::Other(s) => s,
        }
    }
}

/// Whether the operation creates/updates or deletes: a 404 means "done" only for deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LroKind {
    Write,
    Delete,
}

/// What to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PollTarget {
    /// `Azure-AsyncOperation`: an operation-status resource `{status, error}`.
    AsyncOperation(Url),
    /// `Location`: 202 while running, then the final result.
    Location(Url),
    /// The resource itself, read for `provisioningState`.
    Resource(Url),
}

impl PollTarget {
    fn url(&self) -> &Url {
        match self {
            Self::AsyncOperation(u) | Self::Location(u) | Self::Resource(u) => u,
        }
    }
}

/// How an initial PUT/DELETE response continues.
#[derive(Debug)]
pub(crate) enum Start {
    /// Nothing to wait for.
    Done,
    /// Poll `target`, first after `retry_after` (or the default).
    Poll {
        target: PollTarget,
        retry_after: Option<Duration>,
        last_status: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusBody {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    error: Option<ArmErrorDetail>,
    #[serde(default)]
    properties: Option<StateProperties>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateProperties {
    #[serde(default)]
    provisioning_state: Option<String>,
}

/// `properties.provisioningState` of a resource body, if any.
pub(crate) fn provisioning_state(body: &[u8]) -> Option<OperationStatus> {
    serde_json::from_slice::<StatusBody>(body)
        .ok()?
        .properties?
        .provisioning_state
        .map(|s| OperationStatus::parse(&s))
}

/// Reads Retry-After: `retry-after-ms`/`x-ms-retry-after-ms` (milliseconds) or `Retry-After`
/// (whole seconds; 0 allowed). An HTTP-date or garbage counts as absent.
pub(crate) fn retry_after(resp: &RawResponse) -> Option<Duration> {
    for ms in [X_MS_RETRY_AFTER_MS, RETRY_AFTER_MS] {
        if let Some(v) = header_str(resp, &ms).and_then(|v| v.trim().parse::<u64>().ok()) {
            return Some(Duration::from_millis(v));
        }
    }
    header_str(resp, &RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Decides from the initial (successful) response whether and what to poll.
pub(crate) fn start(
    client: &ArmClient,
    resp: &RawResponse,
    resource_url: &Url,
    kind: LroKind,
) -> Result<Start> {
    let status = u16::from(resp.status());
    let state = provisioning_state(resp.body().as_ref());
    if let Some(s @ (OperationStatus::Failed | OperationStatus::Canceled)) = &state {
        return Err(Error::operation_failed(s.as_str(), None));
    }
    let header_target = || -> Result<Option<PollTarget>> {
        if let Some(u) = header_str(resp, &AZURE_ASYNC_OPERATION) {
            return Ok(Some(PollTarget::AsyncOperation(client.follow_url(u)?)));
        }
        if let Some(u) = header_str(resp, &LOCATION) {
            return Ok(Some(PollTarget::Location(client.follow_url(u)?)));
        }
        Ok(None)
    };
    let running = match (status, &state) {
        (202, _) => true,
        (200 | 201, Some(s)) => !s.is_terminal(),
        // A 201 without provisioningState but with a status URL: still being created.
        (201, None) => kind == LroKind::Write && header_target()?.is_some(),
        _ => false,
    };
    if !running {
        return Ok(Start::Done);
    }
    let target = header_target()?.unwrap_or_else(|| PollTarget::Resource(resource_url.clone()));
    Ok(Start::Poll {
        target,
        retry_after: retry_after(resp),
        last_status: state
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "Accepted".to_string()),
    })
}

/// One poll's verdict.
enum Step {
    Running(String),
    Done,
}

/// Polls until the operation ends, the deadline passes or `ctx` is cancelled. Logs progress
/// at INFO on every poll.
pub(crate) async fn wait(
    client: &ArmClient,
    target: PollTarget,
    mut delay: Option<Duration>,
    mut last_status: String,
    kind: LroKind,
    operation: &str,
    ctx: &ArmCallCtx,
) -> Result<()> {
    let started = Instant::now();
    loop {
        let pause = delay.unwrap_or(DEFAULT_POLL_INTERVAL);
        ctx.sleep(pause, operation, started, &last_status).await?;
        let resp = client.raw_get(target.url().clone(), ctx, operation).await?;
        delay = retry_after(&resp);
        match step(&target, &resp, kind)? {
            Step::Done => {
                info!(
                    "{operation}: finished after {}",
                    fmt_duration(started.elapsed())
                );
                return Ok(());
            }
            Step::Running(status) => {
                info!(
                    "waiting for {operation}: {status} after {}",
                    fmt_duration(started.elapsed())
                );
                last_status = status;
            }
        }
    }
}

fn step(target: &PollTarget, resp: &RawResponse, kind: LroKind) -> Result<Step> {
    let status = u16::from(resp.status());
    if status == 404 && kind == LroKind::Delete {
        return Ok(Step::Done);
    }
    match target {
        PollTarget::AsyncOperation(_) => {
            if !resp.status().is_success() {
                return Err(response_error(resp));
            }
            let body: StatusBody = decode_status(resp)?;
            let s = OperationStatus::parse(body.status.as_deref().unwrap_or("InProgress"));
            terminal_or_running(s, body.error.as_ref())
        }
        PollTarget::Location(_) => match status {
            202 => Ok(Step::Running("InProgress".to_string())),
            200 | 201 | 204 => match provisioning_state(resp.body().as_ref()) {
                Some(s) if !s.is_terminal() => Ok(Step::Running(s.as_str().to_string())),
                Some(s) => terminal_or_running(s, None),
                None => Ok(Step::Done),
            },
            // The Location URL answers with the operation's own failure.
            400..=499 if status != 404 && status != 429 => {
                match super::error::ArmErrorBody::parse(resp.body().as_ref()) {
                    Some(e) => Err(Error::operation_failed("Failed", Some(&e))),
                    None => Err(response_error(resp)),
                }
            }
            _ => Err(response_error(resp)),
        },
        PollTarget::Resource(_) => {
            if !resp.status().is_success() {
                return Err(response_error(resp));
            }
            match provisioning_state(resp.body().as_ref()) {
                Some(s) => terminal_or_running(s, None),
                None => Ok(Step::Done),
            }
        }
    }
}

fn terminal_or_running(s: OperationStatus, error: Option<&ArmErrorDetail>) -> Result<Step> {
    match s {
        OperationStatus::Succeeded => Ok(Step::Done),
        OperationStatus::Failed | OperationStatus::Canceled => {
            Err(Error::operation_failed(s.as_str(), error))
        }
        other => Ok(Step::Running(other.as_str().to_string())),
    }
}

fn decode_status(resp: &RawResponse) -> Result<StatusBody> {
    serde_json::from_slice(resp.body().as_ref()).map_err(|source| Error::Decode {
        what: "the operation status".to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_case_insensitively() {
        let cases = [
            ("Succeeded", OperationStatus::Succeeded, true),
            ("succeeded", OperationStatus::Succeeded, true),
            ("FAILED", OperationStatus::Failed, true),
            ("Canceled", OperationStatus::Canceled, true),
            ("Cancelled", OperationStatus::Canceled, true),
            ("inProgress", OperationStatus::InProgress, false),
            ("Updating", OperationStatus::Other("Updating".into()), false),
            ("Deleting", OperationStatus::Other("Deleting".into()), false),
        ];
        for (input, want, terminal) in cases {
            let got = OperationStatus::parse(input);
            assert_eq!(got, want, "{input}");
            assert_eq!(got.is_terminal(), terminal, "{input}");
        }
        assert_eq!(OperationStatus::parse("Updating").as_str(), "Updating");
    }

    #[test]
    fn provisioning_state_is_read_from_properties() {
        assert_eq!(
            provisioning_state(br#"{"properties":{"provisioningState":"Updating"}}"#),
            Some(OperationStatus::Other("Updating".into()))
        );
        assert_eq!(provisioning_state(br#"{"properties":{}}"#), None);
        assert_eq!(provisioning_state(b""), None);
    }
}
