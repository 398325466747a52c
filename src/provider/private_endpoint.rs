//! `astro_private_endpoint`: the Private Endpoint in the agents' subnet, connected to
//! Astronomer's Private Link Service by alias as a manual connection (Network API
//! [`azure::NETWORK_API_VERSION`]). Reads the endpoint's NIC for its private IP. A connection
//! that Astronomer rejected or disconnected cannot be re-requested in place, so the plan
//! replaces the endpoint, with a warning saying why.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::validation::{self, normalize_location};
use super::{Client, arm_ctx, keep_if_same};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Outcome, PlanRequest, Resource};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::timeouts::TimeoutDefaults;
use crate::framework::types::Type;
use crate::framework::validators::StringLength;
use crate::framework::value::Value;

/// Statuses after which the connection can never become Approved again.
const DEAD_STATUSES: [&str; 2] = ["Rejected", "Disconnected"];

/// The resource's state, attribute for attribute.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PrivateEndpointModel {
    /// ARM ID.
    pub id: Option<String>,
    /// Endpoint name.
    pub name: String,
    /// Resource group.
    pub resource_group_name: String,
    /// Region.
    pub location: String,
    /// Subnet ARM ID.
    pub subnet_id: String,
    /// Astronomer's Private Link Service alias.
    pub private_link_service_alias: String,
    /// Message shown to Astronomer support.
    pub request_message: Option<String>,
    /// Name of the private link service connection.
    pub connection_name: Option<String>,
    /// Manual approval (Astronomer approves by hand).
    pub manual_connection: Option<bool>,
    /// Name of the NIC Azure creates.
    pub custom_network_interface_name: Option<String>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Private IP of the endpoint's NIC.
    pub private_ip_address: Option<String>,
    /// NIC ARM ID.
    pub network_interface_id: Option<String>,
    /// Pending, Approved, Rejected or Disconnected.
    pub connection_status: Option<String>,
    /// The approver's message.
    pub connection_description: Option<String>,
    /// ARM provisioning state.
    pub provisioning_state: Option<String>,
}

/// The `astro_private_endpoint` resource.
#[derive(Debug)]
pub struct PrivateEndpoint {
    client: Client,
}

impl PrivateEndpoint {
    /// The resource, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// The schema, in the order of the docs page (docs/resources/private_endpoint.md).
pub fn schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::required("name", s.clone())
                .force_new()
                .describe("Name of the private endpoint, e.g. `astro-privatelink`.")
                .validate(validation::private_endpoint_name()),
            Attribute::required("resource_group_name", s.clone())
                .force_new()
                .describe("Resource group the endpoint (and its network interface) is created in.")
                .validate(validation::resource_group_name()),
            Attribute::required("location", s.clone())
                .force_new()
                .describe("Azure region of the agents' virtual network. `East US` and `eastus` are the same.")
                .validate(validation::location())
                .equivalent_when(same_location),
            Attribute::required("subnet_id", s.clone())
                .force_new()
                .describe("ARM ID of the agents' subnet the endpoint is placed in.")
                .validate(validation::subnet_id())
                .equivalent_when(super::same_id),
            Attribute::required("private_link_service_alias", s.clone())
                .force_new()
                .describe("Alias of Astronomer's Private Link Service, as given by Astronomer support.")
                .validate(validation::private_link_service_alias()),
            Attribute::optional("request_message", s.clone())
                .describe("Message shown to Astronomer support with the connection request; include the Astro cluster ID and organisation.")
                .validate(StringLength { min: 1, max: 140 }),
            Attribute::optional("connection_name", s.clone())
                .force_new()
                .default_from("name")
                .describe("Name of the private link service connection.")
                .validate(validation::connection_name()),
            Attribute::optional("manual_connection", Type::Bool)
                .force_new()
                .default_value(true)
                .describe("Request a manual connection, approved by Astronomer support. Astro's service requires `true`."),
            Attribute::optional("custom_network_interface_name", s.clone())
                .force_new()
                .describe("Name of the network interface Azure creates for the endpoint. Azure picks one when unset.")
                .validate(validation::connection_name()),
            Attribute::optional("tags", Type::map(s.clone()))
                .default_value(super::no_tags())
                .describe("Tags on the private endpoint."),
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the private endpoint; `terraform import` takes it."),
            Attribute::computed("private_ip_address", s.clone())
                .use_state_for_unknown()
                .describe("The endpoint's private IP address (from its network interface): the A record's target."),
            Attribute::computed("network_interface_id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the endpoint's network interface."),
            Attribute::computed("connection_status", s.clone())
                .describe("Approval state of the connection: `Pending`, `Approved`, `Rejected` or `Disconnected`."),
            Attribute::computed("connection_description", s.clone())
                .describe("The approver's message for the current status."),
            Attribute::computed("provisioning_state", s).describe("ARM provisioning state of the endpoint."),
        ])
        .describe("The Private Endpoint in the agents' subnet, connected to Astronomer's Private Link Service by alias."),
    )
}

/// True for a Private Link Service alias (`<name>.<guid>.<region>.azure.privatelinkservice`),
/// false for the service's ARM ID.
fn is_alias(target: &str) -> bool {
    target
        .to_ascii_lowercase()
        .ends_with(".azure.privatelinkservice")
}

/// After an import where Azure named the service by its resource ID, state holds that ID in
/// `private_link_service_alias`; the configured alias is the same connection's other name
/// (Azure resolves an alias to that ID), so it is taken in place instead of replacing the
/// endpoint. Only an ID-for-alias swap is adopted: a different alias still replaces.
fn adopt_alias_after_import(req: &mut PlanRequest) {
    let Some(prior) = &req.prior else { return };
    let prior_target = prior
        .get_attr("private_link_service_alias")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let planned = req
        .planned
        .get_attr("private_link_service_alias")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let from_id = azure::PrivateLinkServiceId::parse(prior_target).is_ok();
    if from_id && is_alias(planned) {
        let path = AttributePath::root().attr("private_link_service_alias");
        req.requires_replace.retain(|p| *p != path);
    }
}

fn same_location(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(a), Some(b)) if normalize_location(a) == normalize_location(b))
}

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
        Some(super::TIMEOUTS)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config
            .get_attr("manual_connection")
            .and_then(Value::as_bool)
            == Some(false)
        {
            diags.push(
                Diagnostic::warning(
                    "Automatic connection requested",
                    "manual_connection = false asks Azure to auto-approve the connection, which needs approval rights on Astronomer's Private Link Service; Astro's service expects a manual connection that Astronomer support approves.",
                )
                .at(AttributePath::root().attr("manual_connection")),
            );
        }
    }

    async fn modify_plan(&self, req: &mut PlanRequest) {
        adopt_alias_after_import(req);
        let Some(prior) = &req.prior else { return };
        let status = prior
            .get_attr("connection_status")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !DEAD_STATUSES.contains(&status) || req.planned.is_null() {
            return;
        }
        let name = prior
            .get_attr("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let why = prior
            .get_attr("connection_description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(slot) = req.planned.get_attr_mut("connection_status") {
            *slot = Value::unknown();
        }
        req.requires_replace
            .push(AttributePath::root().attr("connection_status"));
        req.diagnostics.push(
            Diagnostic::warning(
                format!("Private endpoint {name:?} will be replaced: its connection is {status}"),
                format!(
                    "Astronomer's Private Link Service reports the connection as {status} ({why:?}). A {} manual connection can never be approved again, so Terraform replaces the endpoint to send a new request. Ask Astronomer support to approve the new one.",
                    status.to_lowercase()
                ),
            )
            .at(AttributePath::root().attr("connection_status")),
        );
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
            &client.subscription_id,
            &planned.resource_group_name,
            &planned.name,
        );
        let actx = arm_ctx(ctx);
        match client.arm.get_private_endpoint(&id, &actx).await {
            Ok(Some(_)) => {
                return Outcome::failed(
                    None,
                    super::errors::requires_import(self.type_name(), &id.to_string(), &id.path())
                        .into(),
                );
            }
            Ok(None) => {}
            Err(e) => {
                return Outcome::failed(
                    None,
                    super::errors::azure_error("checking for an existing", &id.to_string(), &e)
                        .into(),
                );
            }
        }
        let body = expand(&planned, None);
        // Retries (busy codes, a transient unknown alias, throttling) are the client's.
        let written = client.arm.put_private_endpoint(&id, &body, &actx).await;
        let mut state = planned.clone();
        state.id = Some(id.path());
        match written {
            Ok(pe) => finish(&client, ctx, state, pe, true).await,
            Err(e) => {
                let mut diag = super::errors::azure_error("creating", &id.to_string(), &e);
                if e.code() == Some("InvalidPrivateLinkServiceId") {
                    diag.detail
                        .push_str(&visibility_note(&client, &planned).await);
                }
                let mut diags: Diagnostics = diag.into();
                // Whatever Azure kept despite the error goes into state (tainted), never lost.
                match client
                    .arm
                    .get_private_endpoint(
                        &id,
                        &azure::OpCtx::new(Duration::from_secs(60), Default::default()),
                    )
                    .await
                {
                    Ok(Some(pe)) => {
                        let out = finish(&client, ctx, state, pe, true).await;
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
        match client.arm.get_private_endpoint(&id, &arm_ctx(ctx)).await {
            Ok(Some(pe)) => finish(&client, ctx, current, pe, false).await,
            Ok(None) => {
                tracing::info!(id = %id, "private endpoint no longer exists; removing it from state");
                Outcome::gone()
            }
            Err(e) => Outcome::failed(
                Some(current),
                super::errors::azure_error("reading", &id.to_string(), &e).into(),
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
        if planned.tags == prior.tags && planned.request_message == prior.request_message {
            // Only Terraform's bookkeeping changed (an alias adopted after import): nothing to
            // write to Azure.
            return self.read(ctx, state).await;
        }
        // ARM's PUT replaces the whole object, so the body is Azure's current object with only
        // our attributes changed: the models keep every property they do not know (ASGs,
        // static IP configurations, custom DNS configs, ipVersionType, extendedLocation...) and
        // send it back as read.
        let current = match client.arm.get_private_endpoint(&id, &actx).await {
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
                    super::errors::azure_error("reading", &id.to_string(), &e).into(),
                );
            }
        };
        let body = expand(&planned, Some(current));
        match client.arm.put_private_endpoint(&id, &body, &actx).await {
            Ok(pe) => finish(&client, ctx, state, pe, false).await,
            Err(e) => Outcome::failed(
                Some(prior),
                super::errors::azure_error("updating", &id.to_string(), &e).into(),
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
        match client.arm.delete_private_endpoint(&id, &actx).await {
            Ok(()) => Diagnostics::new(),
            Err(e) if e.is_not_found() => Diagnostics::new(),
            Err(e) => super::errors::azure_error("deleting", &id.to_string(), &e).into(),
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

/// Why Azure may not know the alias: asks whether the service is visible to this
/// subscription, and says what to send Astronomer support.
async fn visibility_note(client: &super::Configured, m: &PrivateEndpointModel) -> String {
    let location = normalize_location(&m.location);
    let ctx = azure::OpCtx::new(Duration::from_secs(60), Default::default());
    let asked = client
        .arm
        .private_link_service_visible(
            &client.subscription_id,
            &location,
            &m.private_link_service_alias,
            &ctx,
        )
        .await;
    match asked {
        Ok(Some(false)) => format!(
            "\n\nAzure reports that no Private Link Service with this alias is visible to subscription {}. Either the alias is mistyped, or Astronomer has not yet allowed your subscription: send Astronomer support your subscription ID and the alias.",
            client.subscription_id
        ),
        Ok(Some(true)) => "\n\nThe alias is visible to your subscription, so Azure may still be propagating it: run terraform apply again in a few minutes.".to_string(),
        Ok(None) | Err(_) => String::new(),
    }
}

fn bad_id_in_state() -> Diagnostics {
    Diagnostic::error(
        "Invalid ID in state",
        "internal-error: the state holds no valid private endpoint ID. Remove the resource from state (terraform state rm) and import it again.",
    )
    .into()
}

/// Builds the PUT body from the model, on top of Azure's current object when updating.
fn expand(
    m: &PrivateEndpointModel,
    current: Option<azure::models::PrivateEndpoint>,
) -> azure::models::PrivateEndpoint {
    use azure::models::{
        PrivateEndpoint as Pe, PrivateEndpointProperties, PrivateLinkServiceConnection,
        PrivateLinkServiceConnectionProperties, SubResource,
    };
    let mut pe = current.unwrap_or_else(|| Pe {
        location: Some(m.location.clone()),
        properties: Some(PrivateEndpointProperties {
            subnet: Some(SubResource::new(&m.subnet_id)),
            custom_network_interface_name: m.custom_network_interface_name.clone(),
            ..Default::default()
        }),
        ..Default::default()
    });
    pe.tags = Some(m.tags.clone().unwrap_or_default());
    let props = pe.properties.get_or_insert_with(Default::default);
    let manual = m.manual_connection.unwrap_or(true);
    let existing = if manual {
        props.manual_private_link_service_connections.take()
    } else {
        props.private_link_service_connections.take()
    };
    let mut conn = existing
        .and_then(|v| v.into_iter().next())
        .unwrap_or_else(|| PrivateLinkServiceConnection {
            name: Some(m.connection_name.clone().unwrap_or_else(|| m.name.clone())),
            properties: Some(PrivateLinkServiceConnectionProperties {
                private_link_service_id: Some(m.private_link_service_alias.clone()),
                group_ids: Some(vec![]),
                ..Default::default()
            }),
            ..Default::default()
        });
    let cp = conn.properties.get_or_insert_with(Default::default);
    cp.request_message = m.request_message.clone();
    // Azure owns these; sending them back would be rejected or ignored.
    cp.private_link_service_connection_state = None;
    cp.provisioning_state = None;
    if manual {
        props.manual_private_link_service_connections = Some(vec![conn]);
    } else {
        props.private_link_service_connections = Some(vec![conn]);
    }
    props.provisioning_state = None;
    props.network_interfaces = None;
    pe
}

/// Fills `state` from Azure's endpoint (and its NIC), keeping the user's spelling wherever
/// Azure's value means the same thing.
///
/// `just_created`: the NIC was made moments ago and may not be readable yet (ARM's
/// read-after-write window), so a 404 is retried; and an endpoint without an IP is an error,
/// since the DNS record would point nowhere.
async fn finish(
    client: &super::Configured,
    ctx: &OpContext,
    mut state: PrivateEndpointModel,
    pe: azure::models::PrivateEndpoint,
    just_created: bool,
) -> Outcome<PrivateEndpointModel> {
    flatten(&mut state, &pe);
    let mut diags = Diagnostics::new();
    if let Some(nic_id) = pe.network_interface_id() {
        state.network_interface_id = Some(nic_id.to_string());
        match azure::NetworkInterfaceId::parse(nic_id) {
            Ok(nid) => match if just_created {
                client.arm.get_after_write(&nid, &arm_ctx(ctx)).await
            } else {
                client.arm.get_network_interface(&nid, &arm_ctx(ctx)).await
            } {
                Ok(Some(nic)) => state.private_ip_address = azure::private_ip(&nic),
                Ok(None) => {}
                Err(e) => {
                    diags.extend(super::errors::azure_error("reading", &nid.to_string(), &e).into())
                }
            },
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

/// Copies Azure's view into the model.
fn flatten(state: &mut PrivateEndpointModel, pe: &azure::models::PrivateEndpoint) {
    if let Some(id) = &pe.id {
        state.id = Some(keep_if_same(state.id.as_deref(), id));
    }
    if let Some(name) = &pe.name {
        state.name = keep_if_same(Some(&state.name), name);
    }
    if let Some(loc) = &pe.location
        && normalize_location(loc) != normalize_location(&state.location)
    {
        state.location = loc.clone();
    }
    state.tags = Some(pe.tags.clone().unwrap_or_default().into_iter().collect());
    let props = pe.properties.clone().unwrap_or_default();
    if let Some(subnet) = props.subnet.and_then(|s| s.id) {
        state.subnet_id = keep_if_same(Some(&state.subnet_id), &subnet);
    }
    let custom = props
        .custom_network_interface_name
        .filter(|s| !s.is_empty());
    if custom.is_some() || state.custom_network_interface_name.is_some() {
        state.custom_network_interface_name = custom;
    }
    state.provisioning_state = Some(props.provisioning_state.clone().unwrap_or_default());
    let manual = props
        .manual_private_link_service_connections
        .clone()
        .unwrap_or_default();
    let auto = props
        .private_link_service_connections
        .clone()
        .unwrap_or_default();
    state.manual_connection = Some(!manual.is_empty() || auto.is_empty());
    let conn = manual.into_iter().chain(auto).next();
    let cp = conn
        .as_ref()
        .and_then(|c| c.properties.clone())
        .unwrap_or_default();
    if let Some(name) = conn.and_then(|c| c.name) {
        state.connection_name = Some(keep_if_same(state.connection_name.as_deref(), &name));
    }
    if let Some(target) = &cp.private_link_service_id {
        // Azure may answer with the service's resource ID instead of the alias it was given:
        // the alias we hold stays. With none held (just imported) the ID is all there is; the
        // next plan adopts the configured alias in place (`adopt_alias_after_import`).
        if is_alias(target) || state.private_link_service_alias.is_empty() {
            state.private_link_service_alias =
                keep_if_same(Some(&state.private_link_service_alias), target);
        }
    }
    let msg = cp.request_message.clone().filter(|m| !m.is_empty());
    if msg.is_some() || state.request_message.is_some() {
        state.request_message = msg;
    }
    let cs = cp.private_link_service_connection_state.unwrap_or_default();
    state.connection_status = Some(cs.status.unwrap_or_default());
    state.connection_description = Some(cs.description.unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PrivateEndpointModel {
        PrivateEndpointModel {
            name: "astro-privatelink".into(),
            resource_group_name: "rg".into(),
            location: "East US".into(),
            subnet_id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s".into(),
            private_link_service_alias: "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice".into(),
            request_message: Some("cluster clx".into()),
            connection_name: Some("astro-privatelink".into()),
            manual_connection: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn expand_puts_the_alias_in_a_manual_connection() {
        let pe = expand(&sample(), None);
        let props = pe.properties.unwrap();
        let conns = props.manual_private_link_service_connections.unwrap();
        assert_eq!(conns.len(), 1);
        let cp = conns[0].properties.clone().unwrap();
        assert_eq!(
            cp.private_link_service_id.as_deref(),
            Some(sample().private_link_service_alias.as_str())
        );
        assert_eq!(cp.request_message.as_deref(), Some("cluster clx"));
        assert!(props.private_link_service_connections.is_none());
        assert_eq!(pe.location.as_deref(), Some("East US"));
    }

    #[test]
    fn flatten_keeps_user_spelling_and_reads_status() {
        let mut pe = expand(&sample(), None);
        pe.id = Some("/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/Microsoft.Network/privateEndpoints/astro-privatelink".into());
        pe.location = Some("eastus".into());
        let conn = &mut pe
            .properties
            .as_mut()
            .unwrap()
            .manual_private_link_service_connections
            .as_mut()
            .unwrap()[0];
        conn.properties
            .as_mut()
            .unwrap()
            .private_link_service_connection_state =
            Some(azure::models::PrivateLinkServiceConnectionState {
                status: Some("Approved".into()),
                description: Some("ok by astro".into()),
                actions_required: None,
            });
        let mut state = sample();
        flatten(&mut state, &pe);
        assert_eq!(state.location, "East US");
        assert_eq!(state.connection_status.as_deref(), Some("Approved"));
        assert_eq!(state.connection_description.as_deref(), Some("ok by astro"));
        assert_eq!(
            state.tags,
            Some(BTreeMap::new()),
            "no tags in Azure: an empty map"
        );
        assert!(state.id.unwrap().contains("/resourcegroups/rg/"));
    }

    #[test]
    fn an_imported_service_id_takes_the_configured_alias_in_place() {
        let pls = "/subscriptions/s/resourceGroups/rg-pls/providers/Microsoft.Network/privateLinkServices/astro-pls";
        let alias = sample().private_link_service_alias;
        let plan = |prior: &str, planned: &str| {
            let path = AttributePath::root().attr("private_link_service_alias");
            let mut req = PlanRequest {
                prior: Some(Value::object([(
                    "private_link_service_alias",
                    Value::string(prior),
                )])),
                config: Value::Null,
                planned: Value::object([("private_link_service_alias", Value::string(planned))]),
                requires_replace: vec![path.clone()],
                diagnostics: Diagnostics::new(),
            };
            adopt_alias_after_import(&mut req);
            req.requires_replace.contains(&path)
        };
        assert!(!plan(pls, &alias), "ID to alias: in place");
        assert!(plan(
            &alias,
            "other.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
        ));
        assert!(plan(
            pls,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/b"
        ));

        // Azure names the service by ID: an empty alias (import) takes it, a held one stays.
        let mut pe = expand(&sample(), None);
        pe.properties
            .as_mut()
            .unwrap()
            .manual_private_link_service_connections
            .as_mut()
            .unwrap()[0]
            .properties
            .as_mut()
            .unwrap()
            .private_link_service_id = Some(pls.into());
        let mut state = sample();
        flatten(&mut state, &pe);
        assert_eq!(state.private_link_service_alias, alias);
        state.private_link_service_alias = String::new();
        flatten(&mut state, &pe);
        assert_eq!(state.private_link_service_alias, pls);
    }

    #[test]
    fn flatten_reports_tag_drift() {
        let mut pe = expand(&sample(), None);
        pe.tags = Some(
            [("team".to_string(), "ops".to_string())]
                .into_iter()
                .collect(),
        );
        let mut state = sample();
        state.tags = Some(
            [("team".to_string(), "data".to_string())]
                .into_iter()
                .collect(),
        );
        flatten(&mut state, &pe);
        assert_eq!(state.tags.unwrap()["team"], "ops");
    }
}
