//! The management API: faults (429 + Retry-After, 500, latency, the 404 window), the request
//! log, approve/reject, out-of-band edits, verify, reset, and graceful shutdown.

mod common;

use std::time::{Duration, Instant};

use astro_provider::sandbox::Faults;
use common::sandbox_env::{Env, start, start_with};
use common::wait;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn rg_path(env: &Env) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents",
        env.sub()
    )
}

#[tokio::test]
async fn throttling_and_errors_hit_arm_only() {
    let env = start().await;
    env.set_faults(json!({"throttle_rate": 1.0, "retry_after_secs": 7}))
        .await;
    let throttled = env.get(&rg_path(&env)).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "TooManyRequests");
    assert_eq!(throttled.header("retry-after").as_deref(), Some("7"));
    // Token endpoint and management API are never faulted.
    assert_eq!(
        env.token_with(&[("client_secret", "sandbox-client-secret")])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        env.mgmt(Method::GET, "health", None).await.status,
        StatusCode::OK
    );

    env.set_faults(json!({"error_rate": 1.0})).await;
    let failed = env.get(&rg_path(&env)).await;
    assert_eq!(
        (failed.status, failed.code()),
        (StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError")
    );

    // A partial rate: some of each, deterministic for a seed.
    let count_throttled = |seed: u64| {
        let env = &env;
        async move {
            env.set_faults(json!({"throttle_rate": 0.5, "rng_seed": seed}))
                .await;
            let mut statuses = Vec::new();
            for _ in 0..20 {
                statuses.push(env.get(&rg_path(env)).await.status.as_u16());
            }
            statuses
        }
    };
    let first = count_throttled(42).await;
    let second = count_throttled(42).await;
    assert_eq!(first, second, "same seed, same faults");
    let throttled = first.iter().filter(|s| **s == 429).count();
    assert!((3..=17).contains(&throttled), "{first:?}");
    assert!(first.contains(&200));

    let unknown_route = env.mgmt(Method::GET, "nope", None).await;
    assert_eq!(unknown_route.status, StatusCode::NOT_FOUND);
    assert!(
        unknown_route.body["error"]
            .as_str()
            .is_some_and(|e| e.contains("/nope"))
    );
    let invalid = env
        .mgmt(Method::PUT, "faults", Some(json!({"throttle_rate": 2.0})))
        .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    let unknown = env
        .mgmt(Method::PUT, "faults", Some(json!({"throttle": 1})))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let current = env.mgmt(Method::GET, "faults", None).await;
    assert_eq!(current.body["rng_seed"], 42);
}

#[tokio::test]
async fn latency_is_added_per_request() {
    let env = start().await;
    env.set_faults(json!({"latency_ms": 150})).await;
    let started = Instant::now();
    assert_eq!(env.get(&rg_path(&env)).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(150));
    // With ten minutes added to every ARM request, the management API still answers within
    // the client's own timeout: it is not delayed.
    env.set_faults(json!({"latency_ms": 600_000})).await;
    let health = env.mgmt(Method::GET, "health", None).await;
    assert_eq!(health.status, StatusCode::OK, "management is not delayed");
}

#[tokio::test]
async fn read_after_write_404_window() {
    let env = start().await;
    // A window far longer than the next request takes even on a loaded machine.
    env.set_faults(json!({"lro_polls": 0, "not_found_window_ms": 3000}))
        .await;
    let id = env.pe_id("fresh");
    let before_put = Instant::now();
    let created = env
        .put(
            &id,
            env.pe_body(
                &env.var("ASTRO_SANDBOX_SUBNET_ID"),
                &env.var("ASTRO_SANDBOX_PLS_ALIAS"),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(
        created.body["properties"]["provisioningState"], "Succeeded",
        "lro_polls 0 completes at once"
    );
    assert_eq!(env.get(&id).await.code(), "ResourceNotFound");
    wait::until_async("the endpoint to become readable", || async {
        (env.get(&id).await.status == StatusCode::OK).then_some(())
    })
    .await;
    assert!(
        before_put.elapsed() >= Duration::from_millis(3000),
        "hidden for the whole window"
    );
}

#[tokio::test]
async fn request_log_counts_by_method_and_type() {
    let env = start().await;
    env.mgmt(Method::DELETE, "requests", None).await;
    env.create_pe("counted").await;
    env.get(&env.pe_id("counted")).await;
    env.mgmt(Method::GET, "resources", None).await;
    let summary = env.mgmt(Method::GET, "requests/summary", None).await.body;
    assert_eq!(summary["by_method_and_type"]["PUT privateEndpoints"], 1);
    assert_eq!(summary["by_method_and_type"]["GET privateEndpoints"], 2);
    assert_eq!(summary["by_method_and_type"]["GET operations"], 2);
    assert_eq!(summary["by_method"]["PUT"], 1);
    assert_eq!(summary["total"], 5);
    let log = env.mgmt(Method::GET, "requests", None).await.body;
    let first = &log[0];
    assert_eq!(first["method"], "PUT");
    assert_eq!(first["resource_type"], "privateEndpoints");
    assert_eq!(first["status"], 201);
    assert!(
        first["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/privateEndpoints/counted"))
    );
    assert!(first["ms"].is_u64());
    let (received, answered) = (first["received_us"].as_u64(), first["answered_us"].as_u64());
    assert!(
        received.is_some() && answered >= received,
        "arrival and answer stamped: {first}"
    );
    assert!(!log.to_string().contains(&env.token), "tokens never logged");
    env.mgmt(Method::DELETE, "requests", None).await;
    assert_eq!(
        env.mgmt(Method::GET, "requests/summary", None).await.body["total"],
        0
    );
}

#[tokio::test]
async fn approve_endpoint_and_verify() {
    let env = start().await;
    let pe = env.create_pe("astro-privatelink").await;
    let pe_id = pe["id"].as_str().expect("id").to_string();
    let nic = env
        .get(
            pe["properties"]["networkInterfaces"][0]["id"]
                .as_str()
                .expect("nic"),
        )
        .await;
    let ip = nic.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .expect("ip")
        .to_string();
    let zone = env.zone_id("external.astronomer.run");
    env.create_zone(&zone).await;
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    env.create_link(&zone, "agents", &vnet).await;
    env.put(
        &format!("{zone}/A/clxyz"),
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": ip}]}}),
    )
    .await;

    let verify = |vnet: String| {
        let env = &env;
        async move {
            let query = common::sandbox_env::form(&[
                ("vnet_id", vnet.as_str()),
                ("host", "clxyz.external.astronomer.run"),
            ]);
            let url = format!("{}/_sandbox/verify?{query}", env.base);
            let response = env.client.get(url).send().await.expect("verify");
            response.json::<serde_json::Value>().await.expect("json")
        }
    };
    let pending = verify(vnet.clone()).await;
    assert_eq!(pending["resolved"], ip);
    assert_eq!(pending["connection_status"], "Pending");
    assert!(
        pending["http"]
            .as_str()
            .is_some_and(|h| h.contains("timed out")),
        "{pending}"
    );

    let approved = env
        .mgmt(
            Method::POST,
            "approve",
            Some(json!({"private_endpoint_id": pe_id, "status": "Approved", "description": "ok"})),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{approved:?}");
    let state = env.get(&pe_id).await.body["properties"]["manualPrivateLinkServiceConnections"][0]
        ["properties"]["privateLinkServiceConnectionState"]
        .clone();
    assert_eq!(state["status"], "Approved");
    assert_eq!(state["description"], "ok");
    let ok = verify(vnet.clone()).await;
    assert_eq!(ok["http"], "404 page not found");
    assert_eq!(ok["zone"], "external.astronomer.run");

    // From the unlinked VNet the name does not resolve.
    let other = env.net("rg-astro-agents", "virtualNetworks/vnet-agents-2");
    let unlinked = verify(other).await;
    assert_eq!(unlinked["resolved"], serde_json::Value::Null);

    // Drift: the record now points elsewhere → resolves, but no endpoint answers.
    let record = format!("{zone}/A/clxyz");
    let oob = env
        .mgmt(
            Method::POST,
            "oob",
            Some(json!({"op": "set_a_record", "id": record, "ipv4": ["10.10.1.99"], "ttl": 60})),
        )
        .await;
    assert_eq!(oob.status, StatusCode::OK);
    let drifted = env.get(&record).await.body;
    assert_eq!(
        drifted["properties"]["aRecords"][0]["ipv4Address"],
        "10.10.1.99"
    );
    assert_eq!(drifted["properties"]["ttl"], 60);
    assert_ne!(verify(vnet.clone()).await["http"], "404 page not found");

    // Rejected and Disconnected through the management API.
    for status in ["Rejected", "Disconnected"] {
        env.mgmt(
            Method::POST,
            "approve",
            Some(json!({"private_endpoint_id": pe_id, "status": status})),
        )
        .await;
        let state = env.get(&pe_id).await.body["properties"]["manualPrivateLinkServiceConnections"]
            [0]["properties"]["privateLinkServiceConnectionState"]["status"]
            .clone();
        assert_eq!(state, status);
    }
    let bad = env
        .mgmt(
            Method::POST,
            "approve",
            Some(json!({"private_endpoint_id": pe_id, "status": "Maybe"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let missing = env
        .mgmt(
            Method::POST,
            "approve",
            Some(json!({"private_endpoint_id": env.pe_id("nope"), "status": "Approved"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn out_of_band_edits_and_reset() {
    let env = start().await;
    let pe = env.create_pe("drifty").await;
    let pe_id = pe["id"].as_str().expect("id").to_string();
    let tags = env
        .mgmt(
            Method::POST,
            "oob",
            Some(json!({"op": "set_tags", "id": pe_id, "tags": {"changed": "yes"}})),
        )
        .await;
    assert_eq!(tags.status, StatusCode::OK);
    assert_eq!(
        env.get(&pe_id).await.body["tags"],
        json!({"changed": "yes"})
    );

    let zone = env.zone_id("external.astronomer.run");
    env.create_zone(&zone).await;
    env.create_link(&zone, "agents", &env.var("ASTRO_SANDBOX_VNET_ID"))
        .await;
    let record = format!("{zone}/A/clxyz");
    env.put(
        &record,
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.10.1.4"}]}}),
    )
    .await;
    for id in [record.clone(), format!("{zone}/virtualNetworkLinks/agents")] {
        let deleted = env
            .mgmt(Method::POST, "oob", Some(json!({"op": "delete", "id": id})))
            .await;
        assert_eq!(deleted.status, StatusCode::OK, "{id}");
        assert_eq!(env.get(&id).await.status, StatusCode::NOT_FOUND, "{id}");
    }
    let missing = env
        .mgmt(
            Method::POST,
            "oob",
            Some(json!({"op": "delete", "id": record})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = env
        .mgmt(
            Method::POST,
            "oob",
            Some(json!({"op": "explode", "id": record})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // Deleting the PE out of band removes its NIC and the PLS connection too.
    env.mgmt(
        Method::POST,
        "oob",
        Some(json!({"op": "delete", "id": pe_id})),
    )
    .await;
    let resources = env.mgmt(Method::GET, "resources", None).await.body;
    let ids: Vec<String> = serde_json::from_value(resources).expect("ids");
    assert_eq!(
        ids,
        vec![zone.clone()],
        "only the zone is left (SOA excluded)"
    );

    let reset = env.mgmt(Method::POST, "reset", None).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert_eq!(
        env.mgmt(Method::GET, "resources", None).await.body,
        json!([])
    );
    assert_eq!(
        env.get(&rg_path(&env)).await.status,
        StatusCode::OK,
        "tokens survive reset"
    );
}

#[tokio::test]
async fn shutdown_is_graceful() {
    let env = start().await;
    env.set_faults(json!({"latency_ms": 300})).await;
    let received = |health: serde_json::Value| health["arm_requests"]["received"].as_u64();
    let before = received(env.mgmt(Method::GET, "health", None).await.body).expect("count");
    let client = env.client.clone();
    let url = format!("{}{}?api-version=2024-03-01", env.base, rg_path(&env));
    let token = env.token.clone();
    let in_flight = tokio::spawn(async move {
        client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map(|r| r.status())
    });
    // The event: the sandbox has received the request (it is in its 300 ms of latency, or
    // answered already on a stalled machine, which the assertions below also accept).
    wait::until_async("the GET to reach the sandbox", || async {
        let now = received(env.mgmt(Method::GET, "health", None).await.body)?;
        (now > before).then_some(())
    })
    .await;
    let base = env.base.clone();
    let client = env.client.clone();
    env.sandbox.shutdown().await;
    let status = in_flight
        .await
        .expect("join")
        .expect("in-flight request finished");
    assert_eq!(status, StatusCode::OK);
    let fresh = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    assert!(
        fresh
            .get(format!("{base}/_sandbox/health"))
            .send()
            .await
            .is_err()
    );
    drop(client);
}

#[tokio::test]
async fn injected_lro_failure_ends_failed() {
    let env = start().await;
    env.set_faults(json!({"lro_failure_rate": 1.0})).await;
    let id = env.pe_id("doomed");
    let created = env
        .put(
            &id,
            env.pe_body(
                &env.var("ASTRO_SANDBOX_SUBNET_ID"),
                &env.var("ASTRO_SANDBOX_PLS_ALIAS"),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let (status, _) = env
        .poll_status(&created.header("azure-asyncoperation").expect("op"))
        .await;
    assert_eq!(status["status"], "Failed");
    assert_eq!(status["error"]["code"], "InternalServerError");
    assert_eq!(
        env.get(&id).await.body["properties"]["provisioningState"],
        "Failed"
    );
    // The delete's Location answers the error once done.
    let deleted = env.delete(&id).await;
    let (done, _) = env
        .poll_location(&deleted.header("location").expect("location"))
        .await;
    assert_eq!(done.status, StatusCode::INTERNAL_SERVER_ERROR);
    env.set_faults(json!({})).await;
    let retried = env.delete(&id).await;
    let (done, _) = env
        .poll_location(&retried.header("location").expect("location"))
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
}

/// The sandbox keeps serving while the caller's (current-thread) runtime is blocked, e.g.
/// by a test that runs `terraform` synchronously.
#[tokio::test]
async fn serves_while_the_callers_runtime_is_blocked() {
    let env = start().await;
    // A fresh client: a pooled connection of env.client would live on the blocked runtime.
    let client = common::sandbox_env::client_for(env.sandbox.ca_pem());
    let url = format!("{}/_sandbox/health", env.base);
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move { client.get(url).send().await.map(|r| r.status()) })
    });
    // Blocking join on this runtime's only thread.
    let status = worker.join().expect("join").expect("health answered");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_operation_nobody_polls_finishes_by_itself() {
    let env = start_with(Faults {
        lro_polls: 1000,
        retry_after_secs: 0,
        ..Faults::default()
    })
    .await;
    let id = env.pe_id("abandoned");
    let body = env.pe_body(
        &env.var("ASTRO_SANDBOX_SUBNET_ID"),
        &env.var("ASTRO_SANDBOX_PLS_ALIAS"),
    );
    let answer = env.put(&id, body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    // The client that started it goes away; while the operation is fresh the PE is busy.
    let busy = env.delete(&id).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{busy:?}");
    assert_eq!(busy.code(), "AnotherOperationInProgress");
    // Nobody polls the operation; reads of the endpoint see it finish on its own.
    wait::until_async("the abandoned operation to finish by itself", || async {
        let pe = env.get(&id).await;
        (pe.body["properties"]["provisioningState"] == "Succeeded").then_some(())
    })
    .await;
    let delete = env.delete(&id).await;
    assert_eq!(
        delete.status,
        StatusCode::ACCEPTED,
        "no longer busy: {delete:?}"
    );
}

#[tokio::test]
async fn fault_rules_target_a_method_and_type_and_are_counted() {
    let env = start().await;
    let zone = env.zone_id("rules.example");
    env.create_zone(&zone).await;
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let record = format!("{zone}/A/cl1");
    let a_body = json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.0.4"}]}});
    env.set_faults(json!({"rules": [
        {"method": "PUT", "resource_type": "virtualNetworkLinks", "status": 409, "code": "AnotherOperationInProgress", "count": 2},
        {"method": "delete", "resource_type": "a", "status": 500, "count": 1},
        {"method": "PUT", "resource_type": "A", "count": 1, "lost_response": true}
    ]}))
    .await;
    env.mgmt(Method::DELETE, "requests", None).await;

    // The next two link PUTs answer 409, the third goes through; other types are untouched.
    for _ in 0..2 {
        let refused = env.create_link(&zone, "l1", &vnet).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::CONFLICT, "AnotherOperationInProgress")
        );
    }
    assert_eq!(
        env.get(&format!("{zone}/virtualNetworkLinks/l1"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let linked = env.create_link(&zone, "l1", &vnet).await;
    assert_eq!(linked.status, StatusCode::OK, "{linked:?}");

    // A lost response: the record is written, the client hears 500.
    let lost = env.put(&record, a_body.clone()).await;
    assert_eq!(lost.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        env.get(&record).await.status,
        StatusCode::OK,
        "the write was applied"
    );
    let again = env
        .arm_with(
            Method::PUT,
            &record,
            Some(a_body),
            &[("if-none-match", "*")],
        )
        .await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED, "{again:?}");

    // The next record DELETE answers 500 and deletes nothing.
    assert_eq!(
        env.delete(&record).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(env.get(&record).await.status, StatusCode::OK);
    assert_eq!(env.delete(&record).await.status, StatusCode::OK);

    let summary = env.mgmt(Method::GET, "requests/summary", None).await.body;
    assert_eq!(
        summary["faults"]["409 AnotherOperationInProgress"], 2,
        "{summary}"
    );
    assert_eq!(summary["faults"]["lost_response"], 1, "{summary}");
    assert_eq!(summary["faults"]["500 InternalServerError"], 1, "{summary}");
    assert_eq!(
        summary["faults_by_method_and_type"]["PUT virtualNetworkLinks 409 AnotherOperationInProgress"],
        2
    );
    assert_eq!(
        summary["faults_by_method_and_type"]["DELETE A 500 InternalServerError"],
        1
    );
    let log = env.mgmt(Method::GET, "requests", None).await.body;
    assert_eq!(
        log.as_array()
            .unwrap()
            .iter()
            .filter(|e| e.get("fault").is_some())
            .count(),
        4
    );
    // Used-up rules stay visible with count 0; a bad rule is refused.
    let faults = env.mgmt(Method::GET, "faults", None).await.body;
    assert!(
        faults["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["count"] == 0),
        "{faults}"
    );
    let bad = env
        .mgmt(
            Method::PUT,
            "faults",
            Some(json!({"rules": [{"method": "PUT", "resource_type": "A", "status": 200, "count": 1}]})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
