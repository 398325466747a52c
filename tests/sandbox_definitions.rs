//! The sandbox against what clients read from Azure's REST definitions: the Entra documents
//! served without a token (OpenID configuration, instance discovery, keys), the api-version
//! table, the lists at resource-group and subscription scope with paging, and responses that
//! hold no property the definition lacks (a definition-driven check), with `systemData` on
//! Private DNS objects.

mod common;

use common::sandbox_env::{Env, start};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// GET without a token.
async fn anonymous(env: &Env, path: &str) -> (StatusCode, Value) {
    let resp = env
        .client
        .get(format!("{}{path}", env.base))
        .send()
        .await
        .expect("GET");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn entra_serves_openid_configuration_instance_discovery_and_keys_without_a_token() {
    let env = start().await;
    let tenant = env.var("ARM_TENANT_ID");
    let (status, config) = anonymous(
        &env,
        &format!("/{tenant}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{config}");
    let base = format!("{}/{tenant}", env.base);
    assert_eq!(
        config["token_endpoint"],
        format!("{base}/oauth2/v2.0/token")
    );
    assert_eq!(
        config["authorization_endpoint"],
        format!("{base}/oauth2/v2.0/authorize")
    );
    assert_eq!(config["issuer"], format!("{base}/v2.0"));
    assert_eq!(config["jwks_uri"], format!("{base}/discovery/v2.0/keys"));
    let (status, keys) = anonymous(&env, &format!("/{tenant}/discovery/v2.0/keys")).await;
    assert_eq!((status, keys), (StatusCode::OK, json!({"keys": []})));

    let (status, unknown) = anonymous(
        &env,
        "/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{unknown}");
    assert_eq!(unknown["error"], "invalid_tenant");

    // MSAL asks with the authority's host name (no port) and follows the answer.
    let asked = format!("https://127.0.0.1/{tenant}/oauth2/v2.0/authorize");
    let query = format!(
        "api-version=1.1&authorization_endpoint={}",
        urlencode(&asked)
    );
    let (status, found) = anonymous(&env, &format!("/common/discovery/instance?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found["tenant_discovery_endpoint"],
        format!("{base}/v2.0/.well-known/openid-configuration")
    );
    let other = format!(
        "api-version=1.1&authorization_endpoint={}",
        urlencode("https://login.example.com/t/oauth2/v2.0/authorize")
    );
    let (status, refused) = anonymous(&env, &format!("/common/discovery/instance?{other}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"], "invalid_instance");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn the_api_version_table_says_where_it_came_from_and_nothing_else_is_accepted() {
    let env = start().await;
    let table = env.mgmt(Method::GET, "api_versions", None).await.body;
    let network = table
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["family"] == "Microsoft.Network"))
        .cloned()
        .expect("a Microsoft.Network row");
    assert!(
        network["source"]
            .as_str()
            .is_some_and(|s| s.contains("azure-mgmt-network 33.1.0"))
    );
    let versions: Vec<String> = serde_json::from_value(network["versions"].clone()).unwrap();
    assert!(versions.contains(&"2026-03-01".to_string()), "{versions:?}");
    let pe = env.pe_id("nothing-here");
    for version in &versions {
        let got = env.get(&format!("{pe}?api-version={version}")).await;
        assert_eq!(got.code(), "ResourceNotFound", "{version}: {got:?}");
    }
    for refused in ["2099-01-01", "2025-07-01-preview", "2024-06-01"] {
        let got = env.get(&format!("{pe}?api-version={refused}")).await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(
            got.code(),
            "NoRegisteredProviderFound",
            "{refused}: {got:?}"
        );
    }
}

/// Every page of a list, following `nextLink`.
async fn all_pages(env: &Env, first: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut url) = (Vec::new(), 0, first.to_string());
    loop {
        let got = env.get(&url).await;
        assert_eq!(got.status, StatusCode::OK, "{url}: {got:?}");
        pages += 1;
        items.extend(got.body["value"].as_array().cloned().unwrap_or_default());
        match got.body["nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => return (items, pages),
        }
    }
}

fn names(items: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|i| i["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn lists_at_both_scopes_page_through_next_link() {
    let env = start().await;
    for name in ["asg-a", "asg-b", "asg-c"] {
        let path = env.net(
            "rg-astro-agents",
            &format!("applicationSecurityGroups/{name}"),
        );
        let put = env.put(&path, json!({"location": "eastus"})).await;
        assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    }
    env.set_faults(json!({"list_page_size": 2})).await;
    let sub = env.sub();
    let rg_list = format!(
        "{}?api-version=2026-03-01",
        env.net("rg-astro-agents", "applicationSecurityGroups")
    );
    let (items, pages) = all_pages(&env, &rg_list).await;
    assert_eq!(
        (names(&items), pages),
        (vec!["asg-a".into(), "asg-b".into(), "asg-c".into()], 2)
    );
    let sub_list = format!(
        "/subscriptions/{sub}/providers/Microsoft.Network/applicationSecurityGroups?api-version=2026-03-01"
    );
    let (items, pages) = all_pages(&env, &sub_list).await;
    assert_eq!((names(&items).len(), pages), (3, 2));
    // Every type served has its subscription list.
    for listed in [
        "privateEndpoints",
        "networkInterfaces",
        "virtualNetworks",
        "networkSecurityGroups",
        "privateLinkServices",
    ] {
        let (_, pages) = all_pages(
            &env,
            &format!(
                "/subscriptions/{sub}/providers/Microsoft.Network/{listed}?api-version=2025-07-01"
            ),
        )
        .await;
        assert!(pages >= 1, "{listed}");
    }
    let (vnets, pages) = all_pages(
        &env,
        &format!("/subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks?api-version=2025-07-01"),
    )
    .await;
    assert_eq!(
        (names(&vnets), pages),
        (vec!["vnet-agents".into(), "vnet-agents-2".into()], 1)
    );
    let unknown = env
        .get(&format!(
            "/subscriptions/{sub}/providers/Microsoft.Network/loadBalancers?api-version=2025-07-01"
        ))
        .await;
    assert_eq!(unknown.code(), "InvalidResourceType", "{unknown:?}");
}

/// Checks that `got` holds no key the definition (`schema`: `null` = any value, an object =
/// its allowed keys, `[item]` = an array of `item`) lacks; answers the offending paths.
fn undefined_properties(got: &Value, schema: &Value, path: &str, out: &mut Vec<String>) {
    match (got, schema) {
        (Value::Object(fields), Value::Object(allowed)) => {
            for (key, value) in fields {
                match allowed.get(key) {
                    Some(inner) => {
                        undefined_properties(value, inner, &format!("{path}.{key}"), out)
                    }
                    None => out.push(format!("{path}.{key}")),
                }
            }
        }
        (Value::Array(items), Value::Array(item)) if item.len() == 1 => {
            for (i, value) in items.iter().enumerate() {
                undefined_properties(value, &item[0], &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// ARM's `Resource` envelope plus `extra` keys.
fn envelope(extra: Value) -> Value {
    let mut schema = json!({"id": null, "name": null, "type": null, "location": null, "tags": null, "etag": null});
    for (k, v) in extra.as_object().expect("object") {
        schema[k] = v.clone();
    }
    schema
}

/// network privateEndpoint.json: PrivateEndpoint and what it holds.
fn private_endpoint_definition() -> Value {
    let state = json!({"status": null, "description": null, "actionsRequired": null});
    let conn = json!({"id": null, "name": null, "type": null, "etag": null, "properties": {
        "provisioningState": null, "privateLinkServiceId": null, "groupIds": null,
        "requestMessage": null, "privateLinkServiceConnectionState": state}});
    let ip = json!({"name": null, "type": null, "etag": null,
        "properties": {"groupId": null, "memberName": null, "privateIPAddress": null}});
    envelope(json!({"extendedLocation": null, "properties": {
        "subnet": null, "networkInterfaces": null, "provisioningState": null,
        "ipVersionType": null, "privateLinkServiceConnections": [conn.clone()],
        "manualPrivateLinkServiceConnections": [conn], "customDnsConfigs": null,
        "applicationSecurityGroups": null, "ipConfigurations": [ip],
        "customNetworkInterfaceName": null}}))
}

/// privatedns.json (with ARM's common `systemData`).
fn zone_definition() -> Value {
    envelope(json!({"systemData": null, "properties": {
        "maxNumberOfRecordSets": null, "numberOfRecordSets": null,
        "maxNumberOfVirtualNetworkLinks": null, "numberOfVirtualNetworkLinks": null,
        "maxNumberOfVirtualNetworkLinksWithRegistration": null,
        "numberOfVirtualNetworkLinksWithRegistration": null, "provisioningState": null,
        "internalId": null}}))
}

fn link_definition() -> Value {
    envelope(json!({"systemData": null, "properties": {
        "virtualNetwork": {"id": null}, "registrationEnabled": null, "resolutionPolicy": null,
        "virtualNetworkLinkState": null, "provisioningState": null}}))
}

fn record_set_definition() -> Value {
    json!({"id": null, "name": null, "type": null, "etag": null, "systemData": null,
        "properties": {"metadata": null, "ttl": null, "fqdn": null, "isAutoRegistered": null,
            "aRecords": [{"ipv4Address": null}], "aaaaRecords": null, "cnameRecord": null,
            "mxRecords": null, "ptrRecords": null, "srvRecords": null, "txtRecords": null,
            "soaRecord": {"host": null, "email": null, "serialNumber": null, "refreshTime": null,
                "retryTime": null, "expireTime": null, "minimumTtl": null}}})
}

fn assert_defined(got: &Value, schema: &Value, what: &str) {
    let mut extra = Vec::new();
    undefined_properties(got, schema, what, &mut extra);
    assert!(
        extra.is_empty(),
        "{what} holds properties its definition lacks: {extra:?}\n{got}"
    );
}

#[tokio::test]
async fn responses_hold_only_what_the_definitions_define_and_dns_objects_carry_system_data() {
    let env = start().await;
    // The check itself catches what it is for.
    let mut caught = Vec::new();
    undefined_properties(
        &json!({"properties": {"resourceGuid": "x"}}),
        &private_endpoint_definition(),
        "pe",
        &mut caught,
    );
    assert_eq!(caught, ["pe.properties.resourceGuid"]);

    let pe = env.pe_id("shape-pe");
    let body = json!({"location": "eastus", "properties": {
        "subnet": {"id": env.var("ASTRO_SANDBOX_SUBNET_ID")},
        "manualPrivateLinkServiceConnections": [{"name": "astro", "properties": {
            "privateLinkServiceId": env.var("ASTRO_SANDBOX_PLS_ALIAS")}}]}});
    let put = env.put(&format!("{pe}?api-version=2026-03-01"), body).await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    assert_defined(
        &put.body,
        &private_endpoint_definition(),
        "PUT privateEndpoints",
    );
    let got = env.get(&format!("{pe}?api-version=2026-03-01")).await;
    assert_defined(
        &got.body,
        &private_endpoint_definition(),
        "GET privateEndpoints",
    );

    let zone = env.zone_id("shape.example");
    let put = env.put(&zone, json!({"location": "global"})).await;
    assert!(put.status.is_success(), "{put:?}");
    let link = format!("{zone}/virtualNetworkLinks/l1");
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let put = env
        .put(&link, json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}))
        .await;
    assert!(put.status.is_success(), "{put:?}");
    let record = format!("{zone}/A/app");
    let put = env
        .put(
            &record,
            json!({"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.10.1.4"}]}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    assert_defined(&put.body, &record_set_definition(), "PUT A");
    let client = env.var("ARM_CLIENT_ID");
    for (path, schema) in [
        (zone.clone(), zone_definition()),
        (link.clone(), link_definition()),
        (record.clone(), record_set_definition()),
        (format!("{zone}/SOA/@"), record_set_definition()),
    ] {
        let got = env.get(&path).await;
        assert_eq!(got.status, StatusCode::OK, "{path}: {got:?}");
        assert_defined(&got.body, &schema, &path);
        if !path.ends_with("/SOA/@") {
            let data = &got.body["systemData"];
            assert_eq!(data["createdBy"], client.as_str(), "{path}: {data}");
            assert_eq!(data["createdByType"], "Application", "{path}: {data}");
            assert!(
                data["createdAt"].is_string() && data["lastModifiedAt"].is_string(),
                "{data}"
            );
        }
    }
    // A later write keeps who created it and when.
    let created = env.get(&record).await.body["systemData"]["createdAt"].clone();
    let again = env
        .put(
            &record,
            json!({"properties": {"ttl": 20, "aRecords": [{"ipv4Address": "10.10.1.4"}]}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{again:?}");
    assert_eq!(again.body["systemData"]["createdAt"], created);
}
