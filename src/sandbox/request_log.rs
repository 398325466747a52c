//! The request log of ARM (and token) traffic: one entry per request (with its arrival and
//! answer times), and a summary with counts by method and resource type and of the faults
//! injected, for tests and benchmarks.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Value, json};

/// One logged request. Never holds headers, nor the body of a token request, so no secret can
/// leak through it; the JSON body of an ARM write (PUT, PATCH, POST) is kept, so a test can
/// check what a client sent (ARM bodies carry no credentials).
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// HTTP method.
    pub method: String,
    /// Request path (no query string).
    pub path: String,
    /// The ARM resource type addressed (`privateEndpoints`, `A`, `token`, ...).
    pub resource_type: String,
    /// Status sent.
    pub status: u16,
    /// When the request arrived and was answered, and the time between.
    #[serde(flatten)]
    pub time: Timing,
    /// The client's `User-Agent` (carries no secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// For token requests: how the caller proved who it is (`client_secret`,
    /// `client_certificate`, `federated:<credential name>`, `managed_identity:imds`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// The fault injected into this answer, if any: `<status> <code>` for a request refused
    /// by a fault, `lost_response` for one applied and then answered with an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// The JSON body of an ARM write, as received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// When a request arrived and was answered: wall-clock microseconds since the Unix epoch, so
/// a benchmark can line up the requests of one run and measure the span they cover.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timing {
    /// Time spent answering, in milliseconds.
    pub ms: u64,
    /// Arrival, in microseconds since the Unix epoch.
    pub received_us: u64,
    /// Answer sent, in microseconds since the Unix epoch.
    pub answered_us: u64,
}

impl Timing {
    /// The timing of a request that arrived at `started` and is answered now.
    pub fn since(started: Instant) -> Self {
        let elapsed = started.elapsed();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let micros = |d: std::time::Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        Self {
            ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            received_us: micros(now.saturating_sub(elapsed)),
            answered_us: micros(now),
        }
    }
}

/// `{"total","by_method","by_resource_type","by_method_and_type","faults",
/// "faults_by_method_and_type"}` over `entries`: `faults` counts injected faults by kind
/// (`"429 TooManyRequests"`, `"409 AnotherOperationInProgress"`, `"lost_response"`, ...),
/// `faults_by_method_and_type` by `"<METHOD> <type> <kind>"`.
pub fn summary(entries: &[LogEntry]) -> Value {
    let mut by_method: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_both: BTreeMap<String, u64> = BTreeMap::new();
    let mut faults: BTreeMap<String, u64> = BTreeMap::new();
    let mut faults_by_both: BTreeMap<String, u64> = BTreeMap::new();
    for entry in entries {
        *by_method.entry(entry.method.clone()).or_default() += 1;
        *by_type.entry(entry.resource_type.clone()).or_default() += 1;
        let request = format!("{} {}", entry.method, entry.resource_type);
        if let Some(kind) = &entry.fault {
            *faults.entry(kind.clone()).or_default() += 1;
            *faults_by_both
                .entry(format!("{request} {kind}"))
                .or_default() += 1;
        }
        *by_both.entry(request).or_default() += 1;
    }
    json!({
        "total": entries.len(),
        "by_method": by_method,
        "by_resource_type": by_type,
        "by_method_and_type": by_both,
        "faults": faults,
        "faults_by_method_and_type": faults_by_both,
    })
}
