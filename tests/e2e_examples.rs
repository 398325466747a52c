//! The shipped examples, run as a user would: each directory under `examples/` is copied into
//! a workspace, given variables for the sandbox's seeded VNets, applied (with Astronomer's
//! approval where it waits for one), planned again (must be empty) and destroyed to nothing;
//! and every example is `terraform fmt` clean.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, resource_values, terraform_bin, wait};
use reqwest::Method;
use serde_json::{Value as Json, json};

const CLUSTER_ID: &str = "clexample0001";
const ARM_NETWORK: &str = "api-version=2025-01-01";
const ARM_DNS: &str = "api-version=2024-06-01";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read example dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy example file");
        }
    }
}

/// A workspace holding `examples/<name>` (and `examples/modules` beside it, so relative module
/// sources resolve), with `vars` as terraform.tfvars.json, initialised.
fn example(sb: &TestSandbox, name: &str, vars: Json) -> Workspace {
    let ws = Workspace::with_sandbox(sb);
    copy_dir(&examples_dir().join(name), &ws.dir());
    copy_dir(
        &examples_dir().join("modules"),
        &ws.tmp.path().join("modules"),
    );
    std::fs::write(
        ws.dir().join("terraform.tfvars.json"),
        serde_json::to_string_pretty(&vars).expect("vars JSON"),
    )
    .expect("write tfvars");
    ws.init();
    ws
}

fn vnet2(sb: &TestSandbox) -> String {
    sb.var("ASTRO_SANDBOX_VNET_ID").replace(
        "/virtualNetworks/vnet-agents",
        "/virtualNetworks/vnet-agents-2",
    )
}

fn subnet2(sb: &TestSandbox) -> String {
    format!("{}/subnets/snet-agents", vnet2(sb))
}

/// Acts as Astronomer support while `apply` runs: approves every Pending connection on the
/// Private Link Service until `expected` are Approved, then returns apply's output.
fn apply_with_approval(sb: &TestSandbox, ws: &Workspace, expected: usize) -> String {
    let mut child = ws.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let list = format!(
        "{}/privateEndpointConnections?{ARM_NETWORK}",
        sb.var("ASTRO_SANDBOX_PLS_ID")
    );
    wait::until_true(
        &format!("{expected} connection requests to reach Astronomer"),
        || {
            let (code, body) = sb.arm(Method::GET, &list, None);
            assert_eq!(code, 200, "{body}");
            let conns = body["value"].as_array().cloned().unwrap_or_default();
            let status = |c: &Json| {
                c["properties"]["privateLinkServiceConnectionState"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            for c in conns.iter().filter(|c| status(c) == "Pending") {
                let (code, body) = sb.arm(
                    Method::PUT,
                    &format!("{}?{ARM_NETWORK}", c["id"].as_str().expect("connection id")),
                    Some(json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "Approved by Astronomer support"}}})),
                );
                assert_eq!(code, 200, "approve: {body}");
            }
            conns.iter().filter(|c| status(c) == "Approved").count() >= expected
                // It ended early: its output below says why.
                || child.try_wait().expect("poll terraform apply").is_some()
        },
    );
    let out = child.wait_with_output().expect("terraform apply");
    let text = both(&out);
    assert!(out.status.success(), "apply failed:\n{text}");
    text
}

/// The attributes whose values differ between two objects of a plan's change, sorted.
fn changed_keys<'a>(before: &Json, after: &'a Json) -> Vec<&'a String> {
    after
        .as_object()
        .expect("after object")
        .iter()
        .filter(|(k, v)| before[k.as_str()] != **v)
        .map(|(k, _)| k)
        .collect()
}

/// When Astronomer approves after an endpoint's create has read it back, nothing the
/// provider stores changes: the refresh-only plan right after the apply shows no drift.
fn record_the_approval(ws: &Workspace) {
    let drift = ws.refresh_drift();
    assert!(drift.is_empty(), "an approval is no drift: {drift:?}");
}

/// Imports every resource in `resources` back with `import` blocks (Terraform's own way since
/// 1.5; unlike `terraform import` it records each resource's dependencies, so the state equals
/// what an apply writes). The plan may only import and, where the configuration sets
/// `manage_zone` explicitly, update that flag on an `astro_private_dns`: an imported unit cannot
/// know whether it owns its zone (Azure does not say), so it leaves the choice to the
/// configuration and no Azure object is written for it.
fn import_back(ws: &Workspace, resources: &[(String, String, Json)]) {
    // The import example declares its own import blocks; a second block for an address is an
    // error.
    let declared: String = std::fs::read_dir(ws.dir())
        .expect("read workspace")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .map(|p| std::fs::read_to_string(p).expect("read .tf"))
        .collect();
    let declared = flat(&declared);
    let blocks: String = resources
        .iter()
        .filter(|(address, _, _)| !declared.contains(&format!("to = {address} ")))
        .map(|(address, ty, values)| {
            format!(
                "import {{\n  to = {address}\n  id = {}\n}}\n\n",
                Json::from(import_id(ty, values))
            )
        })
        .collect();
    let imports = ws.dir().join("imports.tf");
    std::fs::write(&imports, blocks).expect("write imports.tf");
    ws.ok(&["plan", "-no-color", "-input=false", "-out=import.tfplan"]);
    let plan: Json =
        serde_json::from_str(&ws.ok(&["show", "-json", "import.tfplan"])).expect("plan JSON");
    let mut imported = 0;
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        if rc["mode"] != "managed" {
            continue;
        }
        assert!(rc["change"]["importing"].is_object(), "not an import: {rc}");
        imported += 1;
        if rc["change"]["actions"] == json!(["no-op"]) {
            continue;
        }
        let (before, after) = (&rc["change"]["before"], &rc["change"]["after"]);
        let moved = changed_keys(before, after);
        // An import cannot know a configured `timeouts` block either (it lives only in
        // Terraform's state); the framework writes nothing to Azure for it.
        let only_timeouts = rc["change"]["actions"] == json!(["update"])
            && moved == ["timeouts"]
            && before["timeouts"].is_null();
        assert!(
            only_timeouts
                || (rc["type"] == "astro_private_dns"
                    && rc["change"]["actions"] == json!(["update"])
                    && moved == ["manage_zone"]
                    && before["manage_zone"].is_null()),
            "an import may only settle manage_zone or the timeouts block: {rc}"
        );
    }
    assert_eq!(imported, resources.len(), "every resource is imported");
    ws.ok(&["apply", "-no-color", "-input=false", "import.tfplan"]);
    std::fs::remove_file(imports).expect("remove imports.tf");
}

/// Every managed resource in the state (child modules included): (address, type, values).
fn managed_resources(state: &Json) -> Vec<(String, String, Json)> {
    fn walk(module: &Json, out: &mut Vec<(String, String, Json)>) {
        for r in module["resources"].as_array().into_iter().flatten() {
            if r["mode"] == "managed" {
                out.push((
                    r["address"].as_str().unwrap_or_default().to_string(),
                    r["type"].as_str().unwrap_or_default().to_string(),
                    r["values"].clone(),
                ));
            }
        }
        for m in module["child_modules"].as_array().into_iter().flatten() {
            walk(m, out);
        }
    }
    let mut out = Vec::new();
    walk(&state["values"]["root_module"], &mut out);
    out
}

/// The ID `terraform import` takes for a resource of `ty` with state `values`.
fn import_id(ty: &str, values: &Json) -> String {
    let key = match ty {
        "astro_private_endpoint_approval" => "private_endpoint_id",
        _ => "id",
    };
    values[key]
        .as_str()
        .unwrap_or_else(|| panic!("{ty} has no {key}: {values}"))
        .to_string()
}

/// What a drift check in CI sees over an example's life: a clean plan (both
/// `plan -detailed-exitcode` and `plan -refresh-only -detailed-exitcode` exit 0) after apply;
/// drift made outside Terraform on every record and endpoint shows in plan, and after the
/// apply that repairs it the plan is clean again; every resource forgotten and imported back
/// by its ID plans clean too; then destroy leaves nothing in the sandbox.
fn plans_empty_then_destroys_to_nothing(sb: &TestSandbox, ws: &Workspace) {
    ws.assert_clean_plan("plan after apply must be empty");

    let resources = managed_resources(&ws.state_json());
    assert!(!resources.is_empty(), "the example manages nothing");
    for (_, ty, values) in &resources {
        match ty.as_str() {
            "astro_private_dns" => sb.oob(json!({"op": "set_a_record", "id": values["id"], "ipv4": ["10.10.1.99"]})),
            "astro_private_endpoint" => sb.oob(json!({"op": "set_tags", "id": values["id"], "tags": {"drift": "made outside terraform"}})),
            _ => {}
        }
    }
    let (code, text) = ws.plan_exit();
    assert_eq!(code, 2, "plan must show the out-of-band changes:\n{text}");
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    ws.assert_clean_plan("plan after the drift repair must be empty");

    for (address, _, _) in &resources {
        ws.ok(&["state", "rm", "-no-color", address]);
    }
    import_back(ws, &resources);
    ws.assert_clean_plan("plan after importing every resource must be empty");

    ws.destroy_to_nothing(sb);
}

/// Astronomer's verify step from inside `vnet_id`: (resolved address, http answer).
fn verify(sb: &TestSandbox, vnet_id: &str, host: &str) -> (String, String) {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("vnet_id", vnet_id)
        .append_pair("host", host)
        .finish();
    let (code, body) = sb.arm(Method::GET, &format!("/_sandbox/verify?{query}"), None);
    assert_eq!(code, 200, "{body}");
    (
        body["resolved"].as_str().unwrap_or_default().to_string(),
        body["http"].as_str().unwrap_or_default().to_string(),
    )
}

fn output(ws: &Workspace, name: &str) -> Json {
    let text = ws.ok(&["output", "-json", name]);
    serde_json::from_str(&text).expect("output JSON")
}

#[test]
fn quickstart_waits_for_approval_verifies_plans_empty_and_destroys() {
    let sb = TestSandbox::start();
    let ws = example(
        &sb,
        "quickstart",
        json!({
            "subnet_id": sb.var("ASTRO_SANDBOX_SUBNET_ID"),
            "vnet_id": sb.var("ASTRO_SANDBOX_VNET_ID"),
            "private_link_service_alias": sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
            "cluster_id": CLUSTER_ID,
            "approval_timeout": "3m",
        }),
    );
    let text = flat(&apply_with_approval(&sb, &ws, 1));
    record_the_approval(&ws);
    assert!(text.contains("connection_status = \"Approved\""), "{text}");
    let checks = output(&ws, "private_link_checks");
    assert_eq!(
        checks,
        json!({"connection_approved": true, "record_points_at_endpoint": true, "agent_vnets_resolve_zone": true, "agent_vnets_reach_endpoint": true, "zone_records": true, "nsg_allows_443": true}),
        "the quickstart's astro_private_link_check passes"
    );
    let fqdn = output(&ws, "fqdn");
    assert_eq!(fqdn, format!("{CLUSTER_ID}.external.astronomer.run"));
    let ip = output(&ws, "private_ip_address");
    let (resolved, http) = verify(
        &sb,
        &sb.var("ASTRO_SANDBOX_VNET_ID"),
        fqdn.as_str().unwrap_or_default(),
    );
    assert_eq!(Json::from(resolved), ip);
    assert_eq!(http, "404 page not found");
    plans_empty_then_destroys_to_nothing(&sb, &ws);
}

#[test]
fn module_per_vnet_gives_each_vnet_its_own_endpoint_and_zone() {
    let sb = TestSandbox::start();
    let vnet = |subnet: String, dns_rg: &str| json!({"subnet_id": subnet, "resource_group_name": "rg-astro-agents", "location": "eastus", "dns_resource_group_name": dns_rg});
    let ws = example(
        &sb,
        "module-per-vnet",
        json!({
            "vnets": {
                "agents": vnet(sb.var("ASTRO_SANDBOX_SUBNET_ID"), "rg-astro-dns"),
                "agents-2": vnet(subnet2(&sb), "rg-astro-agents"),
            },
            "private_link_service_alias": sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
            "cluster_id": CLUSTER_ID,
            "approval_timeout": "3m",
        }),
    );
    apply_with_approval(&sb, &ws, 2);
    record_the_approval(&ws);
    assert_eq!(
        output(&ws, "connection_statuses"),
        json!({"agents": "Approved", "agents-2": "Approved"})
    );
    let ips = output(&ws, "private_ip_addresses");
    let zones = output(&ws, "zone_ids");
    assert_ne!(zones["agents"], zones["agents-2"], "one zone per VNet");
    let host = format!("{CLUSTER_ID}.external.astronomer.run");
    for (key, vnet_id) in [
        ("agents", sb.var("ASTRO_SANDBOX_VNET_ID")),
        ("agents-2", vnet2(&sb)),
    ] {
        let (resolved, http) = verify(&sb, &vnet_id, &host);
        assert_eq!(
            Json::from(resolved),
            ips[key],
            "{key} resolves to its own endpoint"
        );
        assert_eq!(http, "404 page not found", "{key}");
    }
    plans_empty_then_destroys_to_nothing(&sb, &ws);
}

#[test]
fn hub_and_spoke_links_one_zone_to_every_vnet() {
    let sb = TestSandbox::start();
    let ws = example(
        &sb,
        "hub-and-spoke",
        json!({
            "hub_subnet_id": sb.var("ASTRO_SANDBOX_SUBNET_ID"),
            "spoke_vnet_ids": [vnet2(&sb)],
            "private_link_service_alias": sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
            "cluster_id": CLUSTER_ID,
            "approval_timeout": "3m",
        }),
    );
    apply_with_approval(&sb, &ws, 1);
    record_the_approval(&ws);
    let links = output(&ws, "virtual_network_link_ids");
    let linked: Vec<String> = links
        .as_object()
        .expect("link map")
        .keys()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    assert_eq!(linked.len(), 2, "{links}");
    for vnet_id in [sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb)] {
        assert!(linked.contains(&vnet_id.to_ascii_lowercase()), "{links}");
        let (resolved, _) = verify(
            &sb,
            &vnet_id,
            &format!("{CLUSTER_ID}.external.astronomer.run"),
        );
        assert_eq!(Json::from(resolved), output(&ws, "private_ip_address"));
    }
    plans_empty_then_destroys_to_nothing(&sb, &ws);
}

#[test]
fn several_clusters_share_one_zone_and_one_link_per_vnet() {
    let sb = TestSandbox::start();
    let cluster = |id: &str, subnet: String| json!({"cluster_id": id, "private_link_service_alias": sb.var("ASTRO_SANDBOX_PLS_ALIAS"), "subnet_id": subnet});
    let vnets = [sb.var("ASTRO_SANDBOX_VNET_ID"), vnet2(&sb)];
    let ws = example(
        &sb,
        "several-clusters",
        json!({
            "clusters": {
                "prod": cluster("clexampleprod", sb.var("ASTRO_SANDBOX_SUBNET_ID")),
                "dev": cluster("clexampledev0", sb.var("ASTRO_SANDBOX_SUBNET_ID")),
            },
            "zone_owner": "prod",
            "virtual_network_ids": vnets,
            "approval_timeout": "3m",
            "tags": {"team": "data"},
        }),
    );
    apply_with_approval(&sb, &ws, 2);
    record_the_approval(&ws);
    let links: Vec<String> = sb
        .resources()
        .into_iter()
        .filter(|r| r.contains("/virtualNetworkLinks/"))
        .collect();
    assert_eq!(links.len(), 2, "one link per VNet, shared: {links:#?}");
    let state = ws.state_json();
    assert_eq!(
        resource_values(&state, "astro_private_dns.zone_owner")["virtual_network_link_ids"],
        resource_values(&state, "astro_private_dns.cluster[\"dev\"]")["virtual_network_link_ids"],
        "both clusters hold the same links"
    );
    assert_eq!(
        output(&ws, "private_link_ok"),
        json!({"prod": true, "dev": true})
    );
    let records = output(&ws, "zone_records");
    let prod = records["prod"].as_str().unwrap_or_default();
    assert!(
        prod.starts_with("zone external.astronomer.run holds 2 A records: clexampleprod.external.astronomer.run -> ")
            && prod.contains("(this cluster); clexampledev0.external.astronomer.run -> ")
            && prod.contains("NXDOMAIN for every other name"),
        "{records}"
    );
    let ips = output(&ws, "private_ip_addresses");
    let fqdns = output(&ws, "fqdns");
    // Both endpoints sit in the first VNet; the second (peered) resolves them too.
    for vnet_id in &vnets {
        for key in ["prod", "dev"] {
            let (resolved, http) = verify(&sb, vnet_id, fqdns[key].as_str().unwrap_or_default());
            assert_eq!(Json::from(resolved), ips[key], "{key} from {vnet_id}");
            if *vnet_id == vnets[0] {
                assert_eq!(http, "404 page not found", "{key} from {vnet_id}");
            }
        }
    }
    plans_empty_then_destroys_to_nothing(&sb, &ws);
}

/// Follows an LRO until the resource reports provisioningState Succeeded.
fn wait_succeeded(sb: &TestSandbox, path_and_query: &str) -> Json {
    wait::until(&format!("{path_and_query} to succeed"), || {
        let (code, body) = sb.arm(Method::GET, path_and_query, None);
        (code == 200 && body["properties"]["provisioningState"] == "Succeeded").then_some(body)
    })
}

/// Makes an endpoint and its DNS through the ARM API as someone following Astronomer's guide
/// in the portal would; returns (endpoint ID, A record ID).
fn hand_made(sb: &TestSandbox, link_name: &str) -> (String, String) {
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let pe = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/pe-astro-manual"
    );
    let (code, body) = sb.arm(
        Method::PUT,
        &format!("{pe}?{ARM_NETWORK}"),
        Some(json!({
            "location": "eastus",
            "properties": {
                "subnet": {"id": sb.var("ASTRO_SANDBOX_SUBNET_ID")},
                "manualPrivateLinkServiceConnections": [{
                    "name": "pe-astro-manual",
                    "properties": {"privateLinkServiceId": sb.var("ASTRO_SANDBOX_PLS_ALIAS"), "groupIds": [], "requestMessage": "made by hand"}
                }]
            }
        })),
    );
    assert!(code == 200 || code == 201, "PUT endpoint: {body}");
    let pe_body = wait_succeeded(sb, &format!("{pe}?{ARM_NETWORK}"));
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
    let (code, body) = sb.arm(
        Method::PUT,
        &format!("{zone}?{ARM_DNS}"),
        Some(json!({"location": "global"})),
    );
    assert!(code < 300, "PUT zone: {body}");
    wait_succeeded(sb, &format!("{zone}?{ARM_DNS}"));
    let link = format!("{zone}/virtualNetworkLinks/{link_name}");
    let (code, body) = sb.arm(
        Method::PUT,
        &format!("{link}?{ARM_DNS}"),
        Some(json!({"location": "global", "properties": {"virtualNetwork": {"id": sb.var("ASTRO_SANDBOX_VNET_ID")}, "registrationEnabled": false}})),
    );
    assert!(code < 300, "PUT link: {body}");
    wait_succeeded(sb, &format!("{link}?{ARM_DNS}"));
    let record = format!("{zone}/A/{CLUSTER_ID}");
    let (code, body) = sb.arm(
        Method::PUT,
        &format!("{record}?{ARM_DNS}"),
        Some(json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": ip}]}})),
    );
    assert!(code < 300, "PUT record: {body}");
    (pe, record)
}

fn import_vars(sb: &TestSandbox, pe: &str, record: &str) -> Json {
    json!({
        "private_endpoint_id": pe,
        "dns_record_id": record,
        "subnet_id": sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        "location": "eastus",
        "private_link_service_alias": sb.var("ASTRO_SANDBOX_PLS_ALIAS"),
        "connection_name": "pe-astro-manual",
        "request_message": "made by hand",
        "virtual_network_ids": [sb.var("ASTRO_SANDBOX_VNET_ID")],
    })
}

#[test]
fn import_adopts_a_hand_made_endpoint_and_dns_without_changing_them() {
    let sb = TestSandbox::start();
    sb.set_faults(json!({"lro_polls": 0}));
    // A link named by hand, as the portal would: the import adopts it as it is.
    let (pe, record) = hand_made(&sb, "agents-link");
    sb.set_faults(json!({}));
    let made = sb.resources();
    let ws = example(&sb, "import", import_vars(&sb, &pe, &record));
    let plan = ws.ok(&["plan", "-no-color", "-input=false"]);
    assert!(
        flat(&plan).contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    sb.clear_requests();
    ws.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let writes: u64 = ["PUT", "PATCH", "DELETE"]
        .iter()
        .map(|m| sb.summary()["by_method"][m].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(
        writes,
        0,
        "import must not write to Azure: {}",
        sb.summary()
    );
    assert_eq!(sb.resources(), made);
    let state = ws.state_json();
    assert_eq!(
        resource_values(&state, "astro_private_endpoint.agents")["id"]
            .as_str()
            .map(str::to_ascii_lowercase),
        Some(pe.to_ascii_lowercase())
    );
    assert_eq!(output(&ws, "connection_status"), "Pending");
    plans_empty_then_destroys_to_nothing(&sb, &ws);
}

/// Every directory with .tf files under examples/.
fn example_dirs(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut has_tf = false;
    for entry in std::fs::read_dir(dir).expect("read examples") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            example_dirs(&path, found);
        } else if path.extension().is_some_and(|e| e == "tf") {
            has_tf = true;
        }
    }
    if has_tf {
        found.push(dir.to_path_buf());
    }
}

#[test]
fn every_example_is_exercised_here_and_terraform_fmt_clean() {
    let mut dirs = Vec::new();
    example_dirs(&examples_dir(), &mut dirs);
    let mut names: Vec<String> = dirs
        .iter()
        .map(|d| {
            d.strip_prefix(examples_dir())
                .expect("under examples")
                .display()
                .to_string()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            // tests/e2e_type_examples.rs: the per-type examples the registry pages embed
            "data-sources/astro_private_endpoint_connection",
            "data-sources/astro_private_link_check",
            "hub-and-spoke",
            "import",
            "module-per-vnet",
            // tests/e2e_module_test.rs runs its terraform test files too
            "modules/astro-privatelink",
            // tests/e2e_guides.rs
            "moving-from-azurerm",
            // tests/e2e_type_examples.rs
            "provider",
            "quickstart",
            "resources/astro_private_dns",
            "resources/astro_private_endpoint",
            "resources/astro_private_endpoint_approval",
            "several-clusters",
            // tests/e2e_guides.rs
            "with-astronomer-provider",
        ],
        "a new example needs a test (in this file, or in the one named beside its entry)"
    );
    let out = Command::new(terraform_bin())
        .current_dir(examples_dir())
        .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform fmt");
    assert!(
        out.status.success(),
        "examples are not terraform fmt clean (run `terraform fmt -recursive examples`):\n{}",
        both(&out)
    );
}
