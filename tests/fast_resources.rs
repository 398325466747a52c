//! Fast tier: each resource and data source of the provider driven through
//! `framework::server::Server` in-process against the in-process sandbox, without terraform:
//! plan, apply, refresh, a second plan with nothing to do, import and destroy, as the e2e tests
//! do through the real CLI, in a fraction of the time.
//!
//! The provider reads its settings and the sandbox's CA from the environment, as under
//! Terraform, and its HTTP client is shared by the process: so one sandbox, one configured
//! server and one runtime serve every test of this file, each test with objects of its own.

mod common;

use std::sync::{Arc, OnceLock};

use astro_provider::framework::json;
use astro_provider::framework::server::{PlannedChange, Server};
use astro_provider::framework::value::Value;
use astro_provider::provider::AstroProvider;
use common::sandbox::TestSandbox;
use serde_json::json;

/// The shared sandbox, server and runtime.
struct Fixture {
    sb: TestSandbox,
    server: Server,
    rt: tokio::runtime::Runtime,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let sb = TestSandbox::start();
        for (key, value) in sb.env() {
            // SAFETY: every test calls `fixture()` first and waits here until it returns, so
            // no other thread of this process reads the environment meanwhile.
            unsafe { std::env::set_var(key, value) };
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = Server::new(Arc::new(AstroProvider::new()));
        let config = Value::null_object(&server.provider_type());
        let diags = rt.block_on(server.configure(&config, "1.11.4"));
        assert!(!diags.has_errors(), "configure: {diags:?}");
        Fixture { sb, server, rt }
    })
}

impl Fixture {
    /// A value of resource type `ty` from JSON (attributes not given are null).
    fn resource(&self, ty: &str, j: serde_json::Value) -> Value {
        let t = self.server.resource_type(ty).expect("resource type");
        json::decode(j.to_string().as_bytes(), t).expect("resource JSON")
    }

    /// A value of data source type `ty` from JSON.
    fn data(&self, ty: &str, j: serde_json::Value) -> Value {
        let t = self.server.data_source_type(ty).expect("data source type");
        json::decode(j.to_string().as_bytes(), t).expect("data source JSON")
    }

    /// Terraform's proposed new state: configured values, with the prior value where the
    /// attribute is computed and the configuration leaves it null.
    fn proposed(&self, ty: &str, prior: &Value, config: &Value) -> Value {
        if prior.is_null() {
            return config.clone();
        }
        let (_, schema) = self
            .server
            .resource_schemas()
            .find(|(name, _)| *name == ty)
            .expect("resource schema");
        let mut out = config.clone();
        for a in &schema.block.attributes {
            if a.computed && config.get_attr(&a.name).is_none_or(Value::is_null) {
                out.set_attr(
                    &a.name,
                    prior.get_attr(&a.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        out
    }

    fn plan(&self, ty: &str, prior: &Value, config: &Value) -> PlannedChange {
        let diags = self.server.validate_resource(ty, config);
        assert!(!diags.has_errors(), "validate {ty}: {diags:?}");
        let proposed = self.proposed(ty, prior, config);
        let change = self
            .rt
            .block_on(self.server.plan_resource(ty, prior, &proposed, config));
        assert!(
            !change.diagnostics.has_errors(),
            "plan {ty}: {:?}",
            change.diagnostics
        );
        change
    }

    fn apply(&self, ty: &str, prior: &Value, planned: &Value) -> Value {
        let (state, diags) = self
            .rt
            .block_on(self.server.apply_resource(ty, prior, planned));
        assert!(!diags.has_errors(), "apply {ty}: {diags:?}");
        state
    }

    fn read(&self, ty: &str, state: &Value) -> Value {
        let (state, diags) = self.rt.block_on(self.server.read_resource(ty, state));
        assert!(!diags.has_errors(), "read {ty}: {diags:?}");
        state
    }

    /// Plan and apply a create; then a refresh changes nothing and a second plan is empty.
    fn create_clean(&self, ty: &str, config: &Value) -> Value {
        let change = self.plan(ty, &Value::Null, config);
        assert!(
            attr(&change.planned, "id").is_unknown(),
            "id is unknown until created"
        );
        let state = self.apply(ty, &Value::Null, &change.planned);
        assert!(attr(&state, "id").as_str().is_some(), "{state:?}");
        assert_eq!(self.read(ty, &state), state, "a refresh right after create");
        let again = self.plan(ty, &state, config);
        assert_eq!(again.planned, state, "a second plan changes nothing");
        assert!(again.requires_replace.is_empty());
        state
    }

    /// Import by ID, refresh: the same object as `state`.
    fn import_same(&self, ty: &str, state: &Value) {
        let id = attr(state, "id").as_str().expect("id").to_string();
        let (imported, diags) = self.rt.block_on(self.server.import_resource(ty, &id));
        assert!(!diags.has_errors(), "import {ty}: {diags:?}");
        let read = self.read(ty, &imported);
        assert_eq!(attr(&read, "id"), attr(state, "id"));
    }

    /// Plan and apply a destroy; the sandbox no longer holds `id`.
    fn destroy(&self, ty: &str, state: &Value) {
        let change =
            self.rt.block_on(
                self.server
                    .plan_resource(ty, state, &Value::Null, &Value::Null),
            );
        assert!(change.planned.is_null());
        let gone = self.apply(ty, state, &Value::Null);
        assert!(gone.is_null(), "{gone:?}");
    }

    /// An endpoint `name` in the seeded subnet to the seeded alias, created cleanly.
    fn endpoint(&self, name: &str) -> (Value, Value) {
        let config = self.resource(
            "astro_private_endpoint",
            json!({
                "name": name,
                "resource_group_name": "rg-astro-agents",
                "location": "eastus",
                "subnet_id": self.sb.var("ASTRO_SANDBOX_SUBNET_ID"),
                "private_link_service_alias": self.sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
            }),
        );
        let state = self.create_clean("astro_private_endpoint", &config);
        (config, state)
    }
}

fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name)
        .unwrap_or_else(|| panic!("no {name} in {v:?}"))
}

fn held(sb: &TestSandbox, id: &str) -> bool {
    sb.resources().iter().any(|r| r.eq_ignore_ascii_case(id))
}

#[test]
fn private_endpoint_creates_plans_clean_imports_and_destroys() {
    let f = fixture();
    let (config, state) = f.endpoint("fast-endpoint");
    let ip = attr(&state, "private_ip_address")
        .as_str()
        .expect("address");
    assert!(ip.starts_with("10.10.1."), "{ip}");
    assert_eq!(attr(&state, "connection_closed").as_bool(), Some(false));
    let renamed = f.resource(
        "astro_private_endpoint",
        json!({
            "name": "fast-endpoint-2",
            "resource_group_name": "rg-astro-agents",
            "location": "eastus",
            "subnet_id": f.sb.var("ASTRO_SANDBOX_SUBNET_ID"),
            "private_link_service_alias": f.sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        }),
    );
    let change = f.plan("astro_private_endpoint", &state, &renamed);
    assert!(
        !change.requires_replace.is_empty(),
        "a new name replaces the endpoint"
    );
    let _ = config;
    f.import_same("astro_private_endpoint", &state);
    let id = attr(&state, "id").as_str().expect("id").to_string();
    assert!(held(&f.sb, &id));
    f.destroy("astro_private_endpoint", &state);
    assert!(!held(&f.sb, &id), "destroy removed {id}");
}

#[test]
fn private_dns_creates_plans_clean_imports_and_destroys() {
    let f = fixture();
    let config = f.resource(
        "astro_private_dns",
        json!({
            "resource_group_name": "rg-astro-dns",
            "cluster_id": "clfastdns",
            "zone_name": "fast.astronomer.run",
            "ip_address": "10.10.1.40",
            "virtual_network_ids": [f.sb.var("ASTRO_SANDBOX_VNET_ID")],
        }),
    );
    let state = f.create_clean("astro_private_dns", &config);
    assert_eq!(
        attr(&state, "fqdn").as_str(),
        Some("clfastdns.fast.astronomer.run")
    );
    f.import_same("astro_private_dns", &state);
    f.destroy("astro_private_dns", &state);
    assert!(
        !f.sb
            .resources()
            .iter()
            .any(|r| r.to_ascii_lowercase().contains("fast.astronomer.run")),
        "destroy removed the zone: {:?}",
        f.sb.resources()
    );
}

#[test]
fn approval_and_connection_data_source_follow_astronomers_answer() {
    let f = fixture();
    let (_, endpoint) = f.endpoint("fast-approval");
    let pe_id = attr(&endpoint, "id").as_str().expect("id").to_string();
    let data_config = f.data(
        "astro_private_endpoint_connection",
        json!({"private_endpoint_id": pe_id}),
    );
    let diags = f
        .server
        .validate_data_source("astro_private_endpoint_connection", &data_config);
    assert!(!diags.has_errors(), "{diags:?}");
    let read = |config: &Value| {
        let (v, diags) = f.rt.block_on(
            f.server
                .read_data_source("astro_private_endpoint_connection", config),
        );
        assert!(!diags.has_errors(), "{diags:?}");
        v
    };
    let pending = read(&data_config);
    assert_eq!(attr(&pending, "status").as_str(), Some("Pending"));
    assert_eq!(attr(&pending, "approved").as_bool(), Some(false));

    f.sb.approve(&pe_id, "Approved", "Approved by the fast tier");
    let approved = read(&data_config);
    assert_eq!(attr(&approved, "status").as_str(), Some("Approved"));
    assert_eq!(
        attr(&approved, "description").as_str(),
        Some("Approved by the fast tier")
    );

    let approval_config = f.resource(
        "astro_private_endpoint_approval",
        json!({"private_endpoint_id": pe_id}),
    );
    let approval = f.create_clean("astro_private_endpoint_approval", &approval_config);
    assert_eq!(attr(&approval, "status").as_str(), Some("Approved"));
    f.destroy("astro_private_endpoint_approval", &approval);
    assert!(
        held(&f.sb, &pe_id),
        "destroying the approval leaves the endpoint"
    );
    f.destroy("astro_private_endpoint", &endpoint);
}

#[test]
fn private_link_check_fails_until_approved_then_passes_every_check() {
    let f = fixture();
    let (_, endpoint) = f.endpoint("fast-check");
    let pe_id = attr(&endpoint, "id").as_str().expect("id").to_string();
    let ip = attr(&endpoint, "private_ip_address")
        .as_str()
        .expect("address")
        .to_string();
    let dns_config = f.resource(
        "astro_private_dns",
        json!({
            "resource_group_name": "rg-astro-dns",
            "cluster_id": "clfastcheck",
            "zone_name": "check.astronomer.run",
            "ip_address": ip,
            "virtual_network_ids": [f.sb.var("ASTRO_SANDBOX_VNET_ID")],
        }),
    );
    let dns = f.create_clean("astro_private_dns", &dns_config);
    let check_config = f.data(
        "astro_private_link_check",
        json!({
            "private_endpoint_id": pe_id,
            "dns_record_id": attr(&dns, "id").as_str().expect("record id"),
            "agent_subnet_ids": [f.sb.var("ASTRO_SANDBOX_SUBNET_ID")],
        }),
    );
    let diags = f
        .server
        .validate_data_source("astro_private_link_check", &check_config);
    assert!(!diags.has_errors(), "{diags:?}");
    // name -> (ok, fix) of every check, and the overall verdict.
    let checks = || {
        let (v, diags) = f.rt.block_on(
            f.server
                .read_data_source("astro_private_link_check", &check_config),
        );
        assert!(!diags.has_errors(), "{diags:?}");
        let by_name: std::collections::BTreeMap<String, (bool, String)> = attr(&v, "checks")
            .as_elements()
            .expect("checks list")
            .iter()
            .map(|c| {
                let name = attr(c, "name").as_str().expect("name").to_string();
                let ok = attr(c, "ok").as_bool().expect("ok");
                let fix = attr(c, "fix").as_str().unwrap_or_default().to_string();
                (name, (ok, fix))
            })
            .collect();
        (attr(&v, "ok").as_bool().expect("ok"), by_name)
    };

    let (ok, pending) = checks();
    assert!(!ok, "a pending connection fails the check: {pending:?}");
    let failed: Vec<&String> = pending
        .iter()
        .filter(|(_, c)| !c.0)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(failed, ["connection_approved"], "{pending:?}");
    assert!(
        pending["connection_approved"].1.contains(&pe_id),
        "the fix names the endpoint for Astronomer support: {pending:?}"
    );

    f.sb.approve(&pe_id, "Approved", "Approved by the fast tier");
    let (ok, approved) = checks();
    assert!(ok, "{approved:?}");
    for name in [
        "connection_approved",
        "record_points_at_endpoint",
        "agent_vnets_resolve_zone",
        "agent_vnets_reach_endpoint",
        "nsg_allows_443",
    ] {
        assert!(
            approved.get(name).is_some_and(|c| c.0),
            "{name}: {approved:?}"
        );
    }
    f.destroy("astro_private_dns", &dns);
    f.destroy("astro_private_endpoint", &endpoint);
}

#[test]
fn a_refresh_reads_the_nic_the_endpoint_names_not_the_one_state_remembers() {
    let f = fixture();
    let (_, state) = f.endpoint("fast-nic");
    let nic = attr(&state, "network_interface_id")
        .as_str()
        .expect("nic")
        .to_string();
    // State remembers another NIC (say the endpoint's NIC was replaced): refresh reads that
    // one alongside the endpoint, sees the endpoint names its own, and reads that instead.
    let mut stale = state.clone();
    let other = format!("{}-old", nic);
    stale.set_attr("network_interface_id", Value::string(other.clone()));
    stale.set_attr("private_ip_address", Value::string("10.10.1.250"));
    f.sb.clear_requests();
    let read = f.read("astro_private_endpoint", &stale);
    assert_eq!(read, state, "refreshed from the endpoint's own NIC");
    let nic_reads: Vec<String> =
        f.sb.requests()
            .iter()
            .filter(|e| e["resource_type"] == "networkInterfaces")
            .filter_map(|e| e["path"].as_str().map(str::to_string))
            .collect();
    assert!(
        nic_reads.iter().any(|p| p.eq_ignore_ascii_case(&other))
            && nic_reads.iter().any(|p| p.eq_ignore_ascii_case(&nic)),
        "the remembered NIC is read alongside the endpoint, then the endpoint's own: {nic_reads:?}"
    );
    f.destroy("astro_private_endpoint", &state);
}
