//! The one retry policy of the ARM client: which failures are worth repeating, how long to
//! pause (exponential backoff with full jitter, capped, never shorter than Azure's
//! Retry-After), and when to stop (a retry budget, the operation's deadline, cancellation).
//!
//! The client applies it in one place per verb: around each GET (transient statuses only),
//! and around each whole write or delete, initial request and long-running operation
//! together, so a write that meets `AnotherOperationInProgress` or ends `Failed` with
//! `RetryableError` is sent again. Nested runs (the status reads of a write's long-running
//! operation) draw from the same [`Budget`] as the write, so one operation never sends more
//! than its budget allows, however its retries nest. Full jitter ("Exponential Backoff And Jitter", AWS
//! Architecture Blog, 2015) keeps parallel applies that failed together from retrying in
//! lockstep; Azure's guidance on transient faults asks clients to honour Retry-After
//! (<https://learn.microsoft.com/azure/architecture/best-practices/retry-service-specific>).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;
use tracing::info;

use super::client::ArmCallCtx;
use super::error::{Error, Result, Transient};

/// First backoff ceiling; each retry doubles it up to [`MAX_DELAY`].
pub const INITIAL_DELAY: Duration = Duration::from_secs(1);
/// Longest pause drawn by the backoff (a longer Retry-After from Azure still wins).
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// Retries of throttling (429), 408, 5xx and broken connections within one operation.
pub const MAX_STATUS_RETRIES: u32 = 10;
/// Retries of busy codes (`AnotherOperationInProgress`, ...) within one operation: with the
/// backoff capped at [`MAX_DELAY`] this outlasts any operation Azure runs on the same object
/// in practice, and bounds a write that meets one that never ends.
pub const MAX_BUSY_RETRIES: u32 = 20;

/// The retries one operation has spent, by budget; shared by every retry loop nested in the
/// operation (see [`Budget`]).
#[derive(Debug, Default)]
pub struct Spent {
    status: AtomicU32,
    busy: AtomicU32,
    alias: AtomicU32,
}

impl Spent {
    fn counter(&self, reason: Reason) -> &AtomicU32 {
        match reason {
            Reason::Throttled | Reason::NotSent | Reason::Unknown => &self.status,
            Reason::Busy => &self.busy,
            Reason::Alias => &self.alias,
        }
    }

    fn used(&self, reason: Reason) -> u32 {
        self.counter(reason).load(Ordering::Relaxed)
    }

    fn spend(&self, reason: Reason) {
        self.counter(reason).fetch_add(1, Ordering::Relaxed);
    }
}

/// The retry budget of one ARM operation: empty in a context the provider made, and set when
/// an operation starts ([`crate::azure::ArmCallCtx::operation`]), so the calls nested in it
/// (a write's status reads and its final GET) spend from one budget.
#[derive(Debug, Clone, Default)]
pub struct Budget(Option<Arc<Spent>>);

impl Budget {
    /// This budget if one is running, else a fresh one.
    pub fn started(&self) -> Self {
        Self(Some(self.0.clone().unwrap_or_default()))
    }

    fn spent(&self) -> Arc<Spent> {
        self.0.clone().unwrap_or_default()
    }
}

/// Why a failure may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// 429: refused before it was processed.
    Throttled,
    /// No connection could be made: the request was never sent, nothing applied.
    NotSent,
    /// 408, 5xx or a connection that broke after sending: Azure may or may not have applied
    /// the request.
    Unknown,
    /// An ARM error code that says "try again later" (`AnotherOperationInProgress`,
    /// `RetryableError`, `ConflictError`): refused, nothing applied.
    Busy,
    /// `InvalidPrivateLinkServiceId`: transient for a while after an alias appears.
    Alias,
}

impl Reason {
    /// Whether the failed attempt may have changed something in Azure (its answer was lost).
    pub fn outcome_unknown(self) -> bool {
        self == Reason::Unknown
    }
}

/// Why `err` may be worth repeating; `None` when it is final.
pub fn classify(err: &Error) -> Option<Reason> {
    match err {
        Error::Throttled { .. } => Some(Reason::Throttled),
        Error::Http { status, .. } if *status == 408 || *status >= 500 => Some(Reason::Unknown),
        Error::NotSent(_) => Some(Reason::NotSent),
        Error::Transport(_) => Some(Reason::Unknown),
        _ => match err.transient()? {
            Transient::Busy => Some(Reason::Busy),
            Transient::AliasNotVisibleYet => Some(Reason::Alias),
        },
    }
}

/// What an attempt knows about the attempts before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempt {
    /// 0 for the first attempt.
    pub number: u32,
    /// Some earlier attempt failed in a way that may have applied it (5xx, 408, a connection
    /// broken after sending): a create-only write that now meets 412 may have met its own
    /// object.
    pub earlier_outcome_unknown: bool,
    /// The attempt just before this one failed that way: a write reads the object before
    /// sending again (design/arm-rules.md §8).
    pub previous_outcome_unknown: bool,
}

/// Backoff and budgets; [`Policy::arm`] is the one every ARM call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// First backoff ceiling.
    pub initial: Duration,
    /// Cap on the backoff ceiling.
    pub max_delay: Duration,
    /// Retries allowed for [`Reason::Throttled`], [`Reason::NotSent`] and [`Reason::Unknown`]
    /// together.
    pub max_status_retries: u32,
    /// Retries allowed for [`Reason::Alias`] (0: the code is final).
    pub alias_retries: u32,
    /// Retries allowed for [`Reason::Busy`] (0: busy codes are final, as for reads).
    pub busy_retries: u32,
}

impl Policy {
    /// The policy of every ARM write and delete: statuses and busy codes are retried, an
    /// unknown alias is not.
    pub const fn arm() -> Self {
        Self {
            initial: INITIAL_DELAY,
            max_delay: MAX_DELAY,
            max_status_retries: MAX_STATUS_RETRIES,
            alias_retries: 0,
            busy_retries: MAX_BUSY_RETRIES,
        }
    }

    /// For reads: only statuses and broken connections are retried (ARM answers busy codes
    /// to writes).
    pub const fn reads() -> Self {
        Self {
            busy_retries: 0,
            ..Self::arm()
        }
    }

    /// Also retries `InvalidPrivateLinkServiceId` `n` times: a Private Endpoint write right
    /// after Astronomer publishes an alias may not see it yet, while a wrong alias must still
    /// fail within a few attempts.
    pub const fn with_alias_retries(self, n: u32) -> Self {
        Self {
            alias_retries: n,
            ..self
        }
    }

    /// The backoff ceiling before retry number `retry` (0-based): `initial * 2^retry`, capped.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.initial.saturating_mul(factor).min(self.max_delay)
    }

    /// The pause before retry number `retry`: uniform in `0..=ceiling` ("full jitter"), but
    /// never shorter than `retry_after` when Azure sent one.
    pub fn pause(&self, retry: u32, retry_after: Option<Duration>, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(retry);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let drawn = Duration::from_millis(rng.random_range(0..=millis));
        retry_after.map_or(drawn, |ra| drawn.max(ra))
    }

    /// Whether a failure for `reason` may still be retried after `used` earlier retries for
    /// the same budget.
    fn allows(&self, reason: Reason, used: u32) -> bool {
        match reason {
            Reason::Throttled | Reason::NotSent | Reason::Unknown => used < self.max_status_retries,
            Reason::Busy => used < self.busy_retries,
            Reason::Alias => used < self.alias_retries,
        }
    }
}

/// Runs `op` until it succeeds, fails for good, runs out of retries, or the next pause would
/// pass `ctx`'s deadline (then the last error is returned: it says more than a timeout).
/// Cancellation during a pause gives [`Error::Cancelled`]. `what` names the operation in the
/// INFO line logged before each retry.
pub async fn run<T, F, Fut>(policy: &Policy, ctx: &ArmCallCtx, what: &str, mut op: F) -> Result<T>
where
    F: FnMut(Attempt) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = Attempt::default();
    let spent = ctx.budget.spent();
    loop {
        let err = match op(attempt).await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let Some(reason) = classify(&err) else {
            return Err(err);
        };
        if !policy.allows(reason, spent.used(reason)) {
            return Err(err);
        }
        let pause = policy.pause(attempt.number, err.retry_after(), &mut rand::rng());
        if Instant::now() + pause >= ctx.deadline {
            return Err(err);
        }
        info!(
            code = err.code().unwrap_or_default(),
            "{what}: {err}; retrying in {}",
            super::error::fmt_duration(pause)
        );
        tokio::select! {
            _ = ctx.cancel.cancelled() => return Err(Error::Cancelled),
            _ = tokio::time::sleep(pause) => {}
        }
        spent.spend(reason);
        attempt.previous_outcome_unknown = reason.outcome_unknown();
        attempt.earlier_outcome_unknown |= attempt.previous_outcome_unknown;
        attempt.number += 1;
    }
}

#[cfg(test)]
mod tests;
