//! The PUT bodies of the zone, the A record and a link, each written on top of what Azure holds
//! so unmanaged properties survive (ARM PUT replaces the whole resource).

use super::PrivateDnsModel;
use crate::azure;

/// The record's PUT body: our TTL and address on top of `current` (Azure's record when
/// updating), so that what we do not manage (metadata, properties we do not model) is sent
/// back as read: ARM's PUT replaces the whole record.
pub(super) fn record_body(
    m: &PrivateDnsModel,
    current: Option<azure::models::RecordSet>,
) -> azure::models::RecordSet {
    let mut rs = current.unwrap_or_default();
    let props = rs.properties.get_or_insert_with(Default::default);
    props.ttl = Some(m.ttl.unwrap_or(300));
    props.a_records = Some(vec![azure::models::ARecord {
        ipv4_address: Some(m.ip_address.as_str().to_string()),
    }]);
    // Read-only: Azure computes them.
    props.fqdn = None;
    props.is_auto_registered = None;
    rs
}

/// The zone's PUT body: our tags on top of `current` (Azure's zone when updating). Every
/// zone property Azure documents is read-only, so only the unmodelled ones are carried.
pub(super) fn zone_body(
    m: &PrivateDnsModel,
    current: Option<azure::models::PrivateDnsZone>,
) -> azure::models::PrivateDnsZone {
    let mut zone = current.unwrap_or_default();
    zone.location = Some(zone.location.unwrap_or_else(|| "global".into()));
    zone.tags = Some(m.tags.clone().unwrap_or_default());
    if let Some(props) = zone.properties.take() {
        let extra = props.extra;
        zone.properties = (!extra.is_empty()).then(|| azure::models::PrivateDnsZoneProperties {
            extra,
            ..Default::default()
        });
    }
    zone
}

/// A new link's PUT body: the VNet, auto-registration off and the unit's tags.
pub(super) fn link_body(
    vnet_id: &str,
    tags: &azure::models::Tags,
) -> azure::models::VirtualNetworkLink {
    azure::models::VirtualNetworkLink {
        location: Some("global".into()),
        tags: Some(tags.clone()),
        properties: Some(azure::models::VirtualNetworkLinkProperties {
            virtual_network: Some(azure::models::SubResource::new(vnet_id)),
            registration_enabled: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// An existing link's PUT body with `tags`: everything else as Azure holds it
/// (`registrationEnabled`, `resolutionPolicy`, what we do not model), without the read-only
/// properties (design/private-dns.md §3).
pub(super) fn link_tags_body(
    current: &azure::models::VirtualNetworkLink,
    tags: &azure::models::Tags,
) -> azure::models::VirtualNetworkLink {
    let mut link = current.clone();
    link.tags = Some(tags.clone());
    link.etag = None;
    if let Some(p) = link.properties.as_mut() {
        p.virtual_network_link_state = None;
        p.provisioning_state = None;
    }
    link
}

pub(super) fn guard(etag: Option<String>) -> azure::WriteCondition {
    etag.map(azure::WriteCondition::if_match)
        .unwrap_or_default()
}
