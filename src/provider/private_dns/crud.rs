//! The `Resource` implementation: plan rules, validation, and create/read/update/delete/import
//! of the unit.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::bodies::{guard, record_body, zone_body};
use super::links::{azure_failure, create_failure};
use super::naming::{Ids, ids, ids_from_state, unit_made, zone_of};
use super::read::Links;
use super::{MANAGE_ZONE, PrivateDns, PrivateDnsModel, RecordTarget, ZoneOwnership, schema};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Outcome, Plan, Resource};
use crate::framework::schema::Schema;
use crate::framework::timeouts::TimeoutDefaults;
use crate::provider::arm_ctx;

/// Record sets every zone has, which never block deleting it.
const ZONE_OWN_RECORDS: [(&str, &str); 1] = [("SOA", "@")];

#[async_trait]
impl Resource for PrivateDns {
    type Model = PrivateDnsModel;

    fn type_name(&self) -> &'static str {
        "astro_private_dns"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn timeouts(&self) -> Option<TimeoutDefaults> {
        Some(crate::provider::TIMEOUTS)
    }

    async fn modify_plan(&self, plan: &mut Plan<PrivateDnsModel>) {
        // An imported unit has no ownership yet; not configured either, the default (manage
        // the zone) applies with nothing to do, so the plan keeps it undecided.
        if plan
            .prior
            .as_ref()
            .is_some_and(|p| p.manage_zone == ZoneOwnership::Undecided)
            && plan.config.manage_zone == ZoneOwnership::Undecided
        {
            plan.planned.manage_zone = ZoneOwnership::Undecided;
        }
    }

    async fn create(&self, ctx: &OpContext, planned: PrivateDnsModel) -> Outcome<PrivateDnsModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(None, d),
        };
        let arm = &client.arm;
        let Ids { zone, record } = ids(client.arm.subscription_id(), &planned);
        let call = arm_ctx(ctx);
        let manage = planned.manage_zone.manages_zone();
        // What exists if the create stops half-way: the zone (when ours), nothing linked.
        let mut state = planned.clone();
        state.zone_id = Some(zone.path());
        state.id = Some(record.path());
        state.fqdn = Some(format!("{}.{}", planned.cluster_id, zone_of(&planned)));
        state.ip_address = RecordTarget::Missing;
        state.virtual_network_ids.clear();
        state.virtual_network_link_ids = Some(BTreeMap::new());

        match arm.get(&zone, &call).await {
            Ok(Some(_)) if manage => {
                return Outcome::failed(None, zone_exists(&zone, &record).into());
            }
            Ok(None) if !manage => {
                return Outcome::failed(
                    None,
                    Diagnostic::error(
                        format!("{zone} does not exist"),
                        "manage_zone = false needs an existing private DNS zone. Create it first, or set manage_zone = true to let this resource create it.",
                    )
                    .at(AttributePath::root().attr(MANAGE_ZONE))
                    .into(),
                );
            }
            Ok(_) => {}
            Err(e) => return Outcome::failed(None, azure_failure("reading", &zone, &e)),
        }
        if !manage {
            match arm.get(&record, &call).await {
                Ok(Some(_)) => {
                    return Outcome::failed(
                        None,
                        crate::provider::errors::requires_import(
                            self.type_name(),
                            &record.to_string(),
                            &record.path(),
                        )
                        .into(),
                    );
                }
                Ok(None) => {}
                Err(e) => return Outcome::failed(None, azure_failure("reading", &record, &e)),
            }
        }
        let create_only = azure::WriteCondition::create_only();
        if manage {
            let body = zone_body(&planned, None);
            let made = arm.put_private_dns_zone(&zone, &body, &create_only, &call);
            if let Err(e) = made.await {
                let d = create_failure(&zone, &e);
                // A zone our request created despite the error is ours: keep it in state. A
                // conflict means someone else's zone appeared meanwhile: never claim that one.
                let ours = !matches!(e, azure::Error::Conflict { .. })
                    && matches!(arm.get(&zone, &call).await, Ok(Some(_)));
                if ours {
                    return Outcome::failed(Some(state), d);
                }
                return Outcome::failed(None, d);
            }
        }
        let body = record_body(&planned, None);
        let made = arm.put_a_record(&record, &body, &create_only, &call);
        if let Err(e) = made.await {
            return Outcome::failed(manage.then_some(state), create_failure(&record, &e));
        }
        let vnets: Vec<String> = planned.virtual_network_ids.iter().cloned().collect();
        let tags = planned.tags.clone().unwrap_or_default();
        let (made, mut diags) = Self::add_links(arm, &zone, &tags, &vnets, ctx).await;
        state.ip_address = planned.ip_address.clone();
        state.virtual_network_ids = made.keys().cloned().collect();
        state.virtual_network_link_ids = Some(made);
        // The state is what ARM answers now (azurerm ends every create with a read), in the
        // spelling of what we wrote wherever ARM's means the same.
        let read = self.read(ctx, state.clone()).await;
        diags.extend(read.diagnostics);
        Outcome {
            state: Some(read.state.unwrap_or(state)),
            diagnostics: diags,
        }
    }

    async fn read(&self, ctx: &OpContext, current: PrivateDnsModel) -> Outcome<PrivateDnsModel> {
        self.read_unit(ctx, current, Links::Held).await
    }

    async fn update(
        &self,
        ctx: &OpContext,
        prior: PrivateDnsModel,
        planned: PrivateDnsModel,
    ) -> Outcome<PrivateDnsModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(prior), d),
        };
        let arm = &client.arm;
        let Ids { zone, record } = match ids_from_state(&prior) {
            Ok(ids) => ids,
            Err(d) => return Outcome::failed(Some(prior), d),
        };
        let call = arm_ctx(ctx);
        let mut state = prior.clone();
        let mut diags = Diagnostics::new();

        // Ownership is Terraform's bookkeeping only (an imported unit takes it from the
        // configuration): nothing to change in Azure.
        state.manage_zone = planned.manage_zone;
        let tags_changed = planned.tags != prior.tags;
        if !planned.manage_zone.manages_zone() {
            state.tags = planned.tags.clone();
        } else if tags_changed {
            // Read, change our attribute, write back only that version (If-Match).
            let written = match arm.get(&zone, &call).await {
                Ok(current) => {
                    let cond = guard(current.as_ref().and_then(|z| z.etag.clone()));
                    let body = zone_body(&planned, current);
                    arm.put_private_dns_zone(&zone, &body, &cond, &call)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            };
            match written {
                Ok(()) => state.tags = planned.tags.clone(),
                Err(e) => diags.extend(azure_failure("updating tags of", &zone, &e)),
            }
        }
        if planned.ip_address != prior.ip_address || planned.ttl != prior.ttl {
            let written = match arm.get(&record, &call).await {
                Ok(current) => {
                    let cond = match &current {
                        Some(rs) => guard(rs.etag.clone()),
                        // Deleted outside Terraform: re-create it, unless someone else did.
                        None => azure::WriteCondition::create_only(),
                    };
                    let body = record_body(&planned, current);
                    arm.put_a_record(&record, &body, &cond, &call)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            };
            match written {
                Ok(()) => {
                    state.ip_address = planned.ip_address.clone();
                    state.ttl = planned.ttl;
                }
                Err(e) => diags.extend(azure_failure("updating", &record, &e)),
            }
        }
        let mut links = prior.virtual_network_link_ids.clone().unwrap_or_default();
        let has = |set: &BTreeSet<String>, v: &str| set.iter().any(|x| x.eq_ignore_ascii_case(v));
        let to_remove: BTreeMap<String, String> = links
            .iter()
            .filter(|(v, _)| !has(&planned.virtual_network_ids, v))
            .map(|(v, l)| (v.clone(), l.clone()))
            .collect();
        let to_add: Vec<String> = planned
            .virtual_network_ids
            .iter()
            .filter(|v| !has(&prior.virtual_network_ids, v))
            .cloned()
            .collect();
        let manage = planned.manage_zone.manages_zone();
        let tags = planned.tags.clone().unwrap_or_default();
        if tags_changed {
            // Every link this unit holds and may tag, with its tags as Azure has them now.
            let held: Vec<azure::models::VirtualNetworkLink> =
                match arm.list_virtual_network_links(&zone, &call).await {
                    Ok(all) => all
                        .into_iter()
                        .filter(|l| {
                            let (Some(id), Some(vnet)) = (l.id.as_deref(), l.virtual_network_id())
                            else {
                                return false;
                            };
                            let kept = links.iter().any(|(v, held)| {
                                held.eq_ignore_ascii_case(id) && !to_remove.contains_key(v)
                            });
                            kept && (manage || unit_made(vnet, id))
                        })
                        .collect(),
                    Err(e) => {
                        diags.extend(azure_failure("listing links of", &zone, &e));
                        Vec::new()
                    }
                };
            let d = Self::retag_links(arm, &held, &tags, &call).await;
            if d.has_errors() {
                // Some link still has the old tags: keep them in state, so the next plan
                // shows the change again.
                state.tags = prior.tags.clone();
            }
            diags.extend(d);
        }
        let (removed, d) =
            Self::remove_links(arm, &zone, &prior.cluster_id, manage, &to_remove, ctx).await;
        diags.extend(d);
        for v in removed {
            links.remove(&v);
        }
        let (made, d) = Self::add_links(arm, &zone, &tags, &to_add, ctx).await;
        diags.extend(d);
        links.extend(made);
        // The same VNet may be spelled differently in the plan (ARM IDs ignore case): answer
        // with the plan's spelling, as Terraform requires.
        let links: BTreeMap<String, String> = links
            .into_iter()
            .map(|(v, l)| {
                (
                    crate::provider::planned_spelling(&planned.virtual_network_ids, &v),
                    l,
                )
            })
            .collect();
        state.virtual_network_ids = links.keys().cloned().collect();
        state.virtual_network_link_ids = Some(links);
        Outcome {
            state: Some(state),
            diagnostics: diags,
        }
    }

    async fn delete(&self, ctx: &OpContext, prior: PrivateDnsModel) -> Diagnostics {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return d,
        };
        let arm = &client.arm;
        let Ids { zone, record } = match ids_from_state(&prior) {
            Ok(ids) => ids,
            Err(d) => return d,
        };
        let call = arm_ctx(ctx);
        let manage = prior.manage_zone.manages_zone();
        if manage {
            // Refuse before touching anything if the zone holds records this unit does not own.
            match arm.list_record_sets(&zone, &call).await {
                Ok(sets) => {
                    let foreign: Vec<String> = sets
                        .iter()
                        .filter_map(|rs| {
                            let ty = rs.record_type().unwrap_or_default();
                            let name = rs.name.as_deref().unwrap_or_default();
                            let ours = (ty.eq_ignore_ascii_case("A")
                                && name.eq_ignore_ascii_case(&record.name))
                                || ZONE_OWN_RECORDS
                                    .iter()
                                    .any(|(t, n)| ty.eq_ignore_ascii_case(t) && name == *n);
                            (!ours).then(|| format!("{ty} {name}"))
                        })
                        .collect();
                    if !foreign.is_empty() {
                        return Diagnostic::error(
                            format!("{zone} holds records this resource does not manage"),
                            format!(
                                "Refusing to delete the zone: it also holds {}. Nothing was deleted. Remove those records first, or set manage_zone = false (apply) so that destroy keeps the zone.",
                                foreign.join(", ")
                            ),
                        )
                        .into();
                    }
                }
                Err(e) if e.is_not_found() => return Diagnostics::new(),
                Err(e) => return azure_failure("listing records of", &zone, &e),
            }
        }
        let mut links = prior.virtual_network_link_ids.clone().unwrap_or_default();
        if manage {
            // The zone goes, so every link a unit made goes first: also those other units
            // left behind for this one (Azure deletes no zone that still has links).
            match arm.list_virtual_network_links(&zone, &call).await {
                Ok(all) => {
                    for l in all {
                        if let (Some(id), Some(vnet)) = (l.id.as_deref(), l.virtual_network_id())
                            && unit_made(vnet, id)
                            && !links.values().any(|held| held.eq_ignore_ascii_case(id))
                        {
                            links.insert(vnet.to_string(), id.to_string());
                        }
                    }
                }
                Err(e) if e.is_not_found() => return Diagnostics::new(),
                Err(e) => return azure_failure("listing links of", &zone, &e),
            }
        }
        // Warnings (links kept for other clusters) travel with the outcome.
        let (_, mut diags) =
            Self::remove_links(arm, &zone, &prior.cluster_id, manage, &links, ctx).await;
        if diags.has_errors() {
            return diags;
        }
        if let Err(e) = arm.delete_a_record(&record, &call).await
            && !e.is_not_found()
        {
            diags.extend(azure_failure("deleting", &record, &e));
            return diags;
        }
        if manage
            && let Err(e) = arm.delete(&zone, &call).await
            && !e.is_not_found()
        {
            diags.extend(azure_failure("deleting", &zone, &e));
        }
        diags
    }

    async fn import(&self, ctx: &OpContext, id: &str) -> Result<PrivateDnsModel, Diagnostics> {
        let record = azure::ARecordId::parse(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                format!("{e}. Import takes the A record's ARM ID: /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Network/privateDnsZones/<zone>/A/<cluster_id>"),
            ))
        })?;
        let imported = PrivateDnsModel {
            id: Some(record.path()),
            resource_group_name: record.resource_group.clone(),
            cluster_id: record.name.clone(),
            zone_name: Some(record.zone_name.clone()),
            zone_id: Some(record.zone().path()),
            // Ownership of the zone is not in Azure: the configuration decides (modify_plan).
            manage_zone: ZoneOwnership::Undecided,
            ttl: Some(super::DEFAULT_TTL),
            ..Default::default()
        };
        // The links are adopted here, all of them; Terraform's read after the import then
        // holds them like any other state.
        let out = self.read_unit(ctx, imported.clone(), Links::Every).await;
        if out.diagnostics.has_errors() {
            return Err(out.diagnostics);
        }
        Ok(out.state.unwrap_or(imported))
    }
}

/// The error for a zone that exists while this unit would create it (`manage_zone = true`):
/// the real fixes first, leaving the zone to its owner or adopting it by the record's ID,
/// which imports whether the record exists yet or not.
fn zone_exists(zone: &azure::PrivateDnsZoneId, record: &azure::ARecordId) -> Diagnostic {
    Diagnostic::error(
        format!("{zone} already exists"),
        format!(
            "{zone} already exists in Azure and is not managed by this configuration. Either:\n\n- leave the zone to whoever made it (another stack, or several clusters in one zone): set manage_zone = false, and this resource manages only the record and its links; or\n- adopt the zone, so that this resource manages it and deletes it on destroy (an empty zone left by an interrupted apply, for example):\n\n{}\n\nThe import works whether or not the record exists yet; the next apply creates what is missing.",
            crate::provider::errors::import_command("astro_private_dns", &record.path())
        ),
    )
    .at(AttributePath::root().attr(MANAGE_ZONE))
}
