//! The server's invariants, each with a diagnostic that names the resource type: a create
//! that returns no state and no error is a provider error, and a type name the provider does
//! not serve is a diagnostic in every RPC, never a gRPC status.

use super::*;

/// One error with `title`, naming the resource type.
fn assert_missing_state(d: &[pb::Diagnostic], title: &str) {
    assert_eq!(errors(d).len(), 1, "{d:?}");
    assert_eq!(d[0].summary, title);
    assert!(
        d[0].detail.contains(THING),
        "names the resource: {:?}",
        d[0]
    );
}

#[tokio::test]
async fn create_without_state_or_error_is_missing_resource_state_after_create() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("vanish-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    assert_missing_state(&applied.diagnostics, "Missing Resource State After Create");
    assert!(
        applied.state.is_null(),
        "nothing is recorded: {:?}",
        applied.state
    );
}

#[tokio::test]
async fn update_without_state_or_error_is_missing_resource_state_after_update_and_keeps_prior() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha"))]);
    let prior = tf.create(&config).await;
    let changed = with(&config, "description", s("vanish"));
    let plan = tf.plan(&prior, &changed).await;
    let applied = tf.apply(&prior, &plan.planned, &changed).await;
    assert_missing_state(&applied.diagnostics, "Missing Resource State After Update");
    assert_eq!(applied.state, prior, "the object is not forgotten");
}

#[tokio::test]
async fn an_unknown_type_name_is_a_diagnostic_naming_it_in_every_rpc() {
    let tf = Tf::start().await;
    let name = "test_no_such_thing";
    let mut c = tf.client.clone();
    let check = |rpc: &str, d: Vec<pb::Diagnostic>| {
        assert_eq!(d.len(), 1, "{rpc}: {d:?}");
        assert_eq!(
            d[0].severity,
            pb::diagnostic::Severity::Error as i32,
            "{rpc}"
        );
        assert!(
            d[0].summary.starts_with("Unknown") && d[0].detail.contains(name),
            "{rpc}: {:?}",
            d[0]
        );
    };
    // Each RPC with the unknown name: a response carrying the diagnostic, not a status.
    macro_rules! rpc {
        ($call:ident, $module:ident, $label:literal $(, $field:ident: $value:expr)*) => {
            let d = c
                .$call(pb::$module::Request {
                    type_name: name.into(),
                    $($field: $value,)*
                    ..Default::default()
                })
                .await
                .expect("a response, not a status")
                .into_inner()
                .diagnostics;
            check($label, d);
        };
    }
    rpc!(
        validate_resource_type_config,
        validate_resource_type_config,
        "ValidateResourceTypeConfig"
    );
    rpc!(
        validate_data_source_config,
        validate_data_source_config,
        "ValidateDataSourceConfig"
    );
    rpc!(
        upgrade_resource_state,
        upgrade_resource_state,
        "UpgradeResourceState"
    );
    rpc!(read_resource, read_resource, "ReadResource");
    rpc!(
        plan_resource_change,
        plan_resource_change,
        "PlanResourceChange"
    );
    rpc!(
        apply_resource_change,
        apply_resource_change,
        "ApplyResourceChange"
    );
    rpc!(import_resource_state, import_resource_state, "ImportResourceState", id: "x".into());
    rpc!(read_data_source, read_data_source, "ReadDataSource");
}
