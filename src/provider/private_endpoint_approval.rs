//! `astro_private_endpoint_approval`: waits for Astronomer's approval of a private endpoint's
//! connection at **apply** time and never at plan time. A data source cannot tell a plan from
//! an apply (Terraform reads it whenever its arguments are known), so a wait there blocks
//! every `terraform plan` until the connection is approved; a waiter resource waits only in
//! Create, which runs only during apply (the shape of the AWS provider's
//! `aws_acm_certificate_validation`). Nothing in Azure is created or deleted: Create polls the
//! endpoint (Network API [`azure::NETWORK_API_VERSION`]), Read refreshes once, Delete forgets.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::connection_data_source::{ConnectionStatus, connection_status, support_note};
use super::poll_schedule::PollSchedule;
use super::{Client, arm_ctx, validation};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::resource::{OpContext, Outcome, Resource};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::timeouts::{Operation, TimeoutDefaults};
use crate::framework::types::Type;

/// Statuses after which a connection can never become Approved.
const DEAD_STATUSES: [&str; 2] = ["Rejected", "Disconnected"];
/// How long the read at the deadline may take: it starts when the timeout ends, so it gets
/// a budget of its own.
const LAST_READ_BUDGET: Duration = Duration::from_secs(10);

/// The resource's state.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ApprovalModel {
    /// ARM ID of the endpoint's private link service connection.
    pub id: Option<String>,
    /// The endpoint whose connection is awaited, as the user wrote it.
    pub private_endpoint_id: String,
    /// `Approved` once created.
    pub status: Option<String>,
    /// The approver's message.
    pub description: Option<String>,
    /// RFC 3339 time at which this resource first saw the connection Approved.
    pub approved_at: Option<String>,
}

/// The `astro_private_endpoint_approval` resource.
#[derive(Debug)]
pub struct PrivateEndpointApproval {
    client: Client,
}

impl PrivateEndpointApproval {
    /// The resource, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// The schema: the endpoint to wait for, then what was seen, then a `timeouts` block with
/// `create` only (Read is a single GET; Delete touches nothing).
pub fn schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::required("private_endpoint_id", s.clone())
                .force_new()
                .describe("ARM ID of the private endpoint whose connection Astronomer must approve, e.g. `astro_private_endpoint.agents.id`. A new endpoint (for example after a rejection) is waited for again.")
                .validate(validation::private_endpoint_id()),
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the endpoint's private link service connection."),
            Attribute::computed("status", s.clone())
                .use_state_for_unknown()
                .describe("`Approved` once created. When a refresh finds any other status, the resource leaves the state (with a warning) so that the next plan shows the wait again."),
            Attribute::computed("description", s.clone())
                .use_state_for_unknown()
                .describe("The approver's message."),
            Attribute::computed("approved_at", s)
                .use_state_for_unknown()
                .describe("When this resource first saw the connection Approved (RFC 3339); for an imported resource, the time of the import."),
        ])
        .with_block(super::TIMEOUTS.block_for(&[Operation::Create]))
        .describe("Waits at apply time until Astronomer approves the private endpoint's connection, and never at plan time: Create polls until the connection is `Approved` (fails at once if Astronomer rejects or disconnects it), Read only refreshes, Delete only forgets. Use it instead of waiting in the `astro_private_endpoint_connection` data source, which is read during every `terraform plan` and would block it."),
    )
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn is_dead(status: &str) -> bool {
    DEAD_STATUSES.iter().any(|d| status.eq_ignore_ascii_case(d))
}

/// The connection's ARM ID, or the one ARM would give it when Azure leaves it out.
fn connection_id(id: &azure::PrivateEndpointId, pe: &azure::models::PrivateEndpoint) -> String {
    let conn = pe.connection();
    conn.and_then(|c| c.id.clone()).unwrap_or_else(|| {
        format!(
            "{}/manualPrivateLinkServiceConnections/{}",
            id.path(),
            conn.and_then(|c| c.name.clone()).unwrap_or_default()
        )
    })
}

fn parse_id(raw: &str) -> Result<azure::PrivateEndpointId, Diagnostics> {
    azure::PrivateEndpointId::parse(raw).map_err(|e| {
        Diagnostic::error(
            "Invalid private_endpoint_id",
            format!("{e}. Expected /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Network/privateEndpoints/<name>"),
        )
        .into()
    })
}

fn endpoint_missing(id: &azure::PrivateEndpointId) -> Diagnostics {
    Diagnostic::error(
        format!("{id} not found"),
        "The private endpoint does not exist. Check private_endpoint_id; when it refers to an endpoint in the same configuration, reference its id attribute so that Terraform creates the endpoint first.",
    )
    .into()
}

fn rejected(id: &azure::PrivateEndpointId, s: &ConnectionStatus) -> Diagnostics {
    Diagnostic::error(
        format!("Connection of {id} was {}", s.status),
        format!(
            "Astronomer's Private Link Service reports {} with the message {:?}; it can never become Approved. The next terraform plan replaces the endpoint (an astro_private_endpoint whose connection is {} is replaced) and this resource waits for the new request: run terraform apply again and ask support to approve it.\n\n{}",
            s.status,
            s.description,
            s.status,
            support_note(id, s)
        ),
    )
    .into()
}

fn timed_out(
    id: &azure::PrivateEndpointId,
    s: &ConnectionStatus,
    waited: Duration,
    polls: u32,
) -> Diagnostics {
    Diagnostic::error(
        format!("Timed out waiting for Astronomer to approve {id}"),
        format!(
            "Ask Astronomer support to approve the connection (send them what is listed below), then run terraform apply again (this resource is not in the state, so the next apply waits again), or raise timeouts.create. Waited {} ({polls} reads, the last at the deadline); the connection is still {} ({:?}): Astronomer approves Private Link connections by hand.\n\n{}",
            crate::framework::timeouts::short(Duration::from_secs(waited.as_secs())),
            if s.status.is_empty() { "without a status" } else { &s.status },
            s.description,
            support_note(id, s)
        ),
    )
    .into()
}

#[async_trait]
impl Resource for PrivateEndpointApproval {
    type Model = ApprovalModel;

    fn type_name(&self) -> &'static str {
        "astro_private_endpoint_approval"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn timeouts(&self) -> Option<TimeoutDefaults> {
        Some(super::TIMEOUTS)
    }

    async fn create(&self, ctx: &OpContext, planned: ApprovalModel) -> Outcome<ApprovalModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(None, d),
        };
        let id = match parse_id(&planned.private_endpoint_id) {
            Ok(id) => id,
            Err(d) => return Outcome::failed(None, d),
        };
        let actx = arm_ctx(ctx);
        let started = tokio::time::Instant::now();
        let mut schedule = PollSchedule::new(ctx.deadline);
        let mut polls = 0u32;
        let mut last: Option<ConnectionStatus> = None;
        let mut final_read = false;
        loop {
            polls += 1;
            let read_started = tokio::time::Instant::now();
            // The read at the deadline gets a budget of its own: the timeout has just ended.
            let read_ctx = if final_read {
                azure::ArmCallCtx::new(LAST_READ_BUDGET, ctx.cancel.clone())
            } else {
                actx.clone()
            };
            let pe = match client.arm.get(&id, &read_ctx).await {
                Ok(Some(pe)) => pe,
                Ok(None) => return Outcome::failed(None, endpoint_missing(&id)),
                // A read started just before the deadline that runs past it is the wait timing
                // out, not Azure failing: say so with what support needs, as any timeout does.
                Err(_) if tokio::time::Instant::now() >= ctx.deadline && last.is_some() => {
                    let s = last.unwrap_or_default();
                    return Outcome::failed(None, timed_out(&id, &s, ctx.timeout, polls));
                }
                Err(e) => {
                    return Outcome::failed(
                        None,
                        super::errors::azure_error("reading", &id.to_string(), &e).into(),
                    );
                }
            };
            let s = connection_status(&pe);
            if s.status.eq_ignore_ascii_case("Approved") {
                tracing::info!(id = %id, waited_secs = started.elapsed().as_secs(), "Astronomer approved the private endpoint connection");
                return Outcome::ok(ApprovalModel {
                    id: Some(connection_id(&id, &pe)),
                    status: Some(s.status),
                    description: Some(s.description),
                    approved_at: Some(now_rfc3339()),
                    ..planned
                });
            }
            if is_dead(&s.status) {
                return Outcome::failed(None, rejected(&id, &s));
            }
            let now = tokio::time::Instant::now();
            let Some(next) = schedule.next(read_started, now, rand::random::<f64>()) else {
                return Outcome::failed(None, timed_out(&id, &s, ctx.timeout, polls));
            };
            final_read = next.last;
            last = Some(s.clone());
            tracing::info!(
                id = %id,
                status = %s.status,
                waited_secs = started.elapsed().as_secs(),
                next_read_in_secs = next.at.saturating_duration_since(now).as_secs(),
                "waiting for Astronomer to approve the private endpoint connection"
            );
            tokio::select! {
                _ = tokio::time::sleep_until(next.at) => {}
                _ = ctx.cancel.cancelled() => {
                    return Outcome::failed(None, Diagnostic::error(
                        "Interrupted",
                        format!("Stopped waiting for Astronomer to approve {id}: the run was interrupted. The next apply waits again."),
                    ).into());
                }
            }
        }
    }

    async fn read(&self, ctx: &OpContext, current: ApprovalModel) -> Outcome<ApprovalModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let id = match parse_id(&current.private_endpoint_id) {
            Ok(id) => id,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        // One read, never a wait: this runs during every plan.
        let pe = match client.arm.get(&id, &arm_ctx(ctx)).await {
            Ok(Some(pe)) => pe,
            Ok(None) => {
                let mut out = Outcome::gone();
                out.diagnostics.warning(
                    format!("Approval of {id} removed from state: the endpoint no longer exists"),
                    "The private endpoint was deleted. The next apply creates it again and waits for Astronomer to approve the new connection.",
                );
                return out;
            }
            Err(e) => {
                return Outcome::failed(
                    Some(current),
                    super::errors::azure_error("reading", &id.to_string(), &e).into(),
                );
            }
        };
        let s = connection_status(&pe);
        if !s.status.eq_ignore_ascii_case("Approved") {
            let mut out = Outcome::gone();
            out.diagnostics.warning(
                format!(
                    "Approval of {id} removed from state: the connection is {}",
                    if s.status.is_empty() { "without a status" } else { &s.status }
                ),
                format!(
                    "Astronomer's Private Link Service now reports {} ({:?}). The next plan shows the wait for approval again{}.",
                    s.status,
                    s.description,
                    if is_dead(&s.status) {
                        ", and the endpoint is replaced to send a new request"
                    } else {
                        ""
                    }
                ),
            );
            return out;
        }
        Outcome::ok(ApprovalModel {
            id: Some(connection_id(&id, &pe)),
            status: Some(s.status),
            description: Some(s.description),
            approved_at: current.approved_at.clone().or_else(|| Some(now_rfc3339())),
            ..current
        })
    }

    async fn update(
        &self,
        _ctx: &OpContext,
        prior: ApprovalModel,
        planned: ApprovalModel,
    ) -> Outcome<ApprovalModel> {
        // Only the timeouts block can change in place; nothing to do in Azure.
        Outcome::ok(ApprovalModel {
            private_endpoint_id: planned.private_endpoint_id,
            ..prior
        })
    }

    async fn delete(&self, _ctx: &OpContext, _prior: ApprovalModel) -> Diagnostics {
        // Forgetting the approval removes nothing in Azure.
        Diagnostics::new()
    }

    async fn import(&self, ctx: &OpContext, id: &str) -> Result<ApprovalModel, Diagnostics> {
        let parsed = parse_id(id).map_err(|_| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                "Import takes the private endpoint's ARM ID: /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Network/privateEndpoints/<name>",
            ))
        })?;
        // Only an approval that exists can be imported; say why not instead of Terraform's
        // generic "non-existent remote object".
        let client = self.client.get()?;
        match client.arm.get(&parsed, &arm_ctx(ctx)).await {
            Ok(Some(pe)) => {
                let s = connection_status(&pe);
                if !s.status.eq_ignore_ascii_case("Approved") {
                    return Err(Diagnostic::error(
                        format!("Cannot import the approval of {parsed}: the connection is {}", if s.status.is_empty() { "without a status" } else { &s.status }),
                        format!("Astronomer's Private Link Service reports {} ({:?}); only an approved connection can be imported. Leave the resource in the configuration without importing it: terraform apply waits for the approval.\n\n{}", s.status, s.description, support_note(&parsed, &s)),
                    )
                    .into());
                }
            }
            Ok(None) => return Err(endpoint_missing(&parsed)),
            Err(e) => {
                return Err(super::errors::azure_error("reading", &parsed.to_string(), &e).into());
            }
        }
        Ok(ApprovalModel {
            private_endpoint_id: id.to_string(),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_block_offers_create_only() {
        let s = schema();
        let t = s
            .block
            .blocks
            .iter()
            .find(|b| b.type_name == "timeouts")
            .expect("timeouts block");
        let names: Vec<_> = t.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["create"]);
        assert!(t.block.attributes[0].description.contains("`30m`"));
    }

    #[test]
    fn dead_statuses_match_any_case() {
        assert!(is_dead("Rejected"));
        assert!(is_dead("disconnected"));
        assert!(!is_dead("Pending"));
        assert!(!is_dead("Approved"));
    }

    #[test]
    fn connection_id_falls_back_to_the_arm_shape() {
        let id = azure::PrivateEndpointId::new("s", "rg", "pe");
        let pe = azure::models::PrivateEndpoint::default();
        assert!(
            connection_id(&id, &pe)
                .ends_with("/privateEndpoints/pe/manualPrivateLinkServiceConnections/")
        );
    }

    #[test]
    fn approved_at_is_rfc3339() {
        let t = now_rfc3339();
        assert!(
            time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).is_ok(),
            "{t}"
        );
    }
}
