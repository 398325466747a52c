//! Unit tests of `ids`.

use super::*;

const SUB: &str = "/subscriptions/12345678-1234-9876-4563-123456789012";

fn check<T: std::fmt::Debug>(parse: fn(&str) -> Result<T, IdError>, cases: &[(&str, &str, bool)]) {
    for (name, input, ok) in cases {
        let got = parse(input);
        assert_eq!(got.is_ok(), *ok, "case {name}: {input:?} gave {got:?}");
    }
}

#[test]
fn private_endpoint_id_table() {
    check(
        PrivateEndpointId::parse,
        &[
            ("empty", "", false),
            (
                "no leading slash",
                "subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
                false,
            ),
            ("missing subscription value", "/subscriptions/", false),
            ("subscription only", SUB, false),
            (
                "missing resource group value",
                &format!("{SUB}/resourceGroups/"),
                false,
            ),
            (
                "missing providers",
                &format!("{SUB}/resourceGroups/rg"),
                false,
            ),
            (
                "missing provider value",
                &format!("{SUB}/resourceGroups/rg/providers/"),
                false,
            ),
            (
                "wrong provider",
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Compute/privateEndpoints/pe"),
                false,
            ),
            (
                "missing type",
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network"),
                false,
            ),
            (
                "missing name",
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/"),
                false,
            ),
            (
                "wrong type",
                &format!(
                    "{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe"
                ),
                false,
            ),
            (
                "valid",
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe"),
                true,
            ),
            (
                "keys in other casing",
                &format!("{SUB}/resourcegroups/rg/providers/microsoft.network/PRIVATEENDPOINTS/pe"),
                true,
            ),
            (
                "extra segments",
                &format!(
                    "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/extra/x"
                ),
                false,
            ),
            (
                "trailing slash",
                &format!(
                    "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/"
                ),
                false,
            ),
        ],
    );
}

#[test]
fn values_keep_their_casing_and_path_is_canonical() {
    let id = PrivateEndpointId::parse(&format!(
        "{SUB}/resourcegroups/RG-Mixed/providers/microsoft.network/privateendpoints/PE1"
    ))
    .expect("valid id");
    assert_eq!(id.resource_group, "RG-Mixed");
    assert_eq!(id.name, "PE1");
    assert_eq!(
        id.path(),
        format!("{SUB}/resourceGroups/RG-Mixed/providers/Microsoft.Network/privateEndpoints/PE1")
    );
    assert_eq!(PrivateEndpointId::parse(&id.path()), Ok(id.clone()));
    assert_eq!(
        id.to_string(),
        r#"Private Endpoint "PE1" (Resource Group "RG-Mixed")"#
    );
}

#[test]
fn subnet_id_table() {
    let base = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet");
    check(
        SubnetId::parse,
        &[
            ("empty", "", false),
            ("vnet only", &base, false),
            ("missing subnet value", &format!("{base}/subnets/"), false),
            ("valid", &format!("{base}/subnets/agents"), true),
            ("extra", &format!("{base}/subnets/agents/x/y"), false),
        ],
    );
    let id = SubnetId::parse(&format!("{base}/subnets/agents")).expect("valid");
    assert_eq!(id.virtual_network().path(), base);
    assert_eq!(
        id.to_string(),
        r#"Subnet "agents" (Resource Group "rg" / Virtual Network "vnet")"#
    );
}

#[test]
fn vnet_and_nic_ids() {
    let vnet = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet");
    assert_eq!(
        VirtualNetworkId::parse(&vnet).map(|v| v.name),
        Ok("vnet".into())
    );
    assert!(VirtualNetworkId::parse(&format!("{vnet}/subnets/s")).is_err());
    let nic = format!(
        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe.nic.abcd"
    );
    assert_eq!(
        NetworkInterfaceId::parse(&nic).map(|n| n.name),
        Ok("pe.nic.abcd".into())
    );
    assert!(NetworkInterfaceId::parse(&vnet).is_err());
}

#[test]
fn private_dns_ids() {
    let zone = format!(
        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
    );
    let zid = PrivateDnsZoneId::parse(&zone).expect("zone");
    assert_eq!(zid.zone_name, "external.astronomer.run");
    assert_eq!(
        zid.to_string(),
        r#"Private DNS Zone "external.astronomer.run" (Resource Group "rg")"#
    );

    let link = format!("{zone}/virtualNetworkLinks/agents");
    let lid = VirtualNetworkLinkId::parse(&link).expect("link");
    assert_eq!(lid.zone(), zid);
    assert_eq!(zid.link("agents"), lid);
    assert_eq!(lid.path(), link);
    assert!(VirtualNetworkLinkId::parse(&zone).is_err());
    assert!(VirtualNetworkLinkId::parse(&format!("{zone}/virtualNetworkLinks/")).is_err());

    let rec = format!("{zone}/A/clxxxxxxxxx");
    let rid = ARecordId::parse(&rec).expect("record");
    assert_eq!(rid.name, "clxxxxxxxxx");
    assert_eq!(zid.a_record("clxxxxxxxxx"), rid);
    assert!(
        ARecordId::parse(&format!("{zone}/a/clx")).is_ok(),
        "keys are case-insensitive"
    );
    assert!(ARecordId::parse(&format!("{zone}/AAAA/clx")).is_err());
    assert!(ARecordId::parse(&format!("{zone}/A")).is_err());
}

#[test]
fn errors_say_what_is_missing() {
    let err = PrivateEndpointId::parse(&format!("{SUB}/resourceGroups/rg")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("\"providers\" is missing"), "{msg}");
    assert!(msg.contains("/privateEndpoints/{name}"), "{msg}");
    assert_eq!(
        PrivateEndpointId::parse(""),
        Err(IdError::Empty {
            kind: "Private Endpoint"
        })
    );
}

#[test]
fn resource_group_names() {
    for ok in ["rg", "RG-astro_agents.(prod)", "Ünïcode", &"a".repeat(90)] {
        assert!(ResourceGroupName::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["", "rg.", "rg/x", "rg#1", "has space", &"a".repeat(91)] {
        assert!(ResourceGroupName::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn application_security_group_ids() {
    let id = format!(
        "{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/applicationSecurityGroups/asg-astro"
    );
    let asg = ApplicationSecurityGroupId::parse(&id).expect("parses");
    assert_eq!(asg.name, "asg-astro");
    assert_eq!(asg.path(), id);
    assert!(ApplicationSecurityGroupId::parse(&id.to_lowercase()).is_ok());
    for bad in [
        "asg-astro".to_string(),
        format!(
            "{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg"
        ),
        format!("{id}/extra/segment"),
    ] {
        assert!(ApplicationSecurityGroupId::parse(&bad).is_err(), "{bad}");
    }
}
