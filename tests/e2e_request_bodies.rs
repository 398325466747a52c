//! End-to-end, real `terraform` against the in-process sandbox: what the provider's update
//! writes carry, read from the bodies the sandbox received. A write after a read sends no
//! property the REST definitions mark read-only (as Microsoft's SDKs do, see
//! tests/sdk_python.rs) and keeps every property it does not manage.

mod common;

use common::sandbox::TestSandbox;
use common::{Workspace, hcl};
use serde_json::Value as Json;

fn config(sb: &TestSandbox, team: &str, ttl: u32) -> String {
    let tags = format!("  tags = {{ team = \"{team}\" }}\n");
    format!(
        "{}{}{}",
        hcl::PROVIDER,
        hcl::endpoint(sb, "agents", "astro-privatelink", &tags),
        hcl::dns(
            "astro",
            "clxxxxxxxxx",
            "astro_private_endpoint.agents.private_ip_address",
            &[hcl::quoted(&sb.var("ASTRO_SANDBOX_VNET_ID"))],
            &format!("{tags}  manage_zone = true\n  ttl = {ttl}\n"),
        )
    )
}

/// The body of the one `method` request on `resource_type` in the log.
fn only_body(log: &[Json], method: &str, resource_type: &str) -> Json {
    let bodies: Vec<&Json> = log
        .iter()
        .filter(|e| e["method"] == method && e["resource_type"] == resource_type)
        .map(|e| &e["body"])
        .collect();
    assert_eq!(
        bodies.len(),
        1,
        "{method} {resource_type} requests: {bodies:?}"
    );
    bodies[0].clone()
}

fn assert_absent(body: &Json, keys: &[&str], what: &str) {
    for key in keys {
        assert!(
            body.get(*key).is_none(),
            "{what} sent read-only `{key}`: {body}"
        );
    }
}

#[test]
fn update_writes_send_no_read_only_property_and_keep_what_they_do_not_manage() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&sb, "data", 300));
    ws.init();
    ws.apply();
    sb.clear_requests();
    ws.write_config(&config(&sb, "platform", 60));
    ws.apply();
    let log = sb.requests();

    // privateEndpoint.json: name, type, etag; properties.networkInterfaces and
    // provisioningState; a connection's type, etag and properties.provisioningState.
    let pe = only_body(&log, "PUT", "privateEndpoints");
    assert_eq!(pe["tags"]["team"], "platform", "{pe}");
    assert_absent(&pe, &["name", "type", "etag"], "the endpoint update");
    assert_absent(
        &pe["properties"],
        &["networkInterfaces", "provisioningState"],
        "the endpoint update",
    );
    let conn = &pe["properties"]["manualPrivateLinkServiceConnections"][0];
    assert!(conn["name"].is_string(), "{pe}");
    assert_absent(conn, &["type", "etag"], "the connection");
    assert_absent(
        &conn["properties"],
        &["provisioningState"],
        "the connection",
    );
    // What the provider does not manage but read comes back unchanged.
    for kept in [
        "applicationSecurityGroups",
        "customDnsConfigs",
        "ipVersionType",
    ] {
        assert!(
            pe["properties"].get(kept).is_some(),
            "the endpoint update dropped `{kept}` it read: {pe}"
        );
    }

    // privatedns.json: id, name, type, systemData and every zone counter are read-only.
    let zone = only_body(&log, "PUT", "privateDnsZones");
    assert_eq!(zone["tags"]["team"], "platform", "{zone}");
    assert_absent(
        &zone,
        &["id", "name", "type", "systemData"],
        "the zone update",
    );
    let counters = zone["properties"].as_object().map(|p| p.len()).unwrap_or(0);
    assert_eq!(
        counters, 0,
        "the zone update sent read-only properties: {zone}"
    );

    let record = only_body(&log, "PUT", "A");
    assert_eq!(record["properties"]["ttl"], 60, "{record}");
    assert_absent(
        &record,
        &["id", "name", "type", "systemData"],
        "the record update",
    );
    assert_absent(
        &record["properties"],
        &["fqdn", "isAutoRegistered"],
        "the record update",
    );
    ws.assert_clean_plan("after the update");
}
