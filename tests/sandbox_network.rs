//! The sandbox's model of what the connectivity checks read: network security groups with
//! Azure's default rules attached to subnets, VNet custom DNS servers, VNet peerings with
//! their state (ARM GET routes), and the management controls that change each one.

mod sandbox_support;

use reqwest::{Method, StatusCode};
use sandbox_support::start;
use serde_json::json;

const API: &str = "api-version=2025-01-01";

#[tokio::test]
async fn nsg_get_has_custom_and_default_rules_and_the_subnets_it_is_attached_to() {
    let env = start().await;
    let nsg = env.net("rg-astro-agents", "networkSecurityGroups/nsg-agents");
    let got = env.get(&format!("{nsg}?{API}")).await;
    assert_eq!(got.status, StatusCode::OK, "{got:?}");
    assert_eq!(got.body["type"], "Microsoft.Network/networkSecurityGroups");
    assert_eq!(got.body["properties"]["securityRules"], json!([]));
    let defaults = got.body["properties"]["defaultSecurityRules"]
        .as_array()
        .expect("default rules");
    let out: Vec<(&str, i64, &str)> = defaults
        .iter()
        .filter(|r| r["properties"]["direction"] == "Outbound")
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default(),
                r["properties"]["priority"].as_i64().unwrap_or_default(),
                r["properties"]["access"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        out,
        [
            ("AllowVnetOutBound", 65000, "Allow"),
            ("AllowInternetOutBound", 65001, "Allow"),
            ("DenyAllOutBound", 65500, "Deny")
        ]
    );
    let subnet = env.net(
        "rg-astro-agents",
        "virtualNetworks/vnet-agents/subnets/snet-agents",
    );
    assert_eq!(got.body["properties"]["subnets"], json!([{"id": subnet}]));
    let sub = env.get(&format!("{subnet}?{API}")).await;
    assert_eq!(
        sub.body["properties"]["networkSecurityGroup"]["id"], nsg,
        "{sub:?}"
    );

    let list = env
        .get(&format!(
            "{}?{API}",
            env.net("rg-astro-agents", "networkSecurityGroups")
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(2));
    let missing = env
        .get(&format!(
            "{}?{API}",
            env.net("rg-astro-agents", "networkSecurityGroups/nope")
        ))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "ResourceNotFound");
    let put = env.put(&format!("{nsg}?{API}"), json!({})).await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn management_adds_a_rule_and_moves_an_nsg_and_refuses_arm_violations() {
    let env = start().await;
    let nsg = env.net("rg-astro-agents", "networkSecurityGroups/nsg-agents");
    let rule = json!({"name": "deny-443", "priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "Tcp", "destination_port_range": "443"});
    let put = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "put_security_rule", "nsg_id": nsg, "rule": rule})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    let got = env.get(&format!("{nsg}?{API}")).await;
    let r = &got.body["properties"]["securityRules"][0];
    assert_eq!(r["name"], "deny-443");
    assert_eq!(r["id"], format!("{nsg}/securityRules/deny-443"));
    assert_eq!(r["properties"]["destinationPortRange"], "443");
    assert_eq!(r["properties"]["sourceAddressPrefix"], "*");

    let clash =
        json!({"name": "other", "priority": 100, "direction": "Outbound", "access": "Allow"});
    let refused = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "put_security_rule", "nsg_id": nsg, "rule": clash})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.to_string().contains("SecurityRuleConflict"));
    let low = json!({"name": "low", "priority": 99, "direction": "Outbound", "access": "Allow"});
    let refused = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "put_security_rule", "nsg_id": nsg, "rule": low})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let subnet = env.net(
        "rg-astro-agents",
        "virtualNetworks/vnet-agents/subnets/snet-agents",
    );
    let detach = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "set_subnet_nsg", "subnet_id": subnet, "nsg_id": null})),
        )
        .await;
    assert_eq!(detach.status, StatusCode::OK, "{detach:?}");
    let sub = env.get(&format!("{subnet}?{API}")).await;
    assert!(sub.body["properties"].get("networkSecurityGroup").is_none());
    let got = env.get(&format!("{nsg}?{API}")).await;
    assert!(got.body["properties"].get("subnets").is_none());
}

#[tokio::test]
async fn vnets_show_dns_servers_and_peerings_and_management_changes_them() {
    let env = start().await;
    let hub = env.net("rg-astro-agents", "virtualNetworks/vnet-agents");
    let spoke = env.net("rg-astro-agents", "virtualNetworks/vnet-agents-2");
    let got = env.get(&format!("{hub}?{API}")).await;
    assert_eq!(
        got.body["properties"]["dhcpOptions"]["dnsServers"],
        json!([])
    );
    let peering = &got.body["properties"]["virtualNetworkPeerings"][0];
    assert_eq!(peering["properties"]["peeringState"], "Connected");
    assert_eq!(peering["properties"]["remoteVirtualNetwork"]["id"], spoke);
    assert_eq!(
        peering["properties"]["remoteAddressSpace"]["addressPrefixes"],
        json!(["10.20.0.0/16"])
    );
    let one = env
        .get(&format!(
            "{hub}/virtualNetworkPeerings/peer-to-vnet-agents-2?{API}"
        ))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{one:?}");
    assert_eq!(
        one.body["type"],
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
    );

    let set = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "set_dns_servers", "vnet_id": spoke, "dns_servers": ["10.99.0.4"]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{set:?}");
    let got = env.get(&format!("{spoke}?{API}")).await;
    assert_eq!(
        got.body["properties"]["dhcpOptions"]["dnsServers"],
        json!(["10.99.0.4"])
    );
    let bad = env
        .mgmt(
            Method::POST,
            "network",
            Some(
                json!({"op": "set_dns_servers", "vnet_id": spoke, "dns_servers": ["dns.example"]}),
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let initiated = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "set_peering", "vnet_id": spoke, "remote_vnet_id": hub, "peering_state": "Initiated"})),
        )
        .await;
    assert_eq!(initiated.status, StatusCode::OK, "{initiated:?}");
    let list = env
        .get(&format!("{spoke}/virtualNetworkPeerings?{API}"))
        .await;
    assert_eq!(
        list.body["value"][0]["properties"]["peeringState"],
        "Initiated"
    );
    let deleted = env
        .mgmt(
            Method::POST,
            "network",
            Some(json!({"op": "delete_peering", "vnet_id": spoke, "remote_vnet_id": hub})),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{deleted:?}");
    let list = env
        .get(&format!("{spoke}/virtualNetworkPeerings?{API}"))
        .await;
    assert_eq!(list.body["value"], json!([]));

    // reset brings the seeded peering back
    env.mgmt(Method::POST, "reset", None).await;
    let list = env
        .get(&format!("{spoke}/virtualNetworkPeerings?{API}"))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));
}
