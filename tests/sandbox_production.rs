//! What production networks need from the sandbox, as ARM does it: a private endpoint's
//! static address (`ipConfigurations`), application security groups (a sandbox resource the
//! endpoint's references must name), and tags on Private DNS zones and links (PUT replaces,
//! PATCH replaces when given, names the service does not accept dropped).

mod common;

use common::sandbox_env::{Answer, Env, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const API: &str = "api-version=2026-03-01";

fn endpoint(env: &Env, static_ip: Option<&str>, asgs: &[String]) -> Value {
    let mut props = json!({
        "subnet": {"id": env.var("ASTRO_SANDBOX_SUBNET_ID")},
        "manualPrivateLinkServiceConnections": [{"name": "astro", "properties": {
            "privateLinkServiceId": env.var("ASTRO_SANDBOX_PLS_ALIAS")}}],
        "applicationSecurityGroups": asgs.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
    });
    if let Some(ip) = static_ip {
        props["ipConfigurations"] =
            json!([{"name": "static", "properties": {"privateIPAddress": ip}}]);
    }
    json!({"location": "eastus", "properties": props})
}

async fn nic_of(env: &Env, pe: &Value) -> Value {
    let nic = pe["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .expect("nic id");
    env.get(&format!("{nic}?{API}")).await.body
}

async fn finish(env: &Env, answer: &Answer) {
    let status = answer
        .header("azure-asyncoperation")
        .expect("Azure-AsyncOperation");
    env.poll_status(&status).await;
}

/// A PUT, and its long-running operation polled to its end when it started one.
async fn put_done(env: &Env, path: &str, body: Value) -> Answer {
    let answer = env.put(path, body).await;
    if answer.status.is_success() {
        finish(env, &answer).await;
    }
    answer
}

async fn created_ids(env: &Env) -> Vec<String> {
    serde_json::from_value(env.mgmt(Method::GET, "resources", None).await.body).unwrap()
}

#[tokio::test]
async fn a_static_address_is_allocated_static_and_refused_outside_the_subnet_reserved_or_taken() {
    let env = start().await;
    let pe = env.pe_id("static-pe");
    let put = put_done(
        &env,
        &format!("{pe}?{API}"),
        endpoint(&env, Some("10.10.1.50"), &[]),
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    assert_eq!(
        put.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
        "10.10.1.50"
    );
    let nic = nic_of(&env, &put.body).await;
    let config = &nic["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(config["privateIPAddress"], "10.10.1.50", "{nic}");
    assert_eq!(config["privateIPAllocationMethod"], "Static", "{nic}");

    // A dynamic endpoint next to it still starts at .4; its NIC says Dynamic.
    let dynamic = put_done(
        &env,
        &format!("{}?{API}", env.pe_id("dynamic-pe")),
        endpoint(&env, None, &[]),
    )
    .await;
    let nic = nic_of(&env, &dynamic.body).await;
    assert_eq!(
        nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAllocationMethod"],
        "Dynamic"
    );

    let before = created_ids(&env).await;
    for (ip, code) in [
        ("10.10.2.9", "PrivateIPAddressNotInSubnet"),
        ("10.10.1.2", "PrivateIPAddressIsReserved"),
        ("10.10.1.255", "PrivateIPAddressIsReserved"),
        ("10.10.1.50", "PrivateIPAddressInUse"),
    ] {
        let refused = put_done(
            &env,
            &format!("{}?{API}", env.pe_id("refused-pe")),
            endpoint(&env, Some(ip), &[]),
        )
        .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{ip}: {refused:?}");
        assert_eq!(refused.code(), code, "{ip}: {refused:?}");
        assert_eq!(
            refused.body["error"]["target"],
            "properties.ipConfigurations[0].properties.privateIPAddress"
        );
        if code == "PrivateIPAddressNotInSubnet" {
            let message = refused.body["error"]["message"]
                .as_str()
                .unwrap_or_default();
            assert!(
                message.contains("10.10.1.0/24"),
                "names the subnet's prefix: {message}"
            );
        }
    }
    // Nothing half-made: no endpoint, NIC or PLS connection appeared.
    assert_eq!(created_ids(&env).await, before);
    // The address is fixed for the endpoint's life.
    let changed = put_done(
        &env,
        &format!("{pe}?{API}"),
        endpoint(&env, Some("10.10.1.51"), &[]),
    )
    .await;
    assert_eq!(changed.code(), "PropertyChangeNotAllowed", "{changed:?}");
}

#[tokio::test]
async fn application_security_groups_must_exist_and_are_replaced_as_put_says() {
    let env = start().await;
    let asg = |name: &str| {
        env.net(
            "rg-astro-agents",
            &format!("applicationSecurityGroups/{name}"),
        )
    };
    let missing = put_done(
        &env,
        &format!("{}?{API}", env.pe_id("asg-pe")),
        endpoint(&env, None, &[asg("asg-none")]),
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{missing:?}");
    assert_eq!(missing.code(), "InvalidResourceReference", "{missing:?}");
    assert_eq!(
        missing.body["error"]["target"],
        "properties.applicationSecurityGroups[0].id"
    );

    for name in ["asg-a", "asg-b"] {
        let put = put_done(
            &env,
            &format!("{}?{API}", asg(name)),
            json!({"location": "eastus", "tags": {"role": name}}),
        )
        .await;
        assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
        assert_eq!(
            put.body["type"],
            "Microsoft.Network/applicationSecurityGroups"
        );
    }
    let got = env.get(&format!("{}?{API}", asg("asg-a"))).await;
    assert_eq!(
        got.body["properties"]["provisioningState"], "Succeeded",
        "{got:?}"
    );
    let other_region = put_done(
        &env,
        &format!("{}?{API}", asg("asg-west")),
        json!({"location": "westus"}),
    )
    .await;
    assert_eq!(other_region.status, StatusCode::CREATED);
    let wrong = put_done(
        &env,
        &format!("{}?{API}", env.pe_id("asg-pe")),
        endpoint(&env, None, &[asg("asg-west")]),
    )
    .await;
    assert_eq!(
        wrong.code(),
        "InvalidResourceReference",
        "an ASG in another region: {wrong:?}"
    );

    let pe = env.pe_id("asg-pe");
    // Referenced in another casing, stored in the group's own.
    let shouted = asg("asg-a").replace(
        "applicationSecurityGroups/asg-a",
        "applicationSecurityGroups/ASG-A",
    );
    let put = put_done(
        &env,
        &format!("{pe}?{API}"),
        endpoint(&env, None, &[shouted]),
    )
    .await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    let groups = |body: &Value| body["properties"]["applicationSecurityGroups"].clone();
    assert_eq!(groups(&put.body), json!([{"id": asg("asg-a")}]));
    let put = put_done(
        &env,
        &format!("{pe}?{API}"),
        endpoint(&env, None, &[asg("asg-b")]),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_eq!(
        groups(&env.get(&format!("{pe}?{API}")).await.body),
        json!([{"id": asg("asg-b")}])
    );
    // In use: the group cannot go; free again: it can.
    let in_use = env.delete(&format!("{}?{API}", asg("asg-b"))).await;
    assert_eq!(
        in_use.code(),
        "InUseApplicationSecurityGroupCannotBeDeleted",
        "{in_use:?}"
    );
    let put = put_done(&env, &format!("{pe}?{API}"), endpoint(&env, None, &[])).await;
    assert_eq!(groups(&put.body), json!([]));
    let gone = env.delete(&format!("{}?{API}", asg("asg-b"))).await;
    assert_eq!(gone.status, StatusCode::ACCEPTED, "{gone:?}");
    let location = gone.header("location").expect("Location");
    let (result, _) = env.poll_location(&location).await;
    assert_eq!(result.status, StatusCode::NO_CONTENT, "{result:?}");
    assert_eq!(
        env.get(&format!("{}?{API}", asg("asg-b"))).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn zone_and_link_tags_are_kept_replaced_and_filtered_as_private_dns_does() {
    let env = start().await;
    let zone = env.zone_id("tags.example");
    let put = env
        .put(&zone, json!({"location": "global", "tags": {"team": "data", "cost center": "x", "env:prod": "y", "1st": "z", "owner_id-2": "ok"}}))
        .await;
    finish(&env, &put).await;
    assert_eq!(
        env.get(&zone).await.body["tags"],
        json!({"team": "data", "owner_id-2": "ok"})
    );
    let link = format!("{zone}/virtualNetworkLinks/l1");
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let put = env
        .put(
            &link,
            json!({"location": "global", "tags": {"a": "1", "b c": "2"},
            "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
        )
        .await;
    finish(&env, &put).await;
    assert_eq!(env.get(&link).await.body["tags"], json!({"a": "1"}));
    // PATCH with tags replaces them; PATCH without tags keeps them.
    let patch = env
        .arm(Method::PATCH, &link, Some(json!({"tags": {"b": "2"}})))
        .await;
    finish(&env, &patch).await;
    assert_eq!(env.get(&link).await.body["tags"], json!({"b": "2"}));
    let patch = env
        .arm(
            Method::PATCH,
            &link,
            Some(json!({"properties": {"registrationEnabled": false}})),
        )
        .await;
    finish(&env, &patch).await;
    assert_eq!(env.get(&link).await.body["tags"], json!({"b": "2"}));
    // PUT is a full replace: tags left out are removed.
    let put = env
        .put(&link, json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}))
        .await;
    finish(&env, &put).await;
    assert_eq!(env.get(&link).await.body["tags"], json!({}));
}
