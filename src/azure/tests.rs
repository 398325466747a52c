//! ARM client tests against a scripted mock transport plugged into the azure_core pipeline:
//! no network, virtual time (`tokio::time::pause`) wherever something waits.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::Bytes;
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{AsyncRawResponse, HttpClient, Method, Request, StatusCode, Transport, Url};
use azure_core::time::OffsetDateTime;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::azure::models::{
    ARecord, PrivateEndpoint, PrivateEndpointProperties, RecordSet, RecordSetProperties,
    SubResource, VirtualNetworkLink, VirtualNetworkLinkProperties,
};

const TOKEN: &str = "SECRET-TOKEN-123";
const ENDPOINT: &str = "https://arm.test/";
const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// One scripted answer: the request it expects (method + path suffix) and the reply.
#[derive(Debug, Clone)]
struct Reply {
    method: Method,
    path_ends_with: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn reply(method: Method, path_ends_with: &str, status: u16) -> Reply {
    Reply {
        method,
        path_ends_with: path_ends_with.to_string(),
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

impl Reply {
    fn json(mut self, v: Value) -> Self {
        self.body = v.to_string();
        self
    }
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

/// A request as the transport saw it.
#[derive(Debug, Clone)]
struct SentRequest {
    method: Method,
    url: Url,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl SentRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct MockHttp {
    script: Mutex<VecDeque<Reply>>,
    repeat_last: bool,
    seen: Mutex<Vec<SentRequest>>,
}

impl MockHttp {
    fn new(replies: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(replies.into()),
            repeat_last: false,
            seen: Mutex::new(Vec::new()),
        })
    }
    fn repeating_last(replies: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(replies.into()),
            repeat_last: true,
            seen: Mutex::new(Vec::new()),
        })
    }
    fn requests(&self) -> Vec<SentRequest> {
        self.seen.lock().expect("lock").clone()
    }
    fn next_reply(&self) -> Option<Reply> {
        let mut script = self.script.lock().expect("lock");
        if self.repeat_last && script.len() == 1 {
            return script.front().cloned();
        }
        script.pop_front()
    }
}

#[async_trait::async_trait]
impl HttpClient for MockHttp {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let seen = SentRequest {
            method: request.method(),
            url: request.url().clone(),
            headers: request
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), v.as_str().to_string()))
                .collect(),
            body: Bytes::from(request.body()).to_vec(),
        };
        self.seen.lock().expect("lock").push(seen.clone());
        let Some(r) = self.next_reply() else {
            panic!("unexpected request {} {}", seen.method, seen.url);
        };
        assert_eq!(seen.method, r.method, "method of request to {}", seen.url);
        assert!(
            seen.url.path().ends_with(&r.path_ends_with),
            "request path {} does not end with {}",
            seen.url.path(),
            r.path_ends_with
        );
        let mut headers = Headers::new();
        for (k, v) in r.headers {
            headers.insert(HeaderName::from(k), HeaderValue::from(v));
        }
        Ok(AsyncRawResponse::from_bytes(
            StatusCode::from(r.status),
            headers,
            Bytes::from(r.body),
        ))
    }
}

#[derive(Debug)]
struct FakeCredential;

#[async_trait::async_trait]
impl TokenCredential for FakeCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Ok(AccessToken::new(
            TOKEN.to_string(),
            OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
        ))
    }
}

#[derive(Debug)]
struct FailingCredential;

#[async_trait::async_trait]
impl TokenCredential for FailingCredential {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            "AzureCliCredential authentication failed. az is not installed",
        ))
    }
}

fn config_with(extra: &[(&str, &str)]) -> AzureConfig {
    let mut vars: Vec<(String, String)> = vec![
        ("ARM_SUBSCRIPTION_ID".into(), SUB.into()),
        ("ARM_RESOURCE_MANAGER_ENDPOINT".into(), ENDPOINT.into()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    resolve(&ProviderSettings::default(), &move |k| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .expect("test config resolves")
}

fn client(http: &Arc<MockHttp>) -> ArmClient {
    ArmClient::with_credential(
        &config_with(&[]),
        Arc::new(FakeCredential),
        Transport::new(http.clone()),
    )
    .expect("client")
}

fn ctx(timeout: Duration) -> ArmCallCtx {
    ArmCallCtx::new(timeout, CancellationToken::new())
}

fn pe_id() -> PrivateEndpointId {
    PrivateEndpointId::new(SUB, "rg-astro", "astro-privatelink")
}

fn zone_id() -> PrivateDnsZoneId {
    PrivateDnsZoneId::new(SUB, "rg-dns", "external.astronomer.run")
}

fn pe_body(state: &str) -> Value {
    json!({
        "id": pe_id().path(),
        "name": "astro-privatelink",
        "location": "eastus",
        "properties": {
            "provisioningState": state,
            "subnet": {"id": "/subnet"},
            "manualPrivateLinkServiceConnections": [{
                "name": "astro-privatelink",
                "properties": {
                    "privateLinkServiceId": "astro.guid.eastus.azure.privatelinkservice",
                    "privateLinkServiceConnectionState": {"status": "Pending", "description": "Awaiting approval"}
                }
            }],
            "networkInterfaces": [{"id": "/nic"}]
        }
    })
}

fn pe_request() -> PrivateEndpoint {
    PrivateEndpoint {
        location: Some("eastus".into()),
        properties: Some(PrivateEndpointProperties {
            subnet: Some(SubResource::new("/subnet")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

const PE_PATH: &str = "/privateEndpoints/astro-privatelink";
const OP_URL: &str = "https://arm.test/subscriptions/s/providers/Microsoft.Network/locations/eastus/operations/op1?api-version=2025-01-01";

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
    let body = VirtualNetworkLink {
        location: Some("global".into()),
        properties: Some(VirtualNetworkLinkProperties {
            virtual_network: Some(SubResource::new("/vnet")),
            registration_enabled: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    };
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

#[tokio::test(start_paused = true)]
async fn link_delete_waits_until_gone() {
    let link = zone_id().link("agents");
    let http = MockHttp::new(vec![
        reply(Method::Delete, "/virtualNetworkLinks/agents", 200),
        reply(Method::Get, "/virtualNetworkLinks/agents", 200).json(json!({"name": "agents"})),
        reply(Method::Get, "/virtualNetworkLinks/agents", 404),
    ]);
    client(&http)
        .delete_virtual_network_link(&link, &ctx(Duration::from_secs(600)))
        .await
        .expect("deleted");
    assert_eq!(http.requests().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn credential_failure_maps_to_credential_error() {
    let http = MockHttp::new(vec![]);
    let c = ArmClient::with_credential(
        &config_with(&[]),
        Arc::new(FailingCredential),
        Transport::new(http.clone()),
    )
    .expect("client");
    let err = c
        .get(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Credential(_)), "{err:?}");
    assert!(http.requests().is_empty(), "nothing sent without a token");
}

/// Captures tracing output of one test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn logs_carry_request_ids_but_never_the_token() {
    let buf = LogBuffer::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let http = MockHttp::new(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL)
            .header("x-ms-request-id", "req-put-1")
            .header("x-ms-correlation-request-id", "corr-1"),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "InProgress"})),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "Succeeded"})),
        reply(Method::Get, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(600)))
        .await
        .expect("put");
    let logs = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        http.requests()[0]
            .header("authorization")
            .is_some_and(|a| a.contains(TOKEN))
    );
    assert!(
        logs.contains("req-put-1") && logs.contains("corr-1"),
        "{logs}"
    );
    assert!(
        logs.contains("waiting for writing Private Endpoint"),
        "{logs}"
    );
    assert!(!logs.contains(TOKEN), "token leaked into logs:\n{logs}");
}

#[tokio::test(start_paused = true)]
async fn client_secret_credential_uses_the_custom_authority_and_shared_transport() {
    let config = config_with(&[
        ("ARM_TENANT_ID", "tenant-1"),
        ("ARM_CLIENT_ID", "client-1"),
        ("ARM_CLIENT_SECRET", "s3cr3t-value"),
        ("AZURE_AUTHORITY_HOST", "https://login.test/"),
    ]);
    let http = MockHttp::new(vec![
        reply(Method::Post, "/tenant-1/oauth2/v2.0/token", 200).json(json!({
            "token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": "from-entra"
        })),
        reply(Method::Get, PE_PATH, 404),
    ]);
    let credential = credential::build_credential(&config, http.clone()).expect("credential");
    let c = ArmClient::with_credential(&config, credential, Transport::new(http.clone()))
        .expect("client");
    assert_eq!(
        c.get(&pe_id(), &ctx(Duration::from_secs(60)))
            .await
            .expect("get"),
        None
    );
    let seen = http.requests();
    assert_eq!(seen[0].url.host_str(), Some("login.test"));
    let form = String::from_utf8(seen[0].body.clone()).expect("utf8");
    assert!(form.contains("client_secret=s3cr3t-value"), "{form}");
    assert!(
        form.contains("scope=https%3A%2F%2Farm.test%2F.default"),
        "{form}"
    );
    assert_eq!(seen[1].header("authorization"), Some("Bearer from-entra"));
}

#[tokio::test(start_paused = true)]
async fn oidc_credential_reads_the_token_file() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    writeln!(file, "federated-jwt-1").expect("write");
    let path = file.path().to_string_lossy().to_string();
    let config = config_with(&[
        ("ARM_TENANT_ID", "tenant-1"),
        ("ARM_CLIENT_ID", "client-1"),
        ("ARM_USE_OIDC", "true"),
        ("ARM_OIDC_TOKEN_FILE_PATH", &path),
        ("AZURE_AUTHORITY_HOST", "https://login.test/"),
    ]);
    let http = MockHttp::new(vec![
        reply(Method::Post, "/tenant-1/oauth2/v2.0/token", 200).json(json!({
            "token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": "from-oidc"
        })),
        reply(Method::Get, PE_PATH, 404),
    ]);
    let credential = credential::build_credential(&config, http.clone()).expect("credential");
    let c = ArmClient::with_credential(&config, credential, Transport::new(http.clone()))
        .expect("client");
    c.get(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("get");
    let seen = http.requests();
    let form = String::from_utf8(seen[0].body.clone()).expect("utf8");
    assert!(form.contains("client_assertion=federated-jwt-1"), "{form}");
    assert_eq!(seen[1].header("authorization"), Some("Bearer from-oidc"));
}

/// The shared HTTP client trusts the CA named by `SSL_CERT_FILE` (how clients trust the
/// sandbox). Environment variables are set only on child processes: the test re-runs itself
/// as a child in "probe" mode with SSL_CERT_FILE pointing at the test CA, then at an
/// unrelated CA, against a local TLS server on 127.0.0.1.
mod tls_trust {
    use std::sync::Arc;

    use azure_core::http::{Method, Request};
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::azure::credential;

    const PROBE_URL: &str = "ASTRO_TEST_TLS_PROBE_URL";
    const PROBE_EXPECT: &str = "ASTRO_TEST_TLS_PROBE_EXPECT";
    const TEST_NAME: &str =
        "azure::tests::tls_trust::shared_http_client_trusts_the_ssl_cert_file_ca";

    #[test]
    fn shared_http_client_trusts_the_ssl_cert_file_ca() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        match (std::env::var(PROBE_URL), std::env::var(PROBE_EXPECT)) {
            (Ok(url), Ok(expect)) => rt.block_on(probe(&url, &expect)),
            _ => rt.block_on(parent()),
        }
    }

    /// Child: one GET through the shared client; the outcome must match `expect`.
    async fn probe(url: &str, expect: &str) {
        let http = credential::http_client().expect("http client");
        let req = Request::new(url.parse().expect("url"), Method::Get);
        let result = http.execute_request(&req).await;
        match expect {
            "trusted" => {
                let resp = result.expect("TLS with the SSL_CERT_FILE CA must succeed");
                assert_eq!(u16::from(resp.status()), 200);
            }
            "untrusted" => assert!(
                result.is_err(),
                "a server signed by another CA must be refused"
            ),
            other => panic!("unknown expectation {other}"),
        }
    }

    fn new_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("ca")
    }

    async fn parent() {
        let ca = new_ca("astro test CA");
        let other = new_ca("unrelated CA");
        let leaf_key = KeyPair::generate().expect("key");
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // An untrusting client aborts the handshake: nothing to answer then.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });

        let dir = tempfile::tempdir().expect("tempdir");
        let trusted = dir.path().join("ca.pem");
        let untrusted = dir.path().join("other.pem");
        std::fs::write(&trusted, ca.pem()).expect("write ca");
        std::fs::write(&untrusted, other.pem()).expect("write other");
        let exe = std::env::current_exe().expect("test binary");
        for (bundle, expect) in [(&trusted, "trusted"), (&untrusted, "untrusted")] {
            let out = tokio::process::Command::new(&exe)
                .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
                .env("SSL_CERT_FILE", bundle)
                .env_remove("SSL_CERT_DIR")
                .env(PROBE_URL, format!("https://127.0.0.1:{port}/"))
                .env(PROBE_EXPECT, expect)
                .output()
                .await
                .expect("run child");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "child ({expect}) failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        server.abort();
    }
}

#[tokio::test]
async fn arm_client_new_builds_every_credential_kind_without_network() {
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_CLIENT_SECRET", "s"),
        ],
        &[
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN", "jwt"),
        ],
        &[("ARM_USE_MSI", "true"), ("ARM_CLIENT_ID", "uami")],
        &[],
    ];
    for env in cases {
        let config = config_with(env);
        let c = ArmClient::new(&config)
            .unwrap_or_else(|e| panic!("{} client: {e}", config.credential.kind()));
        assert_eq!(c.endpoint().as_str(), ENDPOINT);
    }
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

fn busy_reply(method: Method, path: &str) -> Reply {
    reply(method, path, 409).json(json!({
        "error": {"code": "AnotherOperationInProgress", "message": "Operation on the resource is in progress."}
    }))
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
    assert_eq!(http.requests().len(), 6);
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

#[tokio::test(start_paused = true)]
async fn a_create_whose_answer_was_lost_adopts_its_own_object() {
    let rec = zone_id().a_record("clxxxxxxxxx");
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 500)
            .json(json!({"error": {"code": "InternalServerError", "message": "lost"}})),
        reply(Method::Put, "/A/clxxxxxxxxx", 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.1.2.4")),
    ]);
    let got = client(&http)
        .put_a_record(
            &rec,
            &a_record("10.1.2.4"),
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect("our own record is adopted");
    assert_eq!(got.ipv4_addresses(), vec!["10.1.2.4"]);
    let seen = http.requests();
    assert_eq!(seen.len(), 3);
    assert!(
        seen[..2]
            .iter()
            .all(|s| s.header("if-none-match") == Some("*")),
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
    assert_eq!(http.requests()[1].header("if-match"), Some("e0"));
}

#[tokio::test(start_paused = true)]
async fn a_412_on_someone_elses_object_is_refused() {
    let rec = zone_id().a_record("clxxxxxxxxx");
    // After a lost answer, the object found holds another address: not ours.
    let http = MockHttp::new(vec![
        reply(Method::Put, "/A/clxxxxxxxxx", 503)
            .json(json!({"error": {"code": "ServiceUnavailable", "message": "lost"}})),
        reply(Method::Put, "/A/clxxxxxxxxx", 412)
            .json(json!({"error": {"code": "PreconditionFailed", "message": "exists already"}})),
        reply(Method::Get, "/A/clxxxxxxxxx", 200).json(a_record_json("10.9.9.9")),
    ]);
    let err = client(&http)
        .put_a_record(
            &rec,
            &a_record("10.1.2.4"),
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
        .await
        .expect_err("someone else's record");
    assert_eq!(err.code(), Some("PreconditionFailed"), "{err:?}");
    // A 412 on the first try: it existed before we wrote anything, even if identical.
    let http = MockHttp::new(vec![reply(Method::Put, "/A/clxxxxxxxxx", 412).json(
        json!({"error": {"code": "PreconditionFailed", "message": "exists already"}}),
    )]);
    let err = client(&http)
        .put_a_record(
            &rec,
            &a_record("10.1.2.4"),
            &WriteCondition::create_only(),
            &ctx(Duration::from_secs(600)),
        )
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
    assert_eq!(http.requests().len(), 6);
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
