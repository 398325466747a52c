//! StopProvider: every apply in flight is cancelled and returns an error.

use super::*;

#[tokio::test]
async fn stop_cancels_every_apply_in_flight_which_return_with_an_error() {
    let tf = Tf::start().await;
    let mut in_flight = Vec::new();
    for name in ["slow-1", "slow-2"] {
        let config = tf.thing_config(&[("name", s(name))]);
        let plan = tf.plan(&Value::Null, &config).await;
        in_flight.push(tokio::spawn(apply_call(
            tf.client.clone(),
            Some(dv(&Value::Null, &tf.thing)),
            Some(dv(&plan.planned, &tf.thing)),
            Some(dv(&config, &tf.thing)),
        )));
    }
    // Generous limits: a safety net for a hung run (the creates block until cancelled, and
    // their own deadline is 20 minutes away), never a measure of speed.
    let started = tokio::time::timeout(
        Duration::from_secs(60),
        tf.cloud.slow_started.acquire_many(2),
    )
    .await
    .expect("both slow creates started");
    started.expect("semaphore open").forget();
    let stop = tf
        .client
        .clone()
        .stop(pb::stop::Request {})
        .await
        .expect("Stop")
        .into_inner();
    assert_eq!(stop.error, "");
    for task in in_flight {
        let resp = tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("the apply returned after Stop")
            .expect("apply task");
        let e = errors(&resp.diagnostics);
        assert!(e.len() == 1 && e[0].contains("cancelled"), "{e:?}");
        assert!(undv(resp.new_state.as_ref(), &tf.thing).is_null());
    }

    // Operations after Stop are not cancelled by it.
    let state = tf
        .create(&tf.thing_config(&[("name", s("after-stop"))]))
        .await;
    assert!(state.get_attr("id").is_some_and(|v| !v.is_null()));
}
