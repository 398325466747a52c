//! The `Resource` implementation: plan rules, validation, and create/read/update/delete/import
//! of the unit.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use super::bodies::{guard, record_body, zone_body};
use super::links::{azure_failure, create_failure};
use super::naming::{Ids, ids, ids_from_state, link_name, zone_of};
use super::{MANAGE_ZONE, PrivateDns, PrivateDnsModel, RecordTarget, TAGS, ZoneOwnership, schema};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Outcome, Plan, Resource};
use crate::framework::schema::Schema;
use crate::framework::timeouts::TimeoutDefaults;
use crate::provider::{arm_ctx, keep_if_same};

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

    fn validate(&self, config: &PrivateDnsModel, diags: &mut Diagnostics) {
        let unmanaged = config.manage_zone == ZoneOwnership::Unmanaged;
        let tagged = config.tags.as_ref().is_some_and(|t| !t.is_empty());
        if unmanaged && tagged {
            diags.push(
                Diagnostic::warning(
                    "tags have no effect",
                    "tags are set on the zone only when manage_zone = true; with manage_zone = false the zone belongs to someone else and its tags are left alone.",
                )
                .at(AttributePath::root().attr(TAGS)),
            );
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
        let (made, mut diags) = Self::add_links(arm, &zone, &planned.cluster_id, &vnets, ctx).await;
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
        if !planned.manage_zone.manages_zone() {
            state.tags = planned.tags.clone();
        } else if planned.tags != prior.tags {
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
        let (removed, d) =
            Self::remove_links(arm, &prior.cluster_id, manage, &to_remove, ctx).await;
        diags.extend(d);
        for v in removed {
            links.remove(&v);
        }
        let (made, d) = Self::add_links(arm, &zone, &prior.cluster_id, &to_add, ctx).await;
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
        let links = prior.virtual_network_link_ids.clone().unwrap_or_default();
        let (_, d) = Self::remove_links(arm, &prior.cluster_id, manage, &links, ctx).await;
        if d.has_errors() {
            return d;
        }
        if let Err(e) = arm.delete_a_record(&record, &call).await
            && !e.is_not_found()
        {
            return azure_failure("deleting", &record, &e);
        }
        if manage
            && let Err(e) = arm.delete(&zone, &call).await
            && !e.is_not_found()
        {
            return azure_failure("deleting", &zone, &e);
        }
        Diagnostics::new()
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

/// Which of the zone's links a read counts as the unit's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Links {
    /// Those the state holds, and those named as this unit names its links.
    Held,
    /// Every link of the zone: an import, which holds none yet.
    Every,
}

impl PrivateDns {
    /// Reads the zone, the record and the links into `current`.
    async fn read_unit(
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
            let ours = name.eq_ignore_ascii_case(&link_name(&current.cluster_id, vnet));
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
            linked.insert(vnet, keep_if_same(held, id));
        }
        state.virtual_network_ids = linked.keys().cloned().collect();
        state.virtual_network_link_ids = Some(linked);
        Outcome::ok(state)
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
    .at(AttributePath::root().attr("manage_zone"))
}
