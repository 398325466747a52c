//! Unit tests of expand/flatten and the plan rules.

use super::convert::{expand, flatten};
use super::plan::alias_of_imported_id;
use super::*;
use crate::azure;

fn sample() -> PrivateEndpointModel {
    PrivateEndpointModel {
        name: "astro-privatelink".into(),
        resource_group_name: "rg".into(),
        location: "East US".into(),
        subnet_id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s".into(),
        private_link_service_alias: "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice".into(),
        request_message: Some("cluster clx".into()),
        connection_name: Some("astro-privatelink".into()),
        manual_connection: Some(true),
        ..Default::default()
    }
}

#[test]
fn expand_puts_the_alias_in_a_manual_connection() {
    let pe = expand(&sample(), None);
    let props = pe.properties.unwrap();
    let conns = props.manual_private_link_service_connections.unwrap();
    assert_eq!(conns.len(), 1);
    let cp = conns[0].properties.clone().unwrap();
    assert_eq!(
        cp.private_link_service_id.as_deref(),
        Some(sample().private_link_service_alias.as_str())
    );
    assert_eq!(cp.request_message.as_deref(), Some("cluster clx"));
    assert!(props.private_link_service_connections.is_none());
    assert_eq!(pe.location.as_deref(), Some("East US"));
}

#[test]
fn flatten_keeps_user_spelling_and_reads_status() {
    let mut pe = expand(&sample(), None);
    pe.id = Some("/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/Microsoft.Network/privateEndpoints/astro-privatelink".into());
    pe.location = Some("eastus".into());
    let conn = &mut pe
        .properties
        .as_mut()
        .unwrap()
        .manual_private_link_service_connections
        .as_mut()
        .unwrap()[0];
    conn.properties
        .as_mut()
        .unwrap()
        .private_link_service_connection_state =
        Some(azure::models::PrivateLinkServiceConnectionState {
            status: Some("Approved".into()),
            description: Some("ok by astro".into()),
            actions_required: None,
        });
    let mut state = sample();
    flatten(&mut state, &pe);
    assert_eq!(state.location, "East US");
    assert_eq!(state.connection_closed, Some(false), "Approved is open");
    assert_eq!(
        state.tags,
        Some(BTreeMap::new()),
        "no tags in Azure: an empty map"
    );
    assert!(state.id.unwrap().contains("/resourcegroups/rg/"));
}

#[test]
fn an_imported_service_id_takes_the_configured_alias_in_place() {
    let pls = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-pls/providers/Microsoft.Network/privateLinkServices/astro-pls";
    let alias = sample().private_link_service_alias;
    // True when the change replaces the endpoint.
    let plan = |prior: &str, planned: &str| {
        !alias_of_imported_id(&Value::string(prior), &Value::string(planned))
    };
    assert!(!plan(pls, &alias), "ID to alias: in place");
    assert!(plan(
        &alias,
        "other.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
    ));
    assert!(plan(
        pls,
        "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/b"
    ));

    // Azure names the service by ID: an empty alias (import) takes it, a held one stays.
    let mut pe = expand(&sample(), None);
    pe.properties
        .as_mut()
        .unwrap()
        .manual_private_link_service_connections
        .as_mut()
        .unwrap()[0]
        .properties
        .as_mut()
        .unwrap()
        .private_link_service_id = Some(pls.into());
    let mut state = sample();
    flatten(&mut state, &pe);
    assert_eq!(state.private_link_service_alias, alias);
    state.private_link_service_alias = String::new();
    flatten(&mut state, &pe);
    assert_eq!(state.private_link_service_alias, pls);
}

#[test]
fn flatten_reports_tag_drift() {
    let mut pe = expand(&sample(), None);
    pe.tags = Some(
        [("team".to_string(), "ops".to_string())]
            .into_iter()
            .collect(),
    );
    let mut state = sample();
    state.tags = Some(
        [("team".to_string(), "data".to_string())]
            .into_iter()
            .collect(),
    );
    flatten(&mut state, &pe);
    assert_eq!(state.tags.unwrap()["team"], "ops");
}

#[test]
fn a_static_address_must_fit_the_subnet_and_avoid_the_reserved_five() {
    use super::static_ip::misfit;
    let prefix = ["10.10.1.0/24".to_string()];
    assert_eq!(misfit("10.10.1.50", &prefix), None);
    assert_eq!(misfit("10.10.1.4", &prefix), None);
    let out = misfit("10.10.9.9", &prefix).expect("outside");
    assert!(
        out.contains("outside the subnet's address prefix 10.10.1.0/24"),
        "{out}"
    );
    for reserved in ["10.10.1.0", "10.10.1.3", "10.10.1.255"] {
        let why = misfit(reserved, &prefix).expect("reserved");
        assert!(
            why.contains("the first one free for an endpoint is 10.10.1.4"),
            "{why}"
        );
    }
    // Nothing known about the subnet: nothing to say before Azure answers.
    assert_eq!(misfit("10.10.9.9", &[]), None);
}

#[test]
fn azure_refusing_a_static_address_is_explained_with_the_prefix() {
    use super::static_ip::explain_refusal;
    let refused = crate::azure::Error::Http {
        status: 400,
        code: "PrivateIPAddressNotInSubnet".into(),
        message: "not in subnet".into(),
        request_id: None,
        retry_after: None,
    };
    let note = explain_refusal(&refused, "10.9.0.1", &["10.10.1.0/24".to_string()]).expect("note");
    assert!(
        note.contains("must lie in the subnet's address prefix 10.10.1.0/24"),
        "{note}"
    );
    assert!(note.contains("The endpoint was not created"), "{note}");
    let other = crate::azure::Error::Http {
        status: 400,
        code: "InvalidPrivateLinkServiceId".into(),
        message: "x".into(),
        request_id: None,
        retry_after: None,
    };
    assert_eq!(explain_refusal(&other, "10.9.0.1", &[]), None);
}

#[test]
fn a_static_address_and_asgs_go_into_the_create_body() {
    let m = PrivateEndpointModel {
        name: "pe".into(),
        location: "eastus".into(),
        subnet_id: "/s".into(),
        private_link_service_alias: "a.b.eastus.azure.privatelinkservice".into(),
        private_ip_address: Some("10.10.1.50".into()),
        application_security_group_ids: Some(["/asg/a".to_string()].into_iter().collect()),
        ..Default::default()
    };
    let body = serde_json::to_value(expand(&m, None)).expect("JSON");
    assert_eq!(
        body["properties"]["ipConfigurations"],
        serde_json::json!([{"name": "astro-static-ip", "properties": {"privateIPAddress": "10.10.1.50"}}])
    );
    assert_eq!(
        body["properties"]["applicationSecurityGroups"],
        serde_json::json!([{"id": "/asg/a"}])
    );
    // Unset: an update keeps what Azure holds.
    let current: crate::azure::models::PrivateEndpoint = serde_json::from_value(serde_json::json!({
        "id": "/pe", "location": "eastus",
        "properties": {"applicationSecurityGroups": [{"id": "/asg/kept"}], "ipConfigurations": [{"name": "x", "properties": {"privateIPAddress": "10.10.1.9"}}]}
    }))
    .expect("endpoint");
    let unset = PrivateEndpointModel {
        application_security_group_ids: None,
        ..m
    };
    let body = serde_json::to_value(expand(&unset, Some(current))).expect("JSON");
    assert_eq!(
        body["properties"]["applicationSecurityGroups"],
        serde_json::json!([{"id": "/asg/kept"}])
    );
    assert_eq!(
        body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
        "10.10.1.9"
    );
}
