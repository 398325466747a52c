//! Protocol semantics enforced once for every resource: schema-driven validation, defaults,
//! unknown computed values, requires-replace, timeouts and cancellation, and the choice of
//! create/update/delete from null prior or planned state. Works on cty values; the tfplugin5
//! layer converts them to and from the wire.

mod plan_rules;

use plan_rules::{
    apply_defaults, configurable_changed, fill_stored_defaults, keep_equivalent,
    mark_computed_unknown, replaced_by, same_but_timeouts,
};
pub use plan_rules::{unknowns_to_null, validate_block};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::erased::{AnyDataSource, AnyResource, PlanValues, carry_timeouts};
use super::json;
use super::path::AttributePath;
use super::resource::{OpContext, Provider};
use super::schema::Schema;
use super::timeouts::Operation;
use super::types::Type;
use super::value::Value;

/// How long a data source read may take at most when it sets no deadline of its own.
const DATA_SOURCE_CEILING: Duration = Duration::from_secs(24 * 3600);

/// The answer to PlanResourceChange.
#[derive(Debug)]
pub struct PlannedChange {
    /// The planned new state.
    pub planned: Value,
    /// Attribute paths whose change replaces the object.
    pub requires_replace: Vec<AttributePath>,
    /// Warnings and errors.
    pub diagnostics: Diagnostics,
}

/// A provider with its resources and data sources, ready to answer RPCs.
pub struct Server {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, (Box<dyn AnyResource>, Schema, Type)>,
    data_sources: BTreeMap<&'static str, (Box<dyn AnyDataSource>, Schema, Type)>,
    stop: Mutex<CancellationToken>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field(
                "data_sources",
                &self.data_sources.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The diagnostic for a type name this provider does not serve.
pub fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("terraform-provider-astro has no {kind} named {name:?}."),
    )
    .into()
}

/// A create or update that returned no state and no error: Terraform would record the
/// object as gone although it may exist (the plugin framework reports the same).
fn missing_state(name: &str, creating: bool) -> Diagnostic {
    let (op, title) = if creating {
        ("create", "Missing Resource State After Create")
    } else {
        ("update", "Missing Resource State After Update")
    };
    Diagnostic::error(
        title,
        format!(
            "The {op} of {name} returned no state and no error. This is a bug in terraform-provider-astro; please report it. If the object exists in Azure, bring it under management with terraform import."
        ),
    )
}

impl Server {
    /// Builds the server, computing every schema once.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let s = r.schema();
                let t = s.implied_type();
                (r.type_name(), (r, s, t))
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let s = d.schema();
                let t = s.implied_type();
                (d.type_name(), (d, s, t))
            })
            .collect();
        Self {
            provider,
            provider_schema,
            resources,
            data_sources,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// The provider block's schema.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    /// Every resource schema by type name.
    pub fn resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.resources.iter().map(|(k, (_, s, _))| (*k, s))
    }

    /// Every data source schema by type name.
    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.data_sources.iter().map(|(k, (_, s, _))| (*k, s))
    }

    /// The value type of a resource, for decoding wire values.
    pub fn resource_type(&self, name: &str) -> Option<&Type> {
        self.resources.get(name).map(|(_, _, t)| t)
    }

    /// The value type of a data source.
    pub fn data_source_type(&self, name: &str) -> Option<&Type> {
        self.data_sources.get(name).map(|(_, _, t)| t)
    }

    /// The value type of the provider block.
    pub fn provider_type(&self) -> Type {
        self.provider_schema.implied_type()
    }

    fn cancel_token(&self) -> CancellationToken {
        self.stop
            .lock()
            .map(|t| t.child_token())
            .unwrap_or_default()
    }

    /// Stop: cancels every operation in flight; later operations start afresh.
    pub fn stop(&self) {
        if let Ok(mut t) = self.stop.lock() {
            t.cancel();
            *t = CancellationToken::new();
        }
    }

    /// PrepareProviderConfig.
    pub fn validate_provider(&self, config: &Value) -> Diagnostics {
        let mut d = validate_block(&self.provider_schema.block, config, &AttributePath::root());
        self.provider.validate(config, &mut d);
        d
    }

    /// Configure.
    pub async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics {
        self.provider.configure(config, terraform_version).await
    }

    /// ValidateResourceTypeConfig.
    pub fn validate_resource(&self, name: &str, config: &Value) -> Diagnostics {
        let Some((r, s, _)) = self.resources.get(name) else {
            return unknown_type("resource", name);
        };
        let mut d = validate_block(&s.block, config, &AttributePath::root());
        r.validate(config, &mut d);
        d
    }

    /// ValidateDataSourceConfig.
    pub fn validate_data_source(&self, name: &str, config: &Value) -> Diagnostics {
        let Some((ds, s, _)) = self.data_sources.get(name) else {
            return unknown_type("data source", name);
        };
        let mut d = validate_block(&s.block, config, &AttributePath::root());
        ds.validate(config, &mut d);
        d
    }

    /// UpgradeResourceState from stored JSON: a state of an older schema version goes through
    /// the resource's upgrade; then defaults fill what older versions left null.
    pub fn upgrade_state(
        &self,
        name: &str,
        version: i64,
        json_state: &[u8],
    ) -> Result<Value, Diagnostics> {
        let Some((r, s, t)) = self.resources.get(name) else {
            return Err(unknown_type("resource", name));
        };
        if version > s.version {
            return Err(Diagnostic::error(
                "State written by a newer provider",
                format!("{name} state has schema version {version}; this provider knows up to {}. Upgrade terraform-provider-astro.", s.version),
            )
            .into());
        }
        let mut state = json::decode_state(json_state, t).map_err(|e| {
            Diagnostic::error(
                "Unreadable state",
                format!("the stored state of {name} does not match its schema: {e}"),
            )
        })?;
        if version < s.version {
            match r.upgrade_state(version, json_state) {
                Some(Ok(mut upgraded)) => {
                    carry_timeouts(&mut upgraded, &state);
                    state = upgraded;
                }
                Some(Err(d)) => return Err(d),
                None => {}
            }
        }
        fill_stored_defaults(&s.block, &mut state);
        Ok(state)
    }

    fn ctx(&self, r: &dyn AnyResource, object: &Value, op: Operation) -> OpContext {
        let timeout = r
            .timeouts()
            .map(|t| t.effective(object, op))
            .unwrap_or(Duration::from_secs(1800));
        OpContext::new(self.cancel_token(), timeout)
    }

    /// ReadResource: refresh one object; `Value::Null` when it is gone.
    pub async fn read_resource(&self, name: &str, current: &Value) -> (Value, Diagnostics) {
        let Some((r, _, _)) = self.resources.get(name) else {
            return (current.clone(), unknown_type("resource", name));
        };
        if current.is_null() {
            return (Value::Null, Diagnostics::new());
        }
        let ctx = self.ctx(r.as_ref(), current, Operation::Read);
        let out = r.read(&ctx, current).await;
        let state = match out.state {
            Some(mut v) => {
                carry_timeouts(&mut v, current);
                v
            }
            None if out.diagnostics.has_errors() => current.clone(),
            None => Value::Null,
        };
        (state, out.diagnostics)
    }

    /// PlanResourceChange.
    pub async fn plan_resource(
        &self,
        name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> PlannedChange {
        let Some((r, s, _)) = self.resources.get(name) else {
            return PlannedChange {
                planned: proposed.clone(),
                requires_replace: vec![],
                diagnostics: unknown_type("resource", name),
            };
        };
        if proposed.is_null() {
            return PlannedChange {
                planned: Value::Null,
                requires_replace: vec![],
                diagnostics: Diagnostics::new(),
            };
        }
        let prior = (!prior.is_null()).then(|| prior.clone());
        let mut planned = proposed.clone();
        apply_defaults(&s.block, &mut planned, config);
        match &prior {
            None => mark_computed_unknown(&s.block, &mut planned, |_| true),
            Some(prior) => {
                keep_equivalent(&s.block, &mut planned, prior, config);
                if configurable_changed(&s.block, &planned, prior) {
                    // What an in-place update changes is known after apply, except what the
                    // schema says the update keeps (`use_state_for_unknown`).
                    let changed: Vec<&str> = s
                        .block
                        .attributes
                        .iter()
                        .filter(|a| planned.get_attr(&a.name) != prior.get_attr(&a.name))
                        .map(|a| a.name.as_str())
                        .collect();
                    mark_computed_unknown(&s.block, &mut planned, |a| {
                        !a.use_state_for_unknown
                            || a.unless_changed.is_some_and(|o| changed.contains(&o))
                            || a.keep_if.is_some_and(|settled| {
                                !settled(prior.get_attr(&a.name).unwrap_or(&Value::Null))
                            })
                    });
                }
            }
        }
        let mut req = PlanValues {
            prior,
            config: config.clone(),
            planned,
            diagnostics: Diagnostics::new(),
        };
        r.modify_plan(&mut req).await;
        let requires_replace = match &req.prior {
            Some(prior) => replaced_by(&s.block, &req.planned, prior),
            None => vec![],
        };
        PlannedChange {
            planned: req.planned,
            requires_replace,
            diagnostics: req.diagnostics,
        }
    }

    /// ApplyResourceChange: create, update or delete, as the null-ness of prior and planned say.
    pub async fn apply_resource(
        &self,
        name: &str,
        prior: &Value,
        planned: &Value,
    ) -> (Value, Diagnostics) {
        let Some((r, s, _)) = self.resources.get(name) else {
            return (prior.clone(), unknown_type("resource", name));
        };
        if !prior.is_null() && !planned.is_null() && same_but_timeouts(&s.block, prior, planned) {
            // Only the `timeouts` block changed: nothing to write, and the resource's update
            // could change computed values the plan promised to keep.
            let mut state = prior.clone();
            carry_timeouts(&mut state, planned);
            return (state, Diagnostics::new());
        }
        if planned.is_null() {
            let ctx = self.ctx(r.as_ref(), prior, Operation::Delete);
            let d = r.delete(&ctx, prior).await;
            let state = if d.has_errors() {
                prior.clone()
            } else {
                Value::Null
            };
            return (state, d);
        }
        let mut desired = planned.clone();
        unknowns_to_null(&mut desired);
        let creating = prior.is_null();
        let mut out = if creating {
            let ctx = self.ctx(r.as_ref(), planned, Operation::Create);
            r.create(&ctx, &desired).await
        } else {
            let ctx = self.ctx(r.as_ref(), planned, Operation::Update);
            r.update(&ctx, prior, &desired).await
        };
        let state = match out.state {
            Some(mut v) => {
                carry_timeouts(&mut v, planned);
                v
            }
            None => {
                if !out.diagnostics.has_errors() {
                    out.diagnostics.push(missing_state(name, creating));
                }
                prior.clone()
            }
        };
        (state, out.diagnostics)
    }

    /// ImportResourceState.
    pub async fn import_resource(&self, name: &str, id: &str) -> (Value, Diagnostics) {
        let Some((r, _, _)) = self.resources.get(name) else {
            return (Value::Null, unknown_type("resource", name));
        };
        let ctx = self.ctx(r.as_ref(), &Value::Null, Operation::Read);
        let out = r.import(&ctx, id).await;
        (out.state.unwrap_or(Value::Null), out.diagnostics)
    }

    /// ReadDataSource.
    pub async fn read_data_source(&self, name: &str, config: &Value) -> (Value, Diagnostics) {
        let Some((ds, _, _)) = self.data_sources.get(name) else {
            return (Value::Null, unknown_type("data source", name));
        };
        let cancel = self.cancel_token();
        let out = match tokio::time::timeout(DATA_SOURCE_CEILING, ds.read(cancel, config)).await {
            Ok(out) => out,
            Err(_) => {
                return (
                    Value::Null,
                    Diagnostic::error(
                        "Data source timed out",
                        "the read did not finish within 24h",
                    )
                    .into(),
                );
            }
        };
        (out.state.unwrap_or(Value::Null), out.diagnostics)
    }
}
