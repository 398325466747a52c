//! A whole Terraform run, RPC by RPC: apply, re-plan, replace converge.

use super::*;

#[tokio::test]
async fn a_terraform_apply_then_replan_then_replace_converges() {
    let tf = Tf::start().await;
    let provider = object_of(&tf.provider, &[("endpoint", s("https://api.example"))]);
    assert_eq!(prepare(&tf, &provider).await.diagnostics, vec![]);
    let configured = configure(&tf, &provider).await;
    assert_eq!(configured.diagnostics, vec![]);

    // First apply.
    let config = with(
        &full_config(&tf, "alpha"),
        "timeouts",
        timeouts_value(Some("40m")),
    );
    assert_eq!(tf.validate(&config).await, vec![]);
    let state = tf.create(&config).await;

    // Next run: Terraform upgrades the stored JSON, refreshes, plans: nothing to do.
    let stored = json::encode(&state, &tf.thing).expect("state as Terraform stores it");
    let upgraded = upgrade(&tf, 0, std::str::from_utf8(&stored).expect("UTF-8")).await;
    assert_eq!(upgraded.diagnostics, vec![]);
    let upgraded = undv(upgraded.upgraded_state.as_ref(), &tf.thing);
    assert_eq!(upgraded, state);
    let (refreshed, d, _) = tf.read(&upgraded).await;
    assert_eq!(d, vec![]);
    let plan = tf.plan(&refreshed, &config).await;
    assert_eq!(plan.planned, refreshed, "no changes");

    // Rename: replace = plan, create-shaped plan, delete the old, create the new.
    let renamed = with(&config, "name", s("beta"));
    let plan = tf.plan(&refreshed, &renamed).await;
    assert_eq!(plan.requires_replace, [root().attr("name")]);
    let create_plan = tf.plan(&Value::Null, &renamed).await;
    let deleted = tf.apply(&refreshed, &Value::Null, &Value::Null).await;
    assert!(deleted.state.is_null() && deleted.diagnostics.is_empty());
    let created = tf.apply(&Value::Null, &create_plan.planned, &renamed).await;
    assert_eq!(created.diagnostics, vec![]);
    assert_ne!(created.state.get_attr("id"), refreshed.get_attr("id"));
    assert_eq!(tf.cloud.ids().len(), 1);
    assert_eq!(tf.cloud.calls(), ["create", "read", "delete", "create"]);
    let plan = tf.plan(&created.state, &renamed).await;
    assert_eq!(plan.planned, created.state, "converged");
}
