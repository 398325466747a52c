//! The one retry policy of the ARM client: which failures are worth repeating, how long to
//! pause (exponential backoff with full jitter, capped, never shorter than Azure's
//! Retry-After), and when to stop (a retry budget, the operation's deadline, cancellation).
//!
//! The client applies it in one place per verb: around each GET (transient statuses only),
//! and around each whole write or delete, initial request and long-running operation
//! together, so a write that meets `AnotherOperationInProgress` or ends `Failed` with
//! `RetryableError` is sent again. Full jitter ("Exponential Backoff And Jitter", AWS
//! Architecture Blog, 2015) keeps parallel applies that failed together from retrying in
//! lockstep; Azure's guidance on transient faults asks clients to honour Retry-After
//! (<https://learn.microsoft.com/azure/architecture/best-practices/retry-service-specific>).

use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;
use tracing::info;

use super::client::OpCtx;
use super::error::{Error, Result};

/// First backoff ceiling; each retry doubles it up to [`MAX_DELAY`].
pub const INITIAL_DELAY: Duration = Duration::from_secs(1);
/// Longest pause drawn by the backoff (a longer Retry-After from Azure still wins).
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// Retries of throttling (429), 408, 5xx and broken connections within one operation.
pub const MAX_STATUS_RETRIES: u32 = 10;

/// Why a failure may be repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// 429: refused before it was processed.
    Throttled,
    /// 408, 5xx or a broken connection: Azure may or may not have applied the request.
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
        Error::Transport(_) => Some(Reason::Unknown),
        _ if err.code() == Some("InvalidPrivateLinkServiceId") => Some(Reason::Alias),
        _ if err.is_retryable_arm_code() => Some(Reason::Busy),
        _ => None,
    }
}

/// What an attempt knows about the attempts before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempt {
    /// 0 for the first attempt.
    pub number: u32,
    /// Some earlier attempt failed in a way that may have applied it (5xx, 408, a broken
    /// connection): a create-only write that now meets 412 may have met its own object.
    pub earlier_outcome_unknown: bool,
}

/// Backoff and budgets; [`Policy::arm`] is the one every ARM call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// First backoff ceiling.
    pub initial: Duration,
    /// Cap on the backoff ceiling.
    pub max_delay: Duration,
    /// Retries allowed for [`Reason::Throttled`] and [`Reason::Unknown`] together.
    pub max_status_retries: u32,
    /// Retries allowed for [`Reason::Alias`] (0: the code is final).
    pub alias_retries: u32,
    /// Whether [`Reason::Busy`] is retried (until the deadline).
    pub retry_busy: bool,
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
            retry_busy: true,
        }
    }

    /// For reads: only statuses and broken connections are retried (ARM answers busy codes
    /// to writes).
    pub const fn reads() -> Self {
        Self {
            retry_busy: false,
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
            Reason::Throttled | Reason::Unknown => used < self.max_status_retries,
            Reason::Busy => self.retry_busy,
            Reason::Alias => used < self.alias_retries,
        }
    }
}

/// Runs `op` until it succeeds, fails for good, runs out of retries, or the next pause would
/// pass `ctx`'s deadline (then the last error is returned: it says more than a timeout).
/// Cancellation during a pause gives [`Error::Cancelled`]. `what` names the operation in the
/// INFO line logged before each retry.
pub async fn run<T, F, Fut>(policy: &Policy, ctx: &OpCtx, what: &str, mut op: F) -> Result<T>
where
    F: FnMut(Attempt) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = Attempt::default();
    let (mut status_retries, mut alias_retries) = (0u32, 0u32);
    loop {
        let err = match op(attempt).await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let Some(reason) = classify(&err) else {
            return Err(err);
        };
        let used = match reason {
            Reason::Throttled | Reason::Unknown => status_retries,
            Reason::Alias => alias_retries,
            Reason::Busy => 0,
        };
        if !policy.allows(reason, used) {
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
        match reason {
            Reason::Throttled | Reason::Unknown => status_retries += 1,
            Reason::Alias => alias_retries += 1,
            Reason::Busy => {}
        }
        attempt.earlier_outcome_unknown |= reason.outcome_unknown();
        attempt.number += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use tokio_util::sync::CancellationToken;

    use super::*;

    fn busy() -> Error {
        Error::Conflict {
            code: "AnotherOperationInProgress".into(),
            message: "Operation is in progress".into(),
        }
    }

    fn http(status: u16) -> Error {
        Error::Http {
            status,
            code: "InternalServerError".into(),
            message: "oops".into(),
            request_id: None,
            retry_after: None,
        }
    }

    fn ctx(timeout: Duration) -> OpCtx {
        OpCtx::new(timeout, CancellationToken::new())
    }

    /// Runs `run` over a script of failures (then success) and returns the result, the
    /// virtual time each attempt started at (from the start) and the attempts seen.
    async fn script(
        policy: Policy,
        ctx: &OpCtx,
        failures: Vec<Error>,
    ) -> (Result<u32>, Vec<Duration>, Vec<Attempt>) {
        let start = Instant::now();
        let seen = Arc::new(Mutex::new((Vec::new(), Vec::new())));
        let script = Arc::new(Mutex::new(failures.into_iter()));
        let s = seen.clone();
        let result = run(&policy, ctx, "writing x", move |attempt| {
            let (s, script) = (s.clone(), script.clone());
            async move {
                let mut log = s.lock().unwrap();
                log.0.push(start.elapsed());
                log.1.push(attempt);
                let n = u32::try_from(log.0.len()).unwrap();
                match script.lock().unwrap().next() {
                    Some(e) => Err(e),
                    None => Ok(n),
                }
            }
        })
        .await;
        let (times, attempts) = seen.lock().unwrap().clone();
        (result, times, attempts)
    }

    fn gaps(times: &[Duration]) -> Vec<Duration> {
        times.windows(2).map(|w| w[1] - w[0]).collect()
    }

    #[test]
    fn classification() {
        let cases: Vec<(&str, Error, Option<Reason>)> = vec![
            (
                "429",
                Error::Throttled { retry_after: None },
                Some(Reason::Throttled),
            ),
            ("500", http(500), Some(Reason::Unknown)),
            ("503", http(503), Some(Reason::Unknown)),
            ("408", http(408), Some(Reason::Unknown)),
            ("400", http(400), None),
            ("busy", busy(), Some(Reason::Busy)),
            (
                "RetryableError in an LRO",
                Error::OperationFailed {
                    status: "Failed".into(),
                    code: "RetryableError".into(),
                    message: "m".into(),
                },
                Some(Reason::Busy),
            ),
            (
                "alias",
                Error::Http {
                    status: 400,
                    code: "InvalidPrivateLinkServiceId".into(),
                    message: "m".into(),
                    request_id: None,
                    retry_after: None,
                },
                Some(Reason::Alias),
            ),
            (
                "412",
                Error::Conflict {
                    code: "PreconditionFailed".into(),
                    message: "m".into(),
                },
                None,
            ),
            (
                "LRO failed",
                Error::OperationFailed {
                    status: "Failed".into(),
                    code: "InternalServerError".into(),
                    message: "m".into(),
                },
                None,
            ),
            ("cancelled", Error::Cancelled, None),
        ];
        for (name, err, want) in cases {
            assert_eq!(classify(&err), want, "{name}");
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = Policy::arm();
        let got: Vec<u64> = (0..9).map(|n| p.ceiling(n).as_secs()).collect();
        assert_eq!(got, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(p.ceiling(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn full_jitter_spreads_over_the_whole_range_and_respects_retry_after() {
        let p = Policy::arm();
        let mut rng = StdRng::seed_from_u64(7);
        for retry in [0, 3, 8] {
            let ceiling = p.ceiling(retry);
            let draws: Vec<Duration> = (0..500).map(|_| p.pause(retry, None, &mut rng)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling), "retry {retry}");
            let (min, max) = (draws.iter().min().unwrap(), draws.iter().max().unwrap());
            assert!(*min < ceiling / 10, "retry {retry}: smallest {min:?}");
            assert!(*max > ceiling * 9 / 10, "retry {retry}: largest {max:?}");
        }
        let floor = Duration::from_secs(7);
        for _ in 0..100 {
            let d = p.pause(0, Some(floor), &mut rng);
            assert!(d >= floor && d <= floor.max(p.ceiling(0)), "{d:?}");
        }
        let long = Duration::from_secs(300);
        assert_eq!(
            p.pause(2, Some(long), &mut rng),
            long,
            "Retry-After beyond the cap wins"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_grows_within_its_ceilings() {
        let failures = (0..6).map(|_| busy()).collect();
        let (result, times, attempts) =
            script(Policy::arm(), &ctx(Duration::from_secs(3600)), failures).await;
        assert_eq!(result.unwrap(), 7);
        let p = Policy::arm();
        for (n, gap) in gaps(&times).iter().enumerate() {
            let ceiling = p.ceiling(u32::try_from(n).unwrap());
            assert!(*gap <= ceiling, "pause {n} is {gap:?}, ceiling {ceiling:?}");
        }
        let numbers: Vec<u32> = attempts.iter().map(|a| a.number).collect();
        assert_eq!(numbers, vec![0, 1, 2, 3, 4, 5, 6]);
        assert!(attempts.iter().all(|a| !a.earlier_outcome_unknown));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured() {
        let failures = vec![
            Error::Throttled {
                retry_after: Some(Duration::from_secs(20)),
            },
            Error::Http {
                status: 503,
                code: "ServiceUnavailable".into(),
                message: "m".into(),
                request_id: None,
                retry_after: Some(Duration::from_secs(3)),
            },
        ];
        let (result, times, _) =
            script(Policy::arm(), &ctx(Duration::from_secs(3600)), failures).await;
        assert_eq!(result.unwrap(), 3);
        let g = gaps(&times);
        assert!(g[0] >= Duration::from_secs(20), "{g:?}");
        assert!(g[0] <= Duration::from_secs(20).max(Policy::arm().ceiling(0)));
        assert!(g[1] >= Duration::from_secs(3), "{g:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_retries_with_the_last_error() {
        // Busy codes are retried without a count limit, so only the deadline stops them.
        let failures: Vec<Error> = (0..10_000).map(|_| busy()).collect();
        let timeout = Duration::from_secs(300);
        let start = Instant::now();
        let (result, times, _) = script(Policy::arm(), &ctx(timeout), failures).await;
        let err = result.unwrap_err();
        assert_eq!(err.code(), Some("AnotherOperationInProgress"), "{err:?}");
        assert!(start.elapsed() < timeout, "no pause runs past the deadline");
        assert!(
            times.len() > 5,
            "retried until near the deadline: {times:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn status_retries_are_counted_and_mark_the_outcome_unknown() {
        let failures: Vec<Error> = (0..50).map(|_| http(500)).collect();
        let (result, times, attempts) = script(
            Policy::arm(),
            &ctx(Duration::from_secs(24 * 3600)),
            failures,
        )
        .await;
        assert!(matches!(result, Err(Error::Http { status: 500, .. })));
        assert_eq!(times.len() as u32, MAX_STATUS_RETRIES + 1);
        assert!(!attempts[0].earlier_outcome_unknown);
        assert!(attempts[1..].iter().all(|a| a.earlier_outcome_unknown));
    }

    #[tokio::test(start_paused = true)]
    async fn final_errors_and_alias_budget() {
        let bad = http(400);
        let (result, times, _) =
            script(Policy::arm(), &ctx(Duration::from_secs(60)), vec![bad]).await;
        assert!(matches!(result, Err(Error::Http { status: 400, .. })));
        assert_eq!(times.len(), 1, "a final error is not repeated");

        let alias = || Error::Http {
            status: 400,
            code: "InvalidPrivateLinkServiceId".into(),
            message: "m".into(),
            request_id: None,
            retry_after: None,
        };
        let (result, times, _) =
            script(Policy::arm(), &ctx(Duration::from_secs(600)), vec![alias()]).await;
        assert!(result.is_err());
        assert_eq!(times.len(), 1, "not transient by default");
        let failures = (0..10).map(|_| alias()).collect();
        let policy = Policy::arm().with_alias_retries(3);
        let (result, times, _) = script(policy, &ctx(Duration::from_secs(600)), failures).await;
        assert!(result.is_err());
        assert_eq!(
            times.len(),
            4,
            "three retries, then the alias error is real"
        );
        let (result, _, _) = script(
            Policy::reads(),
            &ctx(Duration::from_secs(600)),
            vec![busy()],
        )
        .await;
        assert!(result.is_err(), "reads do not retry busy codes");
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_during_a_pause_stops_at_once() {
        let cancel = CancellationToken::new();
        let ctx = OpCtx::new(Duration::from_secs(3600), cancel.clone());
        let start = Instant::now();
        let canceller = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10_500)).await;
            cancel.cancel();
        });
        let failures: Vec<Error> = (0..1000).map(|_| busy()).collect();
        let (result, times, _) = script(Policy::arm(), &ctx, failures).await;
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
        assert_eq!(start.elapsed(), Duration::from_millis(10_500));
        assert!(times.iter().all(|t| *t <= Duration::from_millis(10_500)));
        canceller.await.unwrap();
    }
}
