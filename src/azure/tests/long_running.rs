//! Long-running operations: PUT and DELETE followed through Azure-AsyncOperation or Location, failures, deadlines and cancellation.

use super::*;

#[tokio::test(start_paused = true)]
async fn put_waits_on_azure_async_operation_then_reads_the_resource() {
    let http = MockHttp::new(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL)
            .header(
                "location",
                "https://arm.test/ignored-when-async-operation-is-present",
            )
            .header("retry-after", "10"),
        reply(Method::Get, "/operations/op1", 200)
            .json(json!({"status": "InProgress"}))
            .header("retry-after", "2"),
        reply(Method::Get, "/operations/op1", 200)
            .json(json!({"status": "inprogress"}))
            .header("retry-after", "2"),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "Succeeded"})),
        reply(Method::Get, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    let start = Instant::now();
    let pe = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(600)))
        .await
        .expect("put succeeds");
    assert_eq!(pe.provisioning_state(), Some("Succeeded"));
    // Retry-After honoured exactly: 10 s before the first poll, then 2 s, 2 s.
    assert_eq!(start.elapsed(), Duration::from_secs(14));

    let seen = http.requests();
    assert_eq!(seen.len(), 5);
    let put = &seen[0];
    assert_eq!(
        put.url.as_str(),
        format!(
            "https://arm.test{}?api-version={NETWORK_API_VERSION}",
            pe_id().path()
        )
    );
    assert_eq!(
        put.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let ua = put.header("user-agent").expect("user agent");
    assert!(
        ua.starts_with("azsdk-rust-terraform-provider-astro/") && ua.ends_with(client::USER_AGENT),
        "the SDK's part is kept and ours appended: {ua}"
    );
    assert_eq!(put.header("content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&put.body).expect("json body");
    assert_eq!(
        sent,
        json!({"location": "eastus", "properties": {"subnet": {"id": "/subnet"}}})
    );
    assert_eq!(
        seen[1].url.as_str(),
        OP_URL,
        "polls the status URL as given"
    );
}

#[tokio::test(start_paused = true)]
async fn put_with_terminal_state_needs_no_polling() {
    let http = MockHttp::new(vec![
        reply(Method::Put, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    let pe = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(60)))
        .await
        .expect("put succeeds");
    assert_eq!(pe.name.as_deref(), Some("astro-privatelink"));
    assert_eq!(http.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn delete_polls_location_until_done_with_default_interval() {
    let loc = "https://arm.test/subscriptions/s/providers/Microsoft.Network/locations/eastus/operationResults/d1?api-version=2025-01-01";
    let http = MockHttp::new(vec![
        reply(Method::Delete, PE_PATH, 202).header("location", loc),
        reply(Method::Get, "/operationResults/d1", 202).header("location", loc),
        reply(Method::Get, "/operationResults/d1", 202),
        reply(Method::Get, "/operationResults/d1", 204),
    ]);
    let start = Instant::now();
    client(&http)
        .delete(&pe_id(), &ctx(Duration::from_secs(600)))
        .await
        .expect("delete succeeds");
    assert_eq!(start.elapsed(), 3 * lro::DEFAULT_POLL_INTERVAL);
    assert_eq!(http.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn delete_treats_404_as_done_at_any_point() {
    let http =
        MockHttp::new(vec![reply(Method::Delete, PE_PATH, 404).json(
            json!({"error": {"code": "ResourceNotFound", "message": "gone"}}),
        )]);
    client(&http)
        .delete(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("404 on delete is success");

    let http = MockHttp::new(vec![
        reply(Method::Delete, PE_PATH, 202).header("azure-asyncoperation", OP_URL),
        reply(Method::Get, "/operations/op1", 404),
    ]);
    client(&http)
        .delete(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("404 while polling a delete is success");
}

#[tokio::test(start_paused = true)]
async fn failed_operation_reports_azure_code_and_message() {
    let http = MockHttp::new(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL)
            .header("retry-after", "0"),
        reply(Method::Get, "/operations/op1", 200).json(json!({
            "status": "Failed",
            "error": {"code": "LinkedAuthorizationFailed", "message": "The client has no permission on the linked service."}
        })),
    ]);
    let start = Instant::now();
    let err = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(60)))
        .await
        .expect_err("operation failed");
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "Retry-After: 0 means poll at once"
    );
    assert!(
        matches!(err, Error::OperationFailed { ref status, .. } if status == "Failed"),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("LinkedAuthorizationFailed"));
    assert!(!err.is_retryable_arm_code());
    assert!(
        err.to_string()
            .contains("The client has no permission on the linked service."),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn deadline_gives_timeout_with_last_status() {
    let http = MockHttp::repeating_last(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL)
            .header("retry-after", "10"),
        reply(Method::Get, "/operations/op1", 200)
            .json(json!({"status": "InProgress"}))
            .header("retry-after", "10"),
    ]);
    let start = Instant::now();
    let err = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(35)))
        .await
        .expect_err("times out");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(35),
        "waits up to the deadline, no longer"
    );
    let Error::Timeout {
        operation,
        waited,
        last_status,
    } = &err
    else {
        panic!("expected Timeout, got {err:?}");
    };
    assert_eq!(last_status, "InProgress");
    assert_eq!(*waited, Duration::from_secs(35));
    assert!(
        operation.contains(r#"Private Endpoint "astro-privatelink""#),
        "{operation}"
    );
    assert!(err.to_string().contains("35s"), "{err}");
    // PUT + polls at 10, 20, 30 s.
    assert_eq!(http.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn cancellation_stops_polling() {
    let http = MockHttp::repeating_last(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "InProgress"})),
    ]);
    let token = CancellationToken::new();
    let op = ArmCallCtx::new(Duration::from_secs(600), token.clone());
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(12)).await;
        token.cancel();
    });
    let start = Instant::now();
    let err = client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &op)
        .await
        .expect_err("cancelled");
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(start.elapsed(), Duration::from_secs(12));
    canceller.await.expect("canceller");
}

#[tokio::test(start_paused = true)]
async fn link_delete_waits_until_gone() {
    let link = zone_id().link("agents");
    let http = MockHttp::new(vec![
        reply(Method::Delete, "/virtualNetworkLinks/agents", 200),
        reply(Method::Get, "/virtualNetworkLinks/agents", 200).json(json!({"name": "agents"})),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
    ]);
    client(&http)
        .delete_virtual_network_link(&link, &ctx(Duration::from_secs(600)))
        .await
        .expect("deleted");
    assert_eq!(
        http.requests().len(),
        2 + client::GONE_CONFIRMATIONS as usize
    );
}

#[tokio::test(start_paused = true)]
async fn a_link_that_reads_again_after_a_404_is_not_gone_until_it_reads_404_in_a_row() {
    let link = zone_id().link("agents");
    let path = "/virtualNetworkLinks/agents";
    let http = MockHttp::new(vec![
        reply(Method::Delete, path, 200),
        reply(Method::Get, path, 404),
        reply(Method::Get, path, 200).json(json!({"name": "agents"})),
        reply(Method::Get, path, 404),
        reply(Method::Get, path, 404),
        reply(Method::Get, path, 404),
    ]);
    let started = Instant::now();
    client(&http)
        .delete_virtual_network_link(&link, &ctx(Duration::from_secs(600)))
        .await
        .expect("deleted");
    let gets = http
        .requests()
        .iter()
        .filter(|s| s.method == Method::Get)
        .count();
    assert_eq!(
        gets,
        2 + client::GONE_CONFIRMATIONS as usize,
        "the count starts over"
    );
    assert!(
        started.elapsed() >= client::GONE_POLL_INTERVAL + client::GONE_CONFIRM_INTERVAL * 3,
        "paused between reads: {:?}",
        started.elapsed()
    );

    // The deadline bounds the confirmation: a link that keeps coming back is a timeout.
    let http = MockHttp::repeating_last(vec![
        reply(Method::Delete, path, 200),
        reply(Method::Get, path, 404),
        reply(Method::Get, path, 200).json(json!({"name": "agents"})),
    ]);
    let err = client(&http)
        .delete_virtual_network_link(&link, &ctx(Duration::from_secs(60)))
        .await
        .expect_err("never confirmed gone");
    assert!(
        matches!(err, Error::Timeout { ref last_status, .. } if last_status == "still present"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn zone_put_polls_location_and_reports_its_failure() {
    let loc = "https://arm.test/subscriptions/s/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsOperationResults/z1?api-version=2024-06-01";
    let zone = models::PrivateDnsZone {
        location: Some("global".into()),
        ..Default::default()
    };
    // 201 without provisioningState but with Location: still being created.
    let http = MockHttp::new(vec![
        reply(Method::Put, "/privateDnsZones/external.astronomer.run", 201)
            .json(json!({"location": "global"}))
            .header("location", loc)
            .header("retry-after", "1"),
        reply(Method::Get, "/privateDnsOperationResults/z1", 202).header("retry-after", "1"),
        reply(Method::Get, "/privateDnsOperationResults/z1", 200),
        reply(Method::Get, "/privateDnsZones/external.astronomer.run", 200).json(json!({
            "name": "external.astronomer.run", "location": "global", "etag": "e1",
            "properties": {"provisioningState": "Succeeded", "numberOfRecordSets": 1}
        })),
    ]);
    let got = client(&http)
        .put_private_dns_zone(
            &zone_id(),
            &zone,
            &WriteCondition::if_match("e0"),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("zone written");
    assert_eq!(got.etag.as_deref(), Some("e1"));
    assert_eq!(http.requests()[0].header("if-match"), Some("e0"));
    assert_eq!(http.requests().len(), 4);

    let http = MockHttp::new(vec![
        reply(Method::Put, "/privateDnsZones/external.astronomer.run", 202).header("location", loc),
        reply(Method::Get, "/privateDnsOperationResults/z1", 400).json(json!({
            "error": {"code": "BadRequest", "message": "A virtual network cannot be linked to multiple zones with overlapping namespaces."}
        })),
    ]);
    let err = client(&http)
        .put_private_dns_zone(
            &zone_id(),
            &zone,
            &WriteCondition::default(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect_err("operation failed");
    assert!(
        matches!(err, Error::OperationFailed { ref code, .. } if code == "BadRequest"),
        "{err:?}"
    );
    assert!(err.to_string().contains("overlapping namespaces"), "{err}");
}
