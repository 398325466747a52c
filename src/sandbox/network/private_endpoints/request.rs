//! The PUT body as the REST definition describes it, parsed strictly: unknown shapes and
//! invalid references are ARM's `InvalidRequestFormat` and friends.

use serde::{Deserialize, Serialize};

use super::*;
use crate::sandbox::arm::body::{self, SubResource, Tags};
use crate::sandbox::error::ArmError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PutBody {
    pub(super) location: Option<String>,
    pub(super) tags: Option<Tags>,
    pub(super) extended_location: Option<ExtendedLocation>,
    pub(super) properties: Option<PutProps>,
}

/// `ExtendedLocation` (network.json): an edge zone.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub(super) struct ExtendedLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub(super) kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PutProps {
    pub(super) subnet: Option<SubResource>,
    pub(super) private_link_service_connections: Option<Vec<ConnBody>>,
    pub(super) manual_private_link_service_connections: Option<Vec<ConnBody>>,
    pub(super) custom_network_interface_name: Option<String>,
    pub(super) ip_configurations: Option<Vec<IpConfiguration>>,
    pub(super) application_security_groups: Option<Vec<SubResource>>,
    pub(super) custom_dns_configs: Option<Vec<CustomDnsConfig>>,
    pub(super) ip_version_type: Option<String>,
}

/// `PrivateEndpointIPConfiguration`: a static address of the endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IpConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) properties: Option<IpConfigurationProps>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IpConfigurationProps {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) member_name: Option<String>,
    #[serde(rename = "privateIPAddress", skip_serializing_if = "Option::is_none")]
    pub(super) private_ip_address: Option<String>,
}

/// `CustomDnsConfigPropertiesFormat`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CustomDnsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) fqdn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ip_addresses: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConnBody {
    pub(super) name: Option<String>,
    pub(super) properties: Option<ConnProps>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ConnProps {
    pub(super) private_link_service_id: Option<String>,
    pub(super) group_ids: Option<Vec<String>>,
    pub(super) request_message: Option<String>,
}

/// A validated PUT request. ARM's PUT is a full replace: every writable property takes the
/// request's value, and one left out takes its default.
#[derive(Debug)]
pub(super) struct Request {
    pub(super) location: String,
    pub(super) tags: Tags,
    pub(super) subnet_id: String,
    pub(super) manual: bool,
    pub(super) conn_name: String,
    pub(super) pls_ref: String,
    pub(super) group_ids: Vec<String>,
    pub(super) request_message: String,
    pub(super) custom_nic_name: Option<String>,
    pub(super) extended_location: Option<ExtendedLocation>,
    pub(super) ip_configurations: Vec<IpConfiguration>,
    pub(super) application_security_groups: Vec<String>,
    pub(super) custom_dns_configs: Vec<CustomDnsConfig>,
    pub(super) ip_version_type: String,
}

/// An application security group reference must have the shape of one (whether it exists is
/// checked against the world by `write::check_application_security_groups`).
pub(super) fn check_asg(id: &str, i: usize) -> Result<(), ArmError> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    let ok = parts.len() == 8
        && parts[0].eq_ignore_ascii_case("subscriptions")
        && parts[2].eq_ignore_ascii_case("resourceGroups")
        && parts[4].eq_ignore_ascii_case("providers")
        && parts[5].eq_ignore_ascii_case("Microsoft.Network")
        && parts[6].eq_ignore_ascii_case("applicationSecurityGroups")
        && parts.iter().all(|p| !p.is_empty());
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceReference",
        format!("'{id}' is not an application security group ID."),
    )
    .with_target(format!("properties.applicationSecurityGroups[{i}].id")))
}

pub(super) fn parse_request(raw: &[u8]) -> Result<Request, ArmError> {
    let req: PutBody = body::parse(raw)?;
    let location = body::normalize_location(&body::require_location(&req.location)?);
    let props = body::require(&req.properties, "properties", FORMAT)?;
    let subnet = body::require(&props.subnet, "properties.subnet", FORMAT)?;
    let subnet_id = body::require(&subnet.id, "properties.subnet.id", FORMAT)?.clone();
    let auto = props
        .private_link_service_connections
        .as_deref()
        .unwrap_or(&[]);
    let manual = props
        .manual_private_link_service_connections
        .as_deref()
        .unwrap_or(&[]);
    let (list, conn) = match (auto, manual) {
        ([], [conn]) => ("manualPrivateLinkServiceConnections", conn),
        ([conn], []) => ("privateLinkServiceConnections", conn),
        ([], []) => {
            return Err(ArmError::missing_property(
                FORMAT,
                "properties.manualPrivateLinkServiceConnections",
            ));
        }
        _ => {
            return Err(ArmError::bad_request(
                "PrivateEndpointCanOnlyHaveOneConnection",
                "A private endpoint takes exactly one private link service connection.",
            ));
        }
    };
    let conn_name = body::require(&conn.name, &format!("properties.{list}[0].name"), FORMAT)?;
    let conn_props = body::require(
        &conn.properties,
        &format!("properties.{list}[0].properties"),
        FORMAT,
    )?;
    let pls_ref = body::require(
        &conn_props.private_link_service_id,
        &format!("properties.{list}[0].properties.privateLinkServiceId"),
        FORMAT,
    )?;
    let request_message = conn_props.request_message.clone().unwrap_or_default();
    if request_message.chars().count() > 140 {
        return Err(ArmError::bad_request(
            "InvalidRequestMessageLength",
            "The request message of a private link service connection can be at most 140 characters.",
        )
        .with_target(format!("properties.{list}[0].properties.requestMessage")));
    }
    let mut application_security_groups = Vec::new();
    for (i, asg) in props
        .application_security_groups
        .iter()
        .flatten()
        .enumerate()
    {
        let id = body::require(
            &asg.id,
            &format!("properties.applicationSecurityGroups[{i}].id"),
            FORMAT,
        )?;
        check_asg(id, i)?;
        application_security_groups.push(id.clone());
    }
    let ip_version_type = props
        .ip_version_type
        .clone()
        .unwrap_or_else(|| "IPv4".to_string());
    if !["IPv4", "IPv6", "DualStack"].contains(&ip_version_type.as_str()) {
        return Err(ArmError::bad_request(
            FORMAT,
            format!("ipVersionType '{ip_version_type}' is invalid; use IPv4, IPv6 or DualStack."),
        )
        .with_target("properties.ipVersionType"));
    }
    Ok(Request {
        location,
        tags: req.tags.unwrap_or_default(),
        extended_location: req.extended_location,
        ip_configurations: props.ip_configurations.clone().unwrap_or_default(),
        application_security_groups,
        custom_dns_configs: props.custom_dns_configs.clone().unwrap_or_default(),
        ip_version_type,
        subnet_id,
        manual: list.starts_with("manual"),
        conn_name: conn_name.clone(),
        pls_ref: pls_ref.clone(),
        group_ids: conn_props.group_ids.clone().unwrap_or_default(),
        request_message,
        custom_nic_name: props
            .custom_network_interface_name
            .clone()
            .filter(|n| !n.is_empty()),
    })
}
