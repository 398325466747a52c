//! An in-process Azure sandbox for the end-to-end tests, with a blocking face: the tests run
//! `terraform` synchronously while the sandbox serves from its own runtime threads.

use std::time::Duration;

use astro_provider::sandbox::{Faults, Sandbox, SandboxConfig};
use serde_json::{Value as Json, json};

/// A running sandbox and a client for its management API.
pub struct TestSandbox {
    rt: tokio::runtime::Runtime,
    sandbox: Option<Sandbox>,
    client: reqwest::Client,
    base: String,
    dir: tempfile::TempDir,
}

/// Fast defaults: one poll per LRO, Retry-After 0.
pub fn fast() -> Faults {
    Faults {
        lro_polls: 1,
        retry_after_secs: 0,
        ..Faults::default()
    }
}

impl TestSandbox {
    /// Starts a sandbox with the embedded seed and fast LROs.
    pub fn start() -> Self {
        Self::start_with(fast())
    }

    /// Starts a sandbox with these faults.
    pub fn start_with(faults: Faults) -> Self {
        Self::start_seeded(faults, None)
    }

    /// Starts a sandbox from a seed file (`None`: the embedded default seed).
    pub fn start_seeded(faults: Faults, seed: Option<std::path::PathBuf>) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let sandbox = rt
            .block_on(Sandbox::start(SandboxConfig {
                port: 0,
                seed,
                state_dir: Some(dir.path().to_path_buf()),
                faults,
            }))
            .expect("sandbox starts");
        let cert = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).expect("CA PEM");
        let client = reqwest::Client::builder()
            .tls_certs_only([cert])
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let base = sandbox.endpoint();
        Self {
            rt,
            sandbox: Some(sandbox),
            client,
            base,
            dir,
        }
    }

    /// The provider's environment for this sandbox (ARM_*, AZURE_AUTHORITY_HOST, SSL_CERT_FILE).
    pub fn env(&self) -> Vec<(String, String)> {
        self.sandbox.as_ref().expect("running").env_vars()
    }

    /// One variable of [`Self::env`].
    pub fn var(&self, key: &str) -> String {
        self.env()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("sandbox sets no {key}"))
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Json>) -> Json {
        let url = format!("{}/_sandbox/{path}", self.base);
        self.rt.block_on(async {
            let mut req = self.client.request(method.clone(), &url);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            assert!(
                status.is_success(),
                "{method} {url} answered {status}: {text}"
            );
            serde_json::from_str(&text).unwrap_or(Json::Null)
        })
    }

    /// Sets fault injection (fields not given keep the fast defaults).
    pub fn set_faults(&self, faults: Json) {
        let mut all = json!({"throttle_rate": 0.0, "error_rate": 0.0, "latency_ms": 0, "latency_jitter_ms": 0, "lro_polls": 1, "retry_after_secs": 0, "not_found_window_ms": 0, "rng_seed": 7});
        for (k, v) in faults.as_object().expect("object") {
            all[k] = v.clone();
        }
        self.call(reqwest::Method::PUT, "faults", Some(all));
    }

    /// Request counts: {"total", "by_method", "by_resource_type", "by_method_and_type"}.
    pub fn summary(&self) -> Json {
        self.call(reqwest::Method::GET, "requests/summary", None)
    }

    /// Faults the sandbox injected since the log was last cleared, by kind
    /// (`"429 TooManyRequests"`, `"409 AnotherOperationInProgress"`, `"lost_response"`, ...).
    pub fn faults_injected(&self) -> Json {
        self.summary()["faults"].clone()
    }

    /// Injected faults by `"<METHOD> <type> <kind>"`, e.g.
    /// `"PUT virtualNetworkLinks 409 AnotherOperationInProgress"` (0 when none).
    pub fn fault_count(&self, key: &str) -> u64 {
        self.summary()["faults_by_method_and_type"][key]
            .as_u64()
            .unwrap_or(0)
    }

    /// Count of requests for e.g. "PUT privateEndpoints" (0 when none).
    pub fn count(&self, key: &str) -> u64 {
        self.summary()["by_method_and_type"][key]
            .as_u64()
            .unwrap_or(0)
    }

    /// Total ARM requests since the last clear.
    pub fn total(&self) -> u64 {
        self.summary()["total"].as_u64().unwrap_or(0)
    }

    /// Clears the request log.
    pub fn clear_requests(&self) {
        self.call(reqwest::Method::DELETE, "requests", None);
    }

    /// Every ARM ID clients created.
    pub fn resources(&self) -> Vec<String> {
        let v = self.call(reqwest::Method::GET, "resources", None);
        v.as_array()
            .expect("array")
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect()
    }

    /// Approves, rejects or disconnects an endpoint's connection, as Astronomer would.
    pub fn approve(&self, private_endpoint_id: &str, status: &str, description: &str) {
        self.call(
            reqwest::Method::POST,
            "approve",
            Some(json!({"private_endpoint_id": private_endpoint_id, "status": status, "description": description})),
        );
    }

    /// An out-of-band edit, e.g. `{"op":"delete","id":..}`.
    pub fn oob(&self, edit: Json) {
        self.call(reqwest::Method::POST, "oob", Some(edit));
    }

    /// The ARM base URL.
    pub fn endpoint(&self) -> &str {
        &self.base
    }

    /// An ARM call with a fresh token, as Astronomer's side would make it.
    pub fn arm(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<Json>,
    ) -> (u16, Json) {
        let tenant = self.var("ARM_TENANT_ID");
        let form = [
            ("grant_type", "client_credentials".to_string()),
            ("client_id", self.var("ARM_CLIENT_ID")),
            ("client_secret", self.var("ARM_CLIENT_SECRET")),
            ("scope", format!("{}/.default", self.base)),
        ];
        self.rt.block_on(async {
            let tok: Json = self
                .client
                .post(format!("{}/{tenant}/oauth2/v2.0/token", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(form.iter())
                        .finish(),
                )
                .send()
                .await
                .expect("token")
                .json()
                .await
                .expect("token JSON");
            let mut req = self
                .client
                .request(method, format!("{}{path_and_query}", self.base))
                .bearer_auth(tok["access_token"].as_str().unwrap_or_default());
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("ARM call");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Json::Null))
        })
    }

    /// Any management call (`/_sandbox/<path>`) with a JSON body; panics unless it succeeds.
    pub fn manage(&self, method: reqwest::Method, path: &str, body: Option<Json>) -> Json {
        self.call(method, path, body)
    }

    /// The request log: one JSON object per request (method, path, resource_type, status,
    /// user_agent, credential).
    pub fn requests(&self) -> Vec<Json> {
        self.call(reqwest::Method::GET, "requests", None)
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Where the CA and env file were written.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}
