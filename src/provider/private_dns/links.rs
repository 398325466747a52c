//! Linking, tagging and unlinking virtual networks (a VNet's link is shared by every unit that
//! links it), and the diagnostics for Azure failures, naming the other zone when a VNet already
//! resolves the zone name elsewhere.

use std::collections::BTreeMap;

use super::PrivateDns;
use super::bodies::{guard, link_body, link_tags_body};
use super::naming::{link_name, unit_made};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::resource::OpContext;
use crate::provider::arm_ctx;

pub(super) fn azure_failure(
    action: &str,
    what: &dyn std::fmt::Display,
    e: &azure::Error,
) -> Diagnostics {
    crate::provider::errors::azure_error(action, &what.to_string(), e).into()
}

/// [`azure_failure`] of a create-only write.
pub(super) fn create_failure(what: &dyn std::fmt::Display, e: &azure::Error) -> Diagnostics {
    crate::provider::errors::create_error(&what.to_string(), e).into()
}

/// Whether a failed link PUT may be Azure refusing a VNet that already resolves a zone of
/// the same name through another zone: that answer is a plain 400 `BadRequest` whose message
/// names no zone, so the other zone is looked for (never the message read) to decide.
fn may_overlap(e: &azure::Error) -> bool {
    matches!(e, azure::Error::Http { status: 400, .. })
}

/// The other zone named like `zone` that links `vnet`, and that link: found by listing the
/// subscription's private DNS zones (PrivateZones_List) and their links. `None` when it
/// cannot be found, e.g. the caller may not list zones (403) or it is in another subscription.
pub(super) async fn find_overlapping_zone(
    arm: &azure::ArmClient,
    zone: &azure::PrivateDnsZoneId,
    vnet: &str,
    ctx: &azure::ArmCallCtx,
) -> Option<(azure::PrivateDnsZoneId, String)> {
    let zones = match arm.list_private_dns_zones(ctx).await {
        Ok(z) => z,
        Err(e) => {
            tracing::info!(error = %e, "cannot list private DNS zones to find the overlapping one");
            return None;
        }
    };
    let ours = zone.path();
    for other in zones {
        let Some(id) = other.id.as_deref() else {
            continue;
        };
        let Ok(other_id) = azure::PrivateDnsZoneId::parse(id) else {
            continue;
        };
        if !other_id.zone_name.eq_ignore_ascii_case(&zone.zone_name)
            || id.eq_ignore_ascii_case(&ours)
        {
            continue;
        }
        let Ok(links) = arm.list_virtual_network_links(&other_id, ctx).await else {
            continue;
        };
        let link = links.iter().find(|l| {
            l.virtual_network_id()
                .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
        });
        if let Some(link_id) = link.and_then(|l| l.id.clone()) {
            return Some((other_id, link_id));
        }
    }
    None
}

/// The diagnostic for a failed link PUT; for an overlap, names the other zone when it can be
/// found, so the user knows where to put the record or which link to remove.
pub(super) async fn link_failure(
    arm: &azure::ArmClient,
    zone: &azure::PrivateDnsZoneId,
    vnet: &str,
    link: &azure::VirtualNetworkLinkId,
    e: &azure::Error,
    ctx: &azure::ArmCallCtx,
) -> Diagnostics {
    let what = format!("{link} to {vnet}");
    if !may_overlap(e) {
        return azure_failure("linking", &what, e);
    }
    let Some((other, other_link)) = find_overlapping_zone(arm, zone, vnet, ctx).await else {
        return azure_failure("linking", &what, e);
    };
    let mut d = crate::provider::errors::azure_error("linking", &what, e);
    d.detail.push_str(&format!(
        "\n\nThis virtual network is already linked to another private DNS zone with the same name ({name}): {id}, in resource group {rg} (through the link {other_link}). One VNet can resolve a zone name through one zone only: add the A record to that zone instead (manage_zone = false, resource_group_name = \"{rg}\"), or remove that link.",
        name = other.zone_name,
        id = other.path(),
        rg = other.resource_group,
    ));
    d.into()
}

/// The A records of `zone` that are not `cluster_id`'s (other clusters, or a person's).
async fn other_records(
    arm: &azure::ArmClient,
    zone: &azure::PrivateDnsZoneId,
    cluster_id: &str,
    call: &azure::ArmCallCtx,
) -> Result<Vec<String>, azure::Error> {
    Ok(arm
        .list_a_records(zone, call)
        .await?
        .into_iter()
        .filter_map(|rs| rs.name)
        .filter(|n| !n.eq_ignore_ascii_case(cluster_id))
        .collect())
}

/// The warning for a link kept because other clusters' records resolve through it.
fn kept_link(link: &str, vnet: &str, others: &[String]) -> Diagnostics {
    let (rg, zone, name) = match azure::VirtualNetworkLinkId::parse(link) {
        Ok(id) => (
            id.resource_group.clone(),
            id.zone_name.clone(),
            id.name.clone(),
        ),
        Err(_) => return Diagnostics::new(),
    };
    Diagnostic::warning(
        format!("Kept the link of {vnet} to zone {zone}"),
        format!(
            "The zone also holds the A records {}, and a VNet linked to the zone resolves them through this link (one link per VNet and zone), so it stays: {link}. The last cluster to leave the VNet deletes it. If no other cluster's agents use the VNet, delete it yourself:\n  az network private-dns link vnet delete --resource-group {rg} --zone-name {zone} --name {name} --yes",
            others.join(", ")
        ),
    )
    .into()
}

impl PrivateDns {
    /// Links each of `vnets` to the zone: a VNet the zone already links (another cluster's
    /// unit, or a person) is used as it is, and one a unit made gets `tags`; otherwise this unit
    /// creates the VNet's link with `tags`. Returns VNet -> link ID for those that worked, and
    /// the errors.
    pub(super) async fn add_links(
        arm: &azure::ArmClient,
        zone: &azure::PrivateDnsZoneId,
        tags: &azure::models::Tags,
        vnets: &[String],
        ctx: &OpContext,
    ) -> (BTreeMap<String, String>, Diagnostics) {
        let call = arm_ctx(ctx);
        let mut linked = BTreeMap::new();
        let mut diags = Diagnostics::new();
        if vnets.is_empty() {
            return (linked, diags);
        }
        let existing = match arm.list_virtual_network_links(zone, &call).await {
            Ok(links) => links,
            Err(e) if e.is_not_found() => vec![],
            Err(e) => return (linked, azure_failure("listing links of", zone, &e)),
        };
        let mut to_create = Vec::new();
        let mut found_links = Vec::new();
        for vnet in vnets {
            let found = existing.iter().find(|l| {
                l.virtual_network_id()
                    .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
            });
            match found.and_then(|l| l.id.clone().map(|id| (l, id))) {
                Some((link, id)) => {
                    if unit_made(vnet, &id) {
                        found_links.push(link.clone());
                    }
                    linked.insert(vnet.clone(), id);
                }
                None => to_create.push(vnet.clone()),
            }
        }
        diags.extend(Self::retag_links(arm, &found_links, tags, &call).await);
        let results = futures::future::join_all(to_create.iter().map(|vnet| {
            let id = zone.link(link_name(vnet));
            let call = call.clone();
            async move {
                let body = link_body(vnet, tags);
                let cond = azure::WriteCondition::default();
                let r = arm.put_virtual_network_link(&id, &body, &cond, &call).await;
                (vnet.clone(), id, r)
            }
        }))
        .await;
        let mut failed = Vec::new();
        for (vnet, id, r) in results {
            match r {
                Ok(_) => {
                    linked.insert(vnet, id.path());
                }
                Err(e) => failed.push((vnet, id, e)),
            }
        }
        if !failed.is_empty() {
            // Another unit may have linked the same VNet meanwhile (a VNet links a zone once):
            // use its link instead of failing.
            let now = arm
                .list_virtual_network_links(zone, &call)
                .await
                .unwrap_or_default();
            for (vnet, id, e) in failed {
                let other = now.iter().find(|l| {
                    l.virtual_network_id()
                        .is_some_and(|v| v.eq_ignore_ascii_case(&vnet))
                });
                match other.and_then(|l| l.id.clone()) {
                    Some(link) => {
                        linked.insert(vnet, link);
                    }
                    None => diags.extend(link_failure(arm, zone, &vnet, &id, &e, &call).await),
                }
            }
        }
        (linked, diags)
    }

    /// Writes `tags` on each of `links` (as listed from Azure) whose tags differ: a read-then-
    /// write under the link's etag that keeps everything else (design/private-dns.md §3).
    pub(super) async fn retag_links(
        arm: &azure::ArmClient,
        links: &[azure::models::VirtualNetworkLink],
        tags: &azure::models::Tags,
        call: &azure::ArmCallCtx,
    ) -> Diagnostics {
        let stale = links
            .iter()
            .filter(|l| l.tags.clone().unwrap_or_default() != *tags);
        let results = futures::future::join_all(stale.map(|link| async move {
            let id = link.id.as_deref().unwrap_or_default();
            let what = id.to_string();
            let r = match azure::VirtualNetworkLinkId::parse(id) {
                Ok(id) => {
                    let body = link_tags_body(link, tags);
                    let cond = guard(link.etag.clone());
                    arm.put_virtual_network_link(&id, &body, &cond, call)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(azure::Error::Internal(format!("link ID from Azure: {e}"))),
            };
            (what, r)
        }))
        .await;
        let mut diags = Diagnostics::new();
        for (what, r) in results {
            if let Err(e) = r {
                diags.extend(azure_failure("updating tags of", &what, &e));
            }
        }
        diags
    }

    /// Unlinks `links` (VNet -> link ID). A link a unit made (or any, when the unit owns the
    /// zone) is deleted, unless the zone holds A records of other clusters, which resolve
    /// through it in that VNet: then it is kept, with a warning (design/private-dns.md §2). A
    /// link a person made is only forgotten. Returns the VNets unlinked and the diagnostics.
    pub(super) async fn remove_links(
        arm: &azure::ArmClient,
        zone: &azure::PrivateDnsZoneId,
        cluster_id: &str,
        manage_zone: bool,
        links: &BTreeMap<String, String>,
        ctx: &OpContext,
    ) -> (Vec<String>, Diagnostics) {
        let call = arm_ctx(ctx);
        let mut diags = Diagnostics::new();
        let deletes = |vnet: &str, link: &str| manage_zone || unit_made(vnet, link);
        let mut removed: Vec<String> = links
            .iter()
            .filter(|(vnet, link)| !deletes(vnet, link))
            .map(|(vnet, _)| vnet.clone())
            .collect();
        let ours: Vec<(&String, &String)> = links
            .iter()
            .filter(|(vnet, link)| deletes(vnet, link))
            .collect();
        if ours.is_empty() {
            return (removed, diags);
        }
        let others = match other_records(arm, zone, cluster_id, &call).await {
            Ok(o) => o,
            Err(e) if e.is_not_found() => vec![],
            Err(e) => return (removed, azure_failure("listing the A records of", zone, &e)),
        };
        if !others.is_empty() {
            for (vnet, link) in ours {
                diags.extend(kept_link(link, vnet, &others));
                removed.push(vnet.clone());
            }
            return (removed, diags);
        }
        let results = futures::future::join_all(ours.into_iter().map(|(vnet, link)| {
            let call = call.clone();
            async move {
                let r = match azure::VirtualNetworkLinkId::parse(link) {
                    Ok(id) => arm.delete_virtual_network_link(&id, &call).await,
                    Err(e) => Err(azure::Error::Internal(format!("link ID in state: {e}"))),
                };
                (vnet.clone(), link.clone(), r)
            }
        }))
        .await;
        for (vnet, link, r) in results {
            match r {
                Ok(()) => removed.push(vnet),
                Err(e) if e.is_not_found() => removed.push(vnet),
                Err(e) => diags.extend(azure_failure("deleting", &link, &e)),
            }
        }
        (removed, diags)
    }
}
