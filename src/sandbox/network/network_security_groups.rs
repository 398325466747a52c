//! `Microsoft.Network/networkSecurityGroups` (seeded only, edited through the management
//! API): GET and list, shaped as `networkSecurityGroup.json` (Network 2025-07-01) answers:
//! `securityRules[]`, the six `defaultSecurityRules[]` Azure adds to every group, and the
//! `subnets[]` the group is attached to. Rule fields are the ones of
//! `SecurityRulePropertiesFormat` (singular prefix/range plus empty plural lists).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::sandbox::arm::route::{Operation, Target};
use crate::sandbox::arm::{ArmResponse, Ctx};
use crate::sandbox::error::ArmError;
use crate::sandbox::seed::SeedSecurityRule;
use crate::sandbox::state::{Kind, Resource, World, key, network_id, rg_id};

/// Azure's default rules, present on every network security group (name, priority,
/// direction, access, source prefix, destination prefix, description). Source: Microsoft
/// Learn, "Network security groups overview", default security rules.
const DEFAULT_RULES: [(&str, i64, &str, &str, &str, &str, &str); 6] = [
    (
        "AllowVnetInBound",
        65000,
        "Inbound",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow inbound traffic from all VMs in VNET",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        65001,
        "Inbound",
        "Allow",
        "AzureLoadBalancer",
        "*",
        "Allow inbound traffic from azure load balancer",
    ),
    (
        "DenyAllInBound",
        65500,
        "Inbound",
        "Deny",
        "*",
        "*",
        "Deny all inbound traffic",
    ),
    (
        "AllowVnetOutBound",
        65000,
        "Outbound",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow outbound traffic from all VMs to all VMs in VNET",
    ),
    (
        "AllowInternetOutBound",
        65001,
        "Outbound",
        "Allow",
        "*",
        "Internet",
        "Allow outbound traffic from all VMs to Internet",
    ),
    (
        "DenyAllOutBound",
        65500,
        "Outbound",
        "Deny",
        "*",
        "*",
        "Deny all outbound traffic",
    ),
];

/// One rule's ARM body; `collection` is `securityRules` or `defaultSecurityRules`.
pub fn rule_body(nsg_id: &str, collection: &str, rule: &SeedSecurityRule) -> Value {
    json!({
        "name": rule.name,
        "id": format!("{nsg_id}/{collection}/{}", rule.name),
        "etag": super::super::seeded_world::network_etag(),
        "type": format!("Microsoft.Network/networkSecurityGroups/{collection}"),
        "properties": {
            "provisioningState": "Succeeded",
            "protocol": rule.protocol,
            "sourcePortRange": rule.source_port_range,
            "destinationPortRange": rule.destination_port_range,
            "sourceAddressPrefix": rule.source_address_prefix,
            "destinationAddressPrefix": rule.destination_address_prefix,
            "access": rule.access,
            "priority": rule.priority,
            "direction": rule.direction,
            "sourcePortRanges": [],
            "destinationPortRanges": [],
            "sourceAddressPrefixes": [],
            "destinationAddressPrefixes": []
        }
    })
}

/// Checks a custom rule as ARM would before storing it (priority range, enums).
pub fn check_rule(rule: &SeedSecurityRule) -> Result<(), String> {
    if !(100..=4096).contains(&rule.priority) {
        return Err(format!(
            "security rule {}: priority {} is outside 100-4096",
            rule.name, rule.priority
        ));
    }
    let one_of = |what: &str, v: &str, allowed: &[&str]| {
        if allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) {
            Ok(())
        } else {
            Err(format!(
                "security rule {}: {what} {v:?} is not one of {}",
                rule.name,
                allowed.join(", ")
            ))
        }
    };
    one_of("direction", &rule.direction, &["Inbound", "Outbound"])?;
    one_of("access", &rule.access, &["Allow", "Deny"])?;
    one_of(
        "protocol",
        &rule.protocol,
        &["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"],
    )
}

/// A new group's stored body with `rules` and Azure's default rules.
pub fn body(id: &str, name: &str, location: &str, rules: &[SeedSecurityRule]) -> Value {
    let custom: Vec<Value> = rules
        .iter()
        .map(|r| rule_body(id, "securityRules", r))
        .collect();
    let defaults: Vec<Value> = DEFAULT_RULES
        .iter()
        .map(|(rname, priority, direction, access, src, dst, desc)| {
            let mut b = rule_body(
                id,
                "defaultSecurityRules",
                &SeedSecurityRule {
                    name: rname.to_string(),
                    priority: *priority,
                    direction: direction.to_string(),
                    access: access.to_string(),
                    protocol: "*".into(),
                    source_address_prefix: src.to_string(),
                    source_port_range: "*".into(),
                    destination_address_prefix: dst.to_string(),
                    destination_port_range: "*".into(),
                },
            );
            b["properties"]["description"] = json!(desc);
            b
        })
        .collect();
    json!({
        "name": name,
        "id": id,
        "etag": super::super::seeded_world::network_etag(),
        "type": "Microsoft.Network/networkSecurityGroups",
        "location": location,
        "tags": {},
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": uuid::Uuid::new_v4().to_string(),
            "securityRules": custom,
            "defaultSecurityRules": defaults
        }
    })
}

/// The GET body: the stored group plus `subnets[]` referencing it.
pub fn render(world: &World, nsg: &Resource) -> Value {
    let mut body = nsg.body.clone();
    let me = key(&nsg.id);
    let subnets: Vec<Value> = world
        .of_kind(Kind::Subnet)
        .filter(|s| {
            s.body["properties"]["networkSecurityGroup"]["id"]
                .as_str()
                .is_some_and(|id| key(id) == me)
        })
        .map(|s| json!({"id": s.id}))
        .collect();
    if !subnets.is_empty() {
        body["properties"]["subnets"] = json!(subnets);
    }
    body
}

/// Handles network security group operations (GET and list).
pub fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    match &op.target {
        Target::NetworkSecurityGroups(scope) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let value: Vec<Value> = world
                .under(&rg_id(&scope.sub, &scope.rg), Kind::NetworkSecurityGroup)
                .into_iter()
                .map(|n| render(world, n))
                .collect();
            crate::sandbox::arm::paging::page(ctx, value)
        }
        Target::NetworkSecurityGroup(scope, name) => {
            world.require_rg(&scope.sub, &scope.rg)?;
            let id = network_id(
                &scope.sub,
                &scope.rg,
                &format!("networkSecurityGroups/{name}"),
            );
            let nsg = world.get(&id).ok_or_else(|| {
                ArmError::resource_not_found(
                    "Microsoft.Network/networkSecurityGroups",
                    name,
                    &scope.rg,
                )
            })?;
            Ok(ArmResponse::json(StatusCode::OK, render(world, nsg)))
        }
        _ => Err(ArmError::method_not_allowed(
            "this method",
            "networkSecurityGroups",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_gets_the_six_default_rules() {
        let b = body("/x/networkSecurityGroups/n", "n", "eastus", &[]);
        let names: Vec<&str> = b["properties"]["defaultSecurityRules"]
            .as_array()
            .expect("defaults")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(
            names,
            [
                "AllowVnetInBound",
                "AllowAzureLoadBalancerInBound",
                "DenyAllInBound",
                "AllowVnetOutBound",
                "AllowInternetOutBound",
                "DenyAllOutBound"
            ]
        );
        assert_eq!(
            b["properties"]["defaultSecurityRules"][3]["id"],
            "/x/networkSecurityGroups/n/defaultSecurityRules/AllowVnetOutBound"
        );
    }

    #[test]
    fn rules_outside_arm_limits_are_refused() {
        let mut r = SeedSecurityRule {
            name: "r".into(),
            priority: 50,
            direction: "Outbound".into(),
            access: "Deny".into(),
            protocol: "Tcp".into(),
            source_address_prefix: "*".into(),
            source_port_range: "*".into(),
            destination_address_prefix: "*".into(),
            destination_port_range: "443".into(),
        };
        assert!(check_rule(&r).unwrap_err().contains("100-4096"));
        r.priority = 100;
        assert!(check_rule(&r).is_ok());
        r.direction = "Sideways".into();
        assert!(check_rule(&r).is_err());
    }
}
