//! Writes whose answer may be lost: create-only conflicts, adopting our own object after a lost answer, refusing someone else's, and comparing what was sent with what was found.

use super::*;

#[tokio::test(start_paused = true)]
async fn create_only_conflict_maps_412() {
    let rec = zone_id().a_record("clxxxxxxxxx");
    let http = MockHttp::new(vec![reply(Method::Put, "/A/clxxxxxxxxx", 412).json(json!({
        "error": {"code": "PreconditionFailed", "message": "The Record set clxxxxxxxxx exists already and hence cannot be created again."}
    }))]);
    let body = RecordSet {
        properties: Some(RecordSetProperties {
            ttl: Some(300),
            a_records: Some(vec![ARecord {
                ipv4_address: Some("10.1.2.4".into()),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let err = client(&http)
        .put_a_record(
            &rec,
            &body,
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(60)),
        )
        .await
        .expect_err("exists");
    assert!(
        matches!(err, Error::Conflict { ref code, .. } if code == "PreconditionFailed"),
        "{err:?}"
    );
    let sent: Value = serde_json::from_slice(&http.requests()[0].body).expect("json");
    assert_eq!(
        sent,
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.1.2.4"}]}})
    );
}

fn a_record(ip: &str) -> RecordSet {
    RecordSet {
        properties: Some(RecordSetProperties {
            ttl: Some(300),
            a_records: Some(vec![ARecord {
                ipv4_address: Some(ip.into()),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn a_record_json(ip: &str) -> Value {
    json!({
        "id": zone_id().a_record("clxxxxxxxxx").path(), "name": "clxxxxxxxxx", "etag": "e1",
        "properties": {"ttl": 300, "fqdn": "clxxxxxxxxx.external.astronomer.run.", "aRecords": [{"ipv4Address": ip}]}
    })
}

/// The record `clxxxxxxxxx` written create-only with `ip`.
async fn create_record(http: &Arc<MockHttp>, ip: &str) -> crate::azure::error::Result<RecordSet> {
    client(http)
        .put_a_record(
            &zone_id().a_record("clxxxxxxxxx"),
            &a_record(ip),
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_was_lost_adopts_its_own_object() {
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "lost"}})),
        // Read before writing again: the first try's object is there.
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.1.2.4")),
    ]);
    let got = create_record(&http, "10.1.2.4")
        .await
        .expect("our own record is adopted");
    assert_eq!(got.ipv4_addresses(), vec!["10.1.2.4"]);
    assert_eq!(http.requests().len(), 2, "adopted without a second PUT");

    // The read found nothing yet (the first try landed in between): the retry meets 412 and
    // reads again.
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "lost"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 404),
        reply(Method::Put, "/A/clxxxxxxxxx", 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.1.2.4")),
    ]);
    let got = create_record(&http, "10.1.2.4")
        .await
        .expect("our own record is adopted");
    assert_eq!(got.ipv4_addresses(), vec!["10.1.2.4"]);
    let puts: Vec<SentRequest> = http
        .requests()
        .into_iter()
        .filter(|s| s.method == Method::Put)
        .collect();
    assert_eq!(puts.len(), 2);
    assert!(
        puts.iter().all(|s| s.header("if-none-match") == Some("*")),
        "both tries are create-only"
    );
}

#[tokio::test(start_paused = true)]
async fn an_update_whose_answer_was_lost_is_recognised_despite_the_new_etag() {
    let rec = zone_id().a_record("clxxxxxxxxx");
    let mut body = a_record("10.1.2.5");
    body.etag = Some("e0".into());
    let mut written = a_record_json("10.1.2.5");
    written["etag"] = json!("e2");
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "lost"}})),
        // Not applied yet when read: the retry is sent, and meets the new etag.
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.1.2.4")),
        reply(Method::Put, "/A/clxxxxxxxxx", 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "etag changed"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(written),
    ]);
    let got = client(&http)
        .put_a_record(
            &rec,
            &body,
            &WriteCondition::if_match("e0"),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("our own update");
    assert_eq!(got.etag.as_deref(), Some("e2"));
    assert_eq!(http.requests()[2].header("if-match"), Some("e0"));
}

#[tokio::test(start_paused = true)]
async fn a_412_on_someone_elses_object_is_refused() {
    // After a lost answer, the object found holds another address: not ours.
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 503)
            .json(json!({"error": {"code": "ServiceUnavailable", "message": "lost"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.9.9.9")),
        reply(Method::Put, "/A/clxxxxxxxxx", 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.9.9.9")),
    ]);
    let err = create_record(&http, "10.1.2.4")
        .await
        .expect_err("someone else's record");
    assert_eq!(err.code(), Some("PreconditionFailed"), "{err:?}");
    // A 412 on the first try: it existed before we wrote anything, even if identical.
    let http = MockHttp::new(vec![reply(Method::Put, "/A/clxxxxxxxxx", 412).json(
        json!({"error": {"code": "PreconditionFailed", "message": "exists already"}}),
    )]);
    let err = create_record(&http, "10.1.2.4")
        .await
        .expect_err("existed before");
    assert_eq!(err.code(), Some("PreconditionFailed"));
    assert_eq!(http.requests().len(), 1, "not even read");
}

#[tokio::test(start_paused = true)]
async fn a_zone_create_whose_answer_was_lost_waits_out_its_operation_then_adopts_it() {
    let zone = models::PrivateDnsZone {
        location: Some("global".into()),
        tags: Some([("team".to_string(), "astro".to_string())].into()),
        ..Default::default()
    };
    let path = "/privateDnsZones/external.astronomer.run";
    let http = MockHttp::new(vec![
        reply(Method::Put, path, 502)
            .json(json!({"error": {"code": "BadGateway", "message": "lost"}})),
        reply(Method::Get, path, 404),
        busy_reply(Method::Put, path),
        reply(Method::Put, path, 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        // Still being created by the first try: come back later.
        reply(Method::Get, path, 200).json(json!({
            "name": "external.astronomer.run", "location": "global", "etag": "e0",
            "tags": {"team": "astro"},
            "properties": {"provisioningState": "Creating"}
        })),
        reply(Method::Put, path, 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, path, 200).json(json!({
            "name": "external.astronomer.run", "location": "global", "etag": "e1",
            "tags": {"team": "astro"},
            "properties": {"provisioningState": "Succeeded"}
        })),
    ]);
    let got = client(&http)
        .put_private_dns_zone(
            &zone_id(),
            &zone,
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("adopted");
    assert_eq!(got.etag.as_deref(), Some("e1"));
    assert_eq!(http.requests().len(), 7);
}

#[tokio::test(start_paused = true)]
async fn an_adopted_create_that_failed_is_reported_as_failed() {
    let zone = models::PrivateDnsZone {
        location: Some("global".into()),
        ..Default::default()
    };
    let path = "/privateDnsZones/external.astronomer.run";
    let http = MockHttp::new(vec![
        reply(Method::Put, path, 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "lost"}})),
        reply(Method::Get, path, 404),
        reply(Method::Put, path, 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, path, 200).json(json!({
            "name": "external.astronomer.run", "location": "global", "etag": "e1",
            "properties": {"provisioningState": "Failed"}
        })),
    ]);
    let err = client(&http)
        .put_private_dns_zone(
            &zone_id(),
            &zone,
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect_err("ours, but failed");
    assert!(
        matches!(err, Error::OperationFailed { ref status, .. } if status == "Failed"),
        "{err:?}"
    );
}

async fn put_endpoint(http: &Arc<MockHttp>) -> crate::azure::error::Result<PrivateEndpoint> {
    client(http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(600)))
        .await
}

/// The methods of the requests sent, in order.
fn sent_methods(http: &MockHttp) -> Vec<Method> {
    http.requests().iter().map(|s| s.method).collect()
}

#[tokio::test(start_paused = true)]
async fn a_put_that_was_never_sent_is_sent_again_without_a_read() {
    let http = MockHttp::new(vec![
        refused(Method::Put, PE_PATH),
        reply(Method::Put, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    put_endpoint(&http).await.expect("second try succeeds");
    let methods = sent_methods(&http);
    assert_eq!(
        methods,
        vec![Method::Put, Method::Put],
        "no read in between"
    );
}

#[tokio::test(start_paused = true)]
async fn a_put_whose_connection_broke_after_sending_reads_before_any_retry() {
    // Not there when read: written again.
    let http = MockHttp::new(vec![
        reset(Method::Put, PE_PATH),
        reply(Method::Get, PE_PATH, 404),
        reply(Method::Put, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    put_endpoint(&http).await.expect("second try succeeds");
    let methods = sent_methods(&http);
    assert_eq!(methods, vec![Method::Put, Method::Get, Method::Put]);

    // There, holding what was sent: taken without a second PUT.
    let http = MockHttp::new(vec![
        reset(Method::Put, PE_PATH),
        reply(Method::Get, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    let got = put_endpoint(&http).await.expect("the first try's endpoint");
    assert_eq!(got.name.as_deref(), Some("astro-privatelink"));
    assert_eq!(sent_methods(&http), vec![Method::Put, Method::Get]);
}

#[test]
fn same_as_sent_compares_what_was_sent_only() {
    let cases = [
        ("equal", json!({"a": 1}), json!({"a": 1}), true),
        (
            "extra fields read",
            json!({"a": 1}),
            json!({"a": 1, "etag": "x"}),
            true,
        ),
        ("different value", json!({"a": 1}), json!({"a": 2}), false),
        ("missing field", json!({"a": 1}), json!({}), false),
        (
            "case of strings",
            json!({"id": "/Sub/RG"}),
            json!({"id": "/sub/rg"}),
            true,
        ),
        ("null sent", json!({"a": null}), json!({}), true),
        ("empty tags vs none", json!({"tags": {}}), json!({}), true),
        ("array order", json!([1, 2]), json!([2, 1]), false),
        ("array length", json!([1]), json!([1, 1]), false),
        (
            "nested",
            json!({"p": {"ttl": 300}}),
            json!({"p": {"ttl": 300, "fqdn": "x"}}),
            true,
        ),
    ];
    for (name, sent, found, want) in cases {
        assert_eq!(client::same_as_sent(&sent, &found), want, "{name}");
    }
}
