//! Waiting on events, never on the clock: a condition is checked between short pauses until
//! it holds, and only a generous overall limit (far above any healthy run, so a loaded
//! machine cannot trip it) ends the wait with a message naming what never happened.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// The overall limit of every wait: a safety net for a hung run, not a measure of speed.
pub const PATIENCE: Duration = Duration::from_secs(300);

/// The pause between two checks.
const PAUSE: Duration = Duration::from_millis(50);

/// Checks `check` until it yields a value; fails the test naming `what` after [`PATIENCE`].
pub fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "gave up after {PATIENCE:?} waiting for {what}"
        );
        std::thread::sleep(PAUSE);
    }
}

/// [`until`] for a condition without a value.
pub fn until_true(what: &str, mut check: impl FnMut() -> bool) {
    until(what, || check().then_some(()));
}

/// [`until`] for async checks.
pub async fn until_async<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "gave up after {PATIENCE:?} waiting for {what}"
        );
        tokio::time::sleep(PAUSE).await;
    }
}

/// The message the approval resource logs at INFO on every read while it waits.
pub const WAITING: &str = "waiting for Astronomer to approve the private endpoint connection";

/// Waits until the file `log` holds `needle` `times` times (the event a test acts on),
/// failing early if terraform (`child`) already exited.
pub fn for_log(log: &std::path::Path, needle: &str, times: usize, child: &mut std::process::Child) {
    until_true(&format!("{needle:?} in the provider log"), || {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Ok(Some(status)) = child.try_wait() {
            assert!(
                text.matches(needle).count() >= times,
                "terraform exited ({status}) before logging {needle:?}:\n{text}"
            );
        }
        text.matches(needle).count() >= times
    });
}
