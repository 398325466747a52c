//! Retries: throttling, server errors, read-after-write 404s, operations that conflict with another one, and unknown aliases.

use super::*;

#[tokio::test(start_paused = true)]
async fn throttling_is_retried_honouring_retry_after() {
    let http = MockHttp::new(vec![
        reply(Method::Get, PE_PATH, 429)
            .header("retry-after", "7")
            .json(json!({"error": {"code": "TooManyRequests", "message": "slow down"}})),
        reply(Method::Get, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    let start = Instant::now();
    let pe = client(&http)
        .get(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("get succeeds after retry");
    assert!(pe.is_some());
    assert_eq!(http.requests().len(), 2);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_then_reported() {
    let http = MockHttp::repeating_last(vec![
        reply(Method::Get, PE_PATH, 503)
            .header("x-ms-request-id", "req-503")
            .json(json!({"error": {"code": "ServiceUnavailable", "message": "try later"}})),
    ]);
    let err = client(&http)
        .get(&pe_id(), &ctx(Duration::from_secs(3600)))
        .await
        .expect_err("keeps failing");
    assert_eq!(http.requests().len() as u32, retry::MAX_STATUS_RETRIES + 1);
    assert!(
        matches!(&err, Error::Http { status: 503, request_id: Some(r), .. } if r == "req-503"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn read_after_write_404_is_retried() {
    let link = zone_id().link("agents");
    let loc = "https://arm.test/subscriptions/s/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsOperationResults/l1?api-version=2024-06-01";
    let http = MockHttp::new(vec![
        reply(Method::Put, "/virtualNetworkLinks/agents", 202)
            .header("location", loc)
            .header("retry-after", "1"),
        reply(Method::Get, "/privateDnsOperationResults/l1", 200),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404)
            .json(json!({"error": {"code": "ResourceNotFound", "message": "not yet"}})),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
        reply(Method::Get, "/virtualNetworkLinks/agents", 200).json(json!({
            "name": "agents", "location": "global",
            "properties": {"virtualNetwork": {"id": "/vnet"}, "registrationEnabled": false,
                           "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}
        })),
    ]);
    let body = link_request();
    let start = Instant::now();
    let got = client(&http)
        .put_virtual_network_link(
            &link,
            &body,
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("link readable after retries");
    assert_eq!(got.virtual_network_id(), Some("/vnet"));
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(1) + 2 * client::READ_AFTER_WRITE_INTERVAL
    );
    let seen = http.requests();
    assert_eq!(seen[0].header("if-none-match"), Some("*"));
    assert_eq!(
        seen[0].url.query(),
        Some(format!("api-version={PRIVATE_DNS_API_VERSION}").as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn read_after_write_gives_up_after_the_window() {
    let rec = zone_id().a_record("clxxxxxxxxx");
    let http = MockHttp::repeating_last(vec![reply(Method::Get, "/A/clxxxxxxxxx", 404)]);
    let start = Instant::now();
    let got = client(&http)
        .get_after_write(&rec, &ctx(Duration::from_secs(600)))
        .await
        .expect("no error");
    assert_eq!(got, None);
    assert!(start.elapsed() >= client::READ_AFTER_WRITE_WINDOW);
    assert!(
        start.elapsed() < client::READ_AFTER_WRITE_WINDOW + client::READ_AFTER_WRITE_INTERVAL * 2
    );
}

#[tokio::test(start_paused = true)]
async fn link_put_and_delete_are_retried_while_another_operation_runs() {
    let link = zone_id().link("agents");
    let body = VirtualNetworkLink {
        location: Some("global".into()),
        ..Default::default()
    };
    let done = json!({"name": "agents", "location": "global", "properties": {"provisioningState": "Succeeded"}});
    let http = MockHttp::new(vec![
        busy_reply(Method::Put, "/virtualNetworkLinks/agents"),
        busy_reply(Method::Put, "/virtualNetworkLinks/agents"),
        reply(Method::Put, "/virtualNetworkLinks/agents", 200).json(done.clone()),
        busy_reply(Method::Delete, "/virtualNetworkLinks/agents"),
        reply(Method::Delete, "/virtualNetworkLinks/agents", 200),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
    ]);
    let arm = client(&http);
    let got = arm
        .put_virtual_network_link(
            &link,
            &body,
            &WriteCondition::default(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("link written after the other operation");
    assert_eq!(got.name.as_deref(), Some("agents"));
    arm.delete_virtual_network_link(&link, &ctx(Duration::from_secs(600)))
        .await
        .expect("link deleted after the other operation");
    assert_eq!(
        http.requests().len(),
        5 + client::GONE_CONFIRMATIONS as usize
    );
}

#[tokio::test(start_paused = true)]
async fn endpoint_delete_is_retried_on_server_errors() {
    let http = MockHttp::new(vec![
        reply(Method::Delete, PE_PATH, 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "boom"}})),
        reply(Method::Delete, PE_PATH, 204),
    ]);
    client(&http)
        .delete(&pe_id(), &ctx(Duration::from_secs(600)))
        .await
        .expect("deleted on the second try");
    assert_eq!(http.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_alias_is_retried_three_times_for_endpoints_only() {
    let alias = || {
        reply(Method::Put, PE_PATH, 400).json(json!({
            "error": {"code": "InvalidPrivateLinkServiceId", "message": "Private link service alias is invalid."}
        }))
    };
    let http = MockHttp::repeating_last(vec![alias()]);
    let err = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(3600)))
        .await
        .expect_err("the alias stays unknown");
    assert_eq!(err.code(), Some("InvalidPrivateLinkServiceId"));
    assert_eq!(http.requests().len(), 1 + client::ALIAS_RETRIES as usize);
}

/// Requests one PUT sends when every status read of its long-running operation is throttled:
/// the PUT, then reads until the operation's one budget is spent. (Before, the PUT was
/// retried around its status reads, each with its own budget: about 11 x 12 requests.)
#[tokio::test(start_paused = true)]
async fn one_put_spends_one_budget_under_endless_throttling() {
    let http = MockHttp::by_request(vec![
        reply(Method::Put, "/virtualNetworkLinks/agents", 201)
            .header("azure-asyncoperation", OP_URL),
        reply(Method::Get, "/operations/op1", 429)
            .header("retry-after", "1")
            .json(json!({"error": {"code": "TooManyRequests", "message": "slow down"}})),
    ]);
    let err = put_link(&http).await.expect_err("throttled for ever");
    assert!(matches!(err, Error::Throttled { .. }), "{err:?}");
    let sent = http.requests().len() as u32;
    assert_eq!(
        sent,
        1 + 1 + retry::MAX_STATUS_RETRIES,
        "PUT, first read, retries"
    );
}

/// A PUT that meets `AnotherOperationInProgress` for ever stops after its busy budget.
#[tokio::test(start_paused = true)]
async fn one_put_spends_one_budget_under_endless_conflicts() {
    let http = MockHttp::by_request(vec![busy_reply(Method::Put, "/virtualNetworkLinks/agents")]);
    let err = put_link(&http).await.expect_err("busy for ever");
    assert_eq!(err.code(), Some("AnotherOperationInProgress"), "{err:?}");
    assert_eq!(http.requests().len() as u32, retry::MAX_BUSY_RETRIES + 1);
}

/// PUT of the link `agents` through `http`, with a deadline far beyond any budget.
async fn put_link(http: &Arc<MockHttp>) -> crate::azure::error::Result<VirtualNetworkLink> {
    client(http)
        .put_virtual_network_link(
            &zone_id().link("agents"),
            &link_request(),
            &WriteCondition::default(),
            &ctx(Duration::from_secs(10_000_000)),
        )
        .await
}

fn link_request() -> VirtualNetworkLink {
    VirtualNetworkLink {
        location: Some("global".into()),
        properties: Some(VirtualNetworkLinkProperties {
            virtual_network: Some(SubResource::new("/vnet")),
            registration_enabled: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    }
}
