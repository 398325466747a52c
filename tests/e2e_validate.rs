//! End-to-end, real `terraform`: `validate` rejects bad input with the attribute path before
//! anything reaches Azure, and `plan` shows computed attributes as known after apply.

mod common;

use common::Workspace;

use common::bad_inputs::{ALIAS, SUB, cases, dns, subnet, vnet};

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
        "provider \"astro\" {{\n  subscription_id = \"not-a-guid\"\n  environment = \"mars\"\n  resource_manager_endpoint = \"http://management.azure.com/\"\n  authority_host = \"login.microsoftonline.com\"\n  oidc_token = \"x\"\n  oidc_token_file_path = \"/tmp/token\"\n}}\n\n{}",
        dns("ok", "ttl", "300")
    );
    let expected: Vec<(String, String)> = [
        "subscription_id",
        "environment",
        "resource_manager_endpoint",
        "authority_host",
        "oidc_token_file_path",
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
        "connection_closed",
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
