//! The sandbox tests' async face of the sandbox: start one in-process, talk to its ARM and
//! management API with a plain reqwest client that trusts only its CA, get a token, poll LROs.

use std::collections::HashMap;

use astro_provider::sandbox::{Faults, Sandbox, SandboxConfig};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running sandbox with a client and a token.
pub struct Env {
    pub sandbox: Sandbox,
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    pub vars: HashMap<String, String>,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

pub use super::sandbox::{client_for, fast as fast_faults};

pub async fn start() -> Env {
    start_with(fast_faults()).await
}

pub async fn start_with(faults: Faults) -> Env {
    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        seed: None,
        state_dir: None,
        faults,
    })
    .await
    .expect("sandbox starts");
    let client = client_for(sandbox.ca_pem());
    let base = sandbox.endpoint();
    let vars: HashMap<String, String> = sandbox.env_vars().into_iter().collect();
    let mut env = Env {
        sandbox,
        client,
        base,
        token: String::new(),
        vars,
    };
    let answer = env
        .token_with(&[("client_secret", &env.var("ARM_CLIENT_SECRET"))])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    env.token = answer.body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    env
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer {
        status,
        headers,
        body,
    }
}

impl Env {
    pub fn var(&self, key: &str) -> String {
        self.vars.get(key).cloned().unwrap_or_default()
    }

    pub fn sub(&self) -> String {
        self.var("ARM_SUBSCRIPTION_ID")
    }

    /// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{rest}`.
    pub fn net(&self, rg: &str, rest: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.Network/{rest}",
            self.sub()
        )
    }

    pub fn pe_id(&self, name: &str) -> String {
        self.net("rg-astro-agents", &format!("privateEndpoints/{name}"))
    }

    pub fn zone_id(&self, zone: &str) -> String {
        self.net("rg-astro-dns", &format!("privateDnsZones/{zone}"))
    }

    /// POSTs the token form with client_id, scope and grant_type plus `extra`.
    pub async fn token_with(&self, extra: &[(&str, &str)]) -> Answer {
        let tenant = self.var("ARM_TENANT_ID");
        let client_id = self.var("ARM_CLIENT_ID");
        let mut pairs = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("scope", "https://management.azure.com/.default"),
        ];
        pairs.extend_from_slice(extra);
        let response = self
            .client
            .post(format!("{}/{tenant}/oauth2/v2.0/token", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .send()
            .await
            .expect("token request");
        answer(response).await
    }

    /// An ARM call: `path` may carry its own query; api-version is appended when absent.
    pub async fn arm(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.arm_with(method, path, body, &[]).await
    }

    pub async fn arm_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = if path.starts_with("https://") {
            path.to_string()
        } else if path.contains("api-version=") {
            format!("{}{path}", self.base)
        } else {
            let version = if path.to_ascii_lowercase().contains("privatedns") {
                "2024-06-01"
            } else if path.to_ascii_lowercase().contains("/providers/") {
                "2025-01-01"
            } else {
                "2024-03-01"
            };
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{}{path}{sep}api-version={version}", self.base)
        };
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        answer(request.send().await.expect("ARM request")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.arm(Method::GET, path, None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.arm(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.arm(Method::DELETE, path, None).await
    }

    /// A management call.
    pub async fn mgmt(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}/_sandbox/{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        answer(request.send().await.expect("management request")).await
    }

    pub async fn set_faults(&self, faults: Value) {
        let answer = self
            .mgmt(
                Method::PUT,
                "faults",
                Some(super::sandbox::fast_with(&faults)),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    }

    /// Polls an Azure-AsyncOperation URL until it leaves InProgress; returns (final body,
    /// number of InProgress answers).
    pub async fn poll_status(&self, url: &str) -> (Value, u32) {
        for in_progress in 0..50u32 {
            let answer = self.arm(Method::GET, url, None).await;
            assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
            if answer.body["status"] != "InProgress" {
                return (answer.body, in_progress);
            }
            assert!(
                answer.header("retry-after").is_some(),
                "InProgress carries Retry-After"
            );
        }
        panic!("operation never completed");
    }

    /// Polls a Location URL until it stops answering 202; returns the final answer and the
    /// number of 202s.
    pub async fn poll_location(&self, url: &str) -> (Answer, u32) {
        for accepted in 0..50u32 {
            let answer = self.arm(Method::GET, url, None).await;
            if answer.status != StatusCode::ACCEPTED {
                return (answer, accepted);
            }
            assert!(answer.header("location").is_some());
        }
        panic!("operation never completed");
    }

    /// The body of a manual PE pointing at `target` (alias or id) in `subnet`.
    pub fn pe_body(&self, subnet: &str, target: &str) -> Value {
        json!({
            "location": "eastus",
            "tags": {"owner": "tests"},
            "properties": {
                "subnet": {"id": subnet},
                "manualPrivateLinkServiceConnections": [{
                    "name": "astro-connection",
                    "properties": {
                        "privateLinkServiceId": target,
                        "groupIds": [],
                        "requestMessage": "cluster clxyz please approve"
                    }
                }]
            }
        })
    }

    /// Creates a PE with the seeded alias and drives its LRO to completion; returns its GET body.
    pub async fn create_pe(&self, name: &str) -> Value {
        let body = self.pe_body(
            &self.var("ASTRO_SANDBOX_SUBNET_ID"),
            &self.var("ASTRO_SANDBOX_PLS_ALIAS"),
        );
        let answer = self.put(&self.pe_id(name), body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        let url = answer
            .header("azure-asyncoperation")
            .expect("Azure-AsyncOperation");
        let (status, _) = self.poll_status(&url).await;
        assert_eq!(status["status"], "Succeeded");
        let got = self.get(&self.pe_id(name)).await;
        assert_eq!(got.status, StatusCode::OK);
        got.body
    }

    /// Creates a zone and waits for its LRO.
    pub async fn create_zone(&self, zone_id: &str) -> Value {
        let answer = self.put(zone_id, json!({"location": "global"})).await;
        assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:?}");
        let (done, _) = self
            .poll_location(&answer.header("location").expect("Location"))
            .await;
        assert_eq!(done.status, StatusCode::OK, "{done:?}");
        done.body
    }

    /// Links `vnet_id` to the zone and waits for the LRO.
    pub async fn create_link(&self, zone_id: &str, name: &str, vnet_id: &str) -> Answer {
        let answer = self
            .put(
                &format!("{zone_id}/virtualNetworkLinks/{name}"),
                json!({"location": "Global", "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": false}}),
            )
            .await;
        if answer.status != StatusCode::ACCEPTED {
            return answer;
        }
        let (done, _) = self
            .poll_location(&answer.header("location").expect("Location"))
            .await;
        done
    }
}
