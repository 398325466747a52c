//! How the unit names and finds its parts: the link name derived from the VNet (and the one
//! earlier releases derived from the cluster and VNet), and the zone and record IDs a model
//! resolves to.

use super::{DEFAULT_ZONE, PrivateDnsModel};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};

/// The hash of a VNet's lower-cased ID that ends every link name a unit gives, so that two
/// VNets of the same name in different groups never collide.
fn vnet_hash(vnet_id: &str) -> String {
    let hash = vnet_id
        .to_ascii_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{:08x}", (hash >> 32) as u32 ^ hash as u32)
}

/// The VNet's name, lower-cased, with the characters a link name allows.
fn vnet_label(vnet_id: &str) -> String {
    vnet_id
        .to_ascii_lowercase()
        .rsplit('/')
        .next()
        .unwrap_or("vnet")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

/// The name of the link a unit creates for a VNet: `astro-`, the VNet's name and a hash of its
/// lower-cased ID, at most 80 characters. A VNet links a zone name once (design/private-dns.md
/// §2), so the link is the VNet's, not a cluster's: every unit that links the VNet finds and
/// shares the same one.
pub fn link_name(vnet_id: &str) -> String {
    let vnet: String = vnet_label(vnet_id).chars().take(80 - 6 - 9).collect();
    format!("astro-{vnet}-{}", vnet_hash(vnet_id))
}

/// The name releases 1 and 2 gave the link of `cluster_id` to a VNet.
pub(super) fn legacy_link_name(cluster_id: &str, vnet_id: &str) -> String {
    let cluster: String = cluster_id.chars().take(30).collect();
    let room = 80 - cluster.len() - 10;
    let vnet: String = vnet_label(vnet_id).chars().take(room).collect();
    format!("{cluster}-{vnet}-{}", vnet_hash(vnet_id))
}

/// True when `link_id` is a link some unit made for `vnet_id`: named [`link_name`] or, by an
/// earlier release, `<cluster>-<vnet name>-<hash>` (the VNet's name possibly cut short). A
/// link a person made has another name and is never mistaken for one.
pub(super) fn unit_made(vnet_id: &str, link_id: &str) -> bool {
    let Some(name) = link_id.trim_end_matches('/').rsplit('/').next() else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let Some(rest) = name.strip_suffix(&format!("-{}", vnet_hash(vnet_id))) else {
        return false;
    };
    let vnet = vnet_label(vnet_id);
    rest.match_indices('-').any(|(at, _)| {
        let tail = &rest[at + 1..];
        !tail.is_empty() && vnet.starts_with(tail)
    })
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
