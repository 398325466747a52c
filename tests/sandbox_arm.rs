//! Drives the sandbox's ARM routes with a plain HTTPS client trusting its CA: tokens and
//! auth failures, api-versions, private endpoint LROs and the approval flow, NICs, private
//! DNS LROs, etags, record sets, and every documented error case.

mod sandbox_support;

use reqwest::{Method, StatusCode};
use sandbox_support::{Env, start};
use serde_json::json;

#[tokio::test]
async fn token_endpoint_accepts_secret_and_assertion_and_rejects_the_rest() {
    let env = start().await;
    let ok = env
        .token_with(&[("client_secret", "sandbox-client-secret")])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["token_type"], "Bearer");
    assert!(ok.body["expires_in"].as_i64().is_some_and(|s| s > 300));
    assert!(ok.body["ext_expires_in"].as_i64().is_some());
    let minted = env
        .mgmt(
            Method::POST,
            "oidc/mint",
            Some(json!({
                "issuer": "https://token.actions.githubusercontent.com",
                "subject": "repo:astro-privatelink/infra:environment:production"
            })),
        )
        .await;
    let federated = minted.body["token"].as_str().expect("minted token");
    let assertion = env
        .token_with(&[
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", federated),
        ])
        .await;
    assert_eq!(assertion.status, StatusCode::OK, "{assertion:?}");
    let token = assertion.body["access_token"].as_str().expect("token");
    assert_ne!(token, env.token);

    let bad_secret = env.token_with(&[("client_secret", "nope")]).await;
    assert_eq!(bad_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad_secret.body["error"], "invalid_client");
    assert!(
        !bad_secret.body.to_string().contains("nope"),
        "secret echoed"
    );
    let bad_assertion = env
        .token_with(&[
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", "forged"),
        ])
        .await;
    assert_eq!(bad_assertion.status, StatusCode::UNAUTHORIZED);

    // Wrong scope and unknown tenant.
    let tenant = env.var("ARM_TENANT_ID");
    let response = env
        .client
        .post(format!("{}/{tenant}/oauth2/v2.0/token", env.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(sandbox_support::form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &env.var("ARM_CLIENT_ID")),
            ("client_secret", "sandbox-client-secret"),
            ("scope", "https://management.azure.com/user_impersonation"),
        ]))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = env
        .client
        .post(format!("{}/not-a-tenant/oauth2/v2.0/token", env.base))
        .body(sandbox_support::form(&[(
            "grant_type",
            "client_credentials",
        )]))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // The assertion token works on ARM too.
    let rg = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents?api-version=2024-03-01",
        env.sub()
    );
    let got = env
        .client
        .get(format!("{}{rg}", env.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    assert_eq!(got.status(), StatusCode::OK);
}

#[tokio::test]
async fn arm_calls_need_a_valid_bearer_token() {
    let env = start().await;
    let url = format!(
        "{}/subscriptions/{}/resourceGroups/rg-astro-agents?api-version=2024-03-01",
        env.base,
        env.sub()
    );
    let none = env.client.get(&url).send().await.expect("send");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = none.json().await.expect("json");
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    let bogus = env
        .client
        .get(&url)
        .bearer_auth("sbx.forged")
        .send()
        .await
        .expect("send");
    assert_eq!(bogus.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = bogus.json().await.expect("json");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let ok = env
        .get(&format!(
            "/subscriptions/{}/resourceGroups/rg-astro-agents",
            env.sub()
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["location"], "eastus");
    assert!(ok.header("x-ms-request-id").is_some());
}

#[tokio::test]
async fn api_versions_are_checked_per_provider() {
    let env = start().await;
    let pe = env.pe_id("x");
    let missing = env.get(&format!("{pe}?foo=bar&api-version=")).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let none = env
        .arm(Method::GET, &format!("{}{pe}", env.base), None)
        .await;
    assert_eq!(none.code(), "MissingApiVersionParameter");
    let unknown = env.get(&format!("{pe}?api-version=2019-01-01")).await;
    assert_eq!(unknown.code(), "NoRegisteredProviderFound");
    let dns_version_on_network = env.get(&format!("{pe}?api-version=2024-06-01")).await;
    assert_eq!(dns_version_on_network.code(), "NoRegisteredProviderFound");
    for version in ["2024-05-01", "2025-01-01", "2025-07-01"] {
        let answer = env.get(&format!("{pe}?api-version={version}")).await;
        assert_eq!(answer.code(), "ResourceNotFound", "{version}");
    }
    let zone = env.zone_id("a.example.com");
    assert_eq!(
        env.get(&format!("{zone}?api-version=2020-06-01"))
            .await
            .code(),
        "ResourceNotFound"
    );
    assert_eq!(
        env.get(&format!("{zone}?api-version=2025-01-01"))
            .await
            .code(),
        "NoRegisteredProviderFound"
    );
}

#[tokio::test]
async fn private_endpoint_lifecycle_with_approval() {
    let env = start().await;
    let id = env.pe_id("astro-privatelink");
    let body = env.pe_body(
        &env.var("ASTRO_SANDBOX_SUBNET_ID"),
        &env.var("ASTRO_SANDBOX_PLS_ALIAS"),
    );

    // PUT: 201, Updating, Azure-AsyncOperation + Retry-After.
    let created = env.put(&id, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(created.body["properties"]["provisioningState"], "Updating");
    let op = created
        .header("azure-asyncoperation")
        .expect("Azure-AsyncOperation");
    assert!(
        op.starts_with(&format!(
            "{}/subscriptions/{}/providers/Microsoft.Network/locations/eastus/operations/",
            env.base,
            env.sub()
        )),
        "{op}"
    );
    assert!(op.contains("api-version=2025-01-01"));
    assert_eq!(created.header("retry-after").as_deref(), Some("0"));

    // A concurrent write while the LRO runs.
    let again = env.put(&id, body.clone()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "AnotherOperationInProgress");
    assert_eq!(env.delete(&id).await.code(), "AnotherOperationInProgress");

    let (status, in_progress) = env.poll_status(&op).await;
    assert_eq!(status["status"], "Succeeded");
    assert_eq!(in_progress, 1, "lro_polls = 1");

    let pe = env.get(&id).await.body;
    assert_eq!(pe["properties"]["provisioningState"], "Succeeded");
    let conn = &pe["properties"]["manualPrivateLinkServiceConnections"][0]["properties"];
    assert_eq!(
        conn["privateLinkServiceConnectionState"]["status"],
        "Pending"
    );
    assert_eq!(
        conn["privateLinkServiceConnectionState"]["description"],
        "Awaiting approval"
    );
    assert_eq!(
        conn["privateLinkServiceConnectionState"]["actionsRequired"],
        "None"
    );
    assert_eq!(
        conn["privateLinkServiceId"],
        env.var("ASTRO_SANDBOX_PLS_ALIAS")
    );

    // The NIC in the PE's RG with the first usable address.
    let nic_id = pe["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .expect("nic id")
        .to_string();
    assert!(nic_id.contains("/resourceGroups/rg-astro-agents/providers/Microsoft.Network/networkInterfaces/astro-privatelink.nic."), "{nic_id}");
    let nic = env.get(&nic_id).await;
    assert_eq!(nic.status, StatusCode::OK);
    let ipcfg = &nic.body["properties"]["ipConfigurations"][0];
    assert_eq!(ipcfg["properties"]["privateIPAddress"], "10.10.1.4");
    assert!(
        ipcfg["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("privateEndpointIpConfig."))
    );

    // The PLS side sees a Pending connection named <pe>.<guid>.
    let pls = env.var("ASTRO_SANDBOX_PLS_ID");
    let conns = env.get(&format!("{pls}/privateEndpointConnections")).await;
    let list = conns.body["value"].as_array().expect("value").clone();
    assert_eq!(list.len(), 1);
    let conn_name = list[0]["name"].as_str().expect("name").to_string();
    assert!(conn_name.starts_with("astro-privatelink."), "{conn_name}");
    assert_eq!(list[0]["properties"]["privateEndpoint"]["id"], id);
    let conn_url = format!("{pls}/privateEndpointConnections/{conn_name}");

    // Astronomer approves with an ARM PUT; the PE reports it.
    let approve = json!({"name": conn_name, "properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "Approved by Astronomer support"}}});
    let approved = env.put(&conn_url, approve).await;
    assert_eq!(approved.status, StatusCode::OK, "{approved:?}");
    let state = |pe: &serde_json::Value| {
        pe["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"].clone()
    };
    let pe = env.get(&id).await.body;
    assert_eq!(state(&pe)["status"], "Approved");
    assert_eq!(state(&pe)["description"], "Approved by Astronomer support");

    // Rejected, then the connection removed: Disconnected.
    let reject = json!({"properties": {"privateLinkServiceConnectionState": {"status": "Rejected", "description": "no"}}});
    assert_eq!(env.put(&conn_url, reject).await.status, StatusCode::OK);
    assert_eq!(state(&env.get(&id).await.body)["status"], "Rejected");
    let bad = json!({"properties": {"privateLinkServiceConnectionState": {"status": "Pending"}}});
    assert_eq!(
        env.put(&conn_url, bad).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(env.delete(&conn_url).await.status, StatusCode::OK);
    assert_eq!(state(&env.get(&id).await.body)["status"], "Disconnected");

    // Update in place: tags only → 200 + LRO; subnet change is refused, naming the property.
    let mut update = body.clone();
    update["tags"] = json!({"owner": "someone-else"});
    let updated = env.put(&id, update).await;
    assert_eq!(updated.status, StatusCode::OK, "{updated:?}");
    env.poll_status(&updated.header("azure-asyncoperation").expect("op"))
        .await;
    assert_eq!(env.get(&id).await.body["tags"]["owner"], "someone-else");
    let other_subnet = env.net(
        "rg-astro-agents",
        "virtualNetworks/vnet-agents-2/subnets/snet-agents",
    );
    let moved = env
        .put(
            &id,
            env.pe_body(&other_subnet, &env.var("ASTRO_SANDBOX_PLS_ALIAS")),
        )
        .await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST);
    assert_eq!(moved.code(), "PropertyChangeNotAllowed");
    assert_eq!(moved.body["error"]["target"], "properties.subnet.id");
    let mut relocated = body.clone();
    relocated["location"] = json!("westus");
    assert_eq!(
        env.put(&id, relocated).await.body["error"]["target"],
        "location"
    );

    // A second endpoint gets the next address; the subnet lists both.
    let second = env.create_pe("second-pe").await;
    let nic2 = env
        .get(
            second["properties"]["networkInterfaces"][0]["id"]
                .as_str()
                .expect("nic"),
        )
        .await;
    assert_eq!(
        nic2.body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
        "10.10.1.5"
    );
    let subnet = env.get(&env.var("ASTRO_SANDBOX_SUBNET_ID")).await;
    assert_eq!(
        subnet.body["properties"]["privateEndpoints"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let listed = env
        .get(&env.net("rg-astro-agents", "privateEndpoints"))
        .await;
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(2));

    // DELETE: 202 + Location; 202 while running, then 204; NIC and PLS connection go too.
    let deleted = env.delete(&env.pe_id("second-pe")).await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED);
    let location = deleted.header("location").expect("Location");
    assert!(location.contains("/operationResults/"), "{location}");
    assert!(deleted.header("retry-after").is_some());
    let (done, accepted) = env.poll_location(&location).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
    assert_eq!(accepted, 1);
    assert_eq!(
        env.get(&env.pe_id("second-pe")).await.code(),
        "ResourceNotFound"
    );
    assert_eq!(
        env.get(nic2.body["id"].as_str().expect("id")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        env.delete(&env.pe_id("second-pe")).await.status,
        StatusCode::NO_CONTENT
    );
    let resources = env.mgmt(Method::GET, "resources", None).await.body;
    let ids: Vec<&str> = resources
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(ids.iter().any(|i| *i == id));
    assert!(!ids.iter().any(|i| i.contains("second-pe")), "{ids:?}");
}

#[tokio::test]
async fn lro_poll_count_follows_the_fault_setting() {
    let env = start().await;
    env.set_faults(json!({"lro_polls": 3})).await;
    let created = env
        .put(
            &env.pe_id("slow"),
            env.pe_body(
                &env.var("ASTRO_SANDBOX_SUBNET_ID"),
                &env.var("ASTRO_SANDBOX_PLS_ID"),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let (status, in_progress) = env
        .poll_status(&created.header("azure-asyncoperation").expect("op"))
        .await;
    assert_eq!(
        (status["status"].as_str(), in_progress),
        (Some("Succeeded"), 3)
    );
    let deleted = env.delete(&env.pe_id("slow")).await;
    let (_, accepted) = env
        .poll_location(&deleted.header("location").expect("location"))
        .await;
    assert_eq!(accepted, 3);
}

#[tokio::test]
async fn private_endpoint_errors() {
    let env = start().await;
    let subnet = env.var("ASTRO_SANDBOX_SUBNET_ID");
    let alias = env.var("ASTRO_SANDBOX_PLS_ALIAS");
    let policies = env.net(
        "rg-astro-agents",
        "virtualNetworks/vnet-agents/subnets/snet-policies",
    );
    let cases: Vec<(&str, serde_json::Value, StatusCode, &str)> = vec![
        (
            "policies",
            env.pe_body(&policies, &alias),
            StatusCode::BAD_REQUEST,
            "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
        ),
        (
            "badalias",
            env.pe_body(
                &subnet,
                "nope.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice",
            ),
            StatusCode::BAD_REQUEST,
            "InvalidPrivateLinkServiceId",
        ),
        (
            "nosubnet",
            env.pe_body(&format!("{subnet}-missing"), &alias),
            StatusCode::BAD_REQUEST,
            "InvalidResourceReference",
        ),
        (
            "nolocation",
            json!({"properties": {}}),
            StatusCode::BAD_REQUEST,
            "LocationRequired",
        ),
        (
            "wrongtype",
            json!({"location": 5}),
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
        ),
        (
            "tagstype",
            json!({"location": "eastus", "tags": ["a"]}),
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
        ),
        (
            "noprops",
            json!({"location": "eastus"}),
            StatusCode::BAD_REQUEST,
            "InvalidRequestFormat",
        ),
    ];
    for (name, body, status, code) in cases {
        let answer = env.put(&env.pe_id(name), body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{name}: {answer:?}"
        );
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // Location differs from the VNet's.
    let mut west = env.pe_body(&subnet, &alias);
    west["location"] = json!("westus");
    assert_eq!(
        env.put(&env.pe_id("west"), west).await.code(),
        "InvalidResourceReference"
    );
    // Missing subnet id names the property.
    let mut no_id = env.pe_body(&subnet, &alias);
    no_id["properties"]["subnet"] = json!({});
    let answer = env.put(&env.pe_id("noid"), no_id).await;
    assert_eq!(answer.body["error"]["target"], "properties.subnet.id");
    // Missing privateLinkServiceId.
    let mut no_pls = env.pe_body(&subnet, &alias);
    no_pls["properties"]["manualPrivateLinkServiceConnections"][0]["properties"] =
        json!({"groupIds": []});
    let answer = env.put(&env.pe_id("nopls"), no_pls).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.body["error"]["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("privateLinkServiceId"))
    );
    // groupIds with the wrong type.
    let mut bad_groups = env.pe_body(&subnet, &alias);
    bad_groups["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["groupIds"] =
        json!("x");
    assert_eq!(
        env.put(&env.pe_id("groups"), bad_groups).await.code(),
        "InvalidRequestContent"
    );
    // Automatic connection to Astronomer's PLS from another subscription.
    let mut auto = env.pe_body(&subnet, &alias);
    auto["properties"]["privateLinkServiceConnections"] =
        auto["properties"]["manualPrivateLinkServiceConnections"].clone();
    auto["properties"]["manualPrivateLinkServiceConnections"] = json!([]);
    let answer = env.put(&env.pe_id("auto"), auto).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::FORBIDDEN, "LinkedAuthorizationFailed")
    );
    // Unknown RG / subscription / name rules.
    let rg = format!(
        "/subscriptions/{}/resourceGroups/rg-nope/providers/Microsoft.Network/privateEndpoints/x",
        env.sub()
    );
    assert_eq!(
        env.put(&rg, env.pe_body(&subnet, &alias)).await.code(),
        "ResourceGroupNotFound"
    );
    let sub = "/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/x";
    assert_eq!(env.get(sub).await.code(), "SubscriptionNotFound");
    assert_eq!(
        env.put(&env.pe_id("-bad"), env.pe_body(&subnet, &alias))
            .await
            .code(),
        "InvalidResourceName"
    );
    assert_eq!(
        env.get(&env.pe_id("ghost")).await.code(),
        "ResourceNotFound"
    );
    // Nothing was created by the failures.
    let resources = env.mgmt(Method::GET, "resources", None).await.body;
    assert_eq!(resources, json!([]));
}

#[tokio::test]
async fn seeded_network_reads() {
    let env = start().await;
    let vnet = env.get(&env.var("ASTRO_SANDBOX_VNET_ID")).await;
    assert_eq!(vnet.status, StatusCode::OK);
    assert_eq!(
        vnet.body["properties"]["addressSpace"]["addressPrefixes"],
        json!(["10.10.0.0/16"])
    );
    assert_eq!(
        vnet.body["properties"]["subnets"].as_array().map(Vec::len),
        Some(2)
    );
    let subnets = env
        .get(&format!("{}/subnets", env.var("ASTRO_SANDBOX_VNET_ID")))
        .await;
    assert_eq!(subnets.body["value"].as_array().map(Vec::len), Some(2));
    let policies = env
        .get(&env.net(
            "rg-astro-agents",
            "virtualNetworks/vnet-agents/subnets/snet-policies",
        ))
        .await;
    assert_eq!(
        policies.body["properties"]["privateEndpointNetworkPolicies"],
        "Enabled"
    );
    let pls = env.get(&env.var("ASTRO_SANDBOX_PLS_ID")).await;
    assert_eq!(
        pls.body["properties"]["alias"],
        env.var("ASTRO_SANDBOX_PLS_ALIAS")
    );
    let rgs = env
        .get(&format!("/subscriptions/{}/resourcegroups", env.sub()))
        .await;
    assert_eq!(rgs.body["value"].as_array().map(Vec::len), Some(2));
    let new_rg = env
        .put(
            &format!("/subscriptions/{}/resourceGroups/rg-new", env.sub()),
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(new_rg.status, StatusCode::CREATED);
    assert_eq!(
        env.put(
            &format!("/subscriptions/{}/resourceGroups/rg-new", env.sub()),
            json!({"location": "eastus", "tags": {"a": "b"}})
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unsupported_routes_answer_explicit_arm_errors() {
    let env = start().await;
    let cases = [
        (
            Method::PATCH,
            env.pe_id("x"),
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
        ),
        (
            Method::DELETE,
            env.var("ASTRO_SANDBOX_VNET_ID"),
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
        ),
        (
            Method::GET,
            env.net("rg-astro-agents", "loadBalancers/lb"),
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
        ),
        (
            Method::GET,
            format!(
                "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Compute/virtualMachines/vm",
                env.sub()
            ),
            StatusCode::NOT_FOUND,
            "InvalidResourceNamespace",
        ),
        (
            Method::GET,
            format!("{}/CNAME/www", env.zone_id("z.example.com")),
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
        ),
        (
            Method::GET,
            "/providers/Microsoft.Network/operations".to_string(),
            StatusCode::NOT_FOUND,
            "InvalidRequestUri",
        ),
    ];
    for (method, path, status, code) in cases {
        let answer = env.arm(method.clone(), &path, None).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{method} {path}"
        );
    }
}

async fn zone_etag(env: &Env, zone: &str) -> String {
    env.get(zone).await.body["etag"]
        .as_str()
        .expect("etag")
        .to_string()
}

#[tokio::test]
async fn private_dns_zones_links_and_records() {
    let env = start().await;
    let zone = env.zone_id("external.astronomer.run");

    // Zone PUT: 202 + Location + Azure-AsyncOperation; location must be global.
    let wrong = env.put(&zone, json!({"location": "eastus"})).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let started = env
        .put(&zone, json!({"location": "Global", "tags": {"a": "1"}}))
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{started:?}");
    assert!(
        started
            .header("azure-asyncoperation")
            .is_some_and(|u| u.contains("/privateDnsOperationStatuses/"))
    );
    let status_url = started.header("azure-asyncoperation").expect("status");
    let location = started.header("location").expect("location");
    assert!(
        location.contains("/privateDnsOperationResults/"),
        "{location}"
    );
    assert_eq!(env.get(&status_url).await.body["status"], "InProgress");
    let (done, _) = env.poll_location(&location).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body["location"], "global");
    assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(done.body["properties"]["numberOfRecordSets"], 1);

    // Etags: If-None-Match:* on existing, wrong If-Match → 412; right If-Match → accepted.
    let etag = zone_etag(&env, &zone).await;
    let body = json!({"location": "global"});
    let none_match = env
        .arm_with(
            Method::PUT,
            &zone,
            Some(body.clone()),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(
        (none_match.status, none_match.code()),
        (StatusCode::PRECONDITION_FAILED, "PreconditionFailed")
    );
    let stale = env
        .arm_with(
            Method::PUT,
            &zone,
            Some(body.clone()),
            &[("If-Match", "stale")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let fresh = env
        .arm_with(
            Method::PUT,
            &zone,
            Some(body.clone()),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(fresh.status, StatusCode::ACCEPTED);
    assert_eq!(
        env.put(&zone, body.clone()).await.code(),
        "AnotherOperationInProgress"
    );
    env.poll_location(&fresh.header("location").expect("location"))
        .await;
    assert_ne!(zone_etag(&env, &zone).await, etag, "etag changes on write");

    // Link to the agents' VNet (LRO), then the same VNet to a same-named zone elsewhere.
    let vnet = env.var("ASTRO_SANDBOX_VNET_ID");
    let link = env.create_link(&zone, "agents-link", &vnet).await;
    assert_eq!(link.status, StatusCode::OK, "{link:?}");
    assert_eq!(
        link.body["properties"]["virtualNetworkLinkState"],
        "Completed"
    );
    assert_eq!(link.body["properties"]["registrationEnabled"], false);
    let links = env.get(&format!("{zone}/virtualNetworkLinks")).await;
    assert_eq!(links.body["value"].as_array().map(Vec::len), Some(1));
    let twin = env.net("rg-astro-agents", "privateDnsZones/external.astronomer.run");
    env.create_zone(&twin).await;
    let clash = env.create_link(&twin, "dup", &vnet).await;
    assert_eq!(
        (clash.status, clash.code()),
        (StatusCode::BAD_REQUEST, "BadRequest"),
        "{clash:?}"
    );
    let missing_vnet = env
        .create_link(&twin, "ghost", &format!("{vnet}-ghost"))
        .await;
    assert_eq!(missing_vnet.status, StatusCode::BAD_REQUEST);
    let no_vnet = env
        .put(
            &format!("{twin}/virtualNetworkLinks/x"),
            json!({"location": "global", "properties": {}}),
        )
        .await;
    assert_eq!(no_vnet.body["error"]["target"], "properties.virtualNetwork");

    // Zone delete with a link left → 400.
    let blocked = env.delete(&zone).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (StatusCode::BAD_REQUEST, "CannotDeleteResource")
    );

    // A record: names lower-cased, fqdn with trailing dot, 201 then 200.
    let record = format!("{zone}/A/ClXyz123");
    let put = env
        .put(
            &record,
            json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.10.1.4"}]}}),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED, "{put:?}");
    assert_eq!(put.body["name"], "clxyz123");
    assert_eq!(
        put.body["properties"]["fqdn"],
        "clxyz123.external.astronomer.run."
    );
    assert_eq!(put.body["type"], "Microsoft.Network/privateDnsZones/A");
    let record_etag = put.body["etag"].as_str().expect("etag").to_string();
    let create_only = env
        .arm_with(
            Method::PUT,
            &record,
            Some(json!({"properties": {"ttl": 60, "aRecords": []}})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(create_only.status, StatusCode::PRECONDITION_FAILED);
    let update = env
        .arm_with(
            Method::PUT,
            &record,
            Some(json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "10.10.1.5"}]}})),
            &[("If-Match", &record_etag)],
        )
        .await;
    assert_eq!(update.status, StatusCode::OK);
    let got = env.get(&format!("{zone}/A/clxyz123")).await;
    assert_eq!(
        got.body["properties"]["aRecords"][0]["ipv4Address"],
        "10.10.1.5"
    );
    assert_eq!(got.body["properties"]["ttl"], 60);
    let bad_ip = env
        .put(
            &record,
            json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "10.10.1.500"}]}}),
        )
        .await;
    assert_eq!(bad_ip.status, StatusCode::BAD_REQUEST);
    let bad_ttl = env
        .put(&record, json!({"properties": {"ttl": "sixty"}}))
        .await;
    assert_eq!(
        (bad_ttl.status, bad_ttl.code()),
        (StatusCode::BAD_REQUEST, "InvalidRequestContent")
    );
    assert_eq!(
        env.put(&record, json!({})).await.body["error"]["target"],
        "properties"
    );

    // Listings: ALL includes SOA, A only the A record; the zone counts records.
    let all = env.get(&format!("{zone}/ALL")).await;
    let types: Vec<&str> = all.body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(types.len(), 2, "{types:?}");
    assert!(types.contains(&"Microsoft.Network/privateDnsZones/SOA"));
    let a_only = env.get(&format!("{zone}/A")).await;
    assert_eq!(a_only.body["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        env.get(&zone).await.body["properties"]["numberOfRecordSets"],
        2
    );
    assert_eq!(
        env.get(&format!("{zone}/SOA/@")).await.status,
        StatusCode::OK
    );

    // Record delete: 200, then 204.
    assert_eq!(env.delete(&record).await.status, StatusCode::OK);
    assert_eq!(env.delete(&record).await.status, StatusCode::NO_CONTENT);
    assert_eq!(env.get(&record).await.code(), "ResourceNotFound");
    // Children of a missing zone.
    let orphan = env
        .put(
            &format!("{}/A/x", env.zone_id("missing.example.com")),
            json!({"properties": {"ttl": 1}}),
        )
        .await;
    assert_eq!(orphan.code(), "ParentResourceNotFound");

    // Link delete (LRO via Location → 204), then the zone delete goes through.
    let unlink = env
        .delete(&format!("{zone}/virtualNetworkLinks/agents-link"))
        .await;
    assert_eq!(unlink.status, StatusCode::ACCEPTED);
    let (gone, _) = env
        .poll_location(&unlink.header("location").expect("location"))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let delete = env.delete(&zone).await;
    assert_eq!(delete.status, StatusCode::ACCEPTED);
    let (gone, _) = env
        .poll_location(&delete.header("location").expect("location"))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(env.get(&zone).await.code(), "ResourceNotFound");
    assert_eq!(env.delete(&zone).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn private_dns_patch_updates_only_what_is_given() {
    let env = start().await;
    let zone = env.zone_id("external.astronomer.run");
    env.create_zone(&zone).await;
    let patched = env
        .arm(
            Method::PATCH,
            &zone,
            Some(json!({"tags": {"team": "data"}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::ACCEPTED, "{patched:?}");
    env.poll_location(&patched.header("location").expect("location"))
        .await;
    assert_eq!(env.get(&zone).await.body["tags"], json!({"team": "data"}));

    let link = format!("{zone}/virtualNetworkLinks/agents");
    env.create_link(&zone, "agents", &env.var("ASTRO_SANDBOX_VNET_ID"))
        .await;
    let patched = env
        .arm(
            Method::PATCH,
            &link,
            Some(json!({"properties": {"registrationEnabled": true}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::ACCEPTED);
    env.poll_location(&patched.header("location").expect("location"))
        .await;
    let got = env.get(&link).await.body;
    assert_eq!(got["properties"]["registrationEnabled"], true);
    assert_eq!(
        got["properties"]["virtualNetwork"]["id"],
        env.var("ASTRO_SANDBOX_VNET_ID")
    );
    let moved = env.arm(Method::PATCH, &link, Some(json!({"properties": {"virtualNetwork": {"id": env.net("rg-astro-agents", "virtualNetworks/vnet-agents-2")}}}))).await;
    assert_eq!(moved.status, StatusCode::BAD_REQUEST);

    let record = format!("{zone}/A/clxyz");
    env.put(
        &record,
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.10.1.4"}]}}),
    )
    .await;
    let patched = env
        .arm(
            Method::PATCH,
            &record,
            Some(json!({"properties": {"ttl": 60}})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.body["properties"]["ttl"], 60);
    assert_eq!(
        patched.body["properties"]["aRecords"][0]["ipv4Address"],
        "10.10.1.4"
    );
    let stale = env
        .arm_with(
            Method::PATCH,
            &record,
            Some(json!({"properties": {"ttl": 5}})),
            &[("If-Match", "stale")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let missing = env
        .arm(
            Method::PATCH,
            &format!("{zone}/A/ghost"),
            Some(json!({"properties": {"ttl": 5}})),
        )
        .await;
    assert_eq!(missing.code(), "ResourceNotFound");
}

#[tokio::test]
async fn private_link_service_visibility_check() {
    let env = start().await;
    let url = format!(
        "/subscriptions/{}/providers/Microsoft.Network/locations/eastus/checkPrivateLinkServiceVisibility",
        env.sub()
    );
    let alias = env.var("ASTRO_SANDBOX_PLS_ALIAS");
    let seen = env
        .arm(
            Method::POST,
            &url,
            Some(json!({"privateLinkServiceAlias": alias})),
        )
        .await;
    assert_eq!(
        (seen.status, seen.body["visible"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let unknown = env
        .arm(Method::POST, &url, Some(json!({"privateLinkServiceAlias": "x.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"})))
        .await;
    assert_eq!(unknown.body["visible"], false);
    let missing = env.arm(Method::POST, &url, Some(json!({}))).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let rg_scoped = format!(
        "/subscriptions/{}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/locations/eastus/checkPrivateLinkServiceVisibility",
        env.sub()
    );
    let seen = env
        .arm(
            Method::POST,
            &rg_scoped,
            Some(json!({"privateLinkServiceAlias": alias})),
        )
        .await;
    assert_eq!(seen.body["visible"], true);
    assert_eq!(env.get(&url).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn nic_naming_and_placement() {
    let env = start().await;
    let subnet = env.var("ASTRO_SANDBOX_SUBNET_ID");
    let alias = env.var("ASTRO_SANDBOX_PLS_ALIAS");
    // A custom NIC name, and an endpoint in another resource group than its VNet.
    let mut body = env.pe_body(&subnet, &alias);
    body["properties"]["customNetworkInterfaceName"] = json!("astro-nic");
    let id = env.net("rg-astro-dns", "privateEndpoints/elsewhere");
    let created = env.put(&id, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let nic_id = created.body["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .expect("nic")
        .to_string();
    assert_eq!(
        nic_id,
        env.net("rg-astro-dns", "networkInterfaces/astro-nic")
    );
    let nic = env.get(&nic_id).await;
    assert_eq!(nic.body["properties"]["privateEndpoint"]["id"], id);
    assert_eq!(
        nic.body["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"],
        subnet
    );
    // The same custom name again in that resource group is refused.
    let again = env
        .put(&env.net("rg-astro-dns", "privateEndpoints/twin"), body)
        .await;
    assert_eq!(again.code(), "InUseNetworkInterfaceName");
    // requestMessage is limited to 140 characters.
    let mut long = env.pe_body(&subnet, &alias);
    long["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["requestMessage"] =
        json!("x".repeat(141));
    let answer = env.put(&env.pe_id("chatty"), long).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.body["error"]["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("requestMessage"))
    );
}
