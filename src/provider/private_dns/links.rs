//! Linking and unlinking virtual networks, and the diagnostics for Azure failures, naming the
//! other zone when a VNet already resolves the zone name elsewhere.

use std::collections::BTreeMap;

use super::PrivateDns;
use super::bodies::link_body;
use super::naming::{link_name, owns};
use crate::azure;
use crate::framework::diagnostics::Diagnostics;
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

impl PrivateDns {
    /// Links each of `vnets` to the zone: a VNet the zone already links (another cluster's
    /// unit, or a person) is used as it is; otherwise this unit creates its own link. Returns
    /// VNet -> link ID for those that worked, and the errors.
    pub(super) async fn add_links(
        arm: &azure::ArmClient,
        zone: &azure::PrivateDnsZoneId,
        cluster_id: &str,
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
        for vnet in vnets {
            let found = existing.iter().find(|l| {
                l.virtual_network_id()
                    .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
            });
            match found.and_then(|l| l.id.clone()) {
                Some(id) => {
                    linked.insert(vnet.clone(), id);
                }
                None => to_create.push(vnet.clone()),
            }
        }
        let results = futures::future::join_all(to_create.iter().map(|vnet| {
            let id = zone.link(link_name(cluster_id, vnet));
            let call = call.clone();
            async move {
                let body = link_body(vnet);
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

    /// Unlinks `links` (VNet -> link ID): deletes the links this unit created, and only
    /// forgets those it found, unless `manage_zone` (the unit owns the zone and so every link
    /// it holds). Returns the VNets unlinked and the errors.
    pub(super) async fn remove_links(
        arm: &azure::ArmClient,
        cluster_id: &str,
        manage_zone: bool,
        links: &BTreeMap<String, String>,
        ctx: &OpContext,
    ) -> (Vec<String>, Diagnostics) {
        let call = arm_ctx(ctx);
        let deletes = |vnet: &str, link: &str| manage_zone || owns(cluster_id, vnet, link);
        let ours = links.iter().filter(|(vnet, link)| deletes(vnet, link));
        let results = futures::future::join_all(ours.map(|(vnet, link)| {
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
        let mut removed: Vec<String> = links
            .iter()
            .filter(|(vnet, link)| !deletes(vnet, link))
            .map(|(vnet, _)| vnet.clone())
            .collect();
        let mut diags = Diagnostics::new();
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
