//! A temporary stand-in for the tfplugin5 Provider service: a provider with no configuration
//! and no resources. It lets the plugin runtime be tested against Terraform before the real
//! service exists; `main` serves it until the real service is swapped in.

use std::pin::Pin;

use futures::Stream;
use tonic::{Request, Response, Status};

use crate::proto::tfplugin5::provider_server::Provider;
use crate::proto::tfplugin5::{
    Schema, apply_resource_change, call_function, close_ephemeral_resource, configure,
    generate_resource_config, get_functions, get_metadata, get_provider_schema,
    get_resource_identity_schemas, import_resource_state, invoke_action, list_resource,
    move_resource_state, open_ephemeral_resource, plan_action, plan_resource_change,
    prepare_provider_config, read_data_source, read_resource, renew_ephemeral_resource, schema,
    stop, upgrade_resource_identity, upgrade_resource_state, validate_action_config,
    validate_data_source_config, validate_ephemeral_resource_config, validate_list_resource_config,
    validate_resource_type_config,
};

/// An empty provider: an empty provider schema, accepting configuration, and no resources.
#[derive(Debug, Clone, Copy, Default)]
pub struct StubProvider;

/// The error for every RPC the stub does not serve.
fn unimplemented(rpc: &str) -> Status {
    Status::unimplemented(format!("{rpc} is not implemented by the stub provider"))
}

/// A response stream type for the streaming RPCs (never produced by the stub).
type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl Provider for StubProvider {
    async fn get_schema(
        &self,
        _request: Request<get_provider_schema::Request>,
    ) -> Result<Response<get_provider_schema::Response>, Status> {
        Ok(Response::new(get_provider_schema::Response {
            provider: Some(Schema {
                version: 0,
                block: Some(schema::Block::default()),
            }),
            ..Default::default()
        }))
    }

    async fn prepare_provider_config(
        &self,
        _request: Request<prepare_provider_config::Request>,
    ) -> Result<Response<prepare_provider_config::Response>, Status> {
        Ok(Response::new(prepare_provider_config::Response::default()))
    }

    async fn configure(
        &self,
        _request: Request<configure::Request>,
    ) -> Result<Response<configure::Response>, Status> {
        Ok(Response::new(configure::Response::default()))
    }

    async fn stop(
        &self,
        _request: Request<stop::Request>,
    ) -> Result<Response<stop::Response>, Status> {
        Ok(Response::new(stop::Response::default()))
    }

    type ListResourceStream = BoxStream<list_resource::Event>;

    async fn list_resource(
        &self,
        _request: Request<list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Err(unimplemented("ListResource"))
    }

    type InvokeActionStream = BoxStream<invoke_action::Event>;

    async fn invoke_action(
        &self,
        _request: Request<invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        Err(unimplemented("InvokeAction"))
    }

    async fn get_metadata(
        &self,
        _request: Request<get_metadata::Request>,
    ) -> Result<Response<get_metadata::Response>, Status> {
        Err(unimplemented("GetMetadata"))
    }

    async fn validate_resource_type_config(
        &self,
        _request: Request<validate_resource_type_config::Request>,
    ) -> Result<Response<validate_resource_type_config::Response>, Status> {
        Err(unimplemented("ValidateResourceTypeConfig"))
    }

    async fn validate_data_source_config(
        &self,
        _request: Request<validate_data_source_config::Request>,
    ) -> Result<Response<validate_data_source_config::Response>, Status> {
        Err(unimplemented("ValidateDataSourceConfig"))
    }

    async fn upgrade_resource_state(
        &self,
        _request: Request<upgrade_resource_state::Request>,
    ) -> Result<Response<upgrade_resource_state::Response>, Status> {
        Err(unimplemented("UpgradeResourceState"))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<get_resource_identity_schemas::Request>,
    ) -> Result<Response<get_resource_identity_schemas::Response>, Status> {
        Err(unimplemented("GetResourceIdentitySchemas"))
    }

    async fn upgrade_resource_identity(
        &self,
        _request: Request<upgrade_resource_identity::Request>,
    ) -> Result<Response<upgrade_resource_identity::Response>, Status> {
        Err(unimplemented("UpgradeResourceIdentity"))
    }

    async fn read_resource(
        &self,
        _request: Request<read_resource::Request>,
    ) -> Result<Response<read_resource::Response>, Status> {
        Err(unimplemented("ReadResource"))
    }

    async fn plan_resource_change(
        &self,
        _request: Request<plan_resource_change::Request>,
    ) -> Result<Response<plan_resource_change::Response>, Status> {
        Err(unimplemented("PlanResourceChange"))
    }

    async fn apply_resource_change(
        &self,
        _request: Request<apply_resource_change::Request>,
    ) -> Result<Response<apply_resource_change::Response>, Status> {
        Err(unimplemented("ApplyResourceChange"))
    }

    async fn import_resource_state(
        &self,
        _request: Request<import_resource_state::Request>,
    ) -> Result<Response<import_resource_state::Response>, Status> {
        Err(unimplemented("ImportResourceState"))
    }

    async fn move_resource_state(
        &self,
        _request: Request<move_resource_state::Request>,
    ) -> Result<Response<move_resource_state::Response>, Status> {
        Err(unimplemented("MoveResourceState"))
    }

    async fn read_data_source(
        &self,
        _request: Request<read_data_source::Request>,
    ) -> Result<Response<read_data_source::Response>, Status> {
        Err(unimplemented("ReadDataSource"))
    }

    async fn generate_resource_config(
        &self,
        _request: Request<generate_resource_config::Request>,
    ) -> Result<Response<generate_resource_config::Response>, Status> {
        Err(unimplemented("GenerateResourceConfig"))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _request: Request<validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<validate_ephemeral_resource_config::Response>, Status> {
        Err(unimplemented("ValidateEphemeralResourceConfig"))
    }

    async fn open_ephemeral_resource(
        &self,
        _request: Request<open_ephemeral_resource::Request>,
    ) -> Result<Response<open_ephemeral_resource::Response>, Status> {
        Err(unimplemented("OpenEphemeralResource"))
    }

    async fn renew_ephemeral_resource(
        &self,
        _request: Request<renew_ephemeral_resource::Request>,
    ) -> Result<Response<renew_ephemeral_resource::Response>, Status> {
        Err(unimplemented("RenewEphemeralResource"))
    }

    async fn close_ephemeral_resource(
        &self,
        _request: Request<close_ephemeral_resource::Request>,
    ) -> Result<Response<close_ephemeral_resource::Response>, Status> {
        Err(unimplemented("CloseEphemeralResource"))
    }

    async fn validate_list_resource_config(
        &self,
        _request: Request<validate_list_resource_config::Request>,
    ) -> Result<Response<validate_list_resource_config::Response>, Status> {
        Err(unimplemented("ValidateListResourceConfig"))
    }

    async fn get_functions(
        &self,
        _request: Request<get_functions::Request>,
    ) -> Result<Response<get_functions::Response>, Status> {
        Err(unimplemented("GetFunctions"))
    }

    async fn call_function(
        &self,
        _request: Request<call_function::Request>,
    ) -> Result<Response<call_function::Response>, Status> {
        Err(unimplemented("CallFunction"))
    }

    async fn plan_action(
        &self,
        _request: Request<plan_action::Request>,
    ) -> Result<Response<plan_action::Response>, Status> {
        Err(unimplemented("PlanAction"))
    }

    async fn validate_action_config(
        &self,
        _request: Request<validate_action_config::Request>,
    ) -> Result<Response<validate_action_config::Response>, Status> {
        Err(unimplemented("ValidateActionConfig"))
    }
}
