//! `ArmCallCtx` (the deadline and cancellation of one provider operation) and `WriteCondition`
//! (conditional-write headers).

use std::time::Duration;

use azure_core::http::Request;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::azure::error::{Error, Result};
use crate::azure::retry::Budget;

/// Deadline and cancellation for the ARM calls of one provider operation; the provider
/// builds it from the framework's `OpContext` (`provider::arm_ctx`).
#[derive(Debug, Clone)]
pub struct ArmCallCtx {
    /// When the operation must give up (from the resource's `timeouts`).
    pub deadline: Instant,
    /// Cancelled by StopProvider or when Terraform goes away.
    pub cancel: CancellationToken,
    /// The retries spent by the ARM operation running under this context (empty until one
    /// starts: [`Self::operation`]).
    pub budget: Budget,
}

impl ArmCallCtx {
    /// A context that ends `timeout` from now.
    pub fn new(timeout: Duration, cancel: CancellationToken) -> Self {
        Self {
            deadline: Instant::now() + timeout,
            cancel,
            budget: Budget::default(),
        }
    }

    /// This context for one ARM operation: the calls made with it share one retry budget,
    /// the running operation's when there is one (a nested call), else a fresh one.
    pub fn operation(&self) -> Self {
        Self {
            budget: self.budget.started(),
            ..self.clone()
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

    pub(super) fn timeout(&self, operation: &str, started: Instant, last_status: &str) -> Error {
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

    pub(super) fn apply(&self, req: &mut Request) {
        if let Some(etag) = &self.if_match {
            req.insert_header("if-match", etag.clone());
        }
        if self.if_none_match {
            req.insert_header("if-none-match", "*");
        }
    }
}
