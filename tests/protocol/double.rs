//! The test double: a provider with one resource (`test_thing`) and one data source
//! (`test_lookup`) that keep their objects in an in-memory "cloud" the tests can inspect and
//! change behind the provider's back (drift, disappearance).
//!
//! Behaviour is chosen by the object's `name`, so a test says what should happen in its config:
//! `partial-*` creates the object and then fails, `reject-*` fails without creating anything,
//! `vanish-*` returns neither a state nor an error (a resource bug the server must catch),
//! `slow-*` blocks until Stop cancels the operation or its deadline passes, `flaky-*` cannot be
//! read. A `description` of `slow` makes updates and deletes block likewise, `sticky` makes
//! deletes fail, `vanish` makes an update return neither a state nor an error.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use astro_provider::framework::diagnostics::{Diagnostic, Diagnostics};
use astro_provider::framework::erased::{self, AnyDataSource, AnyResource};
use astro_provider::framework::path::AttributePath;
use astro_provider::framework::resource::{
    DataSource, OpContext, Outcome, Plan, Provider, Resource,
};
use astro_provider::framework::schema::{Attribute, Block, Schema};
use astro_provider::framework::timeouts::TimeoutDefaults;
use astro_provider::framework::types::Type;
use astro_provider::framework::validators::{Each, IntRange, Ipv4, StringCheck, StringLength};
use astro_provider::framework::value::Value;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Resource type name.
pub const THING: &str = "test_thing";
/// Data source type name.
pub const LOOKUP: &str = "test_lookup";
/// Default of `tier`.
pub const DEFAULT_TIER: &str = "standard";

/// Default deadlines of `test_thing`.
pub const THING_TIMEOUTS: TimeoutDefaults = TimeoutDefaults {
    create: Duration::from_secs(20 * 60),
    read: Duration::from_secs(5 * 60),
    update: Duration::from_secs(15 * 60),
    delete: Duration::from_secs(10 * 60),
};

/// The state of one `test_thing`, attribute for attribute (`timeouts` is the framework's).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ThingModel {
    /// Computed, kept across updates.
    pub id: Option<String>,
    /// Required, forces replacement (an `Option` so that import can return a partial state).
    pub name: Option<String>,
    /// Optional, updated in place.
    pub description: Option<String>,
    /// Optional with a fixed default.
    pub tier: Option<String>,
    /// Optional, defaults to `name`.
    pub display_name: Option<String>,
    /// Optional, forces replacement, compared case- and space-insensitively.
    pub location: Option<String>,
    /// Optional number with a range validator.
    pub size: Option<i64>,
    /// Optional bool.
    pub enabled: Option<bool>,
    /// Optional, validated as an IPv4 address.
    pub ip_address: Option<String>,
    /// Optional map; each value at most 10 characters.
    pub tags: Option<BTreeMap<String, String>>,
    /// Optional set.
    pub zones: Option<Vec<String>>,
    /// Optional and sensitive.
    pub secret: Option<String>,
    /// Computed, recomputed on every update.
    pub revision: Option<i64>,
    /// Optional and deprecated.
    pub legacy_mode: Option<bool>,
}

/// What the data source returns.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct LookupModel {
    /// Required: the thing to look up.
    pub id: String,
    /// Computed.
    pub name: Option<String>,
    /// Computed.
    pub tags: Option<BTreeMap<String, String>>,
    /// Computed.
    pub size: Option<i64>,
}

/// The in-memory cloud and a record of what the provider was asked to do.
#[derive(Debug)]
pub struct Cloud {
    objects: Mutex<BTreeMap<String, ThingModel>>,
    next_id: AtomicU64,
    calls: Mutex<Vec<String>>,
    configured: Mutex<Option<(Value, String)>>,
    /// Gains a permit each time a `slow-*` create starts waiting.
    pub slow_started: Semaphore,
}

impl Default for Cloud {
    fn default() -> Self {
        Self {
            objects: Mutex::default(),
            next_id: AtomicU64::default(),
            calls: Mutex::default(),
            configured: Mutex::default(),
            slow_started: Semaphore::new(0),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Cloud {
    /// A copy of the stored object.
    pub fn get(&self, id: &str) -> Option<ThingModel> {
        lock(&self.objects).get(id).cloned()
    }

    /// Every stored object's ID.
    pub fn ids(&self) -> Vec<String> {
        lock(&self.objects).keys().cloned().collect()
    }

    /// Changes an object behind Terraform's back.
    pub fn edit(&self, id: &str, f: impl FnOnce(&mut ThingModel)) {
        if let Some(m) = lock(&self.objects).get_mut(id) {
            f(m);
        }
    }

    /// Deletes an object behind Terraform's back.
    pub fn remove(&self, id: &str) {
        lock(&self.objects).remove(id);
    }

    /// The operations called so far, e.g. `["create", "read", "update"]`.
    pub fn calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    /// The provider configuration and Terraform version that `configure` received.
    pub fn configured(&self) -> Option<(Value, String)> {
        lock(&self.configured).clone()
    }

    fn record(&self, call: &str) {
        lock(&self.calls).push(call.to_string());
    }

    fn store(&self, mut m: ThingModel) -> ThingModel {
        let n = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        m.id = Some(format!("thing-{n}"));
        m.revision = Some(1);
        lock(&self.objects).insert(format!("thing-{n}"), m.clone());
        m
    }
}

/// The provider.
#[derive(Debug, Clone)]
pub struct TestProvider {
    /// Shared with the tests.
    pub cloud: Arc<Cloud>,
}

fn https_only(s: &str) -> Result<(), String> {
    if s.starts_with("https://") {
        Ok(())
    } else {
        Err(format!("must start with https://, got {s:?}"))
    }
}

fn thing_id(s: &str) -> Result<(), String> {
    match s.strip_prefix("thing-") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(format!("must look like thing-<number>, got {s:?}")),
    }
}

fn normalized_location(v: &Value) -> Option<String> {
    v.as_str()
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .map(|s| s.to_lowercase())
}

/// Adding zones (or a set not known yet) keeps the thing; removing one replaces it.
fn zones_only_added(prior: &Value, planned: &Value) -> bool {
    let (Some(before), Some(after)) = (prior.as_elements(), planned.as_elements()) else {
        return !planned.is_wholly_known() || prior.is_null();
    };
    !planned.is_wholly_known() || before.iter().all(|z| after.contains(z))
}

fn same_location(a: &Value, b: &Value) -> bool {
    normalized_location(a).is_some() && normalized_location(a) == normalized_location(b)
}

/// The provider block's schema.
pub fn provider_schema() -> Schema {
    Schema::new(Block::new(vec![
        Attribute::optional("endpoint", Type::String)
            .describe("API endpoint.")
            .validate(StringCheck::new("an https URL", https_only)),
        Attribute::optional("token", Type::String)
            .sensitive()
            .describe("API token."),
    ]))
}

/// Endpoint the provider refuses to configure against.
pub const DOWN_ENDPOINT: &str = "https://down.example";

/// `test_thing`'s schema, without `timeouts`.
pub fn thing_schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("Identifier."),
            Attribute::required("name", s.clone())
                .force_new()
                .describe("Name; changing it replaces the thing."),
            Attribute::optional("description", s.clone()).describe("Free text."),
            Attribute::optional("tier", s.clone())
                .default_value(DEFAULT_TIER)
                .describe("Tier. Default `standard`."),
            Attribute::optional("display_name", s.clone())
                .default_from("name")
                .describe("Display name. Defaults to `name`."),
            Attribute::optional("location", s.clone())
                .force_new()
                .equivalent_when(same_location)
                .describe("Region; `East US` and `eastus` are the same."),
            Attribute::optional("size", Type::Number)
                .validate(IntRange { min: 1, max: 64 })
                .describe("Size from 1 to 64."),
            Attribute::optional("enabled", Type::Bool).describe("Switch."),
            Attribute::optional("ip_address", s.clone())
                .validate(Ipv4)
                .describe("IPv4 address."),
            Attribute::optional("tags", Type::map(s.clone()))
                .validate(Each(StringLength { min: 1, max: 10 }))
                .describe("Tags."),
            Attribute::optional("zones", Type::set(s.clone()))
                .force_new_unless(zones_only_added)
                .describe("Zones."),
            Attribute::optional("secret", s)
                .sensitive()
                .describe("A secret."),
            Attribute::computed("revision", Type::Number).describe("Bumped by every write."),
            Attribute {
                deprecated: true,
                ..Attribute::optional("legacy_mode", Type::Bool).describe("Use `tier` instead.")
            },
        ])
        .describe("A thing in the test cloud."),
    )
}

/// `test_lookup`'s schema.
pub fn lookup_schema() -> Schema {
    Schema::new(
        Block::new(vec![
            Attribute::required("id", Type::String)
                .validate(StringCheck::new("a thing ID", thing_id))
                .describe("The thing to look up."),
            Attribute::computed("name", Type::String).describe("Its name."),
            Attribute::computed("tags", Type::map(Type::String)).describe("Its tags."),
            Attribute::computed("size", Type::Number).describe("Its size."),
        ])
        .describe("Looks a thing up."),
    )
}

#[async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let set = |name| config.get_attr(name).is_some_and(|v| !v.is_null());
        if set("token") && config.get_attr("endpoint").is_some_and(Value::is_null) {
            diags.error_at(
                AttributePath::root().attr("token"),
                "Token without endpoint",
                "token is only used with endpoint",
            );
        }
    }

    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        *lock(&self.cloud.configured) = Some((config.clone(), terraform_version.to_string()));
        match config.get_attr("endpoint").and_then(Value::as_str) {
            Some(DOWN_ENDPOINT) => error("Endpoint unreachable", DOWN_ENDPOINT),
            _ => Diagnostics::new(),
        }
    }

    fn resources(&self) -> Vec<Box<dyn AnyResource>> {
        vec![erased::resource(Thing(self.cloud.clone()))]
    }

    fn data_sources(&self) -> Vec<Box<dyn AnyDataSource>> {
        vec![erased::data_source(Lookup(self.cloud.clone()))]
    }
}

struct Thing(Arc<Cloud>);

fn error(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostic::error(summary, detail).into()
}

/// Waits for Stop or the deadline, whichever comes first, and says which.
async fn block_until_cancelled(ctx: &OpContext) -> Diagnostics {
    tokio::select! {
        () = ctx.cancel.cancelled() => error("Operation cancelled", "Terraform asked the provider to stop."),
        () = tokio::time::sleep_until(ctx.deadline) => error(
            "Operation timed out",
            format!("gave up after {:?}", ctx.timeout),
        ),
    }
}

#[async_trait]
impl Resource for Thing {
    type Model = ThingModel;

    fn type_name(&self) -> &'static str {
        THING
    }

    fn schema(&self) -> Schema {
        thing_schema()
    }

    fn timeouts(&self) -> Option<TimeoutDefaults> {
        Some(THING_TIMEOUTS)
    }

    /// `ip_address` needs `enabled` to be unset or true.
    fn validate(&self, config: &ThingModel, diags: &mut Diagnostics) {
        if config.ip_address.is_some() && config.enabled == Some(false) {
            diags.error_at(
                AttributePath::root().attr("ip_address"),
                "Address on a disabled thing",
                "ip_address needs enabled = true",
            );
        }
    }

    /// Removing a zone replaces the thing (the schema's rule); the plan says why.
    async fn modify_plan(&self, plan: &mut Plan<ThingModel>) {
        let Some(prior) = &plan.prior else { return };
        let (Some(before), Some(after)) = (&prior.zones, &plan.planned.zones) else {
            return;
        };
        if before.iter().any(|z| !after.contains(z)) {
            plan.diagnostics.push(
                Diagnostic::warning("Zone removed", "removing a zone replaces the thing")
                    .at(AttributePath::root().attr("zones")),
            );
        }
    }

    async fn create(&self, ctx: &OpContext, planned: ThingModel) -> Outcome<ThingModel> {
        self.0.record("create");
        let name = planned.name.clone().unwrap_or_default();
        if name.starts_with("slow-") {
            self.0.slow_started.add_permits(1);
            return Outcome::failed(None, block_until_cancelled(ctx).await);
        }
        if name.starts_with("reject-") {
            return Outcome::failed(None, error("Create refused", "the cloud said no"));
        }
        if name.starts_with("vanish-") {
            return Outcome::gone();
        }
        let created = self.0.store(planned);
        if name.starts_with("partial-") {
            return Outcome::failed(
                Some(created),
                error(
                    "Create failed half-way",
                    "the thing exists but is not ready",
                ),
            );
        }
        Outcome::ok(created)
    }

    async fn read(&self, _ctx: &OpContext, current: ThingModel) -> Outcome<ThingModel> {
        self.0.record("read");
        if current
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with("flaky-"))
        {
            return Outcome::failed(None, error("Read failed", "the cloud did not answer"));
        }
        match current.id.as_deref().and_then(|id| self.0.get(id)) {
            Some(m) => Outcome::ok(m),
            None => Outcome::gone(),
        }
    }

    async fn update(
        &self,
        ctx: &OpContext,
        prior: ThingModel,
        planned: ThingModel,
    ) -> Outcome<ThingModel> {
        self.0.record("update");
        if planned.description.as_deref() == Some("slow") {
            return Outcome::failed(None, block_until_cancelled(ctx).await);
        }
        if planned.description.as_deref() == Some("vanish") {
            return Outcome::gone();
        }
        let Some(id) = prior.id.clone() else {
            return Outcome::failed(Some(prior), error("No ID", "prior state has no id"));
        };
        let revision = self.0.get(&id).and_then(|m| m.revision).unwrap_or(0) + 1;
        let updated = ThingModel {
            id: Some(id.clone()),
            revision: Some(revision),
            ..planned
        };
        lock(&self.0.objects).insert(id, updated.clone());
        Outcome::ok(updated)
    }

    async fn delete(&self, ctx: &OpContext, prior: ThingModel) -> Diagnostics {
        self.0.record("delete");
        match prior.description.as_deref() {
            Some("slow") => return block_until_cancelled(ctx).await,
            Some("sticky") => return error("Delete refused", "the thing is locked"),
            _ => {}
        }
        if let Some(id) = prior.id {
            self.0.remove(&id);
        }
        Diagnostics::new()
    }

    async fn import(&self, _ctx: &OpContext, id: &str) -> Result<ThingModel, Diagnostics> {
        self.0.record("import");
        thing_id(id).map_err(|e| error("Invalid import ID", e))?;
        Ok(ThingModel {
            id: Some(id.to_string()),
            ..Default::default()
        })
    }
}

struct Lookup(Arc<Cloud>);

#[async_trait]
impl DataSource for Lookup {
    type Model = LookupModel;

    fn type_name(&self) -> &'static str {
        LOOKUP
    }

    fn schema(&self) -> Schema {
        lookup_schema()
    }

    async fn read(
        &self,
        _cancel: CancellationToken,
        config: LookupModel,
    ) -> Result<LookupModel, Diagnostics> {
        self.0.record("lookup");
        let m = self
            .0
            .get(&config.id)
            .ok_or_else(|| error("Thing not found", format!("no thing {}", config.id)))?;
        Ok(LookupModel {
            id: config.id,
            name: m.name,
            tags: Some(m.tags.unwrap_or_default()),
            size: m.size,
        })
    }
}
