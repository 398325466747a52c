//! Unit tests of `retry`.

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

fn ctx(timeout: Duration) -> ArmCallCtx {
    ArmCallCtx::new(timeout, CancellationToken::new())
}

/// Runs `run` over a script of failures (then success) and returns the result, the
/// virtual time each attempt started at (from the start) and the attempts seen.
async fn script(
    policy: Policy,
    ctx: &ArmCallCtx,
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
        (
            "connection refused",
            Error::NotSent(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Connection,
                "refused",
            )),
            Some(Reason::NotSent),
        ),
        (
            "connection reset",
            Error::Transport(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Io,
                "reset",
            )),
            Some(Reason::Unknown),
        ),
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
    let (result, times, _) = script(Policy::arm(), &ctx(Duration::from_secs(3600)), failures).await;
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
async fn unsent_requests_share_the_status_budget_and_leave_the_outcome_known() {
    let refused = || {
        Error::NotSent(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Connection,
            "refused",
        ))
    };
    let failures: Vec<Error> = vec![refused(), http(503), refused()]
        .into_iter()
        .chain((0..50).map(|_| refused()))
        .collect();
    let (result, times, attempts) = script(
        Policy::arm(),
        &ctx(Duration::from_secs(24 * 3600)),
        failures,
    )
    .await;
    assert!(matches!(result, Err(Error::NotSent(_))), "{result:?}");
    assert_eq!(times.len() as u32, MAX_STATUS_RETRIES + 1);
    assert!(!attempts[1].earlier_outcome_unknown, "after a refusal");
    assert!(attempts[2].previous_outcome_unknown, "right after the 503");
    assert!(!attempts[3].previous_outcome_unknown, "a refusal after it");
    assert!(attempts[3].earlier_outcome_unknown, "the 503 is remembered");
}

#[tokio::test(start_paused = true)]
async fn final_errors_and_alias_budget() {
    let bad = http(400);
    let (result, times, _) = script(Policy::arm(), &ctx(Duration::from_secs(60)), vec![bad]).await;
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
    let ctx = ArmCallCtx::new(Duration::from_secs(3600), cancel.clone());
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
