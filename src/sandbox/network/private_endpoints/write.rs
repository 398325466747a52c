//! PUT: creating an endpoint (its NIC, its connection on the Private Link Service) and updating
//! one as a full replace, answered as a long-running operation.

use std::time::Instant;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::request::{ExtendedLocation, IpConfiguration, Request};
use super::*;
use crate::sandbox::arm::body::{self};
use crate::sandbox::arm::route::Scope;
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::network::{network_interfaces, private_link_services};
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, Resource, World, key};

pub(super) fn invalid_reference(subnet_id: &str, pe_id: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!(
            "Resource {subnet_id} referenced by resource {pe_id} was not found. Please make sure \
             that the referenced resource exists, and that both resources are in the same region."
        ),
    )
}

/// Every application security group the request names must exist in the endpoint's region
/// (NRP's `InvalidResourceReference`, the answer for any missing reference, as for a subnet);
/// references are stored in the group's own casing.
pub(super) fn check_application_security_groups(
    world: &World,
    req: &mut Request,
    pe_id: &str,
) -> Result<(), ArmError> {
    for (i, asg_id) in req.application_security_groups.iter_mut().enumerate() {
        let found = world
            .get(asg_id)
            .filter(|a| a.kind == Kind::ApplicationSecurityGroup)
            .filter(|a| a.body["location"].as_str() == Some(req.location.as_str()));
        match found {
            Some(asg) => *asg_id = asg.id.clone(),
            None => {
                return Err(invalid_reference(asg_id, pe_id)
                    .with_target(format!("properties.applicationSecurityGroups[{i}].id")));
            }
        }
    }
    Ok(())
}

/// Finds the subnet and checks region and network policies.
pub(super) fn check_subnet(world: &World, req: &Request, id: &str) -> Result<(), ArmError> {
    let subnet = world
        .get(&req.subnet_id)
        .filter(|s| s.kind == Kind::Subnet)
        .ok_or_else(|| invalid_reference(&req.subnet_id, id))?;
    let vnet_id = subnet.id.rsplitn(3, '/').nth(2).unwrap_or_default();
    let vnet_location = world
        .get(vnet_id)
        .and_then(|v| v.body["location"].as_str())
        .map(body::normalize_location)
        .unwrap_or_default();
    if vnet_location != req.location {
        return Err(invalid_reference(vnet_id, id));
    }
    if subnet.body["properties"]["privateEndpointNetworkPolicies"].as_str() == Some("Enabled") {
        return Err(ArmError::bad_request(
            "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
            format!(
                "Private endpoint {id} cannot be created in a subnet {} since it has private \
                 endpoint network policies enabled.",
                subnet.id
            ),
        ));
    }
    Ok(())
}

pub(super) fn put(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    body::check_name(name, TYPE, 2, 64)?;
    let scope = &world.canonical_scope(scope);
    let id = world.canonical_id(&pe_id(scope, name));
    world.require_idle(&id)?;
    let mut req = parse_request(ctx.body)?;
    // References are answered in the referenced resource's own casing.
    req.subnet_id = world.canonical_id(&req.subnet_id);
    let pls = private_link_services::resolve(world, &req.pls_ref).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidPrivateLinkServiceId",
            format!(
                "Private link service id or alias '{}' referenced by private endpoint {id} is invalid \
                 or the private link service does not exist.",
                req.pls_ref
            ),
        )
        .with_target("privateLinkServiceId")
    })?;
    if world.get(&id).is_some() {
        check_application_security_groups(world, &mut req, &id)?;
        return update(world, ctx, &id, &req, &pls);
    }
    check_subnet(world, &req, &id)?;
    let status = connection_status(world, &req, &pls, &scope.sub)?;
    check_application_security_groups(world, &mut req, &id)?;
    let nic_id = network_interfaces::create(
        world,
        scope,
        &network_interfaces::NewNic {
            pe_name: name,
            pe_id: &id,
            location: &req.location,
            subnet_id: &req.subnet_id,
            custom_name: req.custom_nic_name.as_deref(),
            static_ip: req
                .ip_configurations
                .first()
                .and_then(|c| c.properties.as_ref()?.private_ip_address.as_deref()),
            static_ip_target: "properties.ipConfigurations[0].properties.privateIPAddress",
        },
    )?;
    private_link_services::open_connection(world, &pls, name, &id, &req.location, status);
    let body = new_body(&id, name, &req, &nic_id);
    world.insert(Resource {
        id: id.clone(),
        kind: Kind::PrivateEndpoint,
        body,
        seeded: false,
        created_at: Instant::now(),
        busy: None,
    });
    respond_put(world, ctx, &id, &req.location, StatusCode::CREATED)
}

/// Manual connections start Pending; automatic ones need the PLS to auto-approve us.
pub(super) fn connection_status(
    world: &World,
    req: &Request,
    pls_id: &str,
    sub: &str,
) -> Result<Value, ArmError> {
    if req.manual {
        return Ok(
            json!({"status": "Pending", "description": "Awaiting approval", "actionsRequired": "None"}),
        );
    }
    let auto = world.get(pls_id).is_some_and(|pls| {
        pls.body["properties"]["autoApproval"]["subscriptions"]
            .as_array()
            .is_some_and(|subs| {
                subs.iter()
                    .any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(sub)))
            })
    });
    if auto {
        return Ok(
            json!({"status": "Approved", "description": "Auto-approved", "actionsRequired": "None"}),
        );
    }
    Err(ArmError::new(
        StatusCode::FORBIDDEN,
        "LinkedAuthorizationFailed",
        format!(
            "The client has permission to perform action 'Microsoft.Network/privateEndpoints/write', \
             but it does not have permission to perform action \
             'Microsoft.Network/privateLinkServices/privateEndpointConnectionsApproval/action' on \
             linked scope(s) '{pls_id}'. Use manualPrivateLinkServiceConnections instead."
        ),
    ))
}

pub(super) fn new_body(id: &str, name: &str, req: &Request, nic_id: &str) -> Value {
    let list = if req.manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    let conn = json!({
        "name": req.conn_name,
        "id": format!("{id}/{list}/{}", req.conn_name),
        "etag": network_etag(),
        "type": format!("{TYPE}/{list}"),
        "properties": {
            "provisioningState": "Succeeded",
            "privateLinkServiceId": req.pls_ref,
            "groupIds": req.group_ids,
            "requestMessage": req.request_message,
        }
    });
    let mut body = json!({
        "name": name,
        "id": id,
        "etag": network_etag(),
        "type": TYPE,
        "location": req.location,
        "tags": req.tags,
        "properties": {
            "provisioningState": "Updating",
            "subnet": {"id": req.subnet_id},
            "networkInterfaces": [{"id": nic_id}],
            "privateLinkServiceConnections": [],
            "manualPrivateLinkServiceConnections": [],
            "customNetworkInterfaceName": req.custom_nic_name.clone().unwrap_or_default(),
        }
    });
    body["properties"][list] = json!([conn]);
    if let Some(edge) = &req.extended_location {
        body["extendedLocation"] = json!(edge);
    }
    set_replaceable(&mut body, req);
    body
}

/// The writable properties an update may change, written as a full replace.
pub(super) fn set_replaceable(body: &mut Value, req: &Request) {
    let props = &mut body["properties"];
    props["ipConfigurations"] = json!(req.ip_configurations);
    props["applicationSecurityGroups"] = json!(
        req.application_security_groups
            .iter()
            .map(|id| json!({"id": id}))
            .collect::<Vec<_>>()
    );
    props["customDnsConfigs"] = json!(req.custom_dns_configs);
    props["ipVersionType"] = json!(req.ip_version_type);
}

pub(super) fn changed(path: &str) -> ArmError {
    ArmError::bad_request(
        "PropertyChangeNotAllowed",
        format!("Changing property '{path}' of an existing private endpoint is not allowed."),
    )
    .with_target(path)
}

/// Updates an endpoint as a full replace of what may change (tags, request message,
/// application security groups, custom DNS configs, IP version); a change to anything else
/// (location, subnet, connection, static IP configurations, edge zone) is refused, naming the
/// property.
pub(super) fn update(
    world: &mut World,
    ctx: &Ctx<'_>,
    id: &str,
    req: &Request,
    pls_id: &str,
) -> Result<ArmResponse, ArmError> {
    let existing = world.get(id).map(|r| r.body.clone()).unwrap_or_default();
    let props = &existing["properties"];
    if existing["location"].as_str() != Some(req.location.as_str()) {
        return Err(changed("location"));
    }
    if props["subnet"]["id"].as_str().map(key) != Some(key(&req.subnet_id)) {
        return Err(changed("properties.subnet.id"));
    }
    let list = if req.manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    let conn = &props[list][0];
    if conn.is_null() {
        return Err(changed(&format!("properties.{list}")));
    }
    let old_pls = conn["properties"]["privateLinkServiceId"]
        .as_str()
        .unwrap_or_default();
    let same_pls =
        private_link_services::resolve(world, old_pls).is_some_and(|p| key(&p) == key(pls_id));
    if conn["name"].as_str() != Some(req.conn_name.as_str()) {
        return Err(changed(&format!("properties.{list}[0].name")));
    }
    if !same_pls {
        return Err(changed(&format!(
            "properties.{list}[0].properties.privateLinkServiceId"
        )));
    }
    let old_edge: Option<ExtendedLocation> =
        serde_json::from_value(existing["extendedLocation"].clone()).ok();
    if old_edge != req.extended_location {
        return Err(changed("extendedLocation"));
    }
    let old_ips: Vec<IpConfiguration> =
        serde_json::from_value(props["ipConfigurations"].clone()).unwrap_or_default();
    if old_ips != req.ip_configurations {
        return Err(changed("properties.ipConfigurations"));
    }
    if let Some(res) = world.get_mut(id) {
        set_replaceable(&mut res.body, req);
        res.body["tags"] = json!(req.tags);
        res.body["etag"] = json!(network_etag());
        res.body["properties"]["provisioningState"] = json!("Updating");
        res.body["properties"][list][0]["properties"]["requestMessage"] =
            json!(req.request_message);
    }
    let location = req.location.clone();
    respond_put(world, ctx, id, &location, StatusCode::OK)
}

pub(super) fn respond_put(
    world: &mut World,
    ctx: &Ctx<'_>,
    id: &str,
    location: &str,
    status: StatusCode,
) -> Result<ArmResponse, ArmError> {
    Ok(crate::sandbox::network::answer_put(
        world, ctx, id, location, status,
    ))
}
