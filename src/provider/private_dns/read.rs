//! Reading the unit: the zone, the record and the links at once, into the model; also what an
//! import adopts (every link of the zone).

use std::collections::BTreeMap;

use super::links::azure_failure;
use super::naming::{Ids, ids_from_state, legacy_link_name, unit_made, zone_of};
use super::{PrivateDns, PrivateDnsModel, RecordTarget, ZoneOwnership};
use crate::framework::resource::{OpContext, Outcome};
use crate::provider::{arm_ctx, keep_if_same};

/// Which of the zone's links a read counts as the unit's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Links {
    /// Those the state holds, and those named as this unit names its links.
    Held,
    /// Every link of the zone: an import, which holds none yet.
    Every,
}

impl PrivateDns {
    /// Reads the zone, the record and the links into `current`.
    pub(super) async fn read_unit(
        &self,
        ctx: &OpContext,
        current: PrivateDnsModel,
        links_of: Links,
    ) -> Outcome<PrivateDnsModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let arm = &client.arm;
        let Ids { zone, record } = match ids_from_state(&current) {
            Ok(ids) => ids,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let call = arm_ctx(ctx);
        let manage = current.manage_zone.manages_zone();
        let mut state = current.clone();
        // The zone, the record and the links are named by state: all three are read at once
        // (one ARM round trip per refresh), and their answers are weighed in that order.
        let (zone_read, record_read, links_read) = tokio::join!(
            arm.get(&zone, &call),
            arm.get(&record, &call),
            arm.list_virtual_network_links(&zone, &call),
        );
        let zone_obj = match zone_read {
            Ok(Some(z)) => z,
            Ok(None) => {
                tracing::info!(zone = %zone, "private DNS zone no longer exists; removing the unit from state");
                return Outcome::gone();
            }
            Err(e) => return Outcome::failed(Some(current), azure_failure("reading", &zone, &e)),
        };
        state.zone_id = Some(
            zone_obj
                .id
                .clone()
                .map(|z| keep_if_same(current.zone_id.as_deref(), &z))
                .unwrap_or(zone.path()),
        );
        state.zone_name = Some(keep_if_same(
            current.zone_name.as_deref(),
            zone_obj.name.as_deref().unwrap_or(&zone.zone_name),
        ));
        if manage {
            state.tags = Some(zone_obj.tags.clone().unwrap_or_default());
        }
        let held_tags = current.tags.clone().unwrap_or_default();
        match record_read {
            Ok(Some(rs)) => {
                let props = rs.properties.clone().unwrap_or_default();
                let ips = rs.ipv4_addresses();
                // One address is what this resource writes; anything else is drift.
                state.ip_address = RecordTarget::from(ips.join(",").as_str());
                state.ttl = props.ttl.or(current.ttl);
                if let Some(f) = props.fqdn {
                    state.fqdn = Some(keep_if_same(
                        current.fqdn.as_deref(),
                        f.trim_end_matches('.'),
                    ));
                }
                if let Some(name) = rs.name {
                    state.cluster_id = keep_if_same(Some(&current.cluster_id), &name);
                }
            }
            // Just imported (ownership not decided yet): there is nothing to import.
            // Just imported (ownership not decided yet) into a zone without the record, e.g.
            // after a run killed between the zone and the record: the apply creates it.
            Ok(None) if current.manage_zone == ZoneOwnership::Undecided => {
                tracing::info!(record = %record, "the imported zone has no A record yet; the next apply creates it");
                state.ip_address = RecordTarget::Missing;
                state.fqdn = Some(format!("{}.{}", current.cluster_id, zone_of(&current)));
            }
            Ok(None) => {
                tracing::info!(record = %record, "A record was deleted outside Terraform; the next apply re-creates it");
                state.ip_address = RecordTarget::Missing;
            }
            Err(e) => return Outcome::failed(Some(current), azure_failure("reading", &record, &e)),
        }
        let links = match links_read {
            Ok(l) => l,
            Err(e) => {
                return Outcome::failed(
                    Some(current),
                    azure_failure("listing links of", &zone, &e),
                );
            }
        };
        let mut linked = BTreeMap::new();
        for link in links {
            let (Some(vnet), Some(name), Some(id)) = (
                link.virtual_network_id(),
                link.name.as_deref(),
                link.id.as_deref(),
            ) else {
                continue;
            };
            // A VNet counts as linked through our own link, or through one we were using.
            let known = current
                .virtual_network_ids
                .iter()
                .find(|v| v.eq_ignore_ascii_case(vnet));
            // Named for this cluster by an earlier release: ours even when state lost it.
            let ours = name.eq_ignore_ascii_case(&legacy_link_name(&current.cluster_id, vnet));
            if !ours && known.is_none() && links_of == Links::Held {
                continue;
            }
            let vnet = known.cloned().unwrap_or_else(|| vnet.to_string());
            // The link ID as held when it is the same ID (Azure may spell the group otherwise).
            let held = current
                .virtual_network_link_ids
                .as_ref()
                .and_then(|m| m.get(&vnet))
                .map(String::as_str);
            linked.insert(vnet.clone(), keep_if_same(held, id));
            // The unit's tags are on every link it made too: one that differs is drift, shown
            // as a change of tags (the zone's own drift, when managed, shows first).
            let link_tags = link.tags.clone().unwrap_or_default();
            if (manage || unit_made(&vnet, id))
                && link_tags != held_tags
                && state.tags.clone().unwrap_or_default() == held_tags
            {
                state.tags = Some(link_tags);
            }
        }
        state.virtual_network_ids = linked.keys().cloned().collect();
        state.virtual_network_link_ids = Some(linked);
        Outcome::ok(state)
    }
}
