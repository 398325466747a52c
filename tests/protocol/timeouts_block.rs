//! The timeouts block on its own: changing only it applies without touching the object.

use super::*;

#[tokio::test]
async fn a_change_of_only_the_timeouts_block_applies_without_touching_the_object() {
    // Realistic after `terraform import`: the imported state has no timeouts, the config has.
    let tf = Tf::start().await;
    let config = full_config(&tf, "alpha");
    let prior = tf.create(&config).await;
    let timed = with(&config, "timeouts", timeouts_value(Some("1h")));
    let plan = tf.plan(&prior, &timed).await;
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.requires_replace.is_empty());
    assert_eq!(
        plan.planned,
        with(&prior, "timeouts", timeouts_value(Some("1h")))
    );
    // `apply` checks the result against the plan as Terraform does.
    let applied = tf.apply(&prior, &plan.planned, &timed).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(applied.state, plan.planned);
    assert_eq!(
        tf.cloud.calls(),
        ["create"],
        "no remote write for a timeouts change"
    );
}
