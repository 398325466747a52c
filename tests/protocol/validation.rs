//! ValidateResourceTypeConfig and ValidateDataSourceConfig: diagnostics at attribute paths, unknowns skipped.

use super::*;

#[tokio::test]
async fn validate_resource_reports_each_validator_failure_at_its_path() {
    let tf = Tf::start().await;
    let config = with(
        &tf.thing_config(&[
            ("name", s("alpha")),
            ("size", n(0)),
            ("ip_address", s("10.0.0.300")),
            (
                "tags",
                map(&[("ok", "fine"), ("team", "far-too-long-value")]),
            ),
        ]),
        "timeouts",
        timeouts_value(Some("soon")),
    );
    let d = tf.validate(&config).await;
    assert_severities_valid(&d);
    let mut paths = error_paths(&d);
    paths.sort_by_key(|p| p.to_string());
    assert_eq!(
        paths,
        [
            root().attr("ip_address"),
            root().attr("size"),
            root().attr("tags").key("team"),
            root().attr("timeouts").attr("create"),
        ],
        "{:#?}",
        errors(&d)
    );
    // Each diagnostic points at the offending attribute with wire steps Terraform maps to HCL.
    let tag = d
        .iter()
        .find(|x| x.attribute.as_ref().map(path_of) == Some(root().attr("tags").key("team")))
        .expect("tags diagnostic");
    let steps = &tag.attribute.as_ref().expect("path").steps;
    use pb::attribute_path::step::Selector;
    assert_eq!(
        steps.iter().map(|s| s.selector.clone()).collect::<Vec<_>>(),
        [
            Some(Selector::AttributeName("tags".into())),
            Some(Selector::ElementKeyString("team".into())),
        ]
    );
}

#[tokio::test]
async fn validate_resource_accepts_valid_config_and_skips_unknown_values() {
    let tf = Tf::start().await;
    let valid = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("45m")),
    );
    assert_eq!(tf.validate(&valid).await, vec![]);

    // In the validate walk every variable is unknown: whole values, map elements, blocks.
    let unknowns = with(
        &tf.thing_config(&[
            ("name", Value::unknown()),
            ("size", Value::unknown()),
            ("ip_address", Value::unknown()),
            (
                "tags",
                Value::Map([("team".to_string(), Value::unknown())].into()),
            ),
            ("zones", Value::unknown()),
        ]),
        "timeouts",
        Value::object([
            ("create", Value::unknown()),
            ("read", Value::Null),
            ("update", Value::Null),
            ("delete", Value::Null),
        ]),
    );
    assert_eq!(tf.validate(&unknowns).await, vec![]);
    let whole_unknown_map = tf.thing_config(&[("name", s("a")), ("tags", Value::unknown())]);
    assert_eq!(tf.validate(&whole_unknown_map).await, vec![]);
}

async fn validate_lookup(tf: &Tf, id: Value) -> Vec<pb::Diagnostic> {
    tf.client
        .clone()
        .validate_data_source_config(pb::validate_data_source_config::Request {
            type_name: LOOKUP.into(),
            config: Some(dv(&object_of(&tf.lookup, &[("id", id)]), &tf.lookup)),
        })
        .await
        .expect("ValidateDataSourceConfig")
        .into_inner()
        .diagnostics
}

#[tokio::test]
async fn validate_data_source_reports_a_bad_id_and_skips_unknown() {
    let tf = Tf::start().await;
    assert_eq!(validate_lookup(&tf, s("thing-12")).await, vec![]);
    assert_eq!(validate_lookup(&tf, Value::unknown()).await, vec![]);
    let d = validate_lookup(&tf, s("widget-1")).await;
    assert_eq!(error_paths(&d), [root().attr("id")]);
    assert!(errors(&d)[0].contains("widget-1"), "{:?}", errors(&d));
}

#[tokio::test]
async fn an_unknown_type_name_is_an_error_naming_the_type() {
    let tf = Tf::start().await;
    let got = tf
        .client
        .clone()
        .validate_resource_type_config(pb::validate_resource_type_config::Request {
            type_name: "test_nope".into(),
            config: Some(dv(&Value::Null, &tf.thing)),
            ..Default::default()
        })
        .await;
    let text = match got {
        Err(status) => status.message().to_string(),
        Ok(resp) => errors(&resp.into_inner().diagnostics).join("\n"),
    };
    assert!(text.contains("test_nope"), "{text:?}");
}
