//! The checks that need no further reads: the connection's status, the A record, and which
//! subnets count as the agents'.

use super::*;
use crate::azure::{self};
use crate::provider::connection_data_source::{ConnectionStatus, support_note};

pub(super) fn connection_check(
    pe_id: &azure::PrivateEndpointId,
    s: &ConnectionStatus,
) -> CheckResult {
    const NAME: &str = "connection_approved";
    let status = if s.status.is_empty() {
        "without a status"
    } else {
        &s.status
    };
    if s.status.eq_ignore_ascii_case("Approved") {
        return check_passed(
            NAME,
            format!(
                "connection {:?} of {pe_id} is Approved ({:?})",
                s.connection_name, s.description
            ),
        );
    }
    let detail = format!(
        "connection {:?} of {pe_id} is {status} ({:?}): Astronomer's Private Link Service does not pass traffic until Astronomer approves it",
        s.connection_name, s.description
    );
    let fix = if ["Rejected", "Disconnected"]
        .iter()
        .any(|d| s.status.eq_ignore_ascii_case(d))
    {
        format!(
            "A {status} connection can never be approved again: run terraform apply, which replaces the astro_private_endpoint to send a new request, and ask Astronomer support to approve that one. {}",
            support_note(pe_id, s)
        )
    } else {
        format!(
            "Ask Astronomer support to approve the connection (astro_private_endpoint_approval waits for it during apply). {}",
            support_note(pe_id, s)
        )
    };
    check_failed(NAME, detail, fix)
}

pub(super) fn record_check(
    record_id: &azure::ARecordId,
    record: Option<&azure::models::RecordSet>,
    ip: Option<&str>,
) -> CheckResult {
    const NAME: &str = "record_points_at_endpoint";
    let fqdn = format!("{}.{}", record_id.name, record_id.zone_name);
    let Some(ip) = ip else {
        return check_failed(
            NAME,
            "the endpoint reports no private IP address, so no record can point at it".into(),
            "Check the endpoint in the Azure portal; run terraform apply to refresh it.".into(),
        );
    };
    let Some(record) = record else {
        return check_failed(
            NAME,
            format!("the A record {fqdn} does not exist ({record_id})"),
            format!(
                "Create it pointing at {ip}: an astro_private_dns with cluster_id = \"{}\" and ip_address = astro_private_endpoint.<name>.private_ip_address, then terraform apply.",
                record_id.name
            ),
        );
    };
    let ips = record.ipv4_addresses();
    if ips == [ip] {
        return check_passed(
            NAME,
            format!("{fqdn} points at {ip}, the endpoint's private IP"),
        );
    }
    let now = if ips.is_empty() {
        "no address".to_string()
    } else {
        ips.join(", ")
    };
    check_failed(
        NAME,
        format!("{fqdn} points at {now}; the endpoint's private IP is {ip}"),
        format!(
            "Point the record at {ip} only: ip_address = astro_private_endpoint.<name>.private_ip_address in the astro_private_dns resource, then terraform apply (terraform plan shows the drift)."
        ),
    )
}

/// The agents' subnets, or the endpoint's own.
pub(super) fn agent_subnets(
    config: &PrivateLinkCheckModel,
    pe_subnet: Option<&str>,
) -> Vec<String> {
    match &config.agent_subnet_ids {
        Some(set) if !set.is_empty() => set.iter().cloned().collect(),
        _ => pe_subnet.map(|s| vec![s.to_string()]).unwrap_or_default(),
    }
}
