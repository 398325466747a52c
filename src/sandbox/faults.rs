//! Fault injection for ARM routes: throttling (429 + Retry-After), 500s, latency, how many
//! polls an LRO takes, a read-after-write 404 window, and targeted rules ("the next N link
//! PUTs answer 409 `AnotherOperationInProgress`", "the next N record PUTs are applied and then
//! answered 500"). Every ARM request draws from one seeded RNG, so a run with the same seed
//! and request order sees the same faults.

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
    /// Items per page of every list without `$top` (0 = ARM's 100), so a test can make a
    /// client follow `nextLink` without creating a hundred resources (sandbox extension).
    pub list_page_size: usize,
    /// Targeted faults, checked in order after the random ones; each counts down as it fires.
    pub rules: Vec<FaultRule>,
}

/// A targeted fault: the next `count` ARM requests with this method on this resource type
/// are answered `status`/`code`, or, with `lost_response`, are applied and then answered
/// `status`/`code` as if the response had been lost on the way back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method to match (`PUT`, `DELETE`, `GET`; any casing).
    pub method: String,
    /// Resource type to match, as the request log names it (`privateEndpoints`,
    /// `virtualNetworkLinks`, `privateDnsZones`, `A`, ...; any casing).
    pub resource_type: String,
    /// Status to answer (400..=599).
    #[serde(default = "default_status")]
    pub status: u16,
    /// ARM error code to answer; empty picks the status' usual code.
    #[serde(default)]
    pub code: String,
    /// How many more requests this rule answers.
    pub count: u32,
    /// Apply the request first, then answer the error (a response lost after the write).
    #[serde(default)]
    pub lost_response: bool,
}

fn default_status() -> u16 {
    500
}

impl FaultRule {
    /// Whether this rule still fires for `method` on `resource_type`.
    pub fn matches(&self, method: &str, resource_type: &str) -> bool {
        self.count > 0
            && self.method.eq_ignore_ascii_case(method)
            && self.resource_type.eq_ignore_ascii_case(resource_type)
    }

    /// The error code answered: `code`, or the usual one for `status`.
    pub fn error_code(&self) -> String {
        if !self.code.is_empty() {
            return self.code.clone();
        }
        match self.status {
            409 => "Conflict",
            429 => "TooManyRequests",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            s if s >= 500 => "InternalServerError",
            _ => "BadRequest",
        }
        .to_string()
    }

    /// The name this fault is counted under in the request log summary: `lost_response`, or
    /// `<status> <code>`.
    pub fn kind(&self) -> String {
        if self.lost_response {
            "lost_response".to_string()
        } else {
            format!("{} {}", self.status, self.error_code())
        }
    }
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
            list_page_size: 0,
            rules: Vec::new(),
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
        for rule in &self.rules {
            if !(400..=599).contains(&rule.status) {
                return Err(format!(
                    "rules: status must be between 400 and 599, got {}",
                    rule.status
                ));
            }
            if rule.method.is_empty() || rule.resource_type.is_empty() {
                return Err("rules: method and resource_type are required".to_string());
            }
        }
        Ok(())
    }

    /// The first rule that fires for `method` on `resource_type`, without using it up.
    pub fn rule_for(&self, method: &str, resource_type: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.matches(method, resource_type))
    }

    /// Uses up one firing of rule `index` and returns it.
    pub fn fire(&mut self, index: usize) -> Option<FaultRule> {
        let rule = self.rules.get_mut(index)?;
        rule.count = rule.count.saturating_sub(1);
        Some(rule.clone())
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

    #[test]
    fn rules_match_method_and_type_and_count_down() {
        let mut faults = Faults {
            rules: vec![FaultRule {
                method: "put".into(),
                resource_type: "virtualNetworkLinks".into(),
                status: 409,
                code: "AnotherOperationInProgress".into(),
                count: 2,
                lost_response: false,
            }],
            ..Faults::default()
        };
        assert!(faults.validate().is_ok());
        assert_eq!(faults.rule_for("DELETE", "virtualNetworkLinks"), None);
        assert_eq!(faults.rule_for("PUT", "privateDnsZones"), None);
        let i = faults.rule_for("PUT", "virtualnetworklinks").unwrap();
        assert_eq!(
            faults.fire(i).unwrap().kind(),
            "409 AnotherOperationInProgress"
        );
        assert!(faults.fire(i).is_some());
        assert_eq!(faults.rule_for("PUT", "virtualNetworkLinks"), None);
        let lost = FaultRule {
            lost_response: true,
            code: String::new(),
            status: 500,
            ..faults.rules[0].clone()
        };
        assert_eq!(lost.kind(), "lost_response");
        assert_eq!(lost.error_code(), "InternalServerError");
        faults.rules[0].status = 200;
        assert!(faults.validate().unwrap_err().contains("status"));
    }
}
