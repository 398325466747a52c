//! End-to-end, real `terraform` against the in-process Azure sandbox: what makes the provider
//! safe next to other tools on real Azure. Writes after reads keep what they do not manage,
//! ARM IDs keep the user's spelling whatever casing Azure answers with, importing something
//! that does not exist fails, import does not force a replacement, and the overlapping-zone
//! error names the other zone.

mod common;

use common::sandbox::TestSandbox;
use common::{Workspace, both, flat, hcl, resource_values};
use reqwest::Method;
use serde_json::{Value as Json, json};

const NETWORK_API: &str = "2025-01-01";
const DNS_API: &str = "2024-06-01";

/// An endpoint in `subnet` with `extra` lines inside its block.
fn endpoint(sb: &TestSandbox, subnet: &str, extra: &str) -> String {
    hcl::endpoint_in(sb, "agents", "astro-privatelink", subnet, extra)
}

/// A DNS unit with a literal IP.
fn dns(vnets: &[String], ttl: u32) -> String {
    dns_in("rg-astro-dns", vnets, ttl)
}

/// A DNS unit with a literal IP, its zone in `group`.
fn dns_in(group: &str, vnets: &[String], ttl: u32) -> String {
    let vnets = vnets
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"resource "astro_private_dns" "astro" {{
  resource_group_name = "{group}"
  cluster_id          = "clxxxxxxxxx"
  ip_address          = "10.10.1.4"
  virtual_network_ids = [{vnets}]
  ttl                 = {ttl}
}}
"#
    )
}

fn config(parts: &[&str]) -> String {
    format!("provider \"astro\" {{}}\n\n{}", parts.join("\n"))
}

/// GET an ARM object through the sandbox's ARM front door: the object as the sandbox stores it.
fn arm_get(sb: &TestSandbox, id: &str, api: &str) -> Json {
    let (code, body) = sb.arm(Method::GET, &format!("{id}?api-version={api}"), None);
    assert_eq!(code, 200, "GET {id}: {body}");
    body
}

/// PUT an ARM object, as another tool (the portal, azurerm) would.
fn arm_put(sb: &TestSandbox, id: &str, api: &str, body: Json) -> Json {
    let (code, answer) = sb.arm(Method::PUT, &format!("{id}?api-version={api}"), Some(body));
    assert!((200..300).contains(&code), "PUT {id}: {code} {answer}");
    answer
}

/// `terraform import` that must fail; returns the folded output.
fn import_fails(ws: &Workspace, address: &str, id: &str) -> String {
    let out = ws.run(&["import", "-no-color", "-input=false", address, id]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "import of {id} must fail: {text}");
    text
}

/// The seeded subnet / VNet ID with its resource group written in upper case.
fn shouting_rg(id: &str) -> String {
    id.replace(
        "/resourceGroups/rg-astro-agents/",
        "/resourceGroups/RG-ASTRO-AGENTS/",
    )
}

#[test]
fn a_tags_update_keeps_an_application_security_group_set_out_of_band() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    ws.write_config(&config(&[&endpoint(
        &sb,
        &subnet,
        "  request_message            = \"cluster clx\"\n  tags                       = { team = \"a\" }\n",
    )]));
    ws.init();
    ws.apply();
    let pe_id = resource_values(&ws.state_json(), "astro_private_endpoint.agents")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Someone associates an application security group by hand (GET, add, PUT the whole
    // object back, as azurerm_private_endpoint_application_security_group_association does).
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let asg = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/applicationSecurityGroups/asg-agents"
    );
    // The group exists first: ARM refuses a reference to one that does not.
    arm_put(&sb, &asg, NETWORK_API, json!({"location": "eastus"}));
    let mut pe = arm_get(&sb, &pe_id, NETWORK_API);
    pe["properties"]["applicationSecurityGroups"] = json!([{ "id": asg }]);
    pe["properties"]["ipVersionType"] = json!("IPv4");
    arm_put(&sb, &pe_id, NETWORK_API, pe);
    let stored = arm_get(&sb, &pe_id, NETWORK_API);
    assert_eq!(
        stored["properties"]["applicationSecurityGroups"][0]["id"], asg,
        "the sandbox holds the association: {stored}"
    );

    ws.write_config(&config(&[&endpoint(
        &sb,
        &subnet,
        "  request_message            = \"cluster clx, org o\"\n  tags                       = { team = \"b\" }\n",
    )]));
    ws.apply();
    let stored = arm_get(&sb, &pe_id, NETWORK_API);
    assert_eq!(stored["tags"], json!({"team": "b"}), "{stored}");
    assert_eq!(
        stored["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["requestMessage"],
        "cluster clx, org o"
    );
    assert_eq!(
        stored["properties"]["applicationSecurityGroups"],
        json!([{ "id": asg }]),
        "the update kept the association it does not manage: {stored}"
    );
    ws.assert_clean_plan("after the tags update");
}

#[test]
fn a_record_update_keeps_metadata_set_out_of_band() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    ws.write_config(&config(&[&dns(std::slice::from_ref(&vnet), 300)]));
    ws.init();
    ws.apply();
    let record_id = resource_values(&ws.state_json(), "astro_private_dns.astro")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let mut record = arm_get(&sb, &record_id, DNS_API);
    record["properties"]["metadata"] = json!({"owner": "netops"});
    arm_put(&sb, &record_id, DNS_API, record);

    ws.write_config(&config(&[&dns(std::slice::from_ref(&vnet), 60)]));
    ws.apply();
    let stored = arm_get(&sb, &record_id, DNS_API);
    assert_eq!(stored["properties"]["ttl"], 60, "{stored}");
    assert_eq!(
        stored["properties"]["metadata"],
        json!({"owner": "netops"}),
        "the TTL update kept the metadata it does not manage: {stored}"
    );
    ws.assert_clean_plan("after the TTL update");
}

#[test]
fn ids_in_another_case_keep_the_users_spelling_and_plan_clean() {
    let sb = TestSandbox::start();
    let ws = Workspace::with_sandbox(&sb);
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    let vnet_shout = shouting_rg(&vnet);
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    let subnet_shout = shouting_rg(&subnet);
    assert_ne!(vnet, vnet_shout);

    // Created with the resource group in capitals: Azure answers with its own casing.
    ws.write_config(&config(&[
        &endpoint(&sb, &subnet_shout, ""),
        &dns_in("RG-ASTRO-DNS", std::slice::from_ref(&vnet_shout), 300),
    ]));
    ws.init();
    ws.apply();
    let state = ws.state_json();
    // A refresh reads Azure's spellings and must keep every ID as held.
    ws.ok(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(
        ws.state_json()["values"],
        state["values"],
        "a refresh changes no spelling"
    );
    let pe = resource_values(&state, "astro_private_endpoint.agents");
    assert_eq!(
        pe["subnet_id"],
        subnet_shout.as_str(),
        "the user's spelling"
    );
    let unit = resource_values(&state, "astro_private_dns.astro");
    assert_eq!(unit["virtual_network_ids"], json!([vnet_shout]));
    let links = unit["virtual_network_link_ids"].as_object().unwrap();
    assert_eq!(links.keys().collect::<Vec<_>>(), vec![&vnet_shout]);
    // The sandbox answers as ARM does: references in the stored resource's casing.
    let link = arm_get(&sb, links[&vnet_shout].as_str().unwrap(), DNS_API);
    assert_eq!(
        link["properties"]["virtualNetwork"]["id"],
        vnet.as_str(),
        "{link}"
    );
    let pe_obj = arm_get(&sb, pe["id"].as_str().unwrap(), NETWORK_API);
    assert_eq!(
        pe_obj["properties"]["subnet"]["id"],
        subnet.as_str(),
        "{pe_obj}"
    );
    ws.assert_clean_plan("after creating with capitals");

    // The same IDs spelled as Azure spells them: the same resources, nothing to do.
    ws.write_config(&config(&[
        &endpoint(&sb, &subnet, ""),
        &dns_in("RG-ASTRO-DNS", std::slice::from_ref(&vnet), 300),
    ]));
    ws.assert_clean_plan("a case-only change is no change");
    ws.apply();

    // A case-only change next to a real one: the update keeps the plan's spelling.
    let vnet2 = format!("{vnet}-2");
    ws.write_config(&config(&[
        &endpoint(&sb, &subnet, ""),
        &dns_in("RG-ASTRO-DNS", &[vnet.to_uppercase(), vnet2.clone()], 300),
    ]));
    ws.apply();
    let unit = resource_values(&ws.state_json(), "astro_private_dns.astro").clone();
    let mut want = vec![vnet.to_uppercase(), vnet2];
    want.sort();
    assert_eq!(unit["virtual_network_ids"], json!(want));
    let mut keys: Vec<String> = unit["virtual_network_link_ids"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, want);
    ws.assert_clean_plan("after adding a VNet next to a case-only change");
}

#[test]
fn importing_a_record_that_does_not_exist_fails() {
    let sb = TestSandbox::start();
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let zone = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
    );
    arm_put(&sb, &zone, DNS_API, json!({"location": "global"}));
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&[&dns(&[sb.var("ASTRO_SANDBOX_VNET_ID")], 300)]));
    ws.init();
    let text = import_fails(
        &ws,
        "astro_private_dns.astro",
        &format!("{zone}/A/clxxxxxxxxx"),
    );
    assert!(
        text.contains("Cannot import non-existent remote object"),
        "{text}"
    );
    assert!(
        ws.run(&["state", "list"]).stdout.is_empty(),
        "nothing was imported"
    );
}

#[test]
fn importing_an_endpoint_that_does_not_exist_fails() {
    let sb = TestSandbox::start();
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&[&endpoint(
        &sb,
        &sb.var("ASTRO_SANDBOX_SUBNET_ID"),
        "",
    )]));
    ws.init();
    let text = import_fails(
        &ws,
        "astro_private_endpoint.agents",
        &format!(
            "/subscriptions/{sub}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
        ),
    );
    assert!(
        text.contains("Cannot import non-existent remote object"),
        "{text}"
    );
}

/// A workspace that applied `endpoint` in `subnet`, and the endpoint's ARM ID.
fn applied_endpoint(sb: &TestSandbox, subnet: &str) -> (Workspace, String) {
    let ws = Workspace::with_sandbox(sb);
    ws.write_config(&config(&[&endpoint(sb, subnet, "")]));
    ws.init();
    ws.apply();
    let pe_id = resource_values(&ws.state_json(), "astro_private_endpoint.agents")["id"]
        .as_str()
        .expect("endpoint id in state")
        .to_string();
    (ws, pe_id)
}

#[test]
fn import_when_azure_answers_with_the_service_id_neither_empties_the_alias_nor_replaces() {
    let sb = TestSandbox::start();
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    let (_first, pe_id) = applied_endpoint(&sb, &subnet);
    // Azure reports the service's resource ID for this alias-based connection.
    let pls_id = sb.var("ASTRO_SANDBOX_PLS_ID");
    sb.oob(json!({"op": "set_private_link_service_id", "id": pe_id, "private_link_service_id": pls_id}));
    let stored = arm_get(&sb, &pe_id, NETWORK_API);
    assert_eq!(
        stored["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"],
        pls_id.as_str()
    );

    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&[&endpoint(&sb, &subnet, "")]));
    ws.init();
    ws.ok(&[
        "import",
        "-no-color",
        "-input=false",
        "astro_private_endpoint.agents",
        &pe_id,
    ]);
    let pe = resource_values(&ws.state_json(), "astro_private_endpoint.agents").clone();
    let alias = pe["private_link_service_alias"]
        .as_str()
        .unwrap_or_default();
    assert!(
        !alias.is_empty(),
        "the alias is not empty after import: {pe}"
    );
    assert_eq!(
        pe["tags"],
        json!({}),
        "no tags in Azure: an empty map in state (the tags default): {pe}"
    );
    let plan = ws.plan_json();
    let change = &plan["resource_changes"][0]["change"];
    assert_ne!(
        change["actions"],
        json!(["delete", "create"]),
        "import must not lead to a replacement: {change}"
    );
    assert_eq!(
        change["after"]["tags"], change["before"]["tags"],
        "no spurious tags change: {change}"
    );
    sb.clear_requests();
    ws.apply();
    assert_eq!(sb.count("PUT privateEndpoints"), 0, "{}", sb.summary());
    assert_eq!(
        resource_values(&ws.state_json(), "astro_private_endpoint.agents")["private_link_service_alias"],
        sb.var("ASTRO_SANDBOX_PLS_ALIAS").as_str()
    );
    ws.assert_clean_plan("after adopting the alias");
}

#[test]
fn an_endpoint_imported_without_tags_plans_no_tags_change() {
    let sb = TestSandbox::start();
    let subnet = sb.var("ASTRO_SANDBOX_SUBNET_ID");
    let (_first, pe_id) = applied_endpoint(&sb, &subnet);
    // Made by another tool that sent no tags at all and waited for its PUT to finish (the
    // operation completes at once), so the import and the refresh read the same state.
    sb.set_faults(json!({"lro_polls": 0}));
    let mut pe = arm_get(&sb, &pe_id, NETWORK_API);
    pe.as_object_mut().unwrap().remove("tags");
    arm_put(&sb, &pe_id, NETWORK_API, pe);
    sb.set_faults(json!({}));

    // Modules commonly pass `tags = var.tags` with a default of `{}`; others leave tags out.
    // Azure does not tell the two apart, and neither may the plan.
    for (how, extra) in [("tags left out", ""), ("tags = {}", "  tags = {}\n")] {
        let ws = Workspace::with_sandbox(&sb);
        ws.write_config(&config(&[&endpoint(&sb, &subnet, extra)]));
        ws.init();
        ws.ok(&[
            "import",
            "-no-color",
            "-input=false",
            "astro_private_endpoint.agents",
            &pe_id,
        ]);
        ws.assert_clean_plan(&format!("after importing an endpoint without tags ({how})"));
    }
}

#[test]
fn the_overlapping_zone_error_names_the_other_zone_and_its_group() {
    let sb = TestSandbox::start();
    let sub = sb.var("ARM_SUBSCRIPTION_ID");
    let vnet = sb.var("ASTRO_SANDBOX_VNET_ID");
    // Another team's zone of the same name, in another group, already links the VNet.
    let other = format!(
        "/subscriptions/{sub}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
    );
    arm_put(&sb, &other, DNS_API, json!({"location": "global"}));
    arm_put(
        &sb,
        &format!("{other}/virtualNetworkLinks/netops-link"),
        DNS_API,
        json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
    );
    // Unrelated zones in the subscription listing.
    for i in 0..3 {
        arm_put(
            &sb,
            &format!(
                "/subscriptions/{sub}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/z{i}.example.com"
            ),
            DNS_API,
            json!({"location": "global"}),
        );
    }

    let ws = Workspace::with_sandbox(&sb);
    ws.write_config(&config(&[&dns(std::slice::from_ref(&vnet), 300)]));
    ws.init();
    let out = ws.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let text = flat(&both(&out));
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("overlapping namespaces"), "{text}");
    assert!(text.contains(&other), "names the other zone's ID: {text}");
    assert!(
        text.contains("resource group rg-astro-agents"),
        "names its resource group: {text}"
    );
    assert!(
        text.contains(&format!("{other}/virtualNetworkLinks/netops-link")),
        "names the link: {text}"
    );
}
