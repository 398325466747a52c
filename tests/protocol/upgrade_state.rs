//! UpgradeResourceState: stored JSON state read into the current schema.

use super::*;

pub(crate) async fn upgrade(
    tf: &Tf,
    version: i64,
    json: &str,
) -> pb::upgrade_resource_state::Response {
    tf.client
        .clone()
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: THING.into(),
            version,
            raw_state: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                ..Default::default()
            }),
        })
        .await
        .expect("UpgradeResourceState")
        .into_inner()
}

#[tokio::test]
async fn upgrade_state_drops_removed_attributes_and_nulls_missing_ones() {
    let tf = Tf::start().await;
    // Stored by an older provider: `legacy_field` and `timeouts.default` no longer exist,
    // `secret` and `zones` did not exist yet.
    let stored = r#"{"id":"thing-7","name":"alpha","description":"d","tier":"gold",
        "display_name":"Alpha","location":"eastus","size":3,"enabled":true,
        "ip_address":"10.0.0.4","tags":{"team":"data"},"revision":4,"legacy_field":"x",
        "timeouts":{"create":"1h","default":"10m"}}"#;
    let resp = upgrade(&tf, 0, stored).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let dvalue = resp.upgraded_state.expect("upgraded_state");
    assert!(!dvalue.msgpack.is_empty(), "answer in msgpack");
    let got = undv(Some(&dvalue), &tf.thing);
    let want = with(
        &tf.thing_config(&[
            ("id", s("thing-7")),
            ("name", s("alpha")),
            ("description", s("d")),
            ("tier", s("gold")),
            ("display_name", s("Alpha")),
            ("location", s("eastus")),
            ("size", n(3)),
            ("enabled", Value::Bool(true)),
            ("ip_address", s("10.0.0.4")),
            ("tags", map(&[("team", "data")])),
            ("revision", n(4)),
        ]),
        "timeouts",
        timeouts_value(Some("1h")),
    );
    assert_eq!(got, want);
    assert!(got.is_wholly_known());
}

#[tokio::test]
async fn upgrade_state_from_a_newer_schema_version_is_an_error() {
    let tf = Tf::start().await;
    let resp = upgrade(&tf, 1, r#"{"id":"thing-1","name":"a"}"#).await;
    let e = errors(&resp.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("version 1"), "{e:?}");
    assert!(resp.upgraded_state.is_none());
}
