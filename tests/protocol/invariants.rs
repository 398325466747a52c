//! The server's invariants, each with a diagnostic that names the resource type: a create
//! that returns no state and no error is a provider error, and a type name the provider does
//! not serve is a diagnostic in every RPC, never a gRPC status.

use super::*;

#[tokio::test]
async fn create_without_state_or_error_is_missing_resource_state_after_create() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("vanish-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    let e = errors(&applied.diagnostics);
    assert_eq!(e.len(), 1, "{:?}", applied.diagnostics);
    assert_eq!(
        applied.diagnostics[0].summary,
        "Missing Resource State After Create"
    );
    assert!(
        applied.diagnostics[0].detail.contains(THING),
        "names the resource: {:?}",
        applied.diagnostics[0]
    );
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
    assert_eq!(
        errors(&applied.diagnostics).len(),
        1,
        "{:?}",
        applied.diagnostics
    );
    assert_eq!(
        applied.diagnostics[0].summary,
        "Missing Resource State After Update"
    );
    assert!(
        applied.diagnostics[0].detail.contains(THING),
        "{:?}",
        applied.diagnostics[0]
    );
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
    let d = c
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ValidateResourceTypeConfig", d);
    let d = c
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ValidateDataSourceConfig", d);
    let d = c
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("UpgradeResourceState", d);
    let d = c
        .read_resource(pb::read_resource::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ReadResource", d);
    let d = c
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("PlanResourceChange", d);
    let d = c
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ApplyResourceChange", d);
    let d = c
        .import_resource_state(pb::import_resource_state::Request {
            type_name: name.into(),
            id: "x".into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ImportResourceState", d);
    let d = c
        .read_data_source(pb::read_data_source::Request {
            type_name: name.into(),
            ..Default::default()
        })
        .await
        .expect("a response, not a status")
        .into_inner()
        .diagnostics;
    check("ReadDataSource", d);
}
