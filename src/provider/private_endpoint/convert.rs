//! Expand (the model onto Azure's endpoint, as the PUT body) and flatten (Azure's endpoint into
//! the model, keeping the user's spelling).

use super::PrivateEndpointModel;
use super::plan::is_alias;
use crate::azure;
use crate::provider::keep_if_same;
use crate::provider::validation::normalize_location;

/// Builds the PUT body from the model, on top of Azure's current object when updating.
pub(super) fn expand(
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
    let creating = pe.id.is_none();
    let props = pe.properties.get_or_insert_with(Default::default);
    // A static address only on create (it forces replacement); an update keeps Azure's.
    if creating && let Some(ip) = &m.private_ip_address {
        props.ip_configurations = Some(vec![super::static_ip::ip_configuration(ip)]);
    }
    // Set: exactly these groups; unset: whatever Azure holds stays.
    if let Some(ids) = &m.application_security_group_ids {
        props.application_security_groups = Some(ids.iter().map(SubResource::new).collect());
    }
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

/// Statuses after which the connection can never become Approved again.
const CLOSED_STATUSES: [&str; 2] = ["Rejected", "Disconnected"];

/// True for a status after which the connection can never be approved again.
pub(super) fn is_closed(status: &str) -> bool {
    CLOSED_STATUSES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(status))
}

/// Copies Azure's view into the model.
pub(super) fn flatten(state: &mut PrivateEndpointModel, pe: &azure::models::PrivateEndpoint) {
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
    // Every association Azure holds, in the spelling state holds it when it is the same group;
    // never null, so that an update keeps it known in the plan.
    let held = state
        .application_security_group_ids
        .clone()
        .unwrap_or_default();
    let groups: std::collections::BTreeSet<String> = props
        .application_security_groups
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.id)
        .map(|id| {
            held.iter()
                .find(|h| h.eq_ignore_ascii_case(&id))
                .cloned()
                .unwrap_or(id)
        })
        .collect();
    state.application_security_group_ids = Some(groups);
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
    let status = cp
        .private_link_service_connection_state
        .and_then(|cs| cs.status)
        .unwrap_or_default();
    state.connection_closed = Some(is_closed(&status));
}
