//! Reads: GET with 404 as none, the endpoint's NIC and IP, paged lists, and follow-up URLs on other hosts.

use super::*;

#[tokio::test(start_paused = true)]
async fn get_maps_404_to_none_and_errors_to_envelope() {
    let http = MockHttp::new(vec![
        reply(Method::Get, PE_PATH, 404)
            .json(json!({"error": {"code": "ResourceNotFound", "message": "not found"}})),
        reply(Method::Get, PE_PATH, 403)
            .header("x-ms-request-id", "req-403")
            .json(json!({"error": {"code": "AuthorizationFailed", "message": "The client does not have authorization"}})),
    ]);
    let c = client(&http);
    let op = ctx(Duration::from_secs(60));
    assert_eq!(c.get(&pe_id(), &op).await.expect("404 is Ok"), None);
    let err = c.get(&pe_id(), &op).await.expect_err("403");
    assert!(
        matches!(&err, Error::Http { status: 403, code, .. } if code == "AuthorizationFailed"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("The client does not have authorization")
    );
    assert!(err.to_string().contains("req-403"));
}

#[tokio::test(start_paused = true)]
async fn network_interface_gives_the_private_ip() {
    let nic = NetworkInterfaceId::new(SUB, "rg-astro", "astro-privatelink.nic.1");
    let http = MockHttp::new(vec![reply(Method::Get, "/networkInterfaces/astro-privatelink.nic.1", 200)
        .json(json!({"properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.1.2.4"}}]}}))]);
    let got = client(&http)
        .get(&nic, &ctx(Duration::from_secs(60)))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(private_ip(&got).as_deref(), Some("10.1.2.4"));
}

#[tokio::test(start_paused = true)]
async fn private_endpoint_ip_follows_the_nic() {
    let nic_path = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro/providers/Microsoft.Network/networkInterfaces/pe.nic.1"
    );
    let mut pe: PrivateEndpoint = serde_json::from_value(pe_body("Succeeded")).expect("pe");
    if let Some(p) = pe.properties.as_mut() {
        p.network_interfaces = Some(vec![SubResource::new(nic_path.clone())]);
    }
    let http = MockHttp::new(vec![reply(Method::Get, "/networkInterfaces/pe.nic.1", 200).json(
        json!({"properties": {"ipConfigurations": [{"properties": {"privateIPAddress": "10.1.2.5/32"}}]}}),
    )]);
    let c = client(&http);
    let op = ctx(Duration::from_secs(60));
    assert_eq!(
        c.private_endpoint_ip(&pe, &op)
            .await
            .expect("ip")
            .as_deref(),
        Some("10.1.2.5")
    );
    assert_eq!(c.subscription_id(), SUB);
    let no_nic = PrivateEndpoint::default();
    assert_eq!(
        c.private_endpoint_ip(&no_nic, &op).await.expect("no nic"),
        None
    );
    assert_eq!(http.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn list_follows_next_link() {
    let next = "https://arm.test/subscriptions/s/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/ALL?api-version=2024-06-01&$skipToken=abc";
    let http = MockHttp::new(vec![
        reply(Method::Get, "/privateDnsZones/external.astronomer.run/ALL", 200).json(json!({
            "value": [
                {"name": "@", "type": "Microsoft.Network/privateDnsZones/SOA"},
                {"name": "clxxxxxxxxx", "type": "Microsoft.Network/privateDnsZones/A", "properties": {"aRecords": [{"ipv4Address": "10.1.2.4"}]}}
            ],
            "nextLink": next
        })),
        reply(Method::Get, "/privateDnsZones/external.astronomer.run/ALL", 200).json(json!({
            "value": [{"name": "other", "type": "Microsoft.Network/privateDnsZones/A"}]
        })),
    ]);
    let sets = client(&http)
        .list_record_sets(&zone_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("list");
    let names: Vec<_> = sets.iter().filter_map(|s| s.name.as_deref()).collect();
    assert_eq!(names, ["@", "clxxxxxxxxx", "other"]);
    assert_eq!(http.requests()[1].url.as_str(), next);
}

#[tokio::test(start_paused = true)]
async fn subscription_zones_list_pages_and_reports_a_refusal() {
    let next = "https://arm.test/subscriptions/s/providers/Microsoft.Network/privateDnsZones?api-version=2024-06-01&$top=1&$skipToken=1";
    let http = MockHttp::new(vec![
        reply(
            Method::Get,
            "/providers/Microsoft.Network/privateDnsZones",
            200,
        )
        .json(json!({"value": [{"name": "a.example.com"}], "nextLink": next})),
        reply(
            Method::Get,
            "/providers/Microsoft.Network/privateDnsZones",
            200,
        )
        .json(json!({"value": [{"name": "external.astronomer.run"}]})),
    ]);
    let zones = client(&http)
        .list_private_dns_zones(&ctx(Duration::from_secs(60)))
        .await
        .expect("list");
    let names: Vec<_> = zones.iter().filter_map(|z| z.name.as_deref()).collect();
    assert_eq!(names, ["a.example.com", "external.astronomer.run"]);
    assert!(
        http.requests()[0]
            .url
            .path()
            .starts_with(&format!("/subscriptions/{SUB}/providers/")),
        "{}",
        http.requests()[0].url
    );
    // A caller without list rights gets Azure's refusal, and the overlap diagnostic falls
    // back to naming no zone.
    let http = MockHttp::new(vec![
        reply(Method::Get, "/providers/Microsoft.Network/privateDnsZones", 403).json(json!({
            "error": {"code": "AuthorizationFailed", "message": "does not have authorization to perform action 'Microsoft.Network/privateDnsZones/read'"}
        })),
    ]);
    let err = client(&http)
        .list_private_dns_zones(&ctx(Duration::from_secs(60)))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some("AuthorizationFailed"), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn follow_up_urls_on_other_hosts_are_refused() {
    let http = MockHttp::new(vec![reply(Method::Get, "/virtualNetworkLinks", 200).json(
        json!({
            "value": [], "nextLink": "https://evil.example/steal?token=x"
        }),
    )]);
    let err = client(&http)
        .list_virtual_network_links(&zone_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::UntrustedUrl { .. }), "{err:?}");
    assert!(!err.to_string().contains("token=x"));
    assert_eq!(http.requests().len(), 1, "nothing sent to the other host");
}
