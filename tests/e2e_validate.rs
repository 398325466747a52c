//! End-to-end, real `terraform`: `validate` rejects bad input with the attribute path before
//! anything reaches Azure, and `plan` shows computed attributes as known after apply.

mod common;

use common::Workspace;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn subnet() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents/subnets/snet-agents"
    )
}

fn vnet() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents"
    )
}

const ALIAS: &str =
    "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice";

/// A valid endpoint with one attribute line replaced.
fn endpoint(label: &str, attr: &str, value: &str) -> String {
    let mut attrs = vec![
        ("name", "\"astro-privatelink\"".to_string()),
        ("resource_group_name", "\"rg-astro-agents\"".to_string()),
        ("location", "\"eastus\"".to_string()),
        ("subnet_id", format!("\"{}\"", subnet())),
        ("private_link_service_alias", format!("\"{ALIAS}\"")),
    ];
    match attrs.iter_mut().find(|(k, _)| *k == attr) {
        Some(slot) => slot.1 = value.to_string(),
        None => attrs.push((attr, value.to_string())),
    }
    let body: String = attrs
        .iter()
        .map(|(k, v)| format!("  {k} = {v}\n"))
        .collect();
    format!("resource \"astro_private_endpoint\" \"{label}\" {{\n{body}}}\n")
}

fn dns(label: &str, attr: &str, value: &str) -> String {
    let mut attrs = vec![
        ("resource_group_name", "\"rg-astro-dns\"".to_string()),
        ("cluster_id", "\"clxxxxxxxxx\"".to_string()),
        ("ip_address", "\"10.10.1.4\"".to_string()),
        ("virtual_network_ids", format!("[\"{}\"]", vnet())),
    ];
    match attrs.iter_mut().find(|(k, _)| *k == attr) {
        Some(slot) => slot.1 = value.to_string(),
        None => attrs.push((attr, value.to_string())),
    }
    let body: String = attrs
        .iter()
        .map(|(k, v)| format!("  {k} = {v}\n"))
        .collect();
    format!("resource \"astro_private_dns\" \"{label}\" {{\n{body}}}\n")
}

fn connection(label: &str, attr: &str, value: &str) -> String {
    let pe = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
    );
    let mut attrs = vec![
        ("private_endpoint_id", format!("\"{pe}\"")),
        ("wait_for_status", "\"Approved\"".to_string()),
    ];
    match attrs.iter_mut().find(|(k, _)| *k == attr) {
        Some(slot) => slot.1 = value.to_string(),
        None => attrs.push((attr, value.to_string())),
    }
    let body: String = attrs
        .iter()
        .map(|(k, v)| format!("  {k} = {v}\n"))
        .collect();
    format!("data \"astro_private_endpoint_connection\" \"{label}\" {{\n{body}}}\n")
}

/// One bad input per rule: (block label, attribute path as Terraform shows it, HCL).
fn cases() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "pe_name_start",
            "name",
            endpoint("pe_name_start", "name", "\"-astro\""),
        ),
        (
            "pe_name_long",
            "name",
            endpoint("pe_name_long", "name", &format!("\"{}\"", "a".repeat(65))),
        ),
        (
            "pe_rg_dot",
            "resource_group_name",
            endpoint("pe_rg_dot", "resource_group_name", "\"rg-astro.\""),
        ),
        (
            "pe_location",
            "location",
            endpoint("pe_location", "location", "\"east_us\""),
        ),
        (
            "pe_subnet_text",
            "subnet_id",
            endpoint("pe_subnet_text", "subnet_id", "\"snet-agents\""),
        ),
        (
            "pe_subnet_is_vnet",
            "subnet_id",
            endpoint("pe_subnet_is_vnet", "subnet_id", &format!("\"{}\"", vnet())),
        ),
        (
            "pe_alias",
            "private_link_service_alias",
            endpoint(
                "pe_alias",
                "private_link_service_alias",
                "\"astro-pls.eastus.azure.privatelinkservice\"",
            ),
        ),
        (
            "pe_message",
            "request_message",
            endpoint(
                "pe_message",
                "request_message",
                &format!("\"{}\"", "m".repeat(141)),
            ),
        ),
        (
            "pe_connection_name",
            "connection_name",
            endpoint("pe_connection_name", "connection_name", "\"conn name\""),
        ),
        (
            "pe_nic_name",
            "custom_network_interface_name",
            endpoint("pe_nic_name", "custom_network_interface_name", "\"nic/0\""),
        ),
        (
            "pe_timeout",
            "timeouts.create",
            endpoint("pe_timeout", "timeouts", "{ create = \"soon\" }")
                .replace("timeouts = {", "timeouts {"),
        ),
        (
            "dns_cluster",
            "cluster_id",
            dns("dns_cluster", "cluster_id", "\"Cl.Bad\""),
        ),
        (
            "dns_ip",
            "ip_address",
            dns("dns_ip", "ip_address", "\"10.0.0.300\""),
        ),
        (
            "dns_vnets_empty",
            "virtual_network_ids",
            dns("dns_vnets_empty", "virtual_network_ids", "[]"),
        ),
        (
            "dns_vnet_bad",
            "virtual_network_ids",
            dns("dns_vnet_bad", "virtual_network_ids", "[\"vnet-agents\"]"),
        ),
        (
            "dns_zone",
            "zone_name",
            dns("dns_zone", "zone_name", "\"astronomer\""),
        ),
        ("dns_ttl", "ttl", dns("dns_ttl", "ttl", "0")),
        (
            "conn_id",
            "private_endpoint_id",
            connection("conn_id", "private_endpoint_id", "\"astro-privatelink\""),
        ),
        (
            "conn_status",
            "wait_for_status",
            connection("conn_status", "wait_for_status", "\"approved\""),
        ),
        (
            "conn_timeout",
            "timeout",
            connection("conn_timeout", "timeout", "\"20 minutes\""),
        ),
        (
            "conn_poll",
            "poll_interval",
            connection("conn_poll", "poll_interval", "\"0s\""),
        ),
    ]
}

/// Runs `terraform validate -json` on `config` and returns its error diagnostics.
fn validate_errors(config: &str) -> Vec<serde_json::Value> {
    let ws = Workspace::new();
    ws.write_config(config);
    ws.init();
    let out = ws.run(&["validate", "-json", "-no-color"]);
    assert!(!out.status.success(), "validate must fail");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("validate -json output");
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .cloned()
        .collect()
}

/// Asserts one error per `(block, path)`, each pointing at the attribute's line and naming the path.
fn assert_one_error_each(errors: &[serde_json::Value], expected: &[(String, String)]) {
    for (label, path) in expected {
        let leaf = path.rsplit('.').next().unwrap();
        let hit = errors.iter().find(|d| {
            let context = d["snippet"]["context"].as_str().unwrap_or_default();
            let code = d["snippet"]["code"].as_str().unwrap_or_default();
            let detail = d["detail"].as_str().unwrap_or_default();
            let in_block = if label == "provider" {
                context.contains("provider \"astro\"")
            } else {
                context.contains(&format!("\"{label}\""))
            };
            in_block && code.contains(leaf) && detail.contains(path.as_str())
        });
        assert!(
            hit.is_some(),
            "no error for {label} at {path}; errors were:\n{}",
            serde_json::to_string_pretty(errors).unwrap()
        );
    }
    assert_eq!(
        errors.len(),
        expected.len(),
        "one error per bad input, got:\n{}",
        serde_json::to_string_pretty(errors).unwrap()
    );
}

#[test]
fn validate_rejects_each_bad_resource_input_with_its_attribute_path() {
    let cases = cases();
    assert!(cases.len() >= 15);
    let mut config = format!("provider \"astro\" {{\n  subscription_id = \"{SUB}\"\n}}\n\n");
    for (_, _, hcl) in &cases {
        config.push_str(hcl);
        config.push('\n');
    }
    let expected: Vec<(String, String)> = cases
        .iter()
        .map(|(l, p, _)| (l.to_string(), p.to_string()))
        .collect();
    assert_one_error_each(&validate_errors(&config), &expected);
}

#[test]
fn validate_rejects_bad_provider_settings_with_their_attribute_path() {
    // A resource makes Terraform instantiate (and so validate) the provider.
    let config = format!(
        "provider \"astro\" {{\n  subscription_id = \"not-a-guid\"\n  environment = \"mars\"\n  resource_manager_endpoint = \"http://management.azure.com/\"\n  authority_host = \"login.microsoftonline.com\"\n}}\n\n{}",
        dns("ok", "ttl", "300")
    );
    let expected: Vec<(String, String)> = [
        "subscription_id",
        "environment",
        "resource_manager_endpoint",
        "authority_host",
    ]
    .iter()
    .map(|p| ("provider".to_string(), p.to_string()))
    .collect();
    assert_one_error_each(&validate_errors(&config), &expected);
}

#[test]
fn plan_shows_computed_attributes_as_known_after_apply() {
    let ws = Workspace::new();
    ws.write_config(&format!(
        r#"provider "astro" {{
  subscription_id = "{SUB}"
}}

resource "astro_private_endpoint" "agents" {{
  name                       = "astro-privatelink"
  resource_group_name        = "rg-astro-agents"
  location                   = "East US"
  subnet_id                  = "{subnet}"
  private_link_service_alias = "{ALIAS}"
  request_message            = "Astro cluster clxxxxxxxxx"
  tags                       = {{ team = "data" }}
}}

resource "astro_private_dns" "astro" {{
  resource_group_name = "rg-astro-dns"
  cluster_id          = "clxxxxxxxxx"
  ip_address          = astro_private_endpoint.agents.private_ip_address
  virtual_network_ids = ["{vnet}"]
}}

data "astro_private_endpoint_connection" "astro" {{
  private_endpoint_id = astro_private_endpoint.agents.id
  wait_for_status     = "Approved"
  timeout             = "20m"
}}
"#,
        subnet = subnet(),
        vnet = vnet()
    ));
    ws.init();
    ws.ok(&["validate", "-no-color"]);
    let plan = ws.plan_json();
    let changes = plan["resource_changes"]
        .as_array()
        .expect("resource_changes");
    let find = |addr: &str| {
        changes
            .iter()
            .find(|c| c["address"] == addr)
            .unwrap_or_else(|| panic!("{addr} missing"))
    };

    let pe = find("astro_private_endpoint.agents");
    assert_eq!(pe["change"]["actions"], serde_json::json!(["create"]));
    for attr in [
        "id",
        "private_ip_address",
        "network_interface_id",
        "connection_status",
        "connection_description",
        "provisioning_state",
    ] {
        assert_eq!(
            pe["change"]["after_unknown"][attr], true,
            "{attr} should be known after apply"
        );
    }
    assert_eq!(
        pe["change"]["after"]["connection_name"], "astro-privatelink",
        "connection_name defaults to name"
    );
    assert_eq!(pe["change"]["after"]["manual_connection"], true);

    let dns = find("astro_private_dns.astro");
    for attr in [
        "id",
        "zone_id",
        "fqdn",
        "virtual_network_link_ids",
        "ip_address",
    ] {
        assert_eq!(
            dns["change"]["after_unknown"][attr], true,
            "{attr} should be known after apply"
        );
    }
    assert_eq!(
        dns["change"]["after"]["zone_name"],
        "external.astronomer.run"
    );
    assert_eq!(dns["change"]["after"]["ttl"], 300);
    assert_eq!(dns["change"]["after"]["manage_zone"], true);

    let ds = find("data.astro_private_endpoint_connection.astro");
    assert_eq!(ds["change"]["actions"], serde_json::json!(["read"]));
    for attr in ["status", "approved", "private_ip_address"] {
        assert_eq!(
            ds["change"]["after_unknown"][attr], true,
            "{attr} should be known after apply"
        );
    }
}
