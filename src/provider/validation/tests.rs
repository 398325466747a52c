//! Unit tests of `validation`.

use super::*;

fn ok(c: &StringCheck, s: &str) -> bool {
    (c.check_fn())(s).is_ok()
}

#[test]
fn resource_group_names_count_characters_up_to_90() {
    let c = resource_group_name();
    let ninety = "r".repeat(90);
    let unicode = "é".repeat(90); // 90 characters, 180 bytes
    for good in [
        "rg-astro-agents",
        "rg_(x).1",
        ninety.as_str(),
        unicode.as_str(),
    ] {
        assert!(ok(&c, good), "{good}");
    }
    let too_long = "r".repeat(91);
    for bad in ["", "rg.", "rg/x", "rg x", too_long.as_str()] {
        assert!(!ok(&c, bad), "{bad:?}");
    }
}

#[test]
fn private_endpoint_names() {
    let c = private_endpoint_name();
    for good in ["astro-privatelink", "pe_1", "a1", "A.b-c_"] {
        assert!(ok(&c, good), "{good}");
    }
    for bad in [
        "",
        "a",
        "-pe",
        "pe-",
        "pe.",
        "has space",
        &"x".repeat(65),
        "pe#1",
    ] {
        assert!(!ok(&c, bad), "{bad}");
    }
}

#[test]
fn aliases() {
    let c = private_link_service_alias();
    assert!(ok(
        &c,
        "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
    ));
    assert!(!ok(&c, "astro-pls.eastus.azure.privatelinkservice"));
    assert!(!ok(&c, "/subscriptions/x/resourceGroups/y"));
    assert!(!ok(
        &c,
        "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice.com"
    ));
}

#[test]
fn arm_ids() {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
    assert!(ok(&subnet_id(), sub));
    assert!(ok(
        &subnet_id(),
        &sub.replace("resourceGroups", "resourcegroups")
    ));
    for bad in [
        "",
        "subscriptions/00000000-0000-0000-0000-000000000001",
        "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualNetworks/v/subnets/s",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups//providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg./providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    ] {
        assert!(!ok(&subnet_id(), bad), "{bad}");
    }
}

/// Validation and the client share one parser: every input gets the same verdict from
/// the validator and from the typed parser the client uses.
#[test]
fn validators_accept_exactly_what_the_client_parses() {
    let sub = "00000000-0000-0000-0000-000000000001";
    let base = format!("/subscriptions/{sub}/resourceGroups");
    let groups = [
        "rg",
        "RG-(x)_1.a",
        "é",
        "rg.",
        "has space",
        "",
        &"r".repeat(91),
    ];
    let subs = [sub, "not-a-guid", "0000000-0000-0000-0000-000000000001", ""];
    let pe_names = ["pe", "a", "pe-", "pe_", "A.b-c_", "x#1", &"p".repeat(65)];
    let mut inputs: Vec<String> = vec![String::new(), "rg".into(), "/".into()];
    for g in groups {
        inputs.push(g.to_string());
        inputs.push(format!(
            "{base}/{g}/providers/Microsoft.Network/virtualNetworks/v"
        ));
        inputs.push(format!(
            "{base}/{g}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        ));
    }
    for s in subs {
        inputs.push(format!(
            "/subscriptions/{s}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe"
        ));
    }
    for n in pe_names {
        inputs.push(n.to_string());
        inputs.push(format!(
            "{base}/rg/providers/microsoft.network/privateendpoints/{n}"
        ));
    }
    inputs.push(format!(
        "{base}/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s/extra"
    ));
    inputs.push(format!(
        "{base}/rg/providers/Microsoft.Compute/virtualNetworks/v"
    ));
    let mut accepted = 0;
    for input in &inputs {
        let pairs = [
            (ok(&subnet_id(), input), ids::SubnetId::parse(input).is_ok()),
            (
                ok(&virtual_network_id(), input),
                ids::VirtualNetworkId::parse(input).is_ok(),
            ),
            (
                ok(&private_endpoint_id(), input),
                ids::PrivateEndpointId::parse(input).is_ok(),
            ),
            (
                ok(&resource_group_name(), input),
                ids::ResourceGroupName::parse(input).is_ok(),
            ),
            (
                ok(&private_endpoint_name(), input),
                ids::check_private_endpoint_name(input).is_ok(),
            ),
            (ok(&guid(), input), ids::is_guid(input)),
        ];
        for (i, (validator, client)) in pairs.into_iter().enumerate() {
            assert_eq!(validator, client, "check {i} disagrees on {input:?}");
            accepted += usize::from(client);
        }
    }
    // Both verdicts occur, so the comparison is not vacuous.
    assert!(accepted > 10 && accepted < inputs.len() * 3, "{accepted}");
}

#[test]
fn dns_and_zone_names() {
    assert!(ok(&dns_label(), "clxxxxxxxxx"));
    assert!(!ok(&dns_label(), "Clxxx"));
    assert!(!ok(&dns_label(), "cl.x"));
    assert!(ok(&zone_name(), "external.astronomer.run"));
    assert!(!ok(&zone_name(), "external"));
    assert!(!ok(&zone_name(), "external.astronomer.run."));
}

#[test]
fn locations_normalise() {
    assert_eq!(normalize_location("East US"), "eastus");
    assert!(ok(&location(), "East US 2"));
    assert!(!ok(&location(), "east_us"));
}

#[test]
fn urls_must_be_https() {
    assert!(ok(&https_url(), "https://127.0.0.1:8443/"));
    assert!(!ok(&https_url(), "http://management.azure.com/"));
    assert!(!ok(&https_url(), "management.azure.com"));
}
