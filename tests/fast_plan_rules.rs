//! Fast tier: the plan rules of `framework::server::Server`, called directly (no gRPC, no
//! terraform) with the test double of tests/protocol/double.rs behind it, as
//! terraform-plugin-framework tests its server: computed attributes are unknown in a create
//! plan, defaults are filled in, a plan with no change keeps every value, a changed
//! configurable attribute marks computed attributes unknown except those that use their state,
//! a changed force-new attribute asks for replacement, an equivalent spelling keeps the prior
//! value, and a change of `timeouts` alone is applied without calling the resource.

#[path = "protocol/double.rs"]
#[allow(dead_code)]
mod double;

use std::sync::Arc;

use astro_provider::framework::json;
use astro_provider::framework::path::AttributePath;
use astro_provider::framework::schema::Block;
use astro_provider::framework::server::{PlannedChange, Server};
use astro_provider::framework::value::Value;
use double::{Cloud, DEFAULT_TIER, THING, TestProvider};
use serde_json::json;

/// A server over a fresh test cloud, and a runtime to call it on.
struct Fixture {
    server: Server,
    cloud: Arc<Cloud>,
    rt: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Self {
        let cloud = Arc::new(Cloud::default());
        let server = Server::new(Arc::new(TestProvider {
            cloud: cloud.clone(),
        }));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Self { server, cloud, rt }
    }

    fn block(&self) -> Block {
        self.server
            .resource_schemas()
            .find(|(name, _)| *name == THING)
            .map(|(_, s)| s.block.clone())
            .expect("test_thing schema")
    }

    /// A `test_thing` value from JSON (attributes not given are null).
    fn value(&self, j: serde_json::Value) -> Value {
        let ty = self.server.resource_type(THING).expect("test_thing type");
        json::decode(j.to_string().as_bytes(), ty).expect("test_thing JSON")
    }

    /// Terraform's proposed new state: configured values, with the prior value where the
    /// attribute is computed and the configuration leaves it null.
    fn proposed(&self, prior: &Value, config: &Value) -> Value {
        if prior.is_null() {
            return config.clone();
        }
        let mut out = config.clone();
        for a in &self.block().attributes {
            let configured = config.get_attr(&a.name).cloned().unwrap_or(Value::Null);
            if a.computed && configured.is_null() {
                let prior = prior.get_attr(&a.name).cloned().unwrap_or(Value::Null);
                out.set_attr(&a.name, prior);
            }
        }
        out
    }

    fn plan(&self, prior: &Value, config: &Value) -> PlannedChange {
        let proposed = self.proposed(prior, config);
        let change = self
            .rt
            .block_on(self.server.plan_resource(THING, prior, &proposed, config));
        assert!(
            !change.diagnostics.has_errors(),
            "plan: {:?}",
            change.diagnostics
        );
        change
    }

    fn apply(&self, prior: &Value, planned: &Value) -> Value {
        let (state, diags) = self
            .rt
            .block_on(self.server.apply_resource(THING, prior, planned));
        assert!(!diags.has_errors(), "apply: {diags:?}");
        state
    }

    /// Plans and applies the creation of `config`; returns the state.
    fn create(&self, config: &Value) -> Value {
        let change = self.plan(&Value::Null, config);
        self.apply(&Value::Null, &change.planned)
    }
}

fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name)
        .unwrap_or_else(|| panic!("no {name} in {v:?}"))
}

#[test]
fn a_create_plan_marks_computed_attributes_unknown_and_fills_in_defaults() {
    let f = Fixture::new();
    let config = f.value(json!({"name": "alpha"}));
    let change = f.plan(&Value::Null, &config);
    assert!(attr(&change.planned, "id").is_unknown());
    assert!(attr(&change.planned, "revision").is_unknown());
    assert_eq!(attr(&change.planned, "tier").as_str(), Some(DEFAULT_TIER));
    assert_eq!(
        attr(&change.planned, "display_name").as_str(),
        Some("alpha")
    );
    assert_eq!(attr(&change.planned, "description"), &Value::Null);
    assert!(change.requires_replace.is_empty());
}

#[test]
fn a_plan_without_changes_keeps_every_value() {
    let f = Fixture::new();
    let config = f.value(json!({"name": "beta", "description": "one"}));
    let state = f.create(&config);
    assert!(attr(&state, "id").as_str().is_some());
    let change = f.plan(&state, &config);
    assert_eq!(change.planned, state);
    assert!(change.requires_replace.is_empty());
}

#[test]
fn a_changed_argument_marks_computed_attributes_unknown_except_those_that_use_their_state() {
    let f = Fixture::new();
    let state = f.create(&f.value(json!({"name": "gamma", "description": "one"})));
    let change = f.plan(
        &state,
        &f.value(json!({"name": "gamma", "description": "two"})),
    );
    assert_eq!(attr(&change.planned, "description").as_str(), Some("two"));
    assert!(attr(&change.planned, "revision").is_unknown());
    assert_eq!(
        attr(&change.planned, "id"),
        attr(&state, "id"),
        "id uses its state"
    );
    assert!(change.requires_replace.is_empty());
}

#[test]
fn a_changed_force_new_argument_asks_for_replacement() {
    let f = Fixture::new();
    let state = f.create(&f.value(json!({"name": "delta"})));
    let change = f.plan(&state, &f.value(json!({"name": "delta-2"})));
    assert_eq!(
        change.requires_replace,
        vec![AttributePath::root().attr("name")]
    );
}

#[test]
fn an_equivalent_spelling_keeps_the_prior_value_and_replaces_nothing() {
    let f = Fixture::new();
    let state = f.create(&f.value(json!({"name": "eps", "location": "East US"})));
    let change = f.plan(
        &state,
        &f.value(json!({"name": "eps", "location": "eastus"})),
    );
    assert_eq!(attr(&change.planned, "location").as_str(), Some("East US"));
    assert!(change.requires_replace.is_empty());
    assert_eq!(change.planned, state);
}

#[test]
fn a_change_of_timeouts_alone_is_applied_without_calling_the_resource() {
    let f = Fixture::new();
    let state = f.create(&f.value(json!({"name": "zeta"})));
    let config = f.value(json!({"name": "zeta", "timeouts": {"update": "5m"}}));
    let change = f.plan(&state, &config);
    let calls = f.cloud.calls().len();
    assert_eq!(
        attr(&change.planned, "revision"),
        attr(&state, "revision"),
        "no write is planned, so nothing computed changes"
    );
    let applied = f.apply(&state, &change.planned);
    assert_eq!(
        f.cloud.calls().len(),
        calls,
        "the resource was called: {:?}",
        f.cloud.calls()
    );
    assert_eq!(
        attr(attr(&applied, "timeouts"), "update").as_str(),
        Some("5m")
    );
    assert_eq!(attr(&applied, "revision"), attr(&state, "revision"));
}

#[test]
fn a_destroy_plan_is_null_and_applying_it_deletes() {
    let f = Fixture::new();
    let state = f.create(&f.value(json!({"name": "eta"})));
    let id = attr(&state, "id").as_str().expect("id").to_string();
    let change = f.rt.block_on(
        f.server
            .plan_resource(THING, &state, &Value::Null, &Value::Null),
    );
    assert!(change.planned.is_null());
    let gone = f.apply(&state, &Value::Null);
    assert!(gone.is_null());
    assert!(f.cloud.get(&id).is_none());
}
