//! DynamicValue encodings: JSON is read like msgpack, an empty value is null, malformed input is a diagnostic.

use super::*;

fn json_dv(v: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: vec![],
        json: json::encode(v, ty).expect("JSON-encode a test value"),
    }
}

#[tokio::test]
async fn a_json_dynamic_value_is_read_like_msgpack() {
    let tf = Tf::start().await;
    // Validation: the same diagnostics from either encoding.
    let bad = tf.thing_config(&[("name", s("alpha")), ("ip_address", s("nope"))]);
    let via_json = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: THING.into(),
            config: Some(json_dv(&bad, &tf.thing)),
            ..Default::default()
        })
        .await
        .expect("ValidateResourceTypeConfig")
        .into_inner()
        .diagnostics;
    assert_eq!(error_paths(&via_json), [root().attr("ip_address")]);
    assert_eq!(via_json, tf.validate(&bad).await);

    // Planning an update from JSON values gives the msgpack answer.
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&config, "size", n(7));
    let proposed = harness::proposed_new(tf.thing_block(), &prior, &changed);
    let from_json = tf
        .plan_raw(
            Some(json_dv(&prior, &tf.thing)),
            Some(json_dv(&proposed, &tf.thing)),
            Some(json_dv(&changed, &tf.thing)),
            &prior,
            &changed,
        )
        .await;
    let from_msgpack = tf.plan(&prior, &changed).await;
    assert_eq!(from_json, from_msgpack);
    assert_eq!(from_json.planned.get_attr("size"), Some(&n(7)));

    // A hand-written JSON config that leaves attributes out (they read as null).
    let minimal = pb::DynamicValue {
        msgpack: vec![],
        json: br#"{"name":"alpha","size":0}"#.to_vec(),
    };
    let d = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: THING.into(),
            config: Some(minimal),
            ..Default::default()
        })
        .await
        .expect("ValidateResourceTypeConfig")
        .into_inner()
        .diagnostics;
    assert_eq!(error_paths(&d), [root().attr("size")]);
}

#[tokio::test]
async fn an_empty_dynamic_value_means_null() {
    let tf = Tf::start().await;
    let empty = || Some(pb::DynamicValue::default());
    // Plan with an empty prior state is a create plan.
    let config = tf.thing_config(&[("name", s("alpha"))]);
    let proposed = harness::proposed_new(tf.thing_block(), &Value::Null, &config);
    let plan = tf
        .plan_raw(
            empty(),
            Some(dv(&proposed, &tf.thing)),
            Some(dv(&config, &tf.thing)),
            &Value::Null,
            &config,
        )
        .await;
    assert_eq!(plan, tf.plan(&Value::Null, &config).await);
    assert!(plan.planned.get_attr("id").is_some_and(Value::is_unknown));
    // Apply with an empty prior state creates.
    let created = tf
        .apply_raw(
            empty(),
            Some(dv(&plan.planned, &tf.thing)),
            Some(dv(&config, &tf.thing)),
            &plan.planned,
        )
        .await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    assert_eq!(tf.cloud.calls(), ["create"]);
    // Apply with an empty (or absent) planned state deletes.
    let deleted = tf
        .apply_raw(
            Some(dv(&created.state, &tf.thing)),
            empty(),
            empty(),
            &Value::Null,
        )
        .await;
    assert!(deleted.diagnostics.is_empty(), "{:?}", deleted.diagnostics);
    assert!(deleted.state.is_null());
    assert_eq!(tf.cloud.calls(), ["create", "delete"]);
    assert!(tf.cloud.ids().is_empty());
    let again = tf.create(&config).await;
    let deleted = tf
        .apply_raw(Some(dv(&again, &tf.thing)), None, None, &Value::Null)
        .await;
    assert!(deleted.diagnostics.is_empty() && deleted.state.is_null());
    assert!(tf.cloud.ids().is_empty());
    // Read of an empty current state is null, without calling the resource.
    let resp = tf
        .client
        .clone()
        .read_resource(pb::read_resource::Request {
            type_name: THING.into(),
            current_state: empty(),
            ..Default::default()
        })
        .await
        .expect("ReadResource")
        .into_inner();
    assert!(resp.diagnostics.is_empty());
    assert!(undv(resp.new_state.as_ref(), &tf.thing).is_null());
    assert!(!tf.cloud.calls().contains(&"read".to_string()));
}
