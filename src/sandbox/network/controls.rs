//! Management controls (`POST /_sandbox/network`) that change what the connectivity checks
//! read, as a person would in the portal: a VNet's custom DNS servers, a peering's state,
//! an NSG rule, the NSG attached to a subnet and a subnet's private endpoint network
//! policies. Each answers the changed resource's GET body. No auth, not logged.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sandbox::seed::SeedSecurityRule;
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, Resource, Shared, World, key};

use super::{network_security_groups, virtual_network_peerings};

/// One change.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Control {
    /// Sets `dhcpOptions.dnsServers` of a VNet (empty: Azure-provided DNS).
    SetDnsServers {
        /// VNet ARM ID.
        vnet_id: String,
        /// IPv4 addresses.
        dns_servers: Vec<String>,
    },
    /// Creates or updates the peering from `vnet_id` to `remote_vnet_id`.
    SetPeering {
        /// VNet the peering belongs to.
        vnet_id: String,
        /// The other VNet.
        remote_vnet_id: String,
        /// `Initiated`, `Connected` or `Disconnected`.
        peering_state: String,
    },
    /// Deletes the peering from `vnet_id` to `remote_vnet_id`.
    DeletePeering {
        /// VNet the peering belongs to.
        vnet_id: String,
        /// The other VNet.
        remote_vnet_id: String,
    },
    /// Adds or replaces (by name) a custom rule of a network security group.
    PutSecurityRule {
        /// NSG ARM ID.
        nsg_id: String,
        /// The rule.
        rule: SeedSecurityRule,
    },
    /// Attaches a network security group to a subnet (`null`: detaches).
    SetSubnetNsg {
        /// Subnet ARM ID.
        subnet_id: String,
        /// NSG ARM ID or null.
        nsg_id: Option<String>,
    },
    /// Sets a subnet's `privateEndpointNetworkPolicies`.
    SetSubnetPolicies {
        /// Subnet ARM ID.
        subnet_id: String,
        /// `Disabled`, `Enabled`, `NetworkSecurityGroupEnabled` or `RouteTableEnabled`.
        private_endpoint_network_policies: String,
    },
}

/// A control that cannot be applied: status and message.
#[derive(Debug)]
pub struct ControlError(StatusCode, String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

fn bad(msg: impl Into<String>) -> ControlError {
    ControlError(StatusCode::BAD_REQUEST, msg.into())
}

fn find<'a>(world: &'a mut World, id: &str, kind: Kind) -> Result<&'a mut Resource, ControlError> {
    world
        .get_mut(id)
        .filter(|r| r.kind == kind)
        .ok_or_else(|| ControlError(StatusCode::NOT_FOUND, format!("no {kind:?} {id}")))
}

fn peering_name(remote_vnet_id: &str) -> String {
    format!(
        "peer-to-{}",
        remote_vnet_id.rsplit('/').next().unwrap_or_default()
    )
}

/// Applies one [`Control`] and answers the changed resource's body.
pub fn apply(world: &mut World, control: Control) -> Result<Value, ControlError> {
    match control {
        Control::SetDnsServers {
            vnet_id,
            dns_servers,
        } => {
            if let Some(bad_ip) = dns_servers
                .iter()
                .find(|s| s.parse::<std::net::Ipv4Addr>().is_err())
            {
                return Err(bad(format!("{bad_ip:?} is not an IPv4 address")));
            }
            let vnet = find(world, &vnet_id, Kind::VirtualNetwork)?;
            vnet.body["properties"]["dhcpOptions"] = json!({"dnsServers": dns_servers});
            vnet.body["etag"] = json!(network_etag());
            Ok(vnet.body.clone())
        }
        Control::SetPeering {
            vnet_id,
            remote_vnet_id,
            peering_state,
        } => {
            if !["Initiated", "Connected", "Disconnected"].contains(&peering_state.as_str()) {
                return Err(bad(format!(
                    "peering_state must be Initiated, Connected or Disconnected, got {peering_state:?}"
                )));
            }
            let prefixes = find(world, &remote_vnet_id, Kind::VirtualNetwork)?.body["properties"]
                ["addressSpace"]["addressPrefixes"]
                .clone();
            let vnet_id = find(world, &vnet_id, Kind::VirtualNetwork)?.id.clone();
            let existing = world
                .under(&vnet_id, Kind::VnetPeering)
                .into_iter()
                .find(|p| {
                    p.body["properties"]["remoteVirtualNetwork"]["id"]
                        .as_str()
                        .is_some_and(|r| key(r) == key(&remote_vnet_id))
                })
                .map(|p| p.id.clone());
            let body = match existing.and_then(|id| world.get_mut(&id)) {
                Some(p) => {
                    p.body["properties"]["peeringState"] = json!(peering_state);
                    p.body["etag"] = json!(network_etag());
                    p.body.clone()
                }
                None => {
                    let body = virtual_network_peerings::body(
                        &vnet_id,
                        &peering_name(&remote_vnet_id),
                        &remote_vnet_id,
                        &peering_state,
                        &prefixes,
                    );
                    world.insert(Resource {
                        id: body["id"].as_str().unwrap_or_default().to_string(),
                        kind: Kind::VnetPeering,
                        body: body.clone(),
                        seeded: true,
                        created_at: std::time::Instant::now(),
                        busy: None,
                    });
                    body
                }
            };
            Ok(body)
        }
        Control::DeletePeering {
            vnet_id,
            remote_vnet_id,
        } => {
            let vnet_id = find(world, &vnet_id, Kind::VirtualNetwork)?.id.clone();
            let ids: Vec<String> = world
                .under(&vnet_id, Kind::VnetPeering)
                .into_iter()
                .filter(|p| {
                    p.body["properties"]["remoteVirtualNetwork"]["id"]
                        .as_str()
                        .is_some_and(|r| key(r) == key(&remote_vnet_id))
                })
                .map(|p| p.id.clone())
                .collect();
            if ids.is_empty() {
                return Err(ControlError(
                    StatusCode::NOT_FOUND,
                    format!("no peering from {vnet_id} to {remote_vnet_id}"),
                ));
            }
            for id in &ids {
                world.remove(id);
            }
            Ok(json!({"deleted": ids}))
        }
        Control::PutSecurityRule { nsg_id, rule } => {
            network_security_groups::check_rule(&rule).map_err(bad)?;
            let nsg = find(world, &nsg_id, Kind::NetworkSecurityGroup)?;
            let body = network_security_groups::rule_body(&nsg.id, "securityRules", &rule);
            let rules = nsg.body["properties"]["securityRules"]
                .as_array_mut()
                .ok_or_else(|| bad("the group has no securityRules list"))?;
            if let Some(clash) = rules.iter().find(|r| {
                r["properties"]["priority"] == json!(rule.priority)
                    && r["properties"]["direction"] == json!(rule.direction)
                    && r["name"] != json!(rule.name)
            }) {
                // ARM refuses two rules with one priority and direction.
                return Err(bad(format!(
                    "SecurityRuleConflict: rule {} already has priority {} ({})",
                    clash["name"], rule.priority, rule.direction
                )));
            }
            rules.retain(|r| r["name"] != json!(rule.name));
            rules.push(body);
            nsg.body["etag"] = json!(network_etag());
            Ok(nsg.body.clone())
        }
        Control::SetSubnetNsg { subnet_id, nsg_id } => {
            if let Some(n) = &nsg_id {
                find(world, n, Kind::NetworkSecurityGroup)?;
            }
            let subnet = find(world, &subnet_id, Kind::Subnet)?;
            match nsg_id {
                Some(n) => subnet.body["properties"]["networkSecurityGroup"] = json!({"id": n}),
                None => {
                    if let Some(p) = subnet.body["properties"].as_object_mut() {
                        p.remove("networkSecurityGroup");
                    }
                }
            }
            subnet.body["etag"] = json!(network_etag());
            Ok(subnet.body.clone())
        }
        Control::SetSubnetPolicies {
            subnet_id,
            private_endpoint_network_policies,
        } => {
            let allowed = [
                "Disabled",
                "Enabled",
                "NetworkSecurityGroupEnabled",
                "RouteTableEnabled",
            ];
            if !allowed.contains(&private_endpoint_network_policies.as_str()) {
                return Err(bad(format!(
                    "private_endpoint_network_policies must be one of {}",
                    allowed.join(", ")
                )));
            }
            let subnet = find(world, &subnet_id, Kind::Subnet)?;
            subnet.body["properties"]["privateEndpointNetworkPolicies"] =
                json!(private_endpoint_network_policies);
            subnet.body["etag"] = json!(network_etag());
            Ok(subnet.body.clone())
        }
    }
}

/// `POST /_sandbox/network`.
pub async fn handler(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> Result<Json<Value>, ControlError> {
    let control: Control =
        serde_json::from_slice(&body).map_err(|e| bad(format!("invalid JSON body: {e}")))?;
    let mut inner = shared.lock();
    apply(&mut inner.world, control).map(Json)
}
