//! PlanResourceChange: unknown marking, defaults, replacement and stable answers.

use super::*;

#[tokio::test]
async fn plan_create_marks_computed_unknown_and_fills_defaults() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("alpha")), ("size", n(2))]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.requires_replace.is_empty());
    assert_eq!(
        plan.private, PRIVATE,
        "prior_private is carried into planned_private"
    );
    let want = tf.thing_config(&[
        ("id", Value::unknown()),
        ("revision", Value::unknown()),
        ("name", s("alpha")),
        ("size", n(2)),
        ("tier", s(DEFAULT_TIER)),
        ("display_name", s("alpha")),
    ]);
    assert_eq!(plan.planned, want);
    assert!(plan.planned.get_attr("id").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("revision")
            .is_some_and(Value::is_unknown)
    );
    // Configured values win over defaults.
    let config = tf.thing_config(&[
        ("name", s("alpha")),
        ("tier", s("gold")),
        ("display_name", s("Alpha!")),
    ]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert_eq!(plan.planned.get_attr("tier"), Some(&s("gold")));
    assert_eq!(plan.planned.get_attr("display_name"), Some(&s("Alpha!")));
}

#[tokio::test]
async fn plan_create_defaults_from_an_unknown_attribute_to_unknown() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", Value::unknown())]);
    let plan = tf.plan(&Value::Null, &config).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.get_attr("name").is_some_and(Value::is_unknown));
    assert!(
        plan.planned
            .get_attr("display_name")
            .is_some_and(Value::is_unknown)
    );
    assert_eq!(plan.planned.get_attr("tier"), Some(&s(DEFAULT_TIER)));
}

#[tokio::test]
async fn plan_update_in_place_keeps_use_state_for_unknown_and_recomputes_the_rest() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&config, "description", s("second"));
    let plan = tf.plan(&prior, &changed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.requires_replace, Vec::<AttributePath>::new());
    let want = with(
        &with(&prior, "description", s("second")),
        "revision",
        Value::unknown(),
    );
    assert_eq!(plan.planned, want);
    assert_eq!(plan.planned.get_attr("id"), prior.get_attr("id"));
    assert!(
        plan.planned
            .get_attr("revision")
            .is_some_and(Value::is_unknown)
    );
}

#[tokio::test]
async fn plan_change_of_a_force_new_attribute_requires_replace_at_its_path() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let renamed = with(&config, "name", s("beta"));
    let plan = tf.plan(&prior, &renamed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.requires_replace, [root().attr("name")]);
    // The default that follows `name` follows the new name.
    assert_eq!(plan.planned.get_attr("display_name"), Some(&s("beta")));
    // Terraform then plans the replacement as a create (prior null).
    let create = tf.plan(&Value::Null, &renamed).await;
    assert!(create.requires_replace.is_empty());
    assert!(create.planned.get_attr("id").is_some_and(Value::is_unknown));
    // An in-place attribute alongside a forcing one is still only the forcing path.
    let both = with(&renamed, "description", s("other"));
    let plan = tf.plan(&prior, &both).await;
    assert_eq!(plan.requires_replace, [root().attr("name")]);
}

#[tokio::test]
async fn plan_without_changes_equals_prior() {
    let tf = Tf::start().await;
    for config in [
        full_config(&tf, "alpha"),
        tf.thing_config(&[("name", s("bare"))]),
        with(
            &full_config(&tf, "timed"),
            "timeouts",
            timeouts_value(Some("1h")),
        ),
    ] {
        let prior = tf.create(&config).await;
        let plan = tf.plan(&prior, &config).await;
        assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
        assert_eq!(plan.planned, prior);
        assert!(plan.requires_replace.is_empty());
        // Byte for byte what Terraform compares after decoding.
        assert_eq!(dv(&plan.planned, &tf.thing), dv(&prior, &tf.thing));
    }
}

#[tokio::test]
async fn plan_keeps_the_prior_value_of_a_semantically_equal_attribute() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    assert_eq!(prior.get_attr("location"), Some(&s("eastus")));
    let spelled = with(&config, "location", s("East US"));
    let plan = tf.plan(&prior, &spelled).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert_eq!(plan.planned.get_attr("location"), Some(&s("eastus")));
    assert_eq!(plan.planned, prior, "no diff at all");
    assert!(plan.requires_replace.is_empty());
    // A real change of the same (force-new) attribute replaces.
    let moved = with(&config, "location", s("westeurope"));
    let plan = tf.plan(&prior, &moved).await;
    assert_eq!(plan.planned.get_attr("location"), Some(&s("westeurope")));
    assert_eq!(plan.requires_replace, [root().attr("location")]);
}

#[tokio::test]
async fn plan_twice_with_the_same_inputs_gives_the_same_answer() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let first = tf.plan(&Value::Null, &config).await;
    let second = tf.plan(&Value::Null, &config).await;
    assert_eq!(first, second);
    let prior = tf.create(&config).await;
    let changed = with(&with(&config, "name", s("beta")), "size", n(9));
    let first = tf.plan(&prior, &changed).await;
    let second = tf.plan(&prior, &changed).await;
    assert_eq!(first, second);
    assert_eq!(
        dv(&first.planned, &tf.thing),
        dv(&second.planned, &tf.thing)
    );
}

#[tokio::test]
async fn final_plan_with_known_values_is_compatible_with_the_first_plan() {
    // Terraform plans with unknown references, then re-plans during apply with the values
    // known, and rejects a final plan that contradicts a known value of the first.
    let tf = Tf::start().await;
    let early = tf.thing_config(&[("name", Value::unknown()), ("size", n(3))]);
    let late = with(&early, "name", s("known-now"));
    let first = tf.plan(&Value::Null, &early).await;
    let last = tf.plan(&Value::Null, &late).await;
    let mut problems = Vec::new();
    harness::compatible(&first.planned, &last.planned, &root(), &mut problems);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(last.planned.get_attr("display_name"), Some(&s("known-now")));
}

#[tokio::test]
async fn plan_for_a_destroy_is_null() {
    let tf = Tf::start().await;
    let prior = tf.create(&tf.thing_config(&[("name", s("alpha"))])).await;
    let plan = tf
        .plan_raw(
            Some(dv(&prior, &tf.thing)),
            Some(dv(&Value::Null, &tf.thing)),
            Some(dv(&Value::Null, &tf.thing)),
            &prior,
            &Value::Null,
        )
        .await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned.is_null());
    assert!(plan.requires_replace.is_empty());
}
