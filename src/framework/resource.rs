//! The traits a resource, data source and provider implement. Operations take and return
//! typed models; the framework converts them to and from cty values against the schema, so a
//! resource never sees wire values or protobuf.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::diagnostics::Diagnostics;
use super::schema::Schema;
use super::timeouts::TimeoutDefaults;
use super::value::Value;

/// The deadline and cancellation of one operation.
#[derive(Clone, Debug)]
pub struct OpContext {
    /// Cancelled when Terraform sends Stop (Ctrl-C).
    pub cancel: CancellationToken,
    /// When the operation must give up.
    pub deadline: Instant,
    /// The timeout the deadline came from (for messages).
    pub timeout: Duration,
}

impl OpContext {
    /// A context that ends `timeout` from now.
    pub fn new(cancel: CancellationToken, timeout: Duration) -> Self {
        Self {
            cancel,
            deadline: Instant::now() + timeout,
            timeout,
        }
    }
}

/// The result of a create, update or read: the object as it now is (`None`: it does not
/// exist) and what to tell the user. State with errors is kept: what exists is never lost.
#[derive(Debug)]
pub struct Outcome<M> {
    /// The object as it is now.
    pub state: Option<M>,
    /// Errors and warnings.
    pub diagnostics: Diagnostics,
}

impl<M> Outcome<M> {
    /// Success with this state.
    pub fn ok(state: M) -> Self {
        Self {
            state: Some(state),
            diagnostics: Diagnostics::new(),
        }
    }

    /// The object is gone.
    pub fn gone() -> Self {
        Self {
            state: None,
            diagnostics: Diagnostics::new(),
        }
    }

    /// Failure; `state` is what exists despite it.
    pub fn failed(state: Option<M>, diagnostics: Diagnostics) -> Self {
        Self { state, diagnostics }
    }
}

/// A plan being built, as the resource's own model: a resource's `modify_plan` reads the
/// prior state and the configuration and may change `planned`. Values not known until apply
/// read as unset (see [`super::model::from_plan_value`]) and stay unknown unless the resource
/// changes them. Replacement follows from the schema (`force_new`), after `modify_plan`.
#[derive(Debug)]
pub struct Plan<M> {
    /// Prior state; `None` on create.
    pub prior: Option<M>,
    /// The configuration.
    pub config: M,
    /// The planned new state.
    pub planned: M,
    /// Warnings or errors for the plan.
    pub diagnostics: Diagnostics,
}

/// A managed resource.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The typed model; field names match the schema's attribute names.
    type Model: Serialize + DeserializeOwned + Send + Sync + Debug;

    /// Full type name, e.g. `astro_private_endpoint`.
    fn type_name(&self) -> &'static str;
    /// The schema, without the `timeouts` block (the framework adds it).
    fn schema(&self) -> Schema;
    /// Default deadlines; `Some` adds a `timeouts` block.
    fn timeouts(&self) -> Option<TimeoutDefaults> {
        None
    }
    /// Checks across attributes at validate time; values not known yet read as unset.
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Adjusts a plan after defaults and schema rules were applied.
    async fn modify_plan(&self, _plan: &mut Plan<Self::Model>) {}
    /// Reads a state stored under an older schema `version` (`json`: its attributes as
    /// Terraform stored them) as this version's model. `None`: the resource has no older
    /// version, and the framework decodes the state against the current schema.
    fn upgrade_state(
        &self,
        _version: i64,
        _json: &[u8],
    ) -> Option<Result<Self::Model, Diagnostics>> {
        None
    }
    /// Creates the object.
    async fn create(&self, ctx: &OpContext, planned: Self::Model) -> Outcome<Self::Model>;
    /// Reads the object; `Outcome::gone()` when it no longer exists.
    async fn read(&self, ctx: &OpContext, current: Self::Model) -> Outcome<Self::Model>;
    /// Updates in place.
    async fn update(
        &self,
        ctx: &OpContext,
        prior: Self::Model,
        planned: Self::Model,
    ) -> Outcome<Self::Model>;
    /// Deletes; success when it is gone.
    async fn delete(&self, ctx: &OpContext, prior: Self::Model) -> Diagnostics;
    /// Turns an import ID into a (possibly partial) state that `read` completes.
    async fn import(&self, ctx: &OpContext, id: &str) -> Result<Self::Model, Diagnostics>;
}

/// A data source.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The typed model.
    type Model: Serialize + DeserializeOwned + Send + Sync + Debug;
    /// Full type name.
    fn type_name(&self) -> &'static str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Checks across attributes at validate time; values not known yet read as unset.
    fn validate(&self, _config: &Self::Model, _diags: &mut Diagnostics) {}
    /// Reads; the returned model must have every computed attribute set.
    async fn read(
        &self,
        cancel: CancellationToken,
        config: Self::Model,
    ) -> Result<Self::Model, Diagnostics>;
}

/// The provider: its own configuration and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The provider block's schema.
    fn schema(&self) -> Schema;
    /// Checks across provider attributes; `config` may hold unknowns.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Configures from the provider block (may hold unknowns during plan).
    async fn configure(&self, config: &Value, terraform_version: &str) -> Diagnostics;
    /// The managed resources.
    fn resources(&self) -> Vec<Box<dyn super::erased::AnyResource>>;
    /// The data sources.
    fn data_sources(&self) -> Vec<Box<dyn super::erased::AnyDataSource>>;
}
