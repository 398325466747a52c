//! RPCs this provider does not offer answer Unimplemented; discovery RPCs answer empty.

use super::*;

fn assert_unimplemented<T: std::fmt::Debug>(
    what: &str,
    r: Result<tonic::Response<T>, tonic::Status>,
) {
    match r {
        Err(status) => assert_eq!(status.code(), Code::Unimplemented, "{what}: {status:?}"),
        Ok(resp) => panic!("{what} answered {resp:?}; expected UNIMPLEMENTED"),
    }
}

#[tokio::test]
async fn rpcs_the_provider_does_not_offer_answer_unimplemented() {
    let tf = Tf::start().await;
    let mut c = tf.client.clone();
    assert_unimplemented(
        "CallFunction",
        c.call_function(pb::call_function::Request {
            name: "f".into(),
            ..Default::default()
        })
        .await,
    );
    assert_unimplemented(
        "MoveResourceState",
        c.move_resource_state(pb::move_resource_state::Request {
            source_type_name: "other_thing".into(),
            target_type_name: THING.into(),
            ..Default::default()
        })
        .await,
    );
    assert_unimplemented(
        "UpgradeResourceIdentity",
        c.upgrade_resource_identity(pb::upgrade_resource_identity::Request::default())
            .await,
    );
    assert_unimplemented(
        "GenerateResourceConfig",
        c.generate_resource_config(pb::generate_resource_config::Request::default())
            .await,
    );
    assert_unimplemented(
        "ValidateEphemeralResourceConfig",
        c.validate_ephemeral_resource_config(
            pb::validate_ephemeral_resource_config::Request::default(),
        )
        .await,
    );
    assert_unimplemented(
        "OpenEphemeralResource",
        c.open_ephemeral_resource(pb::open_ephemeral_resource::Request::default())
            .await,
    );
    assert_unimplemented(
        "PlanAction",
        c.plan_action(pb::plan_action::Request::default()).await,
    );
    assert_unimplemented(
        "ValidateListResourceConfig",
        c.validate_list_resource_config(pb::validate_list_resource_config::Request::default())
            .await,
    );
    match c.list_resource(pb::list_resource::Request::default()).await {
        Err(status) => assert_eq!(status.code(), Code::Unimplemented),
        Ok(_) => panic!("ListResource answered; expected UNIMPLEMENTED"),
    }
}

#[tokio::test]
async fn discovery_rpcs_terraform_may_call_answer_empty() {
    let tf = Tf::start().await;
    let mut c = tf.client.clone();
    let f = c
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions")
        .into_inner();
    assert!(f.functions.is_empty() && f.diagnostics.is_empty());
    let ids = c
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    assert!(ids.identity_schemas.is_empty() && ids.diagnostics.is_empty());
}
