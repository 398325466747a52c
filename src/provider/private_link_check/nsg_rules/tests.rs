//! Unit tests of `nsg_rules`.

use serde_json::json;

use super::*;

fn rule(
    name: &str,
    priority: i64,
    direction: &str,
    access: &str,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut props = json!({"priority": priority, "direction": direction, "access": access, "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        props[k] = v;
    }
    json!({"name": name, "properties": props})
}

fn nsg(custom: Vec<serde_json::Value>) -> NetworkSecurityGroup {
    let defaults = vec![
        rule(
            "AllowVnetInBound",
            65000,
            "Inbound",
            "Allow",
            json!({"sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork"}),
        ),
        rule(
            "AllowAzureLoadBalancerInBound",
            65001,
            "Inbound",
            "Allow",
            json!({"sourceAddressPrefix": "AzureLoadBalancer"}),
        ),
        rule("DenyAllInBound", 65500, "Inbound", "Deny", json!({})),
        rule(
            "AllowVnetOutBound",
            65000,
            "Outbound",
            "Allow",
            json!({"sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "VirtualNetwork"}),
        ),
        rule(
            "AllowInternetOutBound",
            65001,
            "Outbound",
            "Allow",
            json!({"destinationAddressPrefix": "Internet"}),
        ),
        rule("DenyAllOutBound", 65500, "Outbound", "Deny", json!({})),
    ];
    serde_json::from_value(
        json!({"properties": {"securityRules": custom, "defaultSecurityRules": defaults}}),
    )
    .expect("nsg")
}

fn out_flow(dst: &str, vnet: &[&str]) -> Flow {
    Flow {
        direction: Direction::Outbound,
        sources: vec![Range::parse("10.10.1.0/24").unwrap()],
        destination: Range::parse(dst).unwrap(),
        port: 443,
        virtual_network: vnet.iter().map(|c| Range::parse(c).unwrap()).collect(),
    }
}

fn name(v: &Verdict) -> String {
    match v {
        Verdict::Allowed(d) | Verdict::Denied(d) | Verdict::Undecided(d, _) => d.name.clone(),
        Verdict::NoRule => "-".into(),
    }
}

#[test]
fn cases() {
    let vnet = ["10.10.0.0/16", "168.63.129.16/32"];
    let peered = ["10.10.0.0/16", "10.20.0.0/16", "168.63.129.16/32"];
    let deny_443 = rule(
        "deny-443",
        100,
        "Outbound",
        "Deny",
        json!({"protocol": "Tcp", "destinationPortRange": "443"}),
    );
    let cases: Vec<(&str, Vec<serde_json::Value>, Flow, &str, &str)> = vec![
        (
            "defaults allow inside the VNet",
            vec![],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "defaults allow a peered VNet",
            vec![],
            out_flow("10.20.1.4", &peered),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "an unpeered private IP falls to DenyAllOutBound",
            vec![],
            out_flow("10.20.1.4", &vnet),
            "denied",
            "DenyAllOutBound",
        ),
        (
            "a custom deny above the default allow decides",
            vec![deny_443.clone()],
            out_flow("10.10.1.4", &vnet),
            "denied",
            "deny-443",
        ),
        (
            "a lower-priority allow above the deny wins",
            vec![
                deny_443.clone(),
                rule(
                    "allow-pe",
                    90,
                    "Outbound",
                    "Allow",
                    json!({"destinationAddressPrefix": "10.10.1.4/32", "destinationPortRanges": ["443", "8443"], "destinationPortRange": ""}),
                ),
            ],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "allow-pe",
        ),
        (
            "a deny for another port does not match",
            vec![rule(
                "deny-80",
                100,
                "Outbound",
                "Deny",
                json!({"destinationPortRange": "80"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "a port range covering 443 matches",
            vec![rule(
                "deny-range",
                100,
                "Outbound",
                "Deny",
                json!({"destinationPortRange": "400-500"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "denied",
            "deny-range",
        ),
        (
            "a UDP deny does not match",
            vec![rule(
                "deny-udp",
                100,
                "Outbound",
                "Deny",
                json!({"protocol": "Udp"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "an inbound deny does not match outbound",
            vec![rule("deny-in", 100, "Inbound", "Deny", json!({}))],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "a deny for another destination does not match",
            vec![rule(
                "deny-other",
                100,
                "Outbound",
                "Deny",
                json!({"destinationAddressPrefix": "10.99.0.0/16"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
        (
            "a deny for part of the source subnet is undecided",
            vec![rule(
                "deny-half",
                100,
                "Outbound",
                "Deny",
                json!({"sourceAddressPrefix": "10.10.1.0/25"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "undecided",
            "deny-half",
        ),
        (
            "an ASG rule is undecided",
            vec![rule(
                "deny-asg",
                100,
                "Outbound",
                "Deny",
                json!({"destinationAddressPrefix": null, "destinationApplicationSecurityGroups": [{"id": "x"}]}),
            )],
            out_flow("10.10.1.4", &vnet),
            "undecided",
            "deny-asg",
        ),
        (
            "an unknown service tag is undecided",
            vec![rule(
                "deny-storage",
                100,
                "Outbound",
                "Deny",
                json!({"destinationAddressPrefix": "Storage"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "undecided",
            "deny-storage",
        ),
        (
            "a source-port rule is undecided",
            vec![rule(
                "deny-sport",
                100,
                "Outbound",
                "Deny",
                json!({"sourcePortRange": "1000"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "undecided",
            "deny-sport",
        ),
        (
            "Internet never matches a private address",
            vec![rule(
                "deny-internet",
                100,
                "Outbound",
                "Deny",
                json!({"destinationAddressPrefix": "Internet"}),
            )],
            out_flow("10.10.1.4", &vnet),
            "allowed",
            "AllowVnetOutBound",
        ),
    ];
    for (what, custom, flow, want, decider) in cases {
        let v = evaluate(&nsg(custom), &flow);
        let got = match v {
            Verdict::Allowed(_) => "allowed",
            Verdict::Denied(_) => "denied",
            Verdict::Undecided(..) => "undecided",
            Verdict::NoRule => "none",
        };
        assert_eq!((got, name(&v).as_str()), (want, decider), "{what}: {v:?}");
    }
}

#[test]
fn inbound_from_a_peered_subnet_is_allowed_by_the_default_rule() {
    let flow = Flow {
        direction: Direction::Inbound,
        sources: vec![Range::parse("10.20.1.0/24").unwrap()],
        destination: Range::parse("10.10.1.4").unwrap(),
        port: 443,
        virtual_network: ["10.10.0.0/16", "10.20.0.0/16"]
            .iter()
            .map(|c| Range::parse(c).unwrap())
            .collect(),
    };
    assert_eq!(name(&evaluate(&nsg(vec![]), &flow)), "AllowVnetInBound");
}

#[test]
fn ranges_parse_and_compare() {
    let net = Range::parse("10.10.0.0/16").unwrap();
    assert!(net.contains(&Range::parse("10.10.1.0/24").unwrap()));
    assert!(!net.contains(&Range::parse("10.0.0.0/8").unwrap()));
    assert!(net.overlaps(&Range::parse("10.0.0.0/8").unwrap()));
    assert_eq!(
        Range::parse("10.10.1.7/24").unwrap().first,
        u32::from(Ipv4Addr::new(10, 10, 1, 0))
    );
    assert!(Range::parse("10.10.1.0/33").is_none());
    assert!(Range::parse("Storage").is_none());
}
