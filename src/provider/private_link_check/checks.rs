//! The checks that need no further reads: the connection's status, the A record, the zone's A
//! records, and which subnets count as the agents'.

use super::world::short;
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

/// `zone_records`: the A records the zone holds, this cluster's first. A VNet linked to the zone
/// resolves exactly these names under it through Azure-provided DNS and gets NXDOMAIN for every
/// other name under the zone; the `NxDomainRedirect` fallback applies to `privatelink.*` zones
/// only (design/private-dns.md §1). `records` is the zone's A record list, or why it could not
/// be read; `linked` the VNets the zone links.
pub(super) fn zone_records_check(
    record_id: &azure::ARecordId,
    records: Result<&[azure::models::RecordSet], String>,
    linked: &[String],
) -> CheckResult {
    const NAME: &str = "zone_records";
    let zone = &record_id.zone_name;
    let records = match records {
        Ok(r) => r,
        Err(e) => {
            return check_failed(
                NAME,
                format!("the A records of zone {zone} cannot be listed ({e})"),
                format!(
                    "Let Terraform's identity list the record sets of {} (Microsoft.Network/privateDnsZones/A/read, e.g. the Private DNS Zone Contributor role), then read the check again.",
                    record_id.zone().path()
                ),
            );
        }
    };
    let mine = |rs: &azure::models::RecordSet| {
        rs.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&record_id.name))
    };
    let describe = |rs: &azure::models::RecordSet| {
        let name = rs.name.as_deref().unwrap_or("?");
        let ips = rs.ipv4_addresses();
        let to = if ips.is_empty() {
            "no address".to_string()
        } else {
            ips.join(", ")
        };
        if mine(rs) {
            format!("{name}.{zone} -> {to} (this cluster)")
        } else {
            format!("{name}.{zone} -> {to}")
        }
    };
    let mut listed: Vec<&azure::models::RecordSet> = records.iter().collect();
    listed.sort_by_key(|rs| (!mine(rs), rs.name.clone().unwrap_or_default()));
    let names: Vec<String> = listed.iter().map(|rs| describe(rs)).collect();
    let vnets = if linked.is_empty() {
        "no VNet yet".to_string()
    } else {
        let mut names: Vec<&str> = linked.iter().map(|v| short(v)).collect();
        names.sort_unstable();
        names.join(", ")
    };
    let detail = format!(
        "zone {zone} holds {count} A record{s}: {list}. A VNet linked to the zone ({vnets}) resolves only these names under {zone} privately and gets NXDOMAIN for every other name under {zone}, so a cluster not listed here (for instance one not on Private Link) does not resolve in those VNets; Azure's NxDomainRedirect fallback to public DNS is for privatelink.* zones only",
        count = listed.len(),
        s = if listed.len() == 1 { "" } else { "s" },
        list = if names.is_empty() {
            "none".to_string()
        } else {
            names.join("; ")
        },
    );
    if listed.first().is_some_and(|rs| mine(rs)) {
        return check_passed(NAME, detail);
    }
    check_failed(
        NAME,
        format!(
            "{detail}; this cluster's record {} is missing",
            record_id.name
        ),
        format!(
            "Add this cluster's A record to the zone: an astro_private_dns with cluster_id = \"{}\" (manage_zone = false when the zone is another unit's), then terraform apply. Every cluster reached from a linked VNet needs its own record in the zone.",
            record_id.name
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
