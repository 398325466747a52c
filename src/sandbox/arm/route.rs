//! Parses an ARM request (method + path) into an [`Operation`] before anything is handled.
//! Unknown namespaces, resource types and methods become explicit ARM errors here.

use axum::http::{Method, StatusCode};

use crate::sandbox::error::ArmError;

/// Subscription + resource group of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Subscription id as sent.
    pub sub: String,
    /// Resource group name as sent.
    pub rg: String,
}

/// The resource a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `/subscriptions/{sub}/resourcegroups`
    ResourceGroups(String),
    /// `/subscriptions/{sub}/resourcegroups/{rg}`
    ResourceGroup(Scope),
    /// `.../virtualNetworks`
    VirtualNetworks(Scope),
    /// `.../virtualNetworks/{vnet}`
    VirtualNetwork(Scope, String),
    /// `.../virtualNetworks/{vnet}/subnets`
    Subnets(Scope, String),
    /// `.../virtualNetworks/{vnet}/subnets/{subnet}`
    Subnet(Scope, String, String),
    /// `.../virtualNetworks/{vnet}/virtualNetworkPeerings`
    VnetPeerings(Scope, String),
    /// `.../virtualNetworks/{vnet}/virtualNetworkPeerings/{peering}`
    VnetPeering(Scope, String, String),
    /// `.../networkSecurityGroups`
    NetworkSecurityGroups(Scope),
    /// `.../networkSecurityGroups/{nsg}`
    NetworkSecurityGroup(Scope, String),
    /// `.../applicationSecurityGroups`
    ApplicationSecurityGroups(Scope),
    /// `.../applicationSecurityGroups/{asg}`
    ApplicationSecurityGroup(Scope, String),
    /// `.../privateEndpoints`
    PrivateEndpoints(Scope),
    /// `.../privateEndpoints/{pe}`
    PrivateEndpoint(Scope, String),
    /// `.../networkInterfaces`
    NetworkInterfaces(Scope),
    /// `.../networkInterfaces/{nic}`
    NetworkInterface(Scope, String),
    /// `.../privateLinkServices/{pls}`
    PrivateLinkService(Scope, String),
    /// `/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Network/locations/{loc}/checkPrivateLinkServiceVisibility`
    CheckPlsVisibility(String, String),
    /// `.../privateLinkServices/{pls}/privateEndpointConnections`
    PlsConnections(Scope, String),
    /// `.../privateLinkServices/{pls}/privateEndpointConnections/{conn}`
    PlsConnection(Scope, String, String),
    /// `/subscriptions/{sub}/providers/Microsoft.Network/locations/{loc}/operations/{id}`
    NetworkOperationStatus(String, String),
    /// `/subscriptions/{sub}/providers/Microsoft.Network/locations/{loc}/operationResults/{id}`
    NetworkOperationResult(String, String),
    /// `/subscriptions/{sub}/providers/Microsoft.Network/privateDnsZones` (PrivateZones_List)
    SubscriptionDnsZones(String),
    /// `/subscriptions/{sub}/providers/Microsoft.Network/{type}`: the subscription-scope list
    /// of a network type (PrivateEndpoints_ListBySubscription, NetworkInterfaces_ListAll,
    /// VirtualNetworks_ListAll, NetworkSecurityGroups_ListAll,
    /// PrivateLinkServices_ListBySubscription, ApplicationSecurityGroups_ListAll).
    SubscriptionList(String, &'static str),
    /// `.../privateDnsZones`
    DnsZones(Scope),
    /// `.../privateDnsZones/{zone}`
    DnsZone(Scope, String),
    /// `.../privateDnsZones/{zone}/virtualNetworkLinks`
    VnetLinks(Scope, String),
    /// `.../privateDnsZones/{zone}/virtualNetworkLinks/{link}`
    VnetLink(Scope, String, String),
    /// `.../privateDnsZones/{zone}/ALL` (None) or `.../{type}` listing
    RecordSets(Scope, String, Option<String>),
    /// `.../privateDnsZones/{zone}/{type}/{name}`
    RecordSet(Scope, String, String, String),
    /// `.../privateDnsOperationStatuses/{id}`
    DnsOperationStatus(Scope, String),
    /// `.../privateDnsOperationResults/{id}`
    DnsOperationResult(Scope, String),
}

/// Which api-version list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiFamily {
    /// Microsoft.Resources resource groups.
    Resources,
    /// Microsoft.Network (PE, NIC, VNet, subnet, PLS, operations).
    Network,
    /// Microsoft.Network private DNS.
    PrivateDns,
}

/// The HTTP verbs ARM routes understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// GET
    Get,
    /// PUT
    Put,
    /// DELETE
    Delete,
    /// PATCH (private DNS only, as in the spec)
    Patch,
    /// POST (checkPrivateLinkServiceVisibility only)
    Post,
}

/// A parsed request: what to do to which resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The verb.
    pub verb: Verb,
    /// The resource addressed.
    pub target: Target,
}

/// Network types with a subscription-scope list the sandbox serves.
pub const SUBSCRIPTION_LISTS: [&str; 6] = [
    "privateEndpoints",
    "networkInterfaces",
    "virtualNetworks",
    "networkSecurityGroups",
    "privateLinkServices",
    "applicationSecurityGroups",
];

/// Record types the sandbox serves.
pub const RECORD_TYPES: [&str; 2] = ["A", "SOA"];
const ALL_RECORD_TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"];

impl Target {
    /// The api-version family of this target.
    pub fn family(&self) -> ApiFamily {
        match self {
            Target::ResourceGroups(_) | Target::ResourceGroup(_) => ApiFamily::Resources,
            Target::DnsZones(_)
            | Target::SubscriptionDnsZones(_)
            | Target::DnsZone(..)
            | Target::VnetLinks(..)
            | Target::VnetLink(..)
            | Target::RecordSets(..)
            | Target::RecordSet(..)
            | Target::DnsOperationStatus(..)
            | Target::DnsOperationResult(..) => ApiFamily::PrivateDns,
            _ => ApiFamily::Network,
        }
    }

    /// The resource type name used in logs and errors.
    pub fn resource_type(&self) -> String {
        match self {
            Target::ResourceGroups(_) | Target::ResourceGroup(_) => "resourceGroups".into(),
            Target::VirtualNetworks(_) | Target::VirtualNetwork(..) => "virtualNetworks".into(),
            Target::Subnets(..) | Target::Subnet(..) => "subnets".into(),
            Target::VnetPeerings(..) | Target::VnetPeering(..) => "virtualNetworkPeerings".into(),
            Target::NetworkSecurityGroups(_) | Target::NetworkSecurityGroup(..) => {
                "networkSecurityGroups".into()
            }
            Target::PrivateEndpoints(_) | Target::PrivateEndpoint(..) => "privateEndpoints".into(),
            Target::ApplicationSecurityGroups(_) | Target::ApplicationSecurityGroup(..) => {
                "applicationSecurityGroups".into()
            }
            Target::NetworkInterfaces(_) | Target::NetworkInterface(..) => {
                "networkInterfaces".into()
            }
            Target::PrivateLinkService(..) => "privateLinkServices".into(),
            Target::CheckPlsVisibility(..) => "checkPrivateLinkServiceVisibility".into(),
            Target::PlsConnections(..) | Target::PlsConnection(..) => {
                "privateEndpointConnections".into()
            }
            Target::NetworkOperationStatus(..) => "operations".into(),
            Target::NetworkOperationResult(..) => "operationResults".into(),
            Target::DnsZones(_) | Target::SubscriptionDnsZones(_) | Target::DnsZone(..) => {
                "privateDnsZones".into()
            }
            Target::VnetLinks(..) | Target::VnetLink(..) => "virtualNetworkLinks".into(),
            Target::RecordSets(_, _, None) => "ALL".into(),
            Target::RecordSets(_, _, Some(t)) | Target::RecordSet(_, _, t, _) => t.clone(),
            Target::DnsOperationStatus(..) => "privateDnsOperationStatuses".into(),
            Target::SubscriptionList(_, t) => (*t).into(),
            Target::DnsOperationResult(..) => "privateDnsOperationResults".into(),
        }
    }

    /// Which verbs the sandbox implements on this target.
    fn verbs(&self) -> &'static [Verb] {
        match self {
            Target::ResourceGroup(_) => &[Verb::Get, Verb::Put],
            Target::CheckPlsVisibility(..) => &[Verb::Post],
            Target::PrivateEndpoint(..)
            | Target::PlsConnection(..)
            | Target::ApplicationSecurityGroup(..) => &[Verb::Get, Verb::Put, Verb::Delete],
            Target::DnsZone(..) | Target::VnetLink(..) => {
                &[Verb::Get, Verb::Put, Verb::Patch, Verb::Delete]
            }
            Target::RecordSet(_, _, t, _) if t == "A" => {
                &[Verb::Get, Verb::Put, Verb::Patch, Verb::Delete]
            }
            _ => &[Verb::Get],
        }
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn unknown_type(namespace: &str, resource_type: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type '{resource_type}' could not be found in the namespace \
             '{namespace}' (the sandbox implements only the types the provider uses)."
        ),
    )
}

fn bad_uri(path: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidRequestUri",
        format!("The request URI '{path}' is not a resource the sandbox implements."),
    )
}

/// Parses the path into a [`Target`].
pub fn parse_target(path: &str) -> Result<Target, ArmError> {
    let segs: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    if s.len() < 3 || !eq(s[0], "subscriptions") || s[1].is_empty() {
        return Err(bad_uri(path));
    }
    let sub = s[1].to_string();
    if eq(s[2], "providers") {
        return parse_subscription_provider(&sub, &s[3..], path);
    }
    if !eq(s[2], "resourceGroups") {
        return Err(unknown_type("Microsoft.Resources", s[2]));
    }
    match s.len() {
        3 => return Ok(Target::ResourceGroups(sub)),
        4 => {
            return Ok(Target::ResourceGroup(Scope {
                sub,
                rg: s[3].to_string(),
            }));
        }
        _ => {}
    }
    let scope = Scope {
        sub,
        rg: s[3].to_string(),
    };
    if !eq(s[4], "providers") || s.len() < 7 {
        return Err(bad_uri(path));
    }
    if !eq(s[5], "Microsoft.Network") {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceNamespace",
            format!(
                "The resource namespace '{}' is invalid (the sandbox only serves Microsoft.Network).",
                s[5]
            ),
        ));
    }
    parse_network(scope, &s[6..], path)
}

fn parse_subscription_provider(sub: &str, s: &[&str], path: &str) -> Result<Target, ArmError> {
    if s.len() == 4
        && eq(s[0], "Microsoft.Network")
        && eq(s[1], "locations")
        && eq(s[3], "checkPrivateLinkServiceVisibility")
    {
        return Ok(Target::CheckPlsVisibility(
            sub.to_string(),
            s[2].to_string(),
        ));
    }
    if s.len() == 2 && eq(s[0], "Microsoft.Network") && eq(s[1], "privateDnsZones") {
        return Ok(Target::SubscriptionDnsZones(sub.to_string()));
    }
    if s.len() == 2 && eq(s[0], "Microsoft.Network") {
        let listed = SUBSCRIPTION_LISTS.iter().find(|t| eq(t, s[1]));
        return match listed {
            Some(t) => Ok(Target::SubscriptionList(sub.to_string(), t)),
            None => Err(unknown_type("Microsoft.Network", s[1])),
        };
    }
    if s.len() != 5 || !eq(s[0], "Microsoft.Network") || !eq(s[1], "locations") {
        return Err(bad_uri(path));
    }
    let id = s[4].to_string();
    if eq(s[3], "operations") {
        Ok(Target::NetworkOperationStatus(sub.to_string(), id))
    } else if eq(s[3], "operationResults") {
        Ok(Target::NetworkOperationResult(sub.to_string(), id))
    } else {
        Err(unknown_type(
            "Microsoft.Network",
            &format!("locations/{}", s[3]),
        ))
    }
}

fn parse_network(scope: Scope, s: &[&str], path: &str) -> Result<Target, ArmError> {
    let name = |i: usize| s.get(i).map(|v| v.to_string());
    let t = s[0];
    let target = if eq(t, "virtualNetworks") {
        match (name(1), s.get(2), name(3), s.len()) {
            (None, ..) => Target::VirtualNetworks(scope),
            (Some(v), None, _, _) => Target::VirtualNetwork(scope, v),
            (Some(v), Some(c), None, 3) if eq(c, "subnets") => Target::Subnets(scope, v),
            (Some(v), Some(c), Some(n), 4) if eq(c, "subnets") => Target::Subnet(scope, v, n),
            (Some(v), Some(c), None, 3) if eq(c, "virtualNetworkPeerings") => {
                Target::VnetPeerings(scope, v)
            }
            (Some(v), Some(c), Some(n), 4) if eq(c, "virtualNetworkPeerings") => {
                Target::VnetPeering(scope, v, n)
            }
            (_, Some(c), ..) => {
                return Err(unknown_type(
                    "Microsoft.Network",
                    &format!("virtualNetworks/{c}"),
                ));
            }
        }
    } else if eq(t, "networkSecurityGroups") {
        match (name(1), s.len()) {
            (None, _) => Target::NetworkSecurityGroups(scope),
            (Some(n), 2) => Target::NetworkSecurityGroup(scope, n),
            _ => {
                return Err(unknown_type(
                    "Microsoft.Network",
                    &format!("networkSecurityGroups/{}", s[2]),
                ));
            }
        }
    } else if eq(t, "privateEndpoints") {
        match (name(1), s.len()) {
            (None, _) => Target::PrivateEndpoints(scope),
            (Some(n), 2) => Target::PrivateEndpoint(scope, n),
            _ => {
                return Err(unknown_type(
                    "Microsoft.Network",
                    &format!("privateEndpoints/{}", s[2]),
                ));
            }
        }
    } else if eq(t, "applicationSecurityGroups") {
        match (name(1), s.len()) {
            (None, _) => Target::ApplicationSecurityGroups(scope),
            (Some(n), 2) => Target::ApplicationSecurityGroup(scope, n),
            _ => {
                return Err(unknown_type(
                    "Microsoft.Network",
                    &format!("applicationSecurityGroups/{}", s[2]),
                ));
            }
        }
    } else if eq(t, "networkInterfaces") {
        match (name(1), s.len()) {
            (None, _) => Target::NetworkInterfaces(scope),
            (Some(n), 2) => Target::NetworkInterface(scope, n),
            _ => {
                return Err(unknown_type(
                    "Microsoft.Network",
                    &format!("networkInterfaces/{}", s[2]),
                ));
            }
        }
    } else if eq(t, "privateLinkServices") {
        match (name(1), s.get(2), name(3), s.len()) {
            (Some(p), None, _, 2) => Target::PrivateLinkService(scope, p),
            (Some(p), Some(c), None, 3) if eq(c, "privateEndpointConnections") => {
                Target::PlsConnections(scope, p)
            }
            (Some(p), Some(c), Some(n), 4) if eq(c, "privateEndpointConnections") => {
                Target::PlsConnection(scope, p, n)
            }
            _ => return Err(bad_uri(path)),
        }
    } else if eq(t, "locations") && s.len() == 3 && eq(s[2], "checkPrivateLinkServiceVisibility") {
        Target::CheckPlsVisibility(scope.sub, s[1].to_string())
    } else if eq(t, "privateDnsZones") {
        parse_dns(scope, s, path)?
    } else if eq(t, "privateDnsOperationStatuses") && s.len() == 2 {
        Target::DnsOperationStatus(scope, s[1].to_string())
    } else if eq(t, "privateDnsOperationResults") && s.len() == 2 {
        Target::DnsOperationResult(scope, s[1].to_string())
    } else {
        return Err(unknown_type("Microsoft.Network", t));
    };
    Ok(target)
}

fn parse_dns(scope: Scope, s: &[&str], path: &str) -> Result<Target, ArmError> {
    let Some(zone) = s.get(1).map(|z| z.to_string()) else {
        return Ok(Target::DnsZones(scope));
    };
    let Some(child) = s.get(2) else {
        return Ok(Target::DnsZone(scope, zone));
    };
    if s.len() > 4 {
        return Err(bad_uri(path));
    }
    let name = s.get(3).map(|n| n.to_string());
    if eq(child, "virtualNetworkLinks") {
        return Ok(match name {
            None => Target::VnetLinks(scope, zone),
            Some(n) => Target::VnetLink(scope, zone, n),
        });
    }
    if eq(child, "ALL") && name.is_none() {
        return Ok(Target::RecordSets(scope, zone, None));
    }
    let Some(rtype) = ALL_RECORD_TYPES.iter().find(|t| eq(t, child)) else {
        return Err(unknown_type(
            "Microsoft.Network",
            &format!("privateDnsZones/{child}"),
        ));
    };
    if !RECORD_TYPES.contains(rtype) {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!("The sandbox implements record types A and SOA only, not '{rtype}'."),
        ));
    }
    Ok(match name {
        None => Target::RecordSets(scope, zone, Some(rtype.to_string())),
        Some(n) => Target::RecordSet(scope, zone, rtype.to_string(), n),
    })
}

/// Parses method + path into an [`Operation`]; unsupported verbs answer 405.
pub fn parse(method: &Method, path: &str) -> Result<Operation, ArmError> {
    let target = parse_target(path)?;
    let verb = match *method {
        Method::GET => Verb::Get,
        Method::PUT => Verb::Put,
        Method::DELETE => Verb::Delete,
        Method::PATCH => Verb::Patch,
        Method::POST => Verb::Post,
        _ => {
            return Err(ArmError::method_not_allowed(
                method.as_str(),
                &target.resource_type(),
            ));
        }
    };
    if !target.verbs().contains(&verb) {
        return Err(ArmError::method_not_allowed(
            method.as_str(),
            &target.resource_type(),
        ));
    }
    Ok(Operation { verb, target })
}

#[cfg(test)]
mod tests;
