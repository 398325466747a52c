//! Unit tests of `route`.

use super::*;

fn scope() -> Scope {
    Scope {
        sub: "s".into(),
        rg: "rg".into(),
    }
}

#[test]
fn paths_parse_to_targets() {
    let p = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    let cases = [
        (
            "/subscriptions/s/resourcegroups",
            Target::ResourceGroups("s".into()),
        ),
        (
            "/subscriptions/s/resourceGroups/rg",
            Target::ResourceGroup(scope()),
        ),
        (
            &format!("{p}/privateEndpoints/pe"),
            Target::PrivateEndpoint(scope(), "pe".into()),
        ),
        (
            &format!("{p}/virtualNetworks/v/subnets/x"),
            Target::Subnet(scope(), "v".into(), "x".into()),
        ),
        (
            &format!("{p}/privateDnsZones/z.com/ALL"),
            Target::RecordSets(scope(), "z.com".into(), None),
        ),
        (
            &format!("{p}/privateDnsZones/z.com/a/Www"),
            Target::RecordSet(scope(), "z.com".into(), "A".into(), "Www".into()),
        ),
        (
            &format!("{p}/privateDnsZones/z.com/SOA/%40"),
            Target::RecordSet(scope(), "z.com".into(), "SOA".into(), "@".into()),
        ),
        (
            "/subscriptions/s/providers/Microsoft.Network/locations/eastus/operations/1",
            Target::NetworkOperationStatus("s".into(), "1".into()),
        ),
    ];
    for (path, want) in cases {
        assert_eq!(parse_target(path).expect(path), want, "{path}");
    }
}

#[test]
fn unknown_things_are_explicit_errors() {
    let p = "/subscriptions/s/resourceGroups/rg/providers";
    let cases = [
        (
            format!("{p}/Microsoft.Network/loadBalancers/lb"),
            "InvalidResourceType",
        ),
        (
            format!("{p}/Microsoft.Compute/virtualMachines/vm"),
            "InvalidResourceNamespace",
        ),
        (
            format!("{p}/Microsoft.Network/privateDnsZones/z/CNAME/x"),
            "InvalidResourceType",
        ),
        ("/foo".to_string(), "InvalidRequestUri"),
    ];
    for (path, code) in cases {
        assert_eq!(parse_target(&path).expect_err(&path).code, code, "{path}");
    }
    let err = parse(
        &Method::PATCH,
        &format!("{p}/Microsoft.Network/privateEndpoints/pe"),
    )
    .expect_err("patch");
    assert_eq!(err.status, StatusCode::METHOD_NOT_ALLOWED);
    let err = parse(
        &Method::DELETE,
        &format!("{p}/Microsoft.Network/networkInterfaces/n"),
    )
    .expect_err("nic delete");
    assert_eq!(err.status, StatusCode::METHOD_NOT_ALLOWED);
}
