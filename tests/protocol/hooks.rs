//! The provider's and resource's own hooks, and failures reported as diagnostics.

use super::*;

#[tokio::test]
async fn prepare_provider_config_runs_the_providers_own_check() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("token", s("t0ken"))]);
    let resp = prepare(&tf, &config).await;
    assert_eq!(error_paths(&resp.diagnostics), [root().attr("token")]);
    let with_endpoint = with(&config, "endpoint", s("https://api.example"));
    assert_eq!(prepare(&tf, &with_endpoint).await.diagnostics, vec![]);
}

#[tokio::test]
async fn configure_failure_is_returned_as_an_error_diagnostic() {
    let tf = Tf::start().await;
    let config = object_of(&tf.provider, &[("endpoint", s(DOWN_ENDPOINT))]);
    let resp = configure(&tf, &config).await;
    let e = errors(&resp.diagnostics);
    assert!(e.len() == 1 && e[0].contains("unreachable"), "{e:?}");
}

#[tokio::test]
async fn validate_resource_runs_the_resources_cross_attribute_check() {
    let tf = Tf::start().await;
    let bad = tf.thing_config(&[
        ("name", s("alpha")),
        ("enabled", Value::Bool(false)),
        ("ip_address", s("10.0.0.4")),
    ]);
    let d = tf.validate(&bad).await;
    assert_eq!(error_paths(&d), [root().attr("ip_address")]);
    // Not decidable yet: no error.
    let later = with(&bad, "enabled", Value::unknown());
    assert_eq!(tf.validate(&later).await, vec![]);
}

#[tokio::test]
async fn validate_resource_warns_about_a_deprecated_argument_at_its_path() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("legacy_mode", Value::Bool(true))]);
    let d = tf.validate(&config).await;
    assert_severities_valid(&d);
    assert!(errors(&d).is_empty(), "{d:?}");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, pb::diagnostic::Severity::Warning as i32);
    assert_eq!(
        d[0].attribute.as_ref().map(path_of),
        Some(root().attr("legacy_mode"))
    );
    // Unset: no warning.
    let quiet = tf.thing_config(&[("name", s("alpha"))]);
    assert_eq!(tf.validate(&quiet).await, vec![]);
}

#[tokio::test]
async fn plan_carries_replacements_and_warnings_added_by_modify_plan() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    // Adding a zone: in place.
    let grown = with(&config, "zones", set(&["1", "2", "3"]));
    let plan = tf.plan(&prior, &grown).await;
    assert!(plan.requires_replace.is_empty());
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    // Removing one: the resource asks for replacement and says why.
    let shrunk = with(&config, "zones", set(&["2"]));
    let plan = tf.plan(&prior, &shrunk).await;
    assert_eq!(plan.requires_replace, [root().attr("zones")]);
    assert_eq!(plan.diagnostics.len(), 1, "{:?}", plan.diagnostics);
    let w = &plan.diagnostics[0];
    assert_eq!(w.severity, pb::diagnostic::Severity::Warning as i32);
    assert_eq!(
        w.attribute.as_ref().map(path_of),
        Some(root().attr("zones"))
    );
}

#[tokio::test]
async fn plan_passes_refined_unknowns_and_unknown_set_elements_through() {
    use astro_provider::framework::value::Refinements;
    let tf = Tf::start().await;
    let refined = Value::Unknown(Refinements {
        not_null: true,
        string_prefix: Some("alp".into()),
        ..Default::default()
    });
    let config = tf.thing_config(&[
        ("name", refined),
        ("zones", Value::Set(vec![s("1"), Value::unknown()])),
        (
            "tags",
            Value::Map([("team".to_string(), Value::unknown())].into()),
        ),
    ]);
    assert_eq!(tf.validate(&config).await, vec![]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.get_attr("name").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("display_name")
            .is_some_and(Value::is_unknown)
    );
    assert_eq!(plan.planned.get_attr("zones"), config.get_attr("zones"));
    assert_eq!(plan.planned.get_attr("tags"), config.get_attr("tags"));
}

#[tokio::test]
async fn read_that_fails_keeps_the_current_state_and_reports_the_error() {
    let tf = Tf::start().await;
    let state = tf.create(&tf.thing_config(&[("name", s("flaky-1"))])).await;
    let (kept, d, private) = tf.read(&state).await;
    let e = errors(&d);
    assert!(e.len() == 1 && e[0].contains("Read failed"), "{e:?}");
    assert_eq!(
        kept, state,
        "the state is not dropped because a read failed"
    );
    assert_eq!(private, PRIVATE);
}

#[tokio::test]
async fn apply_delete_that_fails_keeps_the_prior_state() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("description", s("sticky"))]);
    let prior = tf.create(&config).await;
    let applied = tf.apply(&prior, &Value::Null, &Value::Null).await;
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("Delete refused"), "{e:?}");
    assert_eq!(applied.state, prior);
    assert_eq!(tf.cloud.ids().len(), 1);
}

#[tokio::test]
async fn update_and_delete_deadlines_come_from_their_own_timeouts() {
    let tf = Tf::start().await;
    let timeouts = Value::object([
        ("create", Value::Null),
        ("read", Value::Null),
        ("update", s("1s")),
        ("delete", s("1s")),
    ]);
    let config = with(
        &tf.thing_config(&[("name", s("alpha"))]),
        "timeouts",
        timeouts,
    );
    let prior = tf.create(&config).await;
    // Update: the deadline is the planned state's timeouts.update.
    let slow = with(&config, "description", s("slow"));
    let plan = tf.plan(&prior, &slow).await;
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&prior, &plan.planned, &slow),
    )
    .await
    .expect("the update ends at its 1s deadline");
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("gave up after 1s"), "{e:?}");
    assert_eq!(
        applied.state, prior,
        "a failed update keeps the prior state"
    );

    // Delete: planned and config are null; the deadline comes from the prior state.
    tf.cloud.edit(
        prior.get_attr("id").and_then(Value::as_str).expect("id"),
        |m| {
            m.description = Some("slow".into());
        },
    );
    let slow_prior = with(&prior, "description", s("slow"));
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&slow_prior, &Value::Null, &Value::Null),
    )
    .await
    .expect("the delete ends at its 1s deadline");
    let e = errors(&applied.diagnostics);
    assert!(e.len() == 1 && e[0].contains("gave up after 1s"), "{e:?}");
    assert_eq!(applied.state, slow_prior);
}

#[tokio::test]
async fn a_malformed_dynamic_value_is_an_error_diagnostic() {
    let tf = Tf::start().await;
    let bad_values = [
        // msgpack: a string where the object should be.
        pb::DynamicValue {
            msgpack: vec![0xa1, b'x'],
            json: vec![],
        },
        // JSON: an attribute the schema does not have.
        pb::DynamicValue {
            msgpack: vec![],
            json: br#"{"name":"a","colour":"red"}"#.to_vec(),
        },
    ];
    for bad in bad_values {
        let d = tf
            .client
            .clone()
            .validate_resource_type_config(pb::validate_resource_type_config::Request {
                type_name: THING.into(),
                config: Some(bad.clone()),
                ..Default::default()
            })
            .await
            .expect("a diagnostic, not a gRPC error")
            .into_inner()
            .diagnostics;
        assert_eq!(errors(&d).len(), 1, "{bad:?}: {d:?}");
        let plan = tf
            .plan_raw(
                Some(bad.clone()),
                Some(bad.clone()),
                Some(bad),
                &Value::Null,
                &Value::Null,
            )
            .await;
        assert_eq!(errors(&plan.diagnostics).len(), 1, "{:?}", plan.diagnostics);
    }
}
