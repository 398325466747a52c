//! State upgrade from schema version 0 (releases 0.1.0 and 0.2.0), which stored the
//! connection's `connection_status` and `connection_description`: version 1 keeps only
//! whether the connection is closed, which an approval does not change.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::PrivateEndpointModel;
use super::convert::is_closed;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};

/// A version-0 state, attribute for attribute.
#[derive(Debug, Deserialize)]
struct PrivateEndpointModelV0 {
    id: Option<String>,
    name: String,
    resource_group_name: String,
    location: String,
    subnet_id: String,
    private_link_service_alias: String,
    request_message: Option<String>,
    connection_name: Option<String>,
    manual_connection: Option<bool>,
    custom_network_interface_name: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    private_ip_address: Option<String>,
    network_interface_id: Option<String>,
    connection_status: Option<String>,
    provisioning_state: Option<String>,
}

/// Reads a state stored under `version` as the current model.
pub(super) fn from_version(version: i64, json: &[u8]) -> Result<PrivateEndpointModel, Diagnostics> {
    if version != 0 {
        return Err(unreadable(format!(
            "no upgrade from schema version {version}"
        )));
    }
    let v0: PrivateEndpointModelV0 =
        serde_json::from_slice(json).map_err(|e| unreadable(e.to_string()))?;
    Ok(PrivateEndpointModel {
        id: v0.id,
        name: v0.name,
        resource_group_name: v0.resource_group_name,
        location: v0.location,
        subnet_id: v0.subnet_id,
        private_link_service_alias: v0.private_link_service_alias,
        request_message: v0.request_message,
        connection_name: v0.connection_name,
        manual_connection: v0.manual_connection,
        custom_network_interface_name: v0.custom_network_interface_name,
        tags: v0.tags,
        private_ip_address: v0.private_ip_address,
        // The attribute is newer than the state: no associations known yet (the refresh that
        // follows reads Azure's).
        application_security_group_ids: Some(Default::default()),
        network_interface_id: v0.network_interface_id,
        connection_closed: v0.connection_status.as_deref().map(is_closed),
        provisioning_state: v0.provisioning_state,
    })
}

fn unreadable(why: String) -> Diagnostics {
    Diagnostic::error(
        "Unreadable astro_private_endpoint state",
        format!("The stored state could not be upgraded to schema version {}: {why}. Remove the resource from state (terraform state rm) and import it again by its ARM ID.", super::SCHEMA_VERSION),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v0(status: &str) -> Vec<u8> {
        serde_json::json!({
            "connection_description": "Awaiting approval", "connection_name": "pe",
            "connection_status": status, "custom_network_interface_name": null,
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
            "location": "eastus", "manual_connection": true, "name": "pe",
            "network_interface_id": "nic", "private_ip_address": "10.0.0.4",
            "private_link_service_alias": "a.b.eastus.azure.privatelinkservice",
            "provisioning_state": "Succeeded", "request_message": null,
            "resource_group_name": "rg", "subnet_id": "sn", "tags": null, "timeouts": null
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn version_0_keeps_everything_but_the_status_which_becomes_closed_or_not() {
        let m = from_version(0, &v0("Pending")).unwrap();
        assert_eq!(m.connection_closed, Some(false));
        assert_eq!(m.private_ip_address.as_deref(), Some("10.0.0.4"));
        assert_eq!(m.name, "pe");
        assert_eq!(
            from_version(0, &v0("Approved")).unwrap().connection_closed,
            Some(false)
        );
        assert_eq!(
            from_version(0, &v0("Rejected")).unwrap().connection_closed,
            Some(true)
        );
        assert_eq!(
            from_version(0, &v0("Disconnected"))
                .unwrap()
                .connection_closed,
            Some(true)
        );
        assert!(from_version(7, &v0("Pending")).is_err());
    }
}
