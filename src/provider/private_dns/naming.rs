//! How the unit names and finds its parts: the link name derived from the cluster and VNet, and
//! the zone and record IDs a model resolves to.

use super::{DEFAULT_ZONE, PrivateDnsModel};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};

/// The name of the link this unit creates for a VNet: the cluster ID, the VNet's name and a
/// hash of its lower-cased ID. The same cluster and VNet always give the same name, two VNets
/// of the same name in different groups do not collide, and a link another unit made (or a
/// person) is never mistaken for one of ours. At most 80 characters.
pub fn link_name(cluster_id: &str, vnet_id: &str) -> String {
    let lower = vnet_id.to_ascii_lowercase();
    let hash = lower.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let vnet: String = lower
        .rsplit('/')
        .next()
        .unwrap_or("vnet")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    let cluster: String = cluster_id.chars().take(30).collect();
    let room = 80 - cluster.len() - 10;
    let vnet: String = vnet.chars().take(room).collect();
    format!("{cluster}-{vnet}-{:08x}", (hash >> 32) as u32 ^ hash as u32)
}

/// True when `link_id` is the link this unit creates for `vnet_id`.
pub(super) fn owns(cluster_id: &str, vnet_id: &str, link_id: &str) -> bool {
    link_id
        .rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case(&link_name(cluster_id, vnet_id)))
}

/// The IDs the model's names resolve to.
pub(super) struct Ids {
    pub(super) zone: azure::PrivateDnsZoneId,
    pub(super) record: azure::ARecordId,
}

pub(super) fn ids(subscription: &str, m: &PrivateDnsModel) -> Ids {
    let zone = azure::PrivateDnsZoneId::new(subscription, &m.resource_group_name, zone_of(m));
    let record = zone.a_record(&m.cluster_id);
    Ids { zone, record }
}

pub(super) fn zone_of(m: &PrivateDnsModel) -> &str {
    m.zone_name.as_deref().unwrap_or(DEFAULT_ZONE)
}

pub(super) fn ids_from_state(m: &PrivateDnsModel) -> Result<Ids, Diagnostics> {
    let record = m.id.as_deref().map(azure::ARecordId::parse);
    match record {
        Some(Ok(record)) => Ok(Ids { zone: record.zone(), record }),
        _ => Err(Diagnostic::error(
            "Invalid ID in state",
            "internal-error: the state holds no valid A record ID. Remove the resource from state (terraform state rm) and import it again.",
        )
        .into()),
    }
}
