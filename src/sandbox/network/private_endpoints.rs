//! `Microsoft.Network/privateEndpoints` (PrivateEndpoints_CreateOrUpdate / Get / Delete /
//! List). PUT is an LRO tracked through Azure-AsyncOperation (201 create, 200 update, body
//! `provisioningState: Updating`); DELETE is an LRO tracked through Location (202). Creating
//! one allocates a NIC in the endpoint's resource group with the next free IP of the subnet
//! and opens a connection on the target Private Link Service (Pending for a manual
//! connection). The connection state shown on the endpoint is read from the PLS side, so an
//! approval there is what the endpoint reports. PUT is a full replace, as in ARM: writable
//! properties left out of an update (application security groups, custom DNS configs, the
//! IP version) take their defaults, so a client that drops what it read loses them here too.
//! New IDs and references are answered in the stored resources' casing.

use std::time::Instant;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{network_interfaces, private_link_services};
use crate::sandbox::arm::body::{self, SubResource, Tags};
use crate::sandbox::arm::lro::{self, OpScope};
use crate::sandbox::arm::route::{Operation, Scope, Target, Verb};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::seeded_world::network_etag;
use crate::sandbox::state::{Kind, OpKind, Resource, World, key, network_id, rg_id};

const TYPE: &str = "Microsoft.Network/privateEndpoints";
const FORMAT: &str = "InvalidRequestFormat";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutBody {
    location: Option<String>,
    tags: Option<Tags>,
    extended_location: Option<ExtendedLocation>,
    properties: Option<PutProps>,
}

/// `ExtendedLocation` (network.json): an edge zone.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct ExtendedLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutProps {
    subnet: Option<SubResource>,
    private_link_service_connections: Option<Vec<ConnBody>>,
    manual_private_link_service_connections: Option<Vec<ConnBody>>,
    custom_network_interface_name: Option<String>,
    ip_configurations: Option<Vec<IpConfiguration>>,
    application_security_groups: Option<Vec<SubResource>>,
    custom_dns_configs: Option<Vec<CustomDnsConfig>>,
    ip_version_type: Option<String>,
}

/// `PrivateEndpointIPConfiguration`: a static address of the endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct IpConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<IpConfigurationProps>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct IpConfigurationProps {
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member_name: Option<String>,
    #[serde(rename = "privateIPAddress", skip_serializing_if = "Option::is_none")]
    private_ip_address: Option<String>,
}

/// `CustomDnsConfigPropertiesFormat`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomDnsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    fqdn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_addresses: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnBody {
    name: Option<String>,
    properties: Option<ConnProps>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConnProps {
    private_link_service_id: Option<String>,
    group_ids: Option<Vec<String>>,
    request_message: Option<String>,
}

/// A validated PUT request. ARM's PUT is a full replace: every writable property takes the
/// request's value, and one left out takes its default.
#[derive(Debug)]
struct Request {
    location: String,
    tags: Tags,
    subnet_id: String,
    manual: bool,
    conn_name: String,
    pls_ref: String,
    group_ids: Vec<String>,
    request_message: String,
    custom_nic_name: Option<String>,
    extended_location: Option<ExtendedLocation>,
    ip_configurations: Vec<IpConfiguration>,
    application_security_groups: Vec<String>,
    custom_dns_configs: Vec<CustomDnsConfig>,
    ip_version_type: String,
}

/// An application security group reference must name one (the sandbox holds no ASGs, so
/// only the shape of the ID is checked).
fn check_asg(id: &str, i: usize) -> Result<(), ArmError> {
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

fn parse_request(raw: &[u8]) -> Result<Request, ArmError> {
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

fn pe_id(scope: &Scope, name: &str) -> String {
    network_id(&scope.sub, &scope.rg, &format!("privateEndpoints/{name}"))
}

/// The GET body: the stored endpoint with the connection state read from the PLS side.
pub fn render(world: &World, pe: &Resource) -> Value {
    let mut body = pe.body.clone();
    let state = match private_link_services::connection_of(world, &pe.id) {
        Some(conn) => conn.body["properties"]["privateLinkServiceConnectionState"].clone(),
        None => json!({
            "status": "Disconnected",
            "description": "The connection was removed by the private link service owner.",
            "actionsRequired": "None"
        }),
    };
    for list in [
        "manualPrivateLinkServiceConnections",
        "privateLinkServiceConnections",
    ] {
        if let Some(conns) = body["properties"][list].as_array_mut() {
            for conn in conns {
                conn["properties"]["privateLinkServiceConnectionState"] = state.clone();
            }
        }
    }
    body
}

/// Handles private endpoint operations.
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match (&op.target, op.verb) {
        (Target::PrivateEndpoints(scope), Verb::Get) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::PrivateEndpoint)
                .into_iter()
                .map(|pe| render(world, pe))
                .collect();
            Ok(ArmResponse::json(StatusCode::OK, json!({"value": value})))
        }
        (Target::PrivateEndpoint(scope, name), Verb::Get) => get(world, ctx, scope, name),
        (Target::PrivateEndpoint(scope, name), Verb::Put) => put(world, ctx, scope, name),
        (Target::PrivateEndpoint(scope, name), Verb::Delete) => delete(world, ctx, scope, name),
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "privateEndpoints",
        )),
    }
}

fn get(world: &World, ctx: &Ctx<'_>, scope: &Scope, name: &str) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    match world.get(&pe_id(scope, name)) {
        Some(pe) if !World::hidden_by_window(pe, ctx.faults) => {
            Ok(ArmResponse::json(StatusCode::OK, render(world, pe)))
        }
        _ => Err(ArmError::resource_not_found(TYPE, name, &scope.rg)),
    }
}

fn invalid_reference(subnet_id: &str, pe_id: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceReference",
        format!(
            "Resource {subnet_id} referenced by resource {pe_id} was not found. Please make sure \
             that the referenced resource exists, and that both resources are in the same region."
        ),
    )
}

/// Finds the subnet and checks region and network policies.
fn check_subnet(world: &World, req: &Request, id: &str) -> Result<(), ArmError> {
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

fn put(
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
        return update(world, ctx, &id, &req, &pls);
    }
    check_subnet(world, &req, &id)?;
    let status = connection_status(world, &req, &pls, &scope.sub)?;
    let nic_id = network_interfaces::create(
        world,
        scope,
        name,
        &req.location,
        &req.subnet_id,
        &req.custom_nic_name,
        &id,
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
fn connection_status(
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

fn new_body(id: &str, name: &str, req: &Request, nic_id: &str) -> Value {
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
            "resourceGuid": uuid::Uuid::new_v4().to_string(),
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
fn set_replaceable(body: &mut Value, req: &Request) {
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

fn changed(path: &str) -> ArmError {
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
fn update(
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

fn respond_put(
    world: &mut World,
    ctx: &Ctx<'_>,
    id: &str,
    location: &str,
    status: StatusCode,
) -> Result<ArmResponse, ArmError> {
    let sub = id.split('/').nth(2).unwrap_or_default().to_string();
    let op = lro::start(
        world,
        ctx,
        OpScope::Network {
            sub: &sub,
            location,
        },
        OpKind::Put,
        id,
    );
    let body = world
        .get(id)
        .map(|pe| render(world, pe))
        .unwrap_or_default();
    Ok(ArmResponse::json(status, body)
        .with_header("azure-asyncoperation", op.status_url)
        .with_header("retry-after", lro::retry_after(ctx)))
}

fn delete(
    world: &mut World,
    ctx: &Ctx<'_>,
    scope: &Scope,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    world.require_rg(&scope.sub, &scope.rg)?;
    let id = pe_id(scope, name);
    let Some(pe) = world.get(&id) else {
        return Ok(ArmResponse::empty(StatusCode::NO_CONTENT));
    };
    let location = pe.body["location"].as_str().unwrap_or("eastus").to_string();
    world.require_idle(&id)?;
    if let Some(pe) = world.get_mut(&id) {
        pe.body["properties"]["provisioningState"] = json!("Deleting");
    }
    let op = lro::start(
        world,
        ctx,
        OpScope::Network {
            sub: &scope.sub,
            location: &location,
        },
        OpKind::Delete,
        &id,
    );
    Ok(ArmResponse::empty(StatusCode::ACCEPTED)
        .with_header("location", op.result_url)
        .with_header("azure-asyncoperation", op.status_url)
        .with_header("retry-after", lro::retry_after(ctx)))
}
