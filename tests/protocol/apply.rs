//! ApplyResourceChange: create, update and delete, partial state on failure, deadlines.

use super::*;

#[tokio::test]
async fn apply_create_returns_a_wholly_known_state_with_timeouts_carried_over() {
    let tf = Tf::start().await;
    let config = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("30m")),
    );
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.private, PRIVATE, "planned_private is stored");
    let state = applied.state;
    assert!(state.is_wholly_known());
    let id = state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("id set")
        .to_string();
    assert_eq!(state.get_attr("revision"), Some(&n(1)));
    assert_eq!(
        state.get_attr("timeouts"),
        Some(&timeouts_value(Some("30m")))
    );
    assert_eq!(state.get_attr("zones"), Some(&set(&["1", "2"])));
    assert_eq!(state.get_attr("secret"), Some(&s("hunter2")));
    assert_eq!(tf.cloud.calls(), ["create"]);
    let stored = tf.cloud.get(&id).expect("created in the cloud");
    assert_eq!(stored.tier.as_deref(), Some(DEFAULT_TIER));
    assert_eq!(stored.display_name.as_deref(), Some("alpha"));
}

#[tokio::test]
async fn apply_with_prior_and_planned_state_updates_in_place() {
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let changed = with(&with(&config, "description", s("second")), "tags", map(&[]));
    let plan = tf.plan(&prior, &changed).await;
    let applied = tf.apply(&prior, &plan.planned, &changed).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(tf.cloud.calls(), ["create", "update"]);
    let state = applied.state;
    assert_eq!(state.get_attr("id"), prior.get_attr("id"));
    assert_eq!(state.get_attr("revision"), Some(&n(2)));
    assert_eq!(state.get_attr("description"), Some(&s("second")));
    assert_eq!(state.get_attr("tags"), Some(&map(&[])));
    assert_eq!(tf.cloud.ids().len(), 1);
}

#[tokio::test]
async fn apply_with_null_planned_state_deletes_and_returns_null() {
    let tf = Tf::start().await;
    let prior = tf.create(&full_config(&tf, "alpha")).await;
    let applied = tf.apply(&prior, &Value::Null, &Value::Null).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        applied.state_present,
        "new_state must be present (as a null)"
    );
    assert!(applied.state.is_null());
    assert_eq!(tf.cloud.calls(), ["create", "delete"]);
    assert!(tf.cloud.ids().is_empty());
}

#[tokio::test]
async fn apply_create_that_fails_half_way_returns_the_partial_state_and_an_error() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("partial-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    let e = errors(&applied.diagnostics);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("half-way"), "{e:?}");
    // What exists is saved (Terraform marks it tainted), not lost.
    let id = applied
        .state
        .get_attr("id")
        .and_then(Value::as_str)
        .expect("the partial state has the created object's id");
    assert!(tf.cloud.get(id).is_some());
    assert_eq!(applied.state.get_attr("name"), Some(&s("partial-1")));
}

#[tokio::test]
async fn apply_create_that_fails_outright_returns_null_state_and_an_error() {
    let tf = Tf::start().await;
    let config = tf.thing_config(&[("name", s("reject-1"))]);
    let plan = tf.plan(&Value::Null, &config).await;
    let applied = tf.apply(&Value::Null, &plan.planned, &config).await;
    assert_eq!(errors(&applied.diagnostics).len(), 1);
    assert!(applied.state.is_null());
    assert!(tf.cloud.ids().is_empty());
}

#[tokio::test]
async fn apply_create_gives_up_at_the_deadline_from_the_timeouts_block() {
    let tf = Tf::start().await;
    let config = with(
        &tf.thing_config(&[("name", s("slow-timed"))]),
        "timeouts",
        timeouts_value(Some("1s")),
    );
    let plan = tf.plan(&Value::Null, &config).await;
    let started = Instant::now();
    let applied = tokio::time::timeout(
        Duration::from_secs(30),
        tf.apply(&Value::Null, &plan.planned, &config),
    )
    .await
    .expect("the create must end at its 1s deadline, not the 20m default");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "{took:?}");
    let e = errors(&applied.diagnostics);
    assert!(
        e.len() == 1 && e[0].contains("timed out") && e[0].contains("1s"),
        "{e:?}"
    );
}
