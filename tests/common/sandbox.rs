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
    /// Holds a generated seed file for the sandbox's life.
    seed_dir: Option<tempfile::TempDir>,
}

/// Fast defaults: one poll per LRO, Retry-After 0.
pub fn fast() -> Faults {
    Faults {
        lro_polls: 1,
        retry_after_secs: 0,
        ..Faults::default()
    }
}

/// [`fast`] as the JSON of `PUT /_sandbox/faults`, with the fields of `overrides` replacing
/// the defaults (`overrides` must be an object).
pub fn fast_with(overrides: &Json) -> Json {
    let mut all = json!(fast());
    for (k, v) in overrides.as_object().expect("faults are a JSON object") {
        all[k] = v.clone();
    }
    all
}

/// A client that trusts only `ca_pem` (the sandbox's CA) and never uses a proxy.
pub fn client_for(ca_pem: &str) -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("CA PEM");
    reqwest::Client::builder()
        .tls_certs_only([cert])
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The embedded default seed with `extra` more VNets (`vnet-link-<i>`, 10.<100+i>.0.0/16, one
/// subnet `snet`) in `rg-astro-agents`, so one DNS unit can link several.
pub fn seed_with_vnets(extra: usize) -> Json {
    let mut seed: Json = serde_json::from_str(include_str!("../../src/sandbox/default-seed.json"))
        .expect("embedded seed is JSON");
    let vnets = seed["subscriptions"][0]["resource_groups"][0]["virtual_networks"]
        .as_array_mut()
        .expect("seeded VNets");
    for i in 0..extra {
        vnets.push(json!({
            "name": format!("vnet-link-{i}"),
            "address_space": [format!("10.{}.0.0/16", 100 + i)],
            "subnets": [{"name": "snet", "address_prefix": format!("10.{}.1.0/24", 100 + i),
                         "private_endpoint_network_policies": "Disabled"}]
        }));
    }
    seed
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

    /// Starts a sandbox with fast LROs from the default seed plus `extra` VNets
    /// ([`seed_with_vnets`]).
    pub fn start_with_extra_vnets(extra: usize) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let seed = dir.path().join("seed.json");
        std::fs::write(&seed, seed_with_vnets(extra).to_string()).expect("write seed");
        let mut sb = Self::start_seeded(fast(), Some(seed));
        sb.seed_dir = Some(dir);
        sb
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
        let client = client_for(sandbox.ca_pem());
        let base = sandbox.endpoint();
        Self {
            rt,
            sandbox: Some(sandbox),
            client,
            base,
            dir,
            seed_dir: None,
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

    /// Sets fault injection (fields not given keep the fast defaults, with random seed 7).
    pub fn set_faults(&self, faults: Json) {
        let mut seeded = json!({"rng_seed": 7});
        for (k, v) in faults.as_object().expect("faults are a JSON object") {
            seeded[k] = v.clone();
        }
        self.call(reqwest::Method::PUT, "faults", Some(fast_with(&seeded)));
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

    /// The request counts by `"<METHOD> <type>"`.
    pub fn counts(&self) -> serde_json::Map<String, Json> {
        self.summary()["by_method_and_type"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    /// Logged requests other than token calls.
    pub fn arm_total(&self) -> u64 {
        self.counts()
            .iter()
            .filter(|(k, _)| !k.ends_with(" token"))
            .filter_map(|(_, v)| v.as_u64())
            .sum()
    }

    /// ARM ID of the VNet `vnet-link-<i>` of [`Self::start_with_extra_vnets`].
    pub fn extra_vnet_id(&self, i: usize) -> String {
        let first = self.var("ASTRO_SANDBOX_VNET_ID");
        let (prefix, _) = first.rsplit_once('/').expect("VNet id has a name");
        format!("{prefix}/vnet-link-{i}")
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

    /// A fresh bearer token for the seeded service principal.
    pub fn token(&self) -> String {
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
            tok["access_token"].as_str().unwrap_or_default().to_string()
        })
    }

    /// An ARM call with a fresh token, as Astronomer's side would make it.
    pub fn arm(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<Json>,
    ) -> (u16, Json) {
        let token = self.token();
        self.arm_with(&token, method, path_and_query, body)
    }

    /// An ARM call with `token`.
    pub fn arm_with(
        &self,
        token: &str,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<Json>,
    ) -> (u16, Json) {
        self.rt.block_on(async {
            let mut req = self
                .client
                .request(method, format!("{}{path_and_query}", self.base))
                .bearer_auth(token);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("ARM call");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Json::Null))
        })
    }

    /// Makes the application security group `name` in `rg-astro-agents` (eastus) through ARM,
    /// as a network team would, and waits until it has succeeded; returns its ID.
    pub fn make_asg(&self, name: &str) -> String {
        let id = format!(
            "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/applicationSecurityGroups/{name}",
            self.var("ARM_SUBSCRIPTION_ID")
        );
        let url = format!("{id}?api-version=2025-01-01");
        let (code, body) = self.arm(
            reqwest::Method::PUT,
            &url,
            Some(json!({"location": "eastus"})),
        );
        assert!(code < 300, "PUT {id}: {body}");
        super::wait::until(&format!("{name} to succeed"), || {
            let (code, body) = self.arm(reqwest::Method::GET, &url, None);
            (code == 200 && body["properties"]["provisioningState"] == "Succeeded").then_some(())
        });
        id
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
