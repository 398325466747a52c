//! Fault injection for ARM routes: throttling (429 + Retry-After), 500s, latency, how many
//! polls an LRO takes, and a read-after-write 404 window. Every ARM request draws from one
//! seeded RNG, so a run with the same seed and request order sees the same faults.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Fault settings, read and replaced through `GET/PUT /_sandbox/faults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Probability (0..=1) that an ARM request gets 429 `TooManyRequests` with Retry-After.
    pub throttle_rate: f64,
    /// Probability (0..=1) that an ARM request gets 500 `InternalServerError`.
    pub error_rate: f64,
    /// Added latency per ARM request, in milliseconds.
    pub latency_ms: u64,
    /// Extra random latency 0..=jitter milliseconds.
    pub latency_jitter_ms: u64,
    /// How many status polls an LRO answers `InProgress` before it completes (0 = at once).
    pub lro_polls: u32,
    /// Retry-After (seconds) sent on 429s and LRO responses; 0 is allowed.
    pub retry_after_secs: u64,
    /// For this many milliseconds after a resource is created, GETs of it answer 404.
    pub not_found_window_ms: u64,
    /// Seed of the RNG the rates draw from (re-seeded whenever faults are replaced).
    pub rng_seed: u64,
    /// Probability (0..=1) that a long-running operation ends `Failed` (sandbox extension).
    pub lro_failure_rate: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            throttle_rate: 0.0,
            error_rate: 0.0,
            latency_ms: 0,
            latency_jitter_ms: 0,
            lro_polls: 1,
            retry_after_secs: 1,
            not_found_window_ms: 0,
            rng_seed: 1,
            lro_failure_rate: 0.0,
        }
    }
}

/// What the RNG decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// Handle the request normally.
    None,
    /// Answer 429.
    Throttle,
    /// Answer 500.
    ServerError,
}

impl Faults {
    /// Checks that rates are probabilities.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("throttle_rate", self.throttle_rate),
            ("error_rate", self.error_rate),
            ("lro_failure_rate", self.lro_failure_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {rate}"));
            }
        }
        Ok(())
    }

    /// A fresh RNG for these settings.
    pub fn rng(&self) -> StdRng {
        StdRng::seed_from_u64(self.rng_seed)
    }

    /// Draws the latency and the injected failure for one ARM request.
    pub fn draw(&self, rng: &mut StdRng) -> (Duration, Injected) {
        let jitter = if self.latency_jitter_ms > 0 {
            rng.random_range(0..=self.latency_jitter_ms)
        } else {
            0
        };
        let delay = Duration::from_millis(self.latency_ms.saturating_add(jitter));
        let injected = if self.throttle_rate > 0.0 && rng.random::<f64>() < self.throttle_rate {
            Injected::Throttle
        } else if self.error_rate > 0.0 && rng.random::<f64>() < self.error_rate {
            Injected::ServerError
        } else {
            Injected::None
        };
        (delay, injected)
    }

    /// Draws whether an LRO started by this request will fail.
    pub fn draw_lro_failure(&self, rng: &mut StdRng) -> bool {
        self.lro_failure_rate > 0.0 && rng.random::<f64>() < self.lro_failure_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws_and_rates_are_respected() {
        let faults = Faults {
            throttle_rate: 0.5,
            ..Faults::default()
        };
        let draws = |f: &Faults| {
            let mut rng = f.rng();
            (0..200).map(|_| f.draw(&mut rng).1).collect::<Vec<_>>()
        };
        let a = draws(&faults);
        assert_eq!(a, draws(&faults));
        let throttled = a.iter().filter(|i| **i == Injected::Throttle).count();
        assert!((60..140).contains(&throttled), "{throttled}");
        assert!(Faults::default().validate().is_ok());
        let bad = Faults {
            error_rate: 1.5,
            ..Faults::default()
        };
        assert!(bad.validate().unwrap_err().contains("error_rate"));
    }
}
