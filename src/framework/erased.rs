//! Object-safe forms of [`Resource`] and [`DataSource`]: the one place where typed models are
//! converted to and from cty values, so resources only ever see their models.

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::model;
use super::model::ModelError;
use super::resource::{DataSource, OpContext, Outcome, Plan, Resource};
use super::schema::Schema;
use super::timeouts::{self, TimeoutDefaults};
use super::types::Type;
use super::value::Value;

/// A resource behind a trait object, speaking cty values.
#[async_trait]
pub trait AnyResource: Send + Sync {
    /// Full type name.
    fn type_name(&self) -> &'static str;
    /// Complete schema, `timeouts` block included.
    fn schema(&self) -> Schema;
    /// Default deadlines.
    fn timeouts(&self) -> Option<TimeoutDefaults>;
    /// Cross-attribute validation.
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    /// Plan adjustments, on the resource's model: `planned` takes every attribute the
    /// resource changed; the rest (unknowns included) stays as it was.
    async fn modify_plan(&self, req: &mut PlanValues);
    /// A state stored under an older schema version as this version's value; `None`: the
    /// resource has no older version.
    fn upgrade_state(&self, version: i64, json: &[u8]) -> Option<Result<Value, Diagnostics>>;
    /// `value` read into the model and written back (the schema-model walk checks that
    /// nothing is lost and that the types agree).
    fn round_trip(&self, value: &Value) -> Result<Value, ModelError>;
    /// Create from a planned object (unknowns already nulled).
    async fn create(&self, ctx: &OpContext, planned: &Value) -> Outcome<Value>;
    /// Refresh.
    async fn read(&self, ctx: &OpContext, current: &Value) -> Outcome<Value>;
    /// Update in place.
    async fn update(&self, ctx: &OpContext, prior: &Value, planned: &Value) -> Outcome<Value>;
    /// Delete.
    async fn delete(&self, ctx: &OpContext, prior: &Value) -> Diagnostics;
    /// Import.
    async fn import(&self, ctx: &OpContext, id: &str) -> Outcome<Value>;
}

/// A data source behind a trait object.
#[async_trait]
pub trait AnyDataSource: Send + Sync {
    /// Full type name.
    fn type_name(&self) -> &'static str;
    /// Schema.
    fn schema(&self) -> Schema;
    /// Cross-attribute validation.
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    /// Read.
    async fn read(&self, cancel: CancellationToken, config: &Value) -> Outcome<Value>;
    /// `value` read into the model and written back (see [`AnyResource::round_trip`]).
    fn round_trip(&self, value: &Value) -> Result<Value, ModelError>;
}

/// A plan as cty values, between the server and a resource's `modify_plan`.
#[derive(Debug)]
pub struct PlanValues {
    /// Prior state; `None` on create.
    pub prior: Option<Value>,
    /// The configuration (may hold unknowns).
    pub config: Value,
    /// The planned new state; unknown where the value is only known after apply.
    pub planned: Value,
    /// Warnings or errors for the plan.
    pub diagnostics: Diagnostics,
}

/// Wraps a typed resource.
pub fn resource<R: Resource>(r: R) -> Box<dyn AnyResource> {
    Box::new(Typed(r))
}

/// Wraps a typed data source.
pub fn data_source<D: DataSource>(d: D) -> Box<dyn AnyDataSource> {
    Box::new(Typed(d))
}

struct Typed<T>(T);

fn internal(type_name: &str, what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(
        "Provider internal error",
        format!("internal-error: {type_name}: {what}: {e}. This is a bug in terraform-provider-astro; please report it."),
    )
    .into()
}

fn decode<M: serde::de::DeserializeOwned>(name: &str, v: &Value) -> Result<M, Diagnostics> {
    model::from_value(v).map_err(|e| internal(name, "decoding the object", e))
}

fn decode_plan<M: serde::de::DeserializeOwned>(name: &str, v: &Value) -> Result<M, Diagnostics> {
    model::from_plan_value(v).map_err(|e| internal(name, "decoding the plan", e))
}

/// Takes into `planned` every top-level attribute where `after` differs from `before` (the
/// model as the resource received it and as it left it); other attributes keep their value,
/// so unknowns the resource did not touch stay unknown.
fn take_changes(planned: &mut Value, before: &Value, after: &Value) {
    let (Value::Object(before), Value::Object(after), Value::Object(planned)) =
        (before, after, planned)
    else {
        return;
    };
    for (name, v) in after {
        if before.get(name) != Some(v) {
            planned.insert(name.clone(), v.clone());
        }
    }
}

fn round_trip<M: serde::Serialize + serde::de::DeserializeOwned>(
    value: &Value,
    ty: &Type,
) -> Result<Value, ModelError> {
    let m: M = model::from_value(value)?;
    model::to_value(&m, ty)
}

fn encode_outcome<M: serde::Serialize>(name: &str, out: Outcome<M>, ty: &Type) -> Outcome<Value> {
    let mut diagnostics = out.diagnostics;
    let state = match out.state {
        None => None,
        Some(m) => match model::to_value(&m, ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diagnostics.extend(internal(name, "encoding the object", e));
                None
            }
        },
    };
    Outcome { state, diagnostics }
}

impl<R: Resource> Typed<R> {
    fn ty(&self) -> Type {
        self.schema_full().implied_type()
    }

    fn schema_full(&self) -> Schema {
        let mut s = self.0.schema();
        // A resource may declare its own, narrower `timeouts` block in its schema.
        let has_own = s
            .block
            .blocks
            .iter()
            .any(|b| b.type_name == timeouts::BLOCK_NAME);
        if let Some(t) = self.0.timeouts().filter(|_| !has_own) {
            s.block.blocks.push(t.block());
        }
        s
    }
}

#[async_trait]
impl<R: Resource> AnyResource for Typed<R> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    fn schema(&self) -> Schema {
        self.schema_full()
    }
    fn timeouts(&self) -> Option<TimeoutDefaults> {
        self.0.timeouts()
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        match decode_plan(self.0.type_name(), config) {
            Ok(m) => self.0.validate(&m, diags),
            Err(d) => diags.extend(d),
        }
    }
    async fn modify_plan(&self, req: &mut PlanValues) {
        let ty = self.ty();
        let name = self.0.type_name();
        let decoded = (|| {
            let prior = req
                .prior
                .as_ref()
                .map(|p| decode_plan(name, p))
                .transpose()?;
            Ok::<_, Diagnostics>((
                prior,
                decode_plan(name, &req.config)?,
                decode_plan(name, &req.planned)?,
            ))
        })();
        let (prior, config, planned) = match decoded {
            Ok(d) => d,
            Err(d) => return req.diagnostics.extend(d),
        };
        let before = match model::to_value(&planned, &ty) {
            Ok(v) => v,
            Err(e) => {
                return req.diagnostics.extend(internal(
                    self.0.type_name(),
                    "encoding the plan",
                    e,
                ));
            }
        };
        let mut plan = Plan {
            prior,
            config,
            planned,
            diagnostics: Diagnostics::new(),
        };
        self.0.modify_plan(&mut plan).await;
        req.diagnostics.extend(plan.diagnostics);
        match model::to_value(&plan.planned, &ty) {
            Ok(after) => take_changes(&mut req.planned, &before, &after),
            Err(e) => req
                .diagnostics
                .extend(internal(self.0.type_name(), "encoding the plan", e)),
        }
    }
    fn upgrade_state(&self, version: i64, json: &[u8]) -> Option<Result<Value, Diagnostics>> {
        let upgraded = self.0.upgrade_state(version, json)?;
        Some(upgraded.and_then(|m| {
            model::to_value(&m, &self.ty())
                .map_err(|e| internal(self.0.type_name(), "encoding the upgraded state", e))
        }))
    }
    fn round_trip(&self, value: &Value) -> Result<Value, ModelError> {
        round_trip::<R::Model>(value, &self.ty())
    }
    async fn create(&self, ctx: &OpContext, planned: &Value) -> Outcome<Value> {
        match decode(self.0.type_name(), planned) {
            Ok(m) => encode_outcome(self.0.type_name(), self.0.create(ctx, m).await, &self.ty()),
            Err(d) => Outcome::failed(None, d),
        }
    }
    async fn read(&self, ctx: &OpContext, current: &Value) -> Outcome<Value> {
        match decode(self.0.type_name(), current) {
            Ok(m) => encode_outcome(self.0.type_name(), self.0.read(ctx, m).await, &self.ty()),
            Err(d) => Outcome::failed(Some(current.clone()), d),
        }
    }
    async fn update(&self, ctx: &OpContext, prior: &Value, planned: &Value) -> Outcome<Value> {
        match (
            decode(self.0.type_name(), prior),
            decode(self.0.type_name(), planned),
        ) {
            (Ok(p), Ok(n)) => encode_outcome(
                self.0.type_name(),
                self.0.update(ctx, p, n).await,
                &self.ty(),
            ),
            (Err(d), _) | (_, Err(d)) => Outcome::failed(Some(prior.clone()), d),
        }
    }
    async fn delete(&self, ctx: &OpContext, prior: &Value) -> Diagnostics {
        match decode(self.0.type_name(), prior) {
            Ok(m) => self.0.delete(ctx, m).await,
            Err(d) => d,
        }
    }
    async fn import(&self, ctx: &OpContext, id: &str) -> Outcome<Value> {
        match self.0.import(ctx, id).await {
            Ok(m) => encode_outcome(self.0.type_name(), Outcome::ok(m), &self.ty()),
            Err(d) => Outcome::failed(None, d),
        }
    }
}

#[async_trait]
impl<D: DataSource> AnyDataSource for Typed<D> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    fn schema(&self) -> Schema {
        self.0.schema()
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        match decode_plan(self.0.type_name(), config) {
            Ok(m) => self.0.validate(&m, diags),
            Err(d) => diags.extend(d),
        }
    }
    fn round_trip(&self, value: &Value) -> Result<Value, ModelError> {
        round_trip::<D::Model>(value, &self.0.schema().implied_type())
    }
    async fn read(&self, cancel: CancellationToken, config: &Value) -> Outcome<Value> {
        let ty = self.0.schema().implied_type();
        match decode(self.0.type_name(), config) {
            Ok(m) => match self.0.read(cancel, m).await {
                Ok(m) => encode_outcome(self.0.type_name(), Outcome::ok(m), &ty),
                Err(d) => Outcome::failed(None, d),
            },
            Err(d) => Outcome::failed(None, d),
        }
    }
}

/// Copies the `timeouts` block from `from` into `into` (models do not carry it).
pub fn carry_timeouts(into: &mut Value, from: &Value) {
    if let (Value::Object(obj), Some(t)) = (into, from.get_attr(timeouts::BLOCK_NAME))
        && obj.contains_key(timeouts::BLOCK_NAME)
    {
        obj.insert(timeouts::BLOCK_NAME.to_string(), t.clone());
    }
}
