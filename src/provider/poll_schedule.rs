//! When the approval wait reads the endpoint: reads start one second apart at first, the
//! spacing doubling up to [`MAX_POLL_INTERVAL`]; the spacing is measured from the start of
//! one read to the start of the next and jitter only ever shortens it, so an approval is seen
//! by a read that starts at most [`MAX_POLL_INTERVAL`] after it; and when the next read would
//! fall after the deadline, it is moved to the deadline, so the wait always reads one last
//! time when its timeout ends.

use std::time::Duration;

use tokio::time::Instant;

/// Spacing of the first two reads; doubles up to [`MAX_POLL_INTERVAL`], so a quick approval
/// is seen within seconds and a long wait costs four reads a minute.
pub(crate) const FIRST_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// The longest spacing between the starts of two reads: the most an approval can go unseen.
pub(crate) const MAX_POLL_INTERVAL: Duration = Duration::from_secs(15);
/// The shortest share of the spacing jitter leaves (parallel runs do not poll in step).
const MIN_JITTER: f64 = 0.8;

/// The next read of a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NextRead {
    /// When it starts (never earlier than now).
    pub(crate) at: Instant,
    /// Whether it is the read at the deadline, after which the wait ends.
    pub(crate) last: bool,
}

/// The reads of one wait, ending at `deadline`.
#[derive(Debug)]
pub(crate) struct PollSchedule {
    interval: Duration,
    deadline: Instant,
}

impl PollSchedule {
    /// A schedule whose last read is at `deadline`.
    pub(crate) fn new(deadline: Instant) -> Self {
        Self {
            interval: FIRST_POLL_INTERVAL,
            deadline,
        }
    }

    /// The read after one that started at `started`, at `now`; `jitter` in `0.0..=1.0` picks
    /// the spacing between 80% and 100% of the current interval. `None` once a read has
    /// started at or after the deadline: the wait is over.
    pub(crate) fn next(&mut self, started: Instant, now: Instant, jitter: f64) -> Option<NextRead> {
        if started >= self.deadline {
            return None;
        }
        let share = MIN_JITTER + jitter.clamp(0.0, 1.0) * (1.0 - MIN_JITTER);
        let spacing = self.interval.mul_f64(share).min(MAX_POLL_INTERVAL);
        self.interval = (self.interval * 2).min(MAX_POLL_INTERVAL);
        let at = (started + spacing).max(now);
        Some(if at >= self.deadline {
            NextRead {
                at: self.deadline.max(now),
                last: true,
            }
        } else {
            NextRead { at, last: false }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The read starts of a wait of `timeout` whose reads each take `read`, with `jitter`
    /// drawn from `draws`.
    fn starts(timeout: Duration, read: Duration, draws: &mut impl FnMut() -> f64) -> Vec<Duration> {
        let t0 = Instant::now();
        let mut schedule = PollSchedule::new(t0 + timeout);
        let mut at = t0;
        let mut out = vec![Duration::ZERO];
        while let Some(next) = schedule.next(at, at + read, draws()) {
            at = next.at;
            out.push(at - t0);
            if next.last {
                assert_eq!(schedule.next(at, at + read, draws()), None);
                break;
            }
        }
        out
    }

    #[test]
    fn reads_start_at_most_the_ceiling_apart_whatever_the_jitter() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut draw = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % 10_000) as f64 / 10_000.0
        };
        for extreme in [0.0, 1.0] {
            let s = starts(Duration::from_secs(600), Duration::ZERO, &mut || extreme);
            assert!(
                s.windows(2).all(|w| w[1] - w[0] <= MAX_POLL_INTERVAL),
                "{s:?}"
            );
        }
        for _ in 0..200 {
            let s = starts(
                Duration::from_secs(300),
                Duration::from_millis(300),
                &mut draw,
            );
            for w in s.windows(2) {
                assert!(w[1] - w[0] <= MAX_POLL_INTERVAL, "{s:?}");
            }
        }
    }

    #[test]
    fn the_spacing_doubles_from_one_second_to_the_ceiling() {
        let s = starts(Duration::from_secs(120), Duration::ZERO, &mut || 1.0);
        let secs: Vec<u64> = s.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 1, 3, 7, 15, 30, 45, 60, 75, 90, 105, 120]);
    }

    #[test]
    fn the_last_read_is_at_the_deadline() {
        // The 40 s timeout of the report: reads at 0, 1, 3, 7, 15, 30, then 40 (not 27 s).
        for jitter in [0.0, 0.5, 1.0] {
            let s = starts(Duration::from_secs(40), Duration::ZERO, &mut || jitter);
            assert_eq!(s.last(), Some(&Duration::from_secs(40)), "{s:?}");
            assert!(s.iter().all(|d| *d <= Duration::from_secs(40)), "{s:?}");
        }
    }

    #[test]
    fn a_read_slower_than_the_spacing_is_followed_at_once() {
        let t0 = Instant::now();
        let mut schedule = PollSchedule::new(t0 + Duration::from_secs(30));
        let now = t0 + Duration::from_secs(4);
        let next = schedule.next(t0, now, 1.0).expect("a next read");
        assert_eq!(
            next,
            NextRead {
                at: now,
                last: false
            }
        );
        // A read that ends after the deadline is followed by the last read, at once.
        let late = t0 + Duration::from_secs(31);
        let next = schedule.next(now, late, 1.0).expect("the last read");
        assert_eq!(
            next,
            NextRead {
                at: late,
                last: true
            }
        );
    }
}
