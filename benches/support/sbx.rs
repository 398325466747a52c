//! A sandbox for the end-to-end benchmarks: the in-process Azure sandbox started from the
//! default seed plus extra VNets (so one DNS unit can link several), with a blocking client
//! for its management API and for ARM calls made as Astronomer or as a plain observer.

use std::time::Duration;

use astro_provider::sandbox::{Faults, Sandbox, SandboxConfig};
use serde_json::{Value as Json, json};

/// The default seed with `extra` more VNets (`vnet-link-<i>`, 10.<100+i>.0.0/16) in
/// `rg-astro-agents`.
fn seed_with_vnets(extra: usize) -> Json {
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

/// A running sandbox and clients for its management API and ARM.
pub struct Sbx {
    rt: tokio::runtime::Runtime,
    sandbox: Option<Sandbox>,
    client: reqwest::Client,
    base: String,
    env: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Sbx {
    /// Starts a sandbox with `extra_vnets` more VNets and fast LROs.
    pub fn start(extra_vnets: usize) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("tempdir");
        let seed_path = dir.path().join("seed.json");
        std::fs::write(&seed_path, seed_with_vnets(extra_vnets).to_string()).expect("seed");
        let sandbox = rt
            .block_on(Sandbox::start(SandboxConfig {
                port: 0,
                seed: Some(seed_path),
                state_dir: Some(dir.path().to_path_buf()),
                faults: Faults {
                    lro_polls: 1,
                    retry_after_secs: 0,
                    ..Faults::default()
                },
            }))
            .expect("sandbox starts");
        let cert = reqwest::Certificate::from_pem(sandbox.ca_pem().as_bytes()).expect("CA");
        let client = reqwest::Client::builder()
            .tls_certs_only([cert])
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let base = sandbox.endpoint();
        let env = sandbox.env_vars();
        Self {
            rt,
            sandbox: Some(sandbox),
            client,
            base,
            env,
            _dir: dir,
        }
    }

    /// The provider's environment for this sandbox.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// One variable of [`Self::env`].
    pub fn var(&self, key: &str) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("sandbox sets no {key}"))
    }

    /// ARM id of seeded VNet `vnet-link-<i>`.
    pub fn extra_vnet_id(&self, i: usize) -> String {
        let first = self.var("ASTRO_SANDBOX_VNET_ID");
        let (prefix, _) = first.rsplit_once('/').expect("VNet id has a name");
        format!("{prefix}/vnet-link-{i}")
    }

    fn mgmt(&self, method: reqwest::Method, path: &str, body: Option<Json>) -> Json {
        let url = format!("{}/_sandbox/{path}", self.base);
        self.rt.block_on(async {
            let mut req = self.client.request(method.clone(), &url);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("management call");
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            assert!(status.is_success(), "{method} {url}: {status} {text}");
            serde_json::from_str(&text).unwrap_or(Json::Null)
        })
    }

    /// Replaces the faults (fields not given: no faults, one LRO poll, Retry-After 0).
    pub fn set_faults(&self, faults: Json) {
        let mut all = json!({"throttle_rate": 0.0, "error_rate": 0.0, "latency_ms": 0,
            "latency_jitter_ms": 0, "lro_polls": 1, "retry_after_secs": 0,
            "not_found_window_ms": 0, "rng_seed": 7});
        for (k, v) in faults.as_object().expect("object") {
            all[k] = v.clone();
        }
        self.mgmt(reqwest::Method::PUT, "faults", Some(all));
    }

    /// `by_method_and_type` counts of the request log.
    pub fn counts(&self) -> serde_json::Map<String, Json> {
        let s = self.mgmt(reqwest::Method::GET, "requests/summary", None);
        s["by_method_and_type"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    /// Requests logged for `key` (e.g. `GET operations`).
    pub fn count(&self, key: &str) -> u64 {
        self.counts().get(key).and_then(Json::as_u64).unwrap_or(0)
    }

    /// Every logged ARM request except token calls.
    pub fn arm_total(&self) -> u64 {
        self.counts()
            .iter()
            .filter(|(k, _)| !k.ends_with(" token"))
            .filter_map(|(_, v)| v.as_u64())
            .sum()
    }

    /// The request log entries (method, path, resource_type, status, ms).
    pub fn requests(&self) -> Vec<Json> {
        match self.mgmt(reqwest::Method::GET, "requests", None) {
            Json::Array(v) => v,
            other => other["requests"].as_array().cloned().unwrap_or_default(),
        }
    }

    /// Clears the request log.
    pub fn clear(&self) {
        self.mgmt(reqwest::Method::DELETE, "requests", None);
    }

    /// Approves the endpoint's connection, as Astronomer would.
    pub fn approve(&self, private_endpoint_id: &str) {
        self.mgmt(
            reqwest::Method::POST,
            "approve",
            Some(
                json!({"private_endpoint_id": private_endpoint_id, "status": "Approved",
                        "description": "approved by the benchmark"}),
            ),
        );
    }

    /// A bearer token for the seeded service principal.
    pub fn token(&self) -> String {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "client_credentials".to_string()),
                ("client_id", self.var("ARM_CLIENT_ID")),
                ("client_secret", self.var("ARM_CLIENT_SECRET")),
                ("scope", format!("{}/.default", self.base)),
            ])
            .finish();
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            self.base,
            self.var("ARM_TENANT_ID")
        );
        self.rt.block_on(async {
            let tok: Json = self
                .client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form)
                .send()
                .await
                .expect("token")
                .json()
                .await
                .expect("token JSON");
            tok["access_token"].as_str().unwrap_or_default().to_string()
        })
    }

    /// A GET on ARM with `token`; returns status and body.
    pub fn get(&self, token: &str, path_and_query: &str) -> (u16, Json) {
        self.rt.block_on(async {
            let resp = self
                .client
                .get(format!("{}{path_and_query}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .expect("ARM GET");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Json::Null))
        })
    }
}

impl Drop for Sbx {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}
