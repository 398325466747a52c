//! The `Resource` implementation: plan rules, and create/read/update/delete/import of the endpoint.

use std::time::Duration;

use async_trait::async_trait;

use super::convert::{expand, flatten, is_closed};
use super::static_ip;
use super::{MANUAL_CONNECTION, PrivateEndpoint, PrivateEndpointModel, schema};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Outcome, Plan, Resource};
use crate::framework::schema::Schema;
use crate::framework::timeouts::TimeoutDefaults;
use crate::provider::arm_ctx;
use crate::provider::validation::normalize_location;

#[async_trait]
impl Resource for PrivateEndpoint {
    type Model = PrivateEndpointModel;

    fn type_name(&self) -> &'static str {
        "astro_private_endpoint"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn timeouts(&self) -> Option<TimeoutDefaults> {
        Some(crate::provider::TIMEOUTS)
    }

    fn validate(&self, config: &PrivateEndpointModel, diags: &mut Diagnostics) {
        if config.manual_connection == Some(false) {
            diags.push(
                Diagnostic::warning(
                    "Automatic connection requested",
                    "manual_connection = false asks Azure to auto-approve the connection, which needs approval rights on Astronomer's Private Link Service; Astro's service expects a manual connection that Astronomer support approves.",
                )
                .at(AttributePath::root().attr(MANUAL_CONNECTION)),
            );
        }
    }

    async fn modify_plan(&self, plan: &mut Plan<PrivateEndpointModel>) {
        let Some(prior) = &plan.prior else { return };
        if prior.connection_closed != Some(true) {
            return;
        }
        // A new endpoint's connection starts open: the change replaces this one (`force_new`).
        plan.planned.connection_closed = Some(false);
        let (status, why) = self.closed_status(prior).await;
        plan.diagnostics.push(Diagnostic::warning(
            format!("Private endpoint {:?} will be replaced: its connection is {status}", prior.name),
            format!(
                "Astronomer's Private Link Service reports the connection as {status} ({why:?}). A {} manual connection can never be approved again, so Terraform replaces the endpoint to send a new request. Ask Astronomer support to approve the new one.",
                status.to_lowercase()
            ),
        ));
    }

    fn upgrade_state(
        &self,
        version: i64,
        json: &[u8],
    ) -> Option<Result<PrivateEndpointModel, Diagnostics>> {
        Some(super::upgrade::from_version(version, json))
    }

    async fn create(
        &self,
        ctx: &OpContext,
        planned: PrivateEndpointModel,
    ) -> Outcome<PrivateEndpointModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(None, d),
        };
        let id = azure::PrivateEndpointId::new(
            client.arm.subscription_id(),
            &planned.resource_group_name,
            &planned.name,
        );
        let actx = arm_ctx(ctx);
        match client.arm.get(&id, &actx).await {
            Ok(Some(_)) => {
                return Outcome::failed(
                    None,
                    crate::provider::errors::requires_import(
                        self.type_name(),
                        &id.to_string(),
                        &id.path(),
                    )
                    .into(),
                );
            }
            Ok(None) => {}
            Err(e) => {
                return Outcome::failed(
                    None,
                    crate::provider::errors::azure_error(
                        "checking for an existing",
                        &id.to_string(),
                        &e,
                    )
                    .into(),
                );
            }
        }
        // A static address must fit the subnet: checked here when the subnet can be read, so
        // that nothing is half-made; else Azure's refusal is explained below.
        let mut prefixes = Vec::new();
        if let Some(ip) = &planned.private_ip_address
            && let Some(found) =
                static_ip::subnet_prefixes(&client.arm, &planned.subnet_id, &actx).await
        {
            if let Some(why) = static_ip::misfit(ip, &found) {
                return Outcome::failed(
                    None,
                    static_ip::misfit_diagnostic(&planned.subnet_id, &why).into(),
                );
            }
            prefixes = found;
        }
        let body = expand(&planned, None);
        // Retries (busy codes, a transient unknown alias, throttling) are the client's.
        let written = client.arm.put_private_endpoint(&id, &body, &actx).await;
        let mut state = planned.clone();
        state.id = Some(id.path());
        match written {
            Ok(pe) => fill_from_azure(&client, ctx, state, pe, true, None).await,
            Err(e) => {
                let object = id.to_string();
                let mut diag = crate::provider::errors::other_subscription(
                    &e,
                    &object,
                    client.arm.subscription_id(),
                    &planned.subnet_id,
                )
                .unwrap_or_else(|| crate::provider::errors::create_error(&object, &e));
                if e.code() == Some("InvalidPrivateLinkServiceId") {
                    diag.detail
                        .push_str(&visibility_note(&client, &planned).await);
                }
                if let Some(ip) = &planned.private_ip_address
                    && let Some(note) = static_ip::explain_refusal(&e, ip, &prefixes)
                {
                    diag.detail.push_str("\n\n");
                    diag.detail.push_str(&note);
                }
                let mut diags: Diagnostics = diag.into();
                // Whatever Azure kept despite the error goes into state (tainted), never lost.
                match client
                    .arm
                    .get(
                        &id,
                        &azure::ArmCallCtx::new(Duration::from_secs(60), Default::default()),
                    )
                    .await
                {
                    Ok(Some(pe)) => {
                        let out = fill_from_azure(&client, ctx, state, pe, true, None).await;
                        diags.extend(out.diagnostics);
                        Outcome::failed(out.state, diags)
                    }
                    Ok(None) => Outcome::failed(None, diags),
                    Err(e2) => {
                        diags.push(Diagnostic::error(
                            "Private endpoint may exist outside Terraform's state",
                            format!("Could not check whether {id} was created ({e2}). If it exists, adopt it with: terraform import astro_private_endpoint.<name> {}", id.path()),
                        ));
                        Outcome::failed(None, diags)
                    }
                }
            }
        }
    }

    async fn read(
        &self,
        ctx: &OpContext,
        current: PrivateEndpointModel,
    ) -> Outcome<PrivateEndpointModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let id = match current.id.as_deref().map(azure::PrivateEndpointId::parse) {
            Some(Ok(id)) => id,
            _ => return Outcome::failed(Some(current), bad_id_in_state()),
        };
        let call = arm_ctx(ctx);
        // State names the NIC, so it is read alongside the endpoint instead of after it: one
        // ARM round trip per refresh, not two. The answer is used only if the endpoint still
        // names that NIC.
        let held_nic = current
            .network_interface_id
            .as_deref()
            .and_then(|n| azure::NetworkInterfaceId::parse(n).ok());
        let (pe, nic) = match held_nic {
            Some(nid) => {
                let (pe, nic) =
                    tokio::join!(client.arm.get(&id, &call), client.arm.get(&nid, &call));
                (pe, Some((nid, nic)))
            }
            None => (client.arm.get(&id, &call).await, None),
        };
        match pe {
            Ok(Some(pe)) => fill_from_azure(&client, ctx, current, pe, false, nic).await,
            Ok(None) => {
                tracing::info!(id = %id, "private endpoint no longer exists; removing it from state");
                Outcome::gone()
            }
            Err(e) => Outcome::failed(
                Some(current),
                crate::provider::errors::azure_error("reading", &id.to_string(), &e).into(),
            ),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext,
        prior: PrivateEndpointModel,
        planned: PrivateEndpointModel,
    ) -> Outcome<PrivateEndpointModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(prior), d),
        };
        let id = match prior.id.as_deref().map(azure::PrivateEndpointId::parse) {
            Some(Ok(id)) => id,
            _ => return Outcome::failed(Some(prior), bad_id_in_state()),
        };
        let actx = arm_ctx(ctx);
        let mut state = planned.clone();
        state.id = Some(id.path());
        if planned.tags == prior.tags
            && planned.request_message == prior.request_message
            && planned.application_security_group_ids == prior.application_security_group_ids
        {
            // Only Terraform's bookkeeping changed (an alias adopted after import): nothing to
            // write to Azure.
            return self.read(ctx, state).await;
        }
        // ARM's PUT replaces the whole object, so the body is Azure's current object with only
        // our attributes changed: the models keep every property they do not know (ASGs,
        // static IP configurations, custom DNS configs, ipVersionType, extendedLocation...) and
        // send it back as read.
        let current = match client.arm.get(&id, &actx).await {
            Ok(Some(pe)) => pe,
            Ok(None) => {
                return Outcome::failed(
                    None,
                    Diagnostic::error(
                        format!("{id} disappeared"),
                        "The private endpoint was deleted outside Terraform during the update; run terraform apply again to re-create it.",
                    )
                    .into(),
                );
            }
            Err(e) => {
                return Outcome::failed(
                    Some(prior),
                    crate::provider::errors::azure_error("reading", &id.to_string(), &e).into(),
                );
            }
        };
        let body = expand(&planned, Some(current));
        match client.arm.put_private_endpoint(&id, &body, &actx).await {
            Ok(pe) => fill_from_azure(&client, ctx, state, pe, false, None).await,
            Err(e) => Outcome::failed(
                Some(prior),
                crate::provider::errors::azure_error("updating", &id.to_string(), &e).into(),
            ),
        }
    }

    async fn delete(&self, ctx: &OpContext, prior: PrivateEndpointModel) -> Diagnostics {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return d,
        };
        let id = match prior.id.as_deref().map(azure::PrivateEndpointId::parse) {
            Some(Ok(id)) => id,
            _ => return bad_id_in_state(),
        };
        let actx = arm_ctx(ctx);
        match client.arm.delete(&id, &actx).await {
            Ok(()) => Diagnostics::new(),
            Err(e) if e.is_not_found() => Diagnostics::new(),
            Err(e) => crate::provider::errors::azure_error("deleting", &id.to_string(), &e).into(),
        }
    }

    async fn import(
        &self,
        _ctx: &OpContext,
        id: &str,
    ) -> Result<PrivateEndpointModel, Diagnostics> {
        let parsed = azure::PrivateEndpointId::parse(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                format!("{e}. Import takes the private endpoint's ARM ID: /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Network/privateEndpoints/<name>"),
            ))
        })?;
        Ok(PrivateEndpointModel {
            id: Some(parsed.path()),
            name: parsed.name.clone(),
            resource_group_name: parsed.resource_group.clone(),
            ..Default::default()
        })
    }
}

impl PrivateEndpoint {
    /// The status and message of a closed connection, for the plan's warning: one read of the
    /// endpoint (state keeps only that it is closed); a read that fails says what state knows.
    async fn closed_status(&self, prior: &PrivateEndpointModel) -> (String, String) {
        let unknown = ("Rejected or Disconnected".to_string(), String::new());
        let (Ok(client), Some(Ok(id))) = (
            self.client.get(),
            prior.id.as_deref().map(azure::PrivateEndpointId::parse),
        ) else {
            return unknown;
        };
        let ctx = azure::ArmCallCtx::new(Duration::from_secs(60), Default::default());
        match client.arm.get(&id, &ctx).await {
            Ok(Some(pe)) => {
                let s = crate::provider::connection_data_source::connection_status(&pe);
                if is_closed(&s.status) {
                    (s.status, s.description)
                } else {
                    unknown
                }
            }
            _ => unknown,
        }
    }
}

/// Why Azure may not know the alias: asks whether the service is visible to this
/// subscription, and says what to send Astronomer support.
pub(super) async fn visibility_note(
    client: &crate::provider::Configured,
    m: &PrivateEndpointModel,
) -> String {
    let location = normalize_location(&m.location);
    let ctx = azure::ArmCallCtx::new(Duration::from_secs(60), Default::default());
    let asked = client
        .arm
        .private_link_service_visible(&location, &m.private_link_service_alias, &ctx)
        .await;
    match asked {
        Ok(Some(false)) => format!(
            "\n\nAzure reports that no Private Link Service with this alias is visible to subscription {}. Either the alias is mistyped, or Astronomer has not yet allowed your subscription: send Astronomer support your subscription ID and the alias.",
            client.arm.subscription_id()
        ),
        Ok(Some(true)) => "\n\nThe alias is visible to your subscription, so Azure may still be propagating it: run terraform apply again in a few minutes.".to_string(),
        Ok(None) | Err(_) => String::new(),
    }
}

pub(super) fn bad_id_in_state() -> Diagnostics {
    Diagnostic::error(
        "Invalid ID in state",
        "internal-error: the state holds no valid private endpoint ID. Remove the resource from state (terraform state rm) and import it again.",
    )
    .into()
}

/// A NIC's ARM ID and Azure's answer to reading it.
pub(super) type NicRead = (
    azure::NetworkInterfaceId,
    azure::Result<Option<azure::models::NetworkInterface>>,
);

/// Fills `state` from Azure's endpoint (and its NIC), keeping the user's spelling wherever
/// Azure's value means the same thing.
///
/// `just_created`: the NIC was made moments ago and may not be readable yet (ARM's
/// read-after-write window), so a 404 is retried; and an endpoint without an IP is an error,
/// since the DNS record would point nowhere. `read_nic`: the NIC already read alongside the
/// endpoint, used when the endpoint names that NIC (otherwise the NIC is read here).
pub(super) async fn fill_from_azure(
    client: &crate::provider::Configured,
    ctx: &OpContext,
    mut state: PrivateEndpointModel,
    pe: azure::models::PrivateEndpoint,
    just_created: bool,
    read_nic: Option<NicRead>,
) -> Outcome<PrivateEndpointModel> {
    flatten(&mut state, &pe);
    let mut diags = Diagnostics::new();
    if let Some(nic_id) = pe.network_interface_id() {
        state.network_interface_id = Some(nic_id.to_string());
        match azure::NetworkInterfaceId::parse(nic_id) {
            Ok(nid) => {
                // ARM IDs compare without regard to case (design/arm-rules.md).
                let answer = match read_nic {
                    Some((read, answer)) if read.path().eq_ignore_ascii_case(&nid.path()) => answer,
                    _ if just_created => client.arm.get_after_write(&nid, &arm_ctx(ctx)).await,
                    _ => client.arm.get(&nid, &arm_ctx(ctx)).await,
                };
                match answer {
                    Ok(Some(nic)) => state.private_ip_address = azure::private_ip(&nic),
                    Ok(None) => {}
                    Err(e) => diags.extend(
                        crate::provider::errors::azure_error("reading", &nid.to_string(), &e)
                            .into(),
                    ),
                }
            }
            Err(e) => diags.error(
                "Unexpected network interface ID",
                format!("Azure returned {nic_id:?}: {e}"),
            ),
        }
    }
    if just_created && state.private_ip_address.is_none() && !diags.has_errors() {
        diags.error(
            "Private endpoint has no private IP address",
            format!(
                "Azure created {} but reports no private IP on its network interface, so no DNS record can point at it. Run terraform apply again; if it persists, check the endpoint in the Azure portal.",
                state.id.as_deref().unwrap_or(&state.name)
            ),
        );
    }
    // Computed attributes must be known after apply; Azure not reporting one is an empty value.
    state.private_ip_address.get_or_insert_with(String::new);
    state.network_interface_id.get_or_insert_with(String::new);
    Outcome {
        state: Some(state),
        diagnostics: diags,
    }
}
