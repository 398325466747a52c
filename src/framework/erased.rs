//! Object-safe forms of [`Resource`] and [`DataSource`]: the one place where typed models are
//! converted to and from cty values, so resources only ever see their models.

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diagnostics::{Diagnostic, Diagnostics};
use super::model;
use super::resource::{DataSource, OpContext, Outcome, PlanRequest, Resource};
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
    /// Plan adjustments.
    async fn modify_plan(&self, req: &mut PlanRequest);
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

fn internal(what: &str, e: impl std::fmt::Display) -> Diagnostics {
    Diagnostic::error(
        "Provider internal error",
        format!("internal-error: {what}: {e}. This is a bug in terraform-provider-astro; please report it."),
    )
    .into()
}

fn decode<M: serde::de::DeserializeOwned>(v: &Value) -> Result<M, Diagnostics> {
    model::from_value(v).map_err(|e| internal("decoding the object", e))
}

fn encode_outcome<M: serde::Serialize>(out: Outcome<M>, ty: &Type) -> Outcome<Value> {
    let mut diagnostics = out.diagnostics;
    let state = match out.state {
        None => None,
        Some(m) => match model::to_value(&m, ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diagnostics.extend(internal("encoding the object", e));
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
        self.0.validate(config, diags)
    }
    async fn modify_plan(&self, req: &mut PlanRequest) {
        self.0.modify_plan(req).await
    }
    async fn create(&self, ctx: &OpContext, planned: &Value) -> Outcome<Value> {
        match decode(planned) {
            Ok(m) => encode_outcome(self.0.create(ctx, m).await, &self.ty()),
            Err(d) => Outcome::failed(None, d),
        }
    }
    async fn read(&self, ctx: &OpContext, current: &Value) -> Outcome<Value> {
        match decode(current) {
            Ok(m) => encode_outcome(self.0.read(ctx, m).await, &self.ty()),
            Err(d) => Outcome::failed(Some(current.clone()), d),
        }
    }
    async fn update(&self, ctx: &OpContext, prior: &Value, planned: &Value) -> Outcome<Value> {
        match (decode(prior), decode(planned)) {
            (Ok(p), Ok(n)) => encode_outcome(self.0.update(ctx, p, n).await, &self.ty()),
            (Err(d), _) | (_, Err(d)) => Outcome::failed(Some(prior.clone()), d),
        }
    }
    async fn delete(&self, ctx: &OpContext, prior: &Value) -> Diagnostics {
        match decode(prior) {
            Ok(m) => self.0.delete(ctx, m).await,
            Err(d) => d,
        }
    }
    async fn import(&self, ctx: &OpContext, id: &str) -> Outcome<Value> {
        match self.0.import(ctx, id).await {
            Ok(m) => encode_outcome(Outcome::ok(m), &self.ty()),
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
        self.0.validate(config, diags)
    }
    async fn read(&self, cancel: CancellationToken, config: &Value) -> Outcome<Value> {
        let ty = self.0.schema().implied_type();
        match decode(config) {
            Ok(m) => match self.0.read(cancel, m).await {
                Ok(m) => encode_outcome(Outcome::ok(m), &ty),
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
