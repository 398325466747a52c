//! The guides' examples against the real `terraform`: "Using with Astronomer's own provider"
//! (`examples/with-astronomer-provider`, validated next to a stand-in `astronomer/astro`) and
//! "Moving from azurerm" (`examples/moving-from-azurerm`, applied against the sandbox from
//! a state a stand-in `hashicorp/azurerm` reads, then planned clean).
//!
//! This test has its own `main` (harness = false in Cargo.toml): when Terraform starts the
//! binary from the mirror it serves a stand-in provider (tests/standin), otherwise it runs
//! the tests below, one after the other; arguments that do not start with `-` filter them by
//! name, as libtest's do.

mod common;
mod standin;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use common::sandbox::TestSandbox;
use common::{Workspace, flat, resource_values};
use reqwest::Method;
use serde_json::{Value as Json, json};

const ARM_NETWORK: &str = "api-version=2025-01-01";
const ARM_DNS: &str = "api-version=2024-06-01";
const CLUSTER_ID: &str = "clmigrate0001";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A workspace whose Terraform installs every provider from its filesystem mirror: ours,
/// plus the stand-ins named in `standins` (namespace, type, version).
fn workspace(ws: Workspace, example: &str, standins: &[(&str, &str, &str)]) -> Workspace {
    let mirror = ws.tmp.path().join("mirror");
    for (namespace, ty, version) in standins {
        standin::lay_into_mirror(&mirror, namespace, ty, version);
    }
    std::fs::write(
        ws.tmp.path().join("terraform.rc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .expect("write CLI config");
    for entry in std::fs::read_dir(examples_dir().join(example)).expect("example dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&path, ws.dir().join(path.file_name().unwrap())).expect("copy .tf");
        }
    }
    ws
}

fn astronomer_vars() -> Json {
    json!({
        "astro_organization_id": "cljzz64cc001n01mln1p12345",
        "cluster_id": "clxxxxxxxxx",
        "private_link_service_alias": "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice",
        "resource_group_name": "rg-astro-agents",
        "location": "eastus",
        "subnet_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-agents/subnets/snet-agents",
        "virtual_network_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-agents",
    })
}

fn two_providers_validate_side_by_side() {
    let ws = workspace(
        Workspace::new(),
        "with-astronomer-provider",
        &[("astronomer", "astro", "1.0.0")],
    );
    std::fs::write(
        ws.dir().join("terraform.tfvars.json"),
        astronomer_vars().to_string(),
    )
    .unwrap();
    let init = ws.ok(&["init", "-no-color", "-input=false"]);
    assert!(init.contains("Installed astronomer/astro v1.0.0"), "{init}");
    assert!(init.contains("Installed astro-privatelink/astro"), "{init}");
    let out = ws.ok(&["validate", "-no-color"]);
    assert!(out.contains("The configuration is valid."), "{out}");
    assert!(!out.contains("Warning"), "{out}");

    // The `provider = astronomer` line is what makes it work: without it Terraform gives
    // astro_workspace to this provider, which has no such type.
    let main = std::fs::read_to_string(ws.dir().join("main.tf")).unwrap();
    std::fs::write(
        ws.dir().join("main.tf"),
        main.replace("  provider = astronomer\n", ""),
    )
    .unwrap();
    let out = ws.run(&["validate", "-no-color"]);
    let text = flat(&common::both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("does not support resource type \"astro_workspace\""),
        "{text}"
    );
}

/// PUTs `body` at `path` and returns the object once it has Succeeded (the sandbox runs with
/// `lro_polls: 0`, so the first GET is final).
fn put(sb: &TestSandbox, path: &str, api: &str, body: Json) -> Json {
    let (code, answer) = sb.arm(Method::PUT, &format!("{path}?{api}"), Some(body));
    assert!(code < 300, "PUT {path}: {code} {answer}");
    let (code, got) = sb.arm(Method::GET, &format!("{path}?{api}"), None);
    assert_eq!(code, 200, "GET {path}: {got}");
    // Record sets are written synchronously and carry no provisioningState.
    let state = &got["properties"]["provisioningState"];
    assert!(state.is_null() || state == "Succeeded", "{got}");
    got
}

/// What `terraform apply` with azurerm left behind, following Astronomer's guide: the Azure
/// objects (made in the sandbox through ARM, as azurerm makes them) and the state azurerm
/// wrote for them (schema version 0 of each type, attributes as azurerm names them).
fn made_by_azurerm(sb: &TestSandbox) -> (Json, Json) {
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let alias = sb.var("ASTRO_SANDBOX_PLS_ALIAS");
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    let pe = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
    );
    let pe_body = put(
        sb,
        &pe,
        ARM_NETWORK,
        json!({
            "location": "eastus",
            "properties": {
                "subnet": {"id": subnet},
                "manualPrivateLinkServiceConnections": [{
                    "name": "astro-privatelink-connection",
                    "properties": {"privateLinkServiceId": alias, "groupIds": [], "requestMessage": "Astro cluster clmigrate0001"}
                }]
            }
        }),
    );
    let nic = pe_body["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .expect("NIC id")
        .to_string();
    let (_, nic_body) = sb.arm(Method::GET, &format!("{nic}?{ARM_NETWORK}"), None);
    let ip = nic_body["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .expect("private IP")
        .to_string();
    let zone = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
    );
    put(sb, &zone, ARM_DNS, json!({"location": "global"}));
    let record = format!("{zone}/A/{CLUSTER_ID}");
    put(
        sb,
        &record,
        ARM_DNS,
        json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": ip}]}}),
    );
    let link = format!("{zone}/virtualNetworkLinks/agents-vnet-link");
    put(
        sb,
        &link,
        ARM_DNS,
        json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
    );

    let instance = |attributes: Json| json!([{ "schema_version": 0, "attributes": attributes, "sensitive_attributes": [] }]);
    let resource = |ty: &str, attributes: Json| {
        json!({
            "mode": "managed",
            "type": ty,
            "name": "astro",
            "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
            "instances": instance(attributes),
        })
    };
    let state = json!({
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 7,
        "lineage": "5c1b1f0e-2d6a-4f55-9d0f-6a1c9a3b7e21",
        "outputs": {},
        "resources": [
            resource("azurerm_private_endpoint", json!({
                "id": pe,
                "name": "astro-privatelink",
                "resource_group_name": "rg-astro-agents",
                "location": "eastus",
                "subnet_id": subnet,
                "custom_network_interface_name": "",
                "network_interface": [{"id": nic, "name": nic.rsplit('/').next().unwrap()}],
                "custom_dns_configs": [],
                "tags": {},
                "private_service_connection": [{
                    "name": "astro-privatelink-connection",
                    "is_manual_connection": true,
                    "private_connection_resource_id": "",
                    "private_connection_resource_alias": alias,
                    "subresource_names": [],
                    "request_message": "Astro cluster clmigrate0001",
                    "private_ip_address": ip,
                }],
            })),
            resource("azurerm_private_dns_zone", json!({
                "id": zone,
                "name": "external.astronomer.run",
                "resource_group_name": "rg-astro-dns",
                "number_of_record_sets": 2,
                "max_number_of_record_sets": 25000,
                "max_number_of_virtual_network_links": 1000,
                "max_number_of_virtual_network_links_with_registration": 100,
                "tags": {},
            })),
            resource("azurerm_private_dns_a_record", json!({
                "id": record,
                "name": CLUSTER_ID,
                "resource_group_name": "rg-astro-dns",
                "zone_name": "external.astronomer.run",
                "ttl": 300,
                "records": [ip],
                "fqdn": format!("{CLUSTER_ID}.external.astronomer.run."),
                "tags": {},
            })),
            resource("azurerm_private_dns_zone_virtual_network_link", json!({
                "id": link,
                "name": "agents-vnet-link",
                "resource_group_name": "rg-astro-dns",
                "private_dns_zone_name": "external.astronomer.run",
                "virtual_network_id": vnet,
                "registration_enabled": false,
                "tags": {},
            })),
        ],
    });
    let vars = json!({
        "private_endpoint_id": pe,
        "dns_record_id": record,
        "name": "astro-privatelink",
        "resource_group_name": "rg-astro-agents",
        "location": "eastus",
        "subnet_id": subnet,
        "private_link_service_alias": alias,
        "connection_name": "astro-privatelink-connection",
        "request_message": "Astro cluster clmigrate0001",
        "dns_resource_group_name": "rg-astro-dns",
        "cluster_id": CLUSTER_ID,
        "virtual_network_ids": [vnet],
    });
    (state, vars)
}

fn moving_from_azurerm_imports_ours_forgets_theirs_and_plans_clean() {
    let sb = TestSandbox::start();
    sb.set_faults(json!({"lro_polls": 0}));
    let (state, vars) = made_by_azurerm(&sb);
    sb.set_faults(json!({}));
    let made = sb.resources();
    let ws = workspace(
        Workspace::with_sandbox(&sb),
        "moving-from-azurerm",
        &[("hashicorp", "azurerm", "4.35.0")],
    );
    std::fs::write(ws.dir().join("terraform.tfstate"), state.to_string()).unwrap();
    std::fs::write(ws.dir().join("terraform.tfvars.json"), vars.to_string()).unwrap();
    ws.init();
    // Before the move, the stand-in reads azurerm's state as azurerm would.
    let before = ws.state_json();
    assert_eq!(
        resource_values(&before, "azurerm_private_dns_a_record.astro")["ttl"],
        300
    );

    let plan = flat(&ws.ok(&["plan", "-no-color", "-input=false"]));
    assert!(
        plan.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    // The one warning is Terraform's own about the forgotten objects, naming all four.
    assert_eq!(plan.matches("Warning:").count(), 1, "{plan}");
    assert!(
        plan.contains("Warning: Some objects will no longer be managed by Terraform"),
        "{plan}"
    );
    for ty in [
        "azurerm_private_endpoint",
        "azurerm_private_dns_zone",
        "azurerm_private_dns_a_record",
        "azurerm_private_dns_zone_virtual_network_link",
    ] {
        assert!(
            plan.contains(&format!(
                "{ty}.astro will no longer be managed by Terraform, but will not be destroyed"
            )),
            "{plan}"
        );
    }
    sb.clear_requests();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let writes: u64 = ["PUT", "PATCH", "DELETE"]
        .iter()
        .map(|m| sb.summary()["by_method"][m].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        writes,
        0,
        "the move must not write to Azure: {}",
        sb.summary()
    );
    assert_eq!(sb.resources(), made, "every Azure object is still there");

    let after = ws.state_json();
    let addresses: Vec<String> = after["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        addresses,
        ["astro_private_dns.astro", "astro_private_endpoint.agents"],
        "only ours are left in state"
    );
    assert_eq!(
        resource_values(&after, "astro_private_dns.astro")["zone_name"],
        "external.astronomer.run"
    );
    ws.assert_clean_plan("after moving from azurerm");
}

fn main() -> ExitCode {
    if let Some(code) = standin::serve_if_started_by_terraform() {
        return code;
    }
    let tests: [(&str, fn()); 2] = [
        (
            "two_providers_validate_side_by_side",
            two_providers_validate_side_by_side,
        ),
        (
            "moving_from_azurerm_imports_ours_forgets_theirs_and_plans_clean",
            moving_from_azurerm_imports_ours_forgets_theirs_and_plans_clean,
        ),
    ];
    // libtest's command line, as far as it matters here: names filter; `--list` lists; the
    // value after an option that takes one (`--test-threads 1`) is not a name.
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--list" {
            for (name, _) in &tests {
                println!("{name}: test");
            }
            return ExitCode::SUCCESS;
        }
        if [
            "--test-threads",
            "--skip",
            "--color",
            "--format",
            "--logfile",
            "-Z",
        ]
        .contains(&arg.as_str())
        {
            args.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let selected: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let ok = std::panic::catch_unwind(test).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len(),
        tests.len() - selected.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
