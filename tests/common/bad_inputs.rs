//! A corpus of bad inputs, one per validation rule: each names the block label, the
//! attribute path Terraform must point at, and the HCL.

#![allow(dead_code)]

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";

pub fn subnet() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents/subnets/snet-agents"
    )
}

pub fn vnet() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/virtualNetworks/vnet-agents"
    )
}

pub const ALIAS: &str =
    "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice";

/// A valid endpoint with one attribute line replaced.
pub fn endpoint(label: &str, attr: &str, value: &str) -> String {
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

pub fn dns(label: &str, attr: &str, value: &str) -> String {
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

pub fn connection(label: &str, attr: &str, value: &str) -> String {
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
pub fn cases() -> Vec<(&'static str, &'static str, String)> {
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
            "pe_static_ip",
            "private_ip_address",
            endpoint("pe_static_ip", "private_ip_address", "\"10.10.1\""),
        ),
        (
            "pe_asg_is_nsg",
            "application_security_group_ids",
            endpoint(
                "pe_asg_is_nsg",
                "application_security_group_ids",
                "[\"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg\"]",
            ),
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
        (
            "pe_name_hash",
            "name",
            endpoint("pe_name_hash", "name", "\"astro#1\""),
        ),
        (
            "pe_rg_long",
            "resource_group_name",
            endpoint(
                "pe_rg_long",
                "resource_group_name",
                &format!("\"{}\"", "r".repeat(91)),
            ),
        ),
        (
            "pe_subnet_provider",
            "subnet_id",
            endpoint(
                "pe_subnet_provider",
                "subnet_id",
                &format!(
                    "\"{}\"",
                    subnet().replace("Microsoft.Network", "Microsoft.Compute")
                ),
            ),
        ),
        (
            "pe_alias_suffix",
            "private_link_service_alias",
            endpoint(
                "pe_alias_suffix",
                "private_link_service_alias",
                &format!("\"{ALIAS}.com\""),
            ),
        ),
        (
            "pe_connection_dash",
            "connection_name",
            endpoint("pe_connection_dash", "connection_name", "\"-conn\""),
        ),
        (
            "pe_delete_timeout",
            "timeouts.delete",
            endpoint("pe_delete_timeout", "timeouts", "{ delete = \"1x\" }")
                .replace("timeouts = {", "timeouts {"),
        ),
        (
            "dns_cluster_long",
            "cluster_id",
            dns(
                "dns_cluster_long",
                "cluster_id",
                &format!("\"{}\"", "c".repeat(64)),
            ),
        ),
        (
            "dns_ip_short",
            "ip_address",
            dns("dns_ip_short", "ip_address", "\"10.0.0\""),
        ),
        (
            "dns_vnet_is_subnet",
            "virtual_network_ids",
            dns(
                "dns_vnet_is_subnet",
                "virtual_network_ids",
                &format!("[\"{}\"]", subnet()),
            ),
        ),
        (
            "dns_zone_dot",
            "zone_name",
            dns("dns_zone_dot", "zone_name", "\"external.astronomer.run.\""),
        ),
        (
            "dns_ttl_big",
            "ttl",
            dns("dns_ttl_big", "ttl", "2147483648"),
        ),
        (
            "conn_status_done",
            "wait_for_status",
            connection("conn_status_done", "wait_for_status", "\"Done\""),
        ),
        (
            "conn_id_nic",
            "private_endpoint_id",
            connection(
                "conn_id_nic",
                "private_endpoint_id",
                &format!(
                    "\"{}\"",
                    vnet().replace("virtualNetworks/vnet-agents", "networkInterfaces/nic")
                ),
            ),
        ),
        (
            "pe_tags",
            "tags",
            endpoint("pe_tags", "tags", "{ \"a/b\" = \"v\" }"),
        ),
        (
            "dns_tags",
            "tags",
            dns("dns_tags", "tags", "{ \"Cost Center\" = \"v\" }"),
        ),
        (
            "approval_id",
            "private_endpoint_id",
            approval("approval_id", "\"astro-privatelink\"", ""),
        ),
        (
            "approval_timeout",
            "timeouts.create",
            approval(
                "approval_timeout",
                &format!("\"{}\"", pe_id()),
                "  timeouts {\n    create = \"soon\"\n  }\n",
            ),
        ),
        (
            "check_record",
            "dns_record_id",
            check("check_record", "dns_record_id", "\"clxxxxxxxxx\""),
        ),
        (
            "check_subnets",
            "agent_subnet_ids",
            check(
                "check_subnets",
                "agent_subnet_ids",
                &format!("[\"{}\"]", vnet()),
            ),
        ),
        (
            "check_probe_dns",
            "probe.dns_servers",
            check(
                "check_probe_dns",
                "probe",
                "{ dns_servers = [\"dns.example\"] }",
            )
            .replace("probe = {", "probe {"),
        ),
    ]
}

fn pe_id() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-agents/providers/Microsoft.Network/privateEndpoints/astro-privatelink"
    )
}

/// An approval of `endpoint_id` with extra lines `extra`.
pub fn approval(label: &str, endpoint_id: &str, extra: &str) -> String {
    format!(
        "resource \"astro_private_endpoint_approval\" \"{label}\" {{\n  private_endpoint_id = {endpoint_id}\n{extra}}}\n"
    )
}

/// A valid private link check with one attribute line replaced or added.
pub fn check(label: &str, attr: &str, value: &str) -> String {
    let record = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-astro-dns/providers/Microsoft.Network/privateDnsZones/external.astronomer.run/A/clxxxxxxxxx"
    );
    let mut attrs = vec![
        ("private_endpoint_id", format!("\"{}\"", pe_id())),
        ("dns_record_id", format!("\"{record}\"")),
    ];
    match attrs.iter_mut().find(|(k, _)| *k == attr) {
        Some(slot) => slot.1 = value.to_string(),
        None => attrs.push((attr, value.to_string())),
    }
    let body: String = attrs
        .iter()
        .map(|(k, v)| format!("  {k} = {v}\n"))
        .collect();
    format!("data \"astro_private_link_check\" \"{label}\" {{\n{body}}}\n")
}
