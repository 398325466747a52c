//! The sandbox is as strict as ARM where a careless client would lose settings or keep a
//! wrong spelling: PUT is a full replace, IDs are answered in the stored resources' casing,
//! the overlapping-namespaces error names no zone, and the subscription's private DNS zones
//! list in pages.

mod common;

use common::sandbox_env::start;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_private_endpoint_put_replaces_what_it_leaves_out() {
    let env = start().await;
    let pe = env.create_pe("astro-privatelink").await;
    let id = pe["id"].as_str().unwrap().to_string();
    let asg = env.net("rg-astro-agents", "applicationSecurityGroups/asg-agents");
    // The group exists: ARM refuses a reference to one that does not.
    let made = env.put(&asg, json!({"location": "eastus"})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");

    let mut with_asg = pe.clone();
    with_asg["properties"]["applicationSecurityGroups"] = json!([{ "id": asg }]);
    with_asg["properties"]["customDnsConfigs"] =
        json!([{ "fqdn": "x.example.com", "ipAddresses": ["10.10.1.4"] }]);
    let put = env.put(&id, with_asg.clone()).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    let (status, _) = env
        .poll_status(&put.header("azure-asyncoperation").unwrap())
        .await;
    assert_eq!(status["status"], "Succeeded");
    let stored = env.get(&id).await.body;
    assert_eq!(
        stored["properties"]["applicationSecurityGroups"],
        json!([{ "id": asg }])
    );
    assert_eq!(
        stored["properties"]["customDnsConfigs"][0]["fqdn"],
        "x.example.com"
    );

    // A body that leaves them out removes them: ARM's PUT replaces the whole object.
    let put = env.put(&id, pe.clone()).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    env.poll_status(&put.header("azure-asyncoperation").unwrap())
        .await;
    let stored = env.get(&id).await.body;
    assert_eq!(stored["properties"]["applicationSecurityGroups"], json!([]));
    assert_eq!(stored["properties"]["customDnsConfigs"], json!([]));

    // What cannot change in place is refused, naming the property.
    let mut bad = pe.clone();
    bad["properties"]["ipConfigurations"] = json!([{
        "name": "static", "properties": {"groupId": "x", "memberName": "x", "privateIPAddress": "10.10.1.50"}
    }]);
    let refused = env.put(&id, bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused:?}");
    assert_eq!(refused.code(), "PropertyChangeNotAllowed");
    let mut bad = pe.clone();
    bad["properties"]["applicationSecurityGroups"] = json!([{ "id": "/not/an/asg" }]);
    let refused = env.put(&id, bad).await;
    assert_eq!(refused.code(), "InvalidResourceReference", "{refused:?}");
}

#[tokio::test]
async fn a_record_put_replaces_its_metadata() {
    let env = start().await;
    let zone = env.zone_id("external.astronomer.run");
    let made = env.put(&zone, json!({"location": "global"})).await;
    assert_eq!(made.status, StatusCode::ACCEPTED, "{made:?}");
    let record = format!("{zone}/A/clx");
    let put = env
        .put(
            &record,
            json!({"properties": {"ttl": 300, "metadata": {"owner": "netops"}, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    assert_eq!(
        put.body["properties"]["metadata"],
        json!({"owner": "netops"})
    );
    let put = env
        .put(
            &record,
            json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    let stored = env.get(&record).await.body;
    assert!(stored["properties"]["metadata"].is_null(), "{stored}");
}

#[tokio::test]
async fn ids_are_answered_in_the_stored_casing() {
    let env = start().await;
    let shout = |id: &str| {
        id.replace(
            "/resourceGroups/rg-astro-agents/",
            "/resourceGroups/RG-ASTRO-AGENTS/",
        )
    };
    let subnet = env.var("ASTRO_SANDBOX_SUBNET_ID");
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let pe_path = shout(&env.pe_id("astro-privatelink"));
    let body = env.pe_body(&shout(&subnet), &env.var("ASTRO_SANDBOX_PLS_ALIAS"));
    let made = env.put(&pe_path, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
    assert_eq!(made.body["id"], env.pe_id("astro-privatelink").as_str());
    assert_eq!(made.body["properties"]["subnet"]["id"], subnet.as_str());

    let zone = env
        .zone_id("external.astronomer.run")
        .replace("/rg-astro-dns/", "/RG-Astro-DNS/");
    env.put(&zone, json!({"location": "global"})).await;
    let link = format!("{zone}/virtualNetworkLinks/l1");
    let put = env
        .put(
            &link,
            json!({"location": "global", "properties": {"virtualNetwork": {"id": shout(&vnet)}}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::ACCEPTED, "{put:?}");
    let stored = env.get(&link).await.body;
    assert_eq!(
        stored["id"],
        format!(
            "{}/virtualNetworkLinks/l1",
            env.zone_id("external.astronomer.run")
        )
    );
    assert_eq!(stored["properties"]["virtualNetwork"]["id"], vnet.as_str());
}

#[tokio::test]
async fn the_overlap_error_names_no_zone_and_zones_list_in_pages() {
    let env = start().await;
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let other = env.net("rg-astro-agents", "privateDnsZones/external.astronomer.run");
    let ours = env.zone_id("external.astronomer.run");
    for zone in [&other, &ours] {
        env.put(zone, json!({"location": "global"})).await;
    }
    env.put(
        &format!("{other}/virtualNetworkLinks/netops"),
        json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}}}),
    )
    .await;
    let clash = env
        .put(
            &format!("{ours}/virtualNetworkLinks/mine"),
            json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}}}),
        )
        .await;
    assert_eq!(clash.status, StatusCode::BAD_REQUEST, "{clash:?}");
    let message = clash.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("overlapping namespaces"), "{message}");
    assert!(
        !message.contains("rg-astro-agents") && !message.contains("netops"),
        "Azure's message names neither the other zone's group nor its link: {message}"
    );

    env.put(&env.zone_id("z.example.com"), json!({"location": "global"}))
        .await;
    let list = format!(
        "/subscriptions/{}/providers/Microsoft.Network/privateDnsZones?api-version=2024-06-01&$top=2",
        env.sub()
    );
    let first = env.arm(Method::GET, &list, None).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    assert_eq!(first.body["value"].as_array().unwrap().len(), 2);
    let next = first.body["nextLink"]
        .as_str()
        .expect("nextLink")
        .to_string();
    assert!(next.starts_with(&env.base), "{next}");
    let second = env.arm(Method::GET, &next, None).await;
    assert_eq!(second.status, StatusCode::OK, "{second:?}");
    assert_eq!(second.body["value"].as_array().unwrap().len(), 1);
    assert!(second.body["nextLink"].is_null());
    let mut ids: Vec<String> = first.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["value"].as_array().unwrap())
        .map(|z| z["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    let mut want = vec![other, ours, env.zone_id("z.example.com")];
    want.sort();
    assert_eq!(ids, want);
}
