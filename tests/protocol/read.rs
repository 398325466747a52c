//! ReadResource, ImportResourceState and ReadDataSource: drift, missing objects, private bytes.

use super::*;

#[tokio::test]
async fn read_returns_drift_and_echoes_private_bytes() {
    let tf = Tf::start().await;
    let state = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("2h")),
    );
    let state = tf.create(&state).await;
    let id = state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("id")
        .to_string();
    // Unchanged remote object: same state back.
    let (same, d, private) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(same, state);
    assert_eq!(private, PRIVATE);
    // Someone changes it outside Terraform.
    tf.cloud.edit(&id, |m| {
        m.description = Some("changed outside".into());
        m.zones = Some(vec!["3".into()]);
    });
    let (drifted, d, private) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(private, PRIVATE);
    let want = with(
        &with(&state, "description", s("changed outside")),
        "zones",
        set(&["3"]),
    );
    assert_eq!(
        drifted, want,
        "drift returned; timeouts kept from the current state"
    );
}

#[tokio::test]
async fn read_of_an_object_deleted_outside_returns_null_state() {
    let tf = Tf::start().await;
    let state = tf.create(&full_config(&tf, "alpha")).await;
    let id = state.get_attr("id").and_then(Value::as_str).expect("id");
    tf.cloud.remove(id);
    let (gone, d, _) = tf.read(&state).await;
    assert!(errors(&d).is_empty(), "{d:?}");
    assert!(gone.is_null());
}

// ImportResourceState

async fn import(tf: &Tf, id: &str) -> pb::import_resource_state::Response {
    tf.client
        .clone()
        .import_resource_state(pb::import_resource_state::Request {
            type_name: THING.into(),
            id: id.into(),
            ..Default::default()
        })
        .await
        .expect("ImportResourceState")
        .into_inner()
}

#[tokio::test]
async fn import_returns_one_resource_of_its_type_which_read_completes() {
    let tf = Tf::start().await;
    let created = tf.create(&full_config(&tf, "alpha")).await;
    let id = created.get_attr("id").and_then(Value::as_str).expect("id");
    let resp = import(&tf, id).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.imported_resources.len(), 1);
    let imported = &resp.imported_resources[0];
    assert_eq!(imported.type_name, THING);
    let state = undv(imported.state.as_ref(), &tf.thing);
    assert_eq!(state, tf.thing_config(&[("id", s(id))]), "a partial state");
    // Terraform reads the imported object right away.
    let (full, d, _) = tf.read(&state).await;
    assert!(d.is_empty(), "{d:?}");
    let mut want = created.clone();
    want.set_attr("timeouts", Value::Null);
    assert_eq!(full, want);
}

#[tokio::test]
async fn import_with_a_malformed_id_returns_a_diagnostic_and_nothing() {
    let tf = Tf::start().await;
    let resp = import(&tf, "not-an-id").await;
    assert!(resp.imported_resources.is_empty());
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("Invalid import ID") && e[0].contains("not-an-id"),
        "{e:?}"
    );
}

#[tokio::test]
async fn import_of_a_missing_object_reads_as_null() {
    let tf = Tf::start().await;
    let resp = import(&tf, "thing-404").await;
    assert_eq!(resp.imported_resources.len(), 1);
    let state = undv(resp.imported_resources[0].state.as_ref(), &tf.thing);
    let (gone, _, _) = tf.read(&state).await;
    assert!(
        gone.is_null(),
        "Terraform then reports a non-existent remote object"
    );
}

// ReadDataSource

async fn read_lookup(tf: &Tf, id: &str) -> pb::read_data_source::Response {
    let config = object_of(&tf.lookup, &[("id", s(id))]);
    tf.client
        .clone()
        .read_data_source(pb::read_data_source::Request {
            type_name: LOOKUP.into(),
            config: Some(dv(&config, &tf.lookup)),
            ..Default::default()
        })
        .await
        .expect("ReadDataSource")
        .into_inner()
}

#[tokio::test]
async fn read_data_source_returns_every_computed_value() {
    let tf = Tf::start().await;
    let created = tf.create(&full_config(&tf, "alpha")).await;
    let id = created.get_attr("id").and_then(Value::as_str).expect("id");
    let resp = read_lookup(&tf, id).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let state = undv(resp.state.as_ref(), &tf.lookup);
    assert_eq!(
        state,
        object_of(
            &tf.lookup,
            &[
                ("id", s(id)),
                ("name", s("alpha")),
                ("tags", map(&[("team", "data")])),
                ("size", n(5)),
            ]
        )
    );
    assert!(state.is_wholly_known());
}

#[tokio::test]
async fn read_data_source_of_a_missing_object_is_an_error() {
    let tf = Tf::start().await;
    let resp = read_lookup(&tf, "thing-9").await;
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("thing-9"), "{e:?}");
    assert!(undv(resp.state.as_ref(), &tf.lookup).is_null());
}
