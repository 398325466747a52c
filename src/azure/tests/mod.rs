//! ARM client tests against a scripted mock transport plugged into the azure_core pipeline:
//! no network, virtual time (`tokio::time::pause`) wherever something waits.

mod credentials;
mod long_running;
mod reads;
mod retries;
mod writes;

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
    /// A transport failure instead of an answer: `Connection` (never sent) or `Io` (broken
    /// after sending), as azure_core's reqwest client reports them.
    fail: Option<azure_core::error::ErrorKind>,
}

fn reply(method: Method, path_ends_with: &str, status: u16) -> Reply {
    Reply {
        method,
        path_ends_with: path_ends_with.to_string(),
        status,
        headers: Vec::new(),
        body: String::new(),
        fail: None,
    }
}

/// The connection could not be made: the request was never written.
fn refused(method: Method, path_ends_with: &str) -> Reply {
    Reply {
        fail: Some(azure_core::error::ErrorKind::Connection),
        ..reply(method, path_ends_with, 0)
    }
}

/// The connection broke after the request was written: its outcome is unknown.
fn reset(method: Method, path_ends_with: &str) -> Reply {
    Reply {
        fail: Some(azure_core::error::ErrorKind::Io),
        ..reply(method, path_ends_with, 0)
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
    /// Answers chosen by request (the first whose method and path match), for ever.
    by_request: Vec<Reply>,
    seen: Mutex<Vec<SentRequest>>,
}

impl MockHttp {
    fn new(replies: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(replies.into()),
            repeat_last: false,
            by_request: Vec::new(),
            seen: Mutex::new(Vec::new()),
        })
    }
    /// Answers each request with the first of `replies` that matches it, as often as asked.
    fn by_request(replies: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(VecDeque::new()),
            repeat_last: false,
            by_request: replies,
            seen: Mutex::new(Vec::new()),
        })
    }
    fn repeating_last(replies: Vec<Reply>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(replies.into()),
            repeat_last: true,
            by_request: Vec::new(),
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
        let matching = self
            .by_request
            .iter()
            .find(|r| r.method == seen.method && seen.url.path().ends_with(&r.path_ends_with));
        let Some(r) = matching.cloned().or_else(|| self.next_reply()) else {
            panic!("unexpected request {} {}", seen.method, seen.url);
        };
        assert_eq!(seen.method, r.method, "method of request to {}", seen.url);
        assert!(
            seen.url.path().ends_with(&r.path_ends_with),
            "request path {} does not end with {}",
            seen.url.path(),
            r.path_ends_with
        );
        if let Some(kind) = r.fail {
            return Err(azure_core::Error::with_message(
                kind,
                "scripted transport failure",
            ));
        }
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

fn busy_reply(method: Method, path: &str) -> Reply {
    reply(method, path, 409).json(json!({
        "error": {"code": "AnotherOperationInProgress", "message": "Operation on the resource is in progress."}
    }))
}
