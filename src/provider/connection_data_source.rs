//! data `astro_private_endpoint_connection`: reads, and optionally waits for, the approval
//! state of a private endpoint's connection to Astronomer's Private Link Service. Waiting
//! polls with jitter, honours Retry-After, fails at once when the connection can no longer
//! reach the awaited state, and on timeout says what to send Astronomer support.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::Client;
use super::validation;
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::duration;
use crate::framework::path::AttributePath;
use crate::framework::resource::DataSource;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::validators::{GoDuration, OneOf};

const DEFAULT_TIMEOUT: &str = "30m";
const DEFAULT_POLL_INTERVAL: &str = "15s";
const STATUSES: &[&str] = &["Approved", "Pending", "Rejected", "Disconnected"];

/// The data source's state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ConnectionModel {
    /// Same as `private_endpoint_id`.
    pub id: Option<String>,
    /// The endpoint to read.
    pub private_endpoint_id: String,
    /// Status to wait for.
    pub wait_for_status: Option<String>,
    /// How long to wait.
    pub timeout: Option<String>,
    /// Time between reads.
    pub poll_interval: Option<String>,
    /// Current status.
    pub status: Option<String>,
    /// The approver's message.
    pub description: Option<String>,
    /// Actions required, as Azure reports them.
    pub actions_required: Option<String>,
    /// The endpoint's private IP.
    pub private_ip_address: Option<String>,
    /// Status is Approved.
    pub approved: Option<bool>,
}

/// The data source.
#[derive(Debug)]
pub struct Connection {
    client: Client,
}

impl Connection {
    /// The data source, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// `timeout`, named where a diagnostic points at it.
const TIMEOUT: &str = "timeout";
/// `poll_interval`, named where a diagnostic points at it.
const POLL_INTERVAL: &str = "poll_interval";

/// The schema.
pub fn schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::required("private_endpoint_id", s.clone())
                .describe("ARM ID of the private endpoint, e.g. `astro_private_endpoint.agents.id`.")
                .validate(validation::private_endpoint_id()),
            Attribute::optional("wait_for_status", s.clone())
                .describe("Wait until the connection has this status: `Approved`, `Pending`, `Rejected` or `Disconnected`. Unset: read once. A data source is read during every `terraform plan`, so waiting here blocks plans until the status is reached; to wait for approval use the `astro_private_endpoint_approval` resource, which waits only during apply.")
                .validate(OneOf(STATUSES)),
            Attribute::optional(TIMEOUT, s.clone())
                .describe("How long to wait for `wait_for_status`, as a duration such as `20m`. Default `30m`.")
                .validate(GoDuration),
            Attribute::optional(POLL_INTERVAL, s.clone())
                .describe("Time between reads while waiting, such as `15s` (jittered; a longer Retry-After from Azure wins). Default `15s`.")
                .validate(GoDuration),
            Attribute::computed("id", s.clone()).describe("Same as `private_endpoint_id`."),
            Attribute::computed("status", s.clone()).describe("Connection status: `Pending`, `Approved`, `Rejected` or `Disconnected`."),
            Attribute::computed("description", s.clone()).describe("The approver's message for the current status."),
            Attribute::computed("actions_required", s.clone()).describe("Actions required, as Azure reports them."),
            Attribute::computed("private_ip_address", s).describe("The endpoint's private IP address."),
            Attribute::computed("approved", Type::Bool).describe("`true` when the status is `Approved`."),
        ])
        .describe("Reads, and optionally waits for, the approval state of the private endpoint's connection to Astronomer."),
    )
}

/// A single read may take this long (the ARM client retries throttling inside it).
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// What one read of the endpoint says about its connection.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionStatus {
    pub(crate) status: String,
    pub(crate) description: String,
    pub(crate) actions_required: String,
    pub(crate) connection_name: String,
    pub(crate) alias: String,
}

pub(crate) fn connection_status(pe: &azure::models::PrivateEndpoint) -> ConnectionStatus {
    let conn = pe.connection();
    let props = conn.and_then(|c| c.properties.clone()).unwrap_or_default();
    let state = props
        .private_link_service_connection_state
        .unwrap_or_default();
    ConnectionStatus {
        status: state.status.unwrap_or_default(),
        description: state.description.unwrap_or_default(),
        actions_required: state.actions_required.unwrap_or_default(),
        connection_name: conn.and_then(|c| c.name.clone()).unwrap_or_default(),
        alias: props.private_link_service_id.unwrap_or_default(),
    }
}

/// 80-100% of `interval`, so that many waiting runs do not poll in step, while a change is
/// still seen within one `poll_interval` of happening.
pub(crate) fn jittered(interval: Duration) -> Duration {
    let factor = 0.8 + rand::random::<f64>() * 0.2;
    interval.mul_f64(factor)
}

pub(crate) fn support_note(id: &azure::PrivateEndpointId, s: &ConnectionStatus) -> String {
    format!(
        "Send Astronomer support:\n  private endpoint ID: {}\n  connection name:     {}\n  alias:               {}",
        id.path(),
        s.connection_name,
        s.alias
    )
}

/// Time since `started`, in whole seconds as people write it ("1m5s").
fn waited(started: tokio::time::Instant) -> String {
    crate::framework::timeouts::short(Duration::from_secs(started.elapsed().as_secs()))
}

fn duration_attr(value: Option<&str>, default: &str) -> Duration {
    duration::parse(value.unwrap_or(default))
        .unwrap_or_else(|_| duration::parse(default).unwrap_or(Duration::from_secs(60)))
}

#[async_trait]
impl DataSource for Connection {
    type Model = ConnectionModel;

    fn type_name(&self) -> &'static str {
        "astro_private_endpoint_connection"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &ConnectionModel, diags: &mut Diagnostics) {
        if config.wait_for_status.is_some() {
            return;
        }
        let set = [
            (TIMEOUT, config.timeout.is_some()),
            (POLL_INTERVAL, config.poll_interval.is_some()),
        ];
        for (attr, _) in set.into_iter().filter(|(_, set)| *set) {
            diags.push(
                Diagnostic::warning(
                    format!("{attr} has no effect"),
                    format!("{attr} only applies while waiting; set wait_for_status to wait for a status."),
                )
                .at(AttributePath::root().attr(attr)),
            );
        }
    }

    async fn read(
        &self,
        cancel: CancellationToken,
        config: ConnectionModel,
    ) -> Result<ConnectionModel, Diagnostics> {
        let client = self.client.get()?;
        let id = azure::PrivateEndpointId::parse(&config.private_endpoint_id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid private_endpoint_id",
                e.to_string(),
            ))
        })?;
        let timeout = duration_attr(config.timeout.as_deref(), DEFAULT_TIMEOUT);
        let interval = duration_attr(config.poll_interval.as_deref(), DEFAULT_POLL_INTERVAL);
        let wait_for = config.wait_for_status.clone();
        let started = tokio::time::Instant::now();
        let deadline = started
            + if wait_for.is_some() {
                timeout
            } else {
                READ_TIMEOUT
            };
        let ctx = azure::ArmCallCtx {
            deadline: deadline.max(tokio::time::Instant::now() + READ_TIMEOUT),
            cancel: cancel.clone(),
        };
        let mut polls = 0u32;
        let (pe, s) = loop {
            polls += 1;
            let pe = match client.arm.get(&id, &ctx).await {
                Ok(Some(pe)) => pe,
                Ok(None) => {
                    return Err(Diagnostic::error(
                        format!("{id} not found"),
                        "The private endpoint does not exist (yet). Check private_endpoint_id; when it refers to an endpoint in the same configuration, reference its id attribute so Terraform creates it first.",
                    )
                    .into());
                }
                Err(e) => {
                    return Err(super::errors::azure_error("reading", &id.to_string(), &e).into());
                }
            };
            let s = connection_status(&pe);
            let Some(want) = wait_for.as_deref() else {
                break (pe, s);
            };
            if s.status.eq_ignore_ascii_case(want) {
                tracing::info!(id = %id, status = %s.status, waited = %waited(started), "connection reached the awaited status");
                break (pe, s);
            }
            if want.eq_ignore_ascii_case("Approved")
                && ["Rejected", "Disconnected"]
                    .iter()
                    .any(|d| s.status.eq_ignore_ascii_case(d))
            {
                return Err(Diagnostic::error(
                    format!("Connection of {id} was {}", s.status),
                    format!(
                        "Astronomer's Private Link Service reports {} with the message {:?}; it can never become Approved. Replace the endpoint (terraform apply replaces an astro_private_endpoint whose connection is {}) and ask support to approve the new request.\n\n{}",
                        s.status,
                        s.description,
                        s.status,
                        support_note(&id, &s)
                    ),
                )
                .into());
            }
            let pause = jittered(interval);
            if tokio::time::Instant::now() + pause > deadline {
                return Err(Diagnostic::error(
                    format!("Timed out waiting for {id} to be {want}"),
                    format!(
                        "Waited {} ({polls} reads); the connection is still {} ({:?}). Astronomer approves Private Link connections by hand: ask support to approve it, or raise timeout.\n\n{}",
                        waited(started),
                        if s.status.is_empty() { "without a status" } else { &s.status },
                        s.description,
                        support_note(&id, &s)
                    ),
                )
                .into());
            }
            tracing::info!(
                id = %id,
                status = %s.status,
                waiting_for = want,
                waited = %waited(started),
                "waiting for Astronomer to act on the private endpoint connection"
            );
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = cancel.cancelled() => {
                    return Err(Diagnostic::error("Interrupted", format!("Stopped waiting for {id} to be {want}: the run was interrupted.")).into());
                }
            }
        };
        let mut ip = String::new();
        if let Some(nic) = pe
            .network_interface_id()
            .and_then(|n| azure::NetworkInterfaceId::parse(n).ok())
        {
            match client.arm.get(&nic, &ctx).await {
                Ok(Some(n)) => ip = azure::private_ip(&n).unwrap_or_default(),
                Ok(None) => {}
                Err(e) => {
                    return Err(super::errors::azure_error("reading", &nic.to_string(), &e).into());
                }
            }
        }
        Ok(ConnectionModel {
            id: Some(config.private_endpoint_id.clone()),
            approved: Some(s.status.eq_ignore_ascii_case("Approved")),
            status: Some(s.status),
            description: Some(s.description),
            actions_required: Some(s.actions_required),
            private_ip_address: Some(ip),
            ..config
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_never_waits_longer_than_the_poll_interval() {
        let interval = Duration::from_secs(15);
        for _ in 0..1000 {
            let d = jittered(interval);
            assert!(d <= interval && d >= interval.mul_f64(0.8), "{d:?}");
        }
    }
}
