//! The tfplugin5 `Provider` gRPC service. Each RPC finds the type, decodes the request's
//! values against its schema, calls [`framework::server::Server`](crate::framework::server::Server)
//! and encodes the answer. User-facing failures are diagnostics; `Status` errors are only for
//! RPCs this provider does not offer.

pub mod convert;

use std::pin::Pin;
use std::sync::Arc;

use tonic::{Request, Response, Status};
use tracing::Instrument;

use crate::framework::diagnostics::Diagnostics;
use crate::framework::resource::Provider as ProviderImpl;
use crate::framework::server::Server;
use crate::framework::value::Value;
use crate::proto::tfplugin5 as pb;
use crate::proto::tfplugin5::provider_server::Provider;

type Rpc<T> = Result<Response<T>, Status>;
type EventStream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// The gRPC service Terraform talks to.
#[derive(Debug, Clone)]
pub struct ProviderService {
    server: Arc<Server>,
}

impl ProviderService {
    /// Serves `provider`.
    pub fn new(provider: impl ProviderImpl) -> Self {
        Self {
            server: Arc::new(Server::new(Arc::new(provider))),
        }
    }

    fn resource_type(&self, name: &str) -> Result<crate::framework::types::Type, Diagnostics> {
        self.server
            .resource_type(name)
            .cloned()
            .ok_or_else(|| crate::framework::server::unknown_type("resource", name))
    }

    fn data_source_type(&self, name: &str) -> Result<crate::framework::types::Type, Diagnostics> {
        self.server
            .data_source_type(name)
            .cloned()
            .ok_or_else(|| crate::framework::server::unknown_type("data source", name))
    }
}

/// The type's value type, or else the RPC's answer: an empty response whose only content is
/// the "unknown type" diagnostic (a user-facing failure, not a gRPC status).
macro_rules! type_or_answer {
    ($lookup:expr, $response:ty) => {
        match $lookup {
            Ok(ty) => ty,
            Err(d) => {
                return Ok(Response::new(<$response>::default_with(diags(d))));
            }
        }
    };
}

/// Responses that can carry only diagnostics.
trait WithDiagnostics: Default {
    fn default_with(d: Vec<pb::Diagnostic>) -> Self;
}

macro_rules! with_diagnostics {
    ($($m:ident),*) => {$(
        impl WithDiagnostics for pb::$m::Response {
            fn default_with(diagnostics: Vec<pb::Diagnostic>) -> Self {
                let mut r = Self::default();
                r.diagnostics = diagnostics;
                r
            }
        }
    )*};
}

with_diagnostics!(
    validate_resource_type_config,
    validate_data_source_config,
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    read_data_source
);

fn span(rpc: &'static str, type_name: &str) -> tracing::Span {
    tracing::info_span!("rpc", tf_rpc = rpc, tf_req_id = %uuid::Uuid::new_v4(), tf_resource_type = type_name)
}

fn diags(d: Diagnostics) -> Vec<pb::Diagnostic> {
    convert::diagnostics(d)
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Rpc<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .server
                .resource_schemas()
                .map(|(n, _)| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            data_sources: self
                .server
                .data_source_schemas()
                .map(|(n, _)| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Rpc<pb::get_provider_schema::Response> {
        let _s = span("GetProviderSchema", "").entered();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(convert::schema(self.server.provider_schema())),
            resource_schemas: self
                .server
                .resource_schemas()
                .map(|(n, s)| (n.to_string(), convert::schema(s)))
                .collect(),
            data_source_schemas: self
                .server
                .data_source_schemas()
                .map(|(n, s)| (n.to_string(), convert::schema(s)))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }))
    }

    async fn prepare_provider_config(
        &self,
        req: Request<pb::prepare_provider_config::Request>,
    ) -> Rpc<pb::prepare_provider_config::Response> {
        let req = req.into_inner();
        let d = match convert::decode(
            req.config.as_ref(),
            &self.server.provider_type(),
            "provider configuration",
        ) {
            Ok(config) => self.server.validate_provider(&config),
            Err(d) => d,
        };
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: req.config,
            diagnostics: diags(d),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        req: Request<pb::validate_resource_type_config::Request>,
    ) -> Rpc<pb::validate_resource_type_config::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::validate_resource_type_config::Response
        );
        let d = match convert::decode(req.config.as_ref(), &ty, "configuration") {
            Ok(config) => self.server.validate_resource(&req.type_name, &config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: diags(d),
        }))
    }

    async fn validate_data_source_config(
        &self,
        req: Request<pb::validate_data_source_config::Request>,
    ) -> Rpc<pb::validate_data_source_config::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.data_source_type(&req.type_name),
            pb::validate_data_source_config::Response
        );
        let d = match convert::decode(req.config.as_ref(), &ty, "configuration") {
            Ok(config) => self.server.validate_data_source(&req.type_name, &config),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_source_config::Response {
            diagnostics: diags(d),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Rpc<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::upgrade_resource_state::Response
        );
        let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
        let result = if raw.is_empty() {
            Ok(Value::Null)
        } else {
            self.server.upgrade_state(&req.type_name, req.version, &raw)
        };
        let (upgraded_state, d) =
            match result.and_then(|v| convert::encode(&v, &ty, "upgraded state")) {
                Ok(v) => (Some(v), Diagnostics::new()),
                Err(d) => (None, d),
            };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags(d),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Rpc<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Rpc<pb::upgrade_resource_identity::Response> {
        Err(Status::unimplemented(
            "this provider declares no resource identities",
        ))
    }

    async fn configure(
        &self,
        req: Request<pb::configure::Request>,
    ) -> Rpc<pb::configure::Response> {
        let req = req.into_inner();
        let d = match convert::decode(
            req.config.as_ref(),
            &self.server.provider_type(),
            "provider configuration",
        ) {
            Ok(config) => {
                self.server
                    .configure(&config, &req.terraform_version)
                    .instrument(span("ConfigureProvider", ""))
                    .await
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::configure::Response {
            diagnostics: diags(d),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Rpc<pb::read_resource::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::read_resource::Response
        );
        let result = async {
            let current = convert::decode(req.current_state.as_ref(), &ty, "current state")?;
            let (state, d) = self.server.read_resource(&req.type_name, &current).await;
            Ok::<_, Diagnostics>((convert::encode(&state, &ty, "refreshed state")?, d))
        }
        .instrument(span("ReadResource", &req.type_name))
        .await;
        let (new_state, d) = split(result, req.current_state.clone());
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diags(d),
            private: req.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Rpc<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::plan_resource_change::Response
        );
        let result = async {
            let prior = convert::decode(req.prior_state.as_ref(), &ty, "prior state")?;
            let proposed = convert::decode(req.proposed_new_state.as_ref(), &ty, "proposed state")?;
            let config = convert::decode(req.config.as_ref(), &ty, "configuration")?;
            let plan = self
                .server
                .plan_resource(&req.type_name, &prior, &proposed, &config)
                .await;
            let planned = convert::encode(&plan.planned, &ty, "planned state")?;
            Ok::<_, Diagnostics>((planned, plan.requires_replace, plan.diagnostics))
        }
        .instrument(span("PlanResourceChange", &req.type_name))
        .await;
        Ok(Response::new(match result {
            Ok((planned, replace, d)) => pb::plan_resource_change::Response {
                planned_state: Some(planned),
                requires_replace: replace.iter().map(convert::path).collect(),
                planned_private: req.prior_private,
                diagnostics: diags(d),
                ..Default::default()
            },
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: diags(d),
                ..Default::default()
            },
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Rpc<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::apply_resource_change::Response
        );
        let result = async {
            let prior = convert::decode(req.prior_state.as_ref(), &ty, "prior state")?;
            let planned = convert::decode(req.planned_state.as_ref(), &ty, "planned state")?;
            let (state, d) = self
                .server
                .apply_resource(&req.type_name, &prior, &planned)
                .await;
            Ok::<_, Diagnostics>((convert::encode(&state, &ty, "new state")?, d))
        }
        .instrument(span("ApplyResourceChange", &req.type_name))
        .await;
        let (new_state, d) = split(result, req.prior_state.clone());
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics: diags(d),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Rpc<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.resource_type(&req.type_name),
            pb::import_resource_state::Response
        );
        let (state, d) = self
            .server
            .import_resource(&req.type_name, &req.id)
            .instrument(span("ImportResourceState", &req.type_name))
            .await;
        let mut d = d;
        let imported = if d.has_errors() || state.is_null() {
            vec![]
        } else {
            match convert::encode(&state, &ty, "imported state") {
                Ok(s) => vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: Some(s),
                    ..Default::default()
                }],
                Err(e) => {
                    d.extend(e);
                    vec![]
                }
            }
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diags(d),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Rpc<pb::move_resource_state::Response> {
        Err(Status::unimplemented(
            "this provider does not support moving state between resource types",
        ))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Rpc<pb::read_data_source::Response> {
        let req = req.into_inner();
        let ty = type_or_answer!(
            self.data_source_type(&req.type_name),
            pb::read_data_source::Response
        );
        let result = async {
            let config = convert::decode(req.config.as_ref(), &ty, "configuration")?;
            let (state, d) = self.server.read_data_source(&req.type_name, &config).await;
            if d.has_errors() {
                return Err(d);
            }
            Ok::<_, Diagnostics>((convert::encode(&state, &ty, "data source state")?, d))
        }
        .instrument(span("ReadDataSource", &req.type_name))
        .await;
        let (state, d) = split(result, None);
        Ok(Response::new(pb::read_data_source::Response {
            state,
            diagnostics: diags(d),
            ..Default::default()
        }))
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Rpc<pb::generate_resource_config::Response> {
        Err(Status::unimplemented(
            "generate_resource_config is not supported",
        ))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Rpc<pb::validate_ephemeral_resource_config::Response> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Rpc<pb::open_ephemeral_resource::Response> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Rpc<pb::renew_ephemeral_resource::Response> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Rpc<pb::close_ephemeral_resource::Response> {
        Err(Status::unimplemented(
            "this provider has no ephemeral resources",
        ))
    }

    type ListResourceStream = EventStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Rpc<Self::ListResourceStream> {
        Err(Status::unimplemented("this provider has no list resources"))
    }

    async fn validate_list_resource_config(
        &self,
        _: Request<pb::validate_list_resource_config::Request>,
    ) -> Rpc<pb::validate_list_resource_config::Response> {
        Err(Status::unimplemented("this provider has no list resources"))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Rpc<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        _: Request<pb::call_function::Request>,
    ) -> Rpc<pb::call_function::Response> {
        Err(Status::unimplemented("this provider has no functions"))
    }

    async fn plan_action(
        &self,
        _: Request<pb::plan_action::Request>,
    ) -> Rpc<pb::plan_action::Response> {
        Err(Status::unimplemented("this provider has no actions"))
    }

    type InvokeActionStream = EventStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Rpc<Self::InvokeActionStream> {
        Err(Status::unimplemented("this provider has no actions"))
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Rpc<pb::validate_action_config::Response> {
        Err(Status::unimplemented("this provider has no actions"))
    }

    async fn stop(&self, _: Request<pb::stop::Request>) -> Rpc<pb::stop::Response> {
        tracing::info!(
            tf_rpc = "StopProvider",
            "stop requested: cancelling operations in flight"
        );
        self.server.stop();
        Ok(Response::new(pb::stop::Response::default()))
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        ..Default::default()
    }
}

/// Splits an encode result, falling back to `fallback` state when encoding failed.
fn split(
    result: Result<(pb::DynamicValue, Diagnostics), Diagnostics>,
    fallback: Option<pb::DynamicValue>,
) -> (Option<pb::DynamicValue>, Diagnostics) {
    match result {
        Ok((v, d)) => (Some(v), d),
        Err(d) => (fallback, d),
    }
}
