//! `astro_private_dns`: the private DNS zone (when managed), the cluster's A record and one
//! virtual network link per VNet, as one unit (Private DNS API
//! [`azure::PRIVATE_DNS_API_VERSION`]). Links are named from the VNet ID so that adding or
//! removing a VNet touches only its own link.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::validation;
use super::{Client, arm_ctx, keep_if_same};
use crate::azure;
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::path::AttributePath;
use crate::framework::resource::{OpContext, Outcome, PlanRequest, Resource};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::timeouts::TimeoutDefaults;
use crate::framework::types::Type;
use crate::framework::validators::{Each, IntRange, Ipv4, MinItems};
use crate::framework::value::Value;

/// The zone Astronomer's guide asks for.
pub const DEFAULT_ZONE: &str = "external.astronomer.run";

/// The resource's state, attribute for attribute.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PrivateDnsModel {
    /// ARM ID of the A record.
    pub id: Option<String>,
    /// Resource group of the zone.
    pub resource_group_name: String,
    /// Astro cluster ID: the A record's name.
    pub cluster_id: String,
    /// The private endpoint's IP.
    pub ip_address: String,
    /// VNets linked to the zone.
    pub virtual_network_ids: BTreeSet<String>,
    /// Zone name.
    pub zone_name: Option<String>,
    /// Record TTL in seconds.
    pub ttl: Option<i64>,
    /// Whether this resource owns the zone.
    pub manage_zone: Option<bool>,
    /// Zone tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Zone ARM ID.
    pub zone_id: Option<String>,
    /// The record's FQDN.
    pub fqdn: Option<String>,
    /// VNet ID -> link ID.
    pub virtual_network_link_ids: Option<BTreeMap<String, String>>,
}

/// The `astro_private_dns` resource.
#[derive(Debug)]
pub struct PrivateDns {
    client: Client,
}

impl PrivateDns {
    /// The resource, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// The schema, in the order of the docs page (docs/resources/private_dns.md).
pub fn schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::required("resource_group_name", s.clone())
                .force_new()
                .describe("Resource group of the private DNS zone.")
                .validate(validation::resource_group_name()),
            Attribute::required("cluster_id", s.clone())
                .force_new()
                .describe("Astro cluster ID (e.g. `clxxxxxxxxx`): the A record's name, so agents resolve `<cluster_id>.<zone_name>`.")
                .validate(validation::dns_label()),
            Attribute::required("ip_address", s.clone())
                .describe("IPv4 address the A record points at: the private endpoint's `private_ip_address`.")
                .validate(Ipv4),
            Attribute::required("virtual_network_ids", Type::set(s.clone()))
                .describe("IDs of the virtual networks whose agents must resolve the record; one zone link each.")
                .validate(MinItems(1))
                .validate(Each(validation::virtual_network_id()))
                .equivalent_when(super::same_id),
            Attribute::optional("zone_name", s.clone())
                .force_new()
                .default_value(DEFAULT_ZONE)
                .describe("Private DNS zone name.")
                .validate(validation::zone_name()),
            Attribute::optional("ttl", Type::Number)
                .default_value(300i64)
                .describe("TTL of the A record in seconds.")
                .validate(IntRange { min: 1, max: 2_147_483_647 }),
            Attribute::optional("manage_zone", Type::Bool)
                .force_new()
                .default_value(true)
                .describe("`true`: this resource creates and deletes the zone. `false`: the zone must already exist and only the record and links are managed (several clusters in one zone). After `terraform import` the configuration decides, without replacing anything."),
            Attribute::optional("tags", Type::map(s.clone()))
                .default_value(super::no_tags())
                .describe("Tags on the zone, when `manage_zone` is `true`."),
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the A record; `terraform import` takes it."),
            Attribute::computed("zone_id", s.clone()).use_state_for_unknown().describe("ARM ID of the private DNS zone."),
            Attribute::computed("fqdn", s.clone())
                .use_state_for_unknown()
                .describe("Fully qualified name of the record, e.g. `clxxxxxxxxx.external.astronomer.run`."),
            Attribute::computed("virtual_network_link_ids", Type::map(s))
                .describe("Map of virtual network ID to the ID of its zone link."),
        ])
        .describe("The private DNS zone, the cluster's A record and the zone's virtual network links, as one unit."),
    )
}

/// Record sets every zone has, which never block deleting it.
const ZONE_OWN_RECORDS: [(&str, &str); 1] = [("SOA", "@")];

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
fn owns(cluster_id: &str, vnet_id: &str, link_id: &str) -> bool {
    link_id
        .rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case(&link_name(cluster_id, vnet_id)))
}

/// The IDs the model's names resolve to.
struct Ids {
    zone: azure::PrivateDnsZoneId,
    record: azure::ARecordId,
}

fn ids(subscription: &str, m: &PrivateDnsModel) -> Ids {
    let zone = azure::PrivateDnsZoneId::new(subscription, &m.resource_group_name, zone_of(m));
    let record = zone.a_record(&m.cluster_id);
    Ids { zone, record }
}

fn zone_of(m: &PrivateDnsModel) -> &str {
    m.zone_name.as_deref().unwrap_or(DEFAULT_ZONE)
}

fn ids_from_state(m: &PrivateDnsModel) -> Result<Ids, Diagnostics> {
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

/// The record's PUT body: our TTL and address on top of `current` (Azure's record when
/// updating), so that what we do not manage (metadata, properties we do not model) is sent
/// back as read: ARM's PUT replaces the whole record.
fn record_body(
    m: &PrivateDnsModel,
    current: Option<azure::models::RecordSet>,
) -> azure::models::RecordSet {
    let mut rs = current.unwrap_or_default();
    let props = rs.properties.get_or_insert_with(Default::default);
    props.ttl = Some(m.ttl.unwrap_or(300));
    props.a_records = Some(vec![azure::models::ARecord {
        ipv4_address: Some(m.ip_address.clone()),
    }]);
    // Read-only: Azure computes them.
    props.fqdn = None;
    props.is_auto_registered = None;
    rs
}

/// The zone's PUT body: our tags on top of `current` (Azure's zone when updating). Every
/// zone property Azure documents is read-only, so only the unmodelled ones are carried.
fn zone_body(
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

fn link_body(vnet_id: &str) -> azure::models::VirtualNetworkLink {
    azure::models::VirtualNetworkLink {
        location: Some("global".into()),
        properties: Some(azure::models::VirtualNetworkLinkProperties {
            virtual_network: Some(azure::models::SubResource::new(vnet_id)),
            registration_enabled: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn fail(action: &str, what: &dyn std::fmt::Display, e: &azure::Error) -> Diagnostics {
    let mut d = super::errors::azure_error(action, &what.to_string(), e);
    if is_overlap(e) {
        d.detail.push_str(
            "\n\nThis virtual network is already linked to another private DNS zone with the same name. One VNet can resolve a zone name through one zone only: add the A record to that zone instead (manage_zone = false with its resource_group_name), or remove the other link.",
        );
    }
    d.into()
}

fn guard(etag: Option<String>) -> azure::WriteCondition {
    etag.map(azure::WriteCondition::if_match)
        .unwrap_or_default()
}

/// Azure's answer to linking a VNet that already resolves a zone of the same name through
/// another zone. Its message names no zone.
fn is_overlap(e: &azure::Error) -> bool {
    e.code() == Some("BadRequest") && e.to_string().to_lowercase().contains("overlapping")
}

/// The other zone named like `zone` that links `vnet`, and that link: found by listing the
/// subscription's private DNS zones (PrivateZones_List) and their links. `None` when it
/// cannot be found, e.g. the caller may not list zones (403) or it is in another subscription.
async fn find_overlapping_zone(
    arm: &azure::ArmClient,
    zone: &azure::PrivateDnsZoneId,
    vnet: &str,
    ctx: &azure::OpCtx,
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
async fn fail_link(
    arm: &azure::ArmClient,
    zone: &azure::PrivateDnsZoneId,
    vnet: &str,
    link: &azure::VirtualNetworkLinkId,
    e: &azure::Error,
    ctx: &azure::OpCtx,
) -> Diagnostics {
    let what = format!("{link} to {vnet}");
    if !is_overlap(e) {
        return fail("linking", &what, e);
    }
    let Some((other, other_link)) = find_overlapping_zone(arm, zone, vnet, ctx).await else {
        return fail("linking", &what, e);
    };
    let mut d = super::errors::azure_error("linking", &what, e);
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
    async fn add_links(
        arm: &azure::ArmClient,
        zone: &azure::PrivateDnsZoneId,
        cluster_id: &str,
        vnets: &[String],
        ctx: &OpContext,
    ) -> (BTreeMap<String, String>, Diagnostics) {
        let a = arm_ctx(ctx);
        let mut linked = BTreeMap::new();
        let mut diags = Diagnostics::new();
        if vnets.is_empty() {
            return (linked, diags);
        }
        let existing = match arm.list_virtual_network_links(zone, &a).await {
            Ok(links) => links,
            Err(e) if e.is_not_found() => vec![],
            Err(e) => return (linked, fail("listing links of", zone, &e)),
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
            let a = a.clone();
            async move {
                let body = link_body(vnet);
                let cond = azure::WriteCondition::default();
                let r = arm.put_virtual_network_link(&id, &body, &cond, &a).await;
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
                .list_virtual_network_links(zone, &a)
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
                    None => diags.extend(fail_link(arm, zone, &vnet, &id, &e, &a).await),
                }
            }
        }
        (linked, diags)
    }

    /// Unlinks `links` (VNet -> link ID): deletes the links this unit created, and only
    /// forgets those it found, unless `manage_zone` (the unit owns the zone and so every link
    /// it holds). Returns the VNets unlinked and the errors.
    async fn remove_links(
        arm: &azure::ArmClient,
        cluster_id: &str,
        manage_zone: bool,
        links: &BTreeMap<String, String>,
        ctx: &OpContext,
    ) -> (Vec<String>, Diagnostics) {
        let a = arm_ctx(ctx);
        let deletes = |vnet: &str, link: &str| manage_zone || owns(cluster_id, vnet, link);
        let ours = links.iter().filter(|(vnet, link)| deletes(vnet, link));
        let results = futures::future::join_all(ours.map(|(vnet, link)| {
            let a = a.clone();
            async move {
                let r = match azure::VirtualNetworkLinkId::parse(link) {
                    Ok(id) => arm.delete_virtual_network_link(&id, &a).await,
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
                Err(e) => diags.extend(fail("deleting", &link, &e)),
            }
        }
        (removed, diags)
    }
}

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
        Some(super::TIMEOUTS)
    }

    async fn modify_plan(&self, req: &mut PlanRequest) {
        // Link IDs change only with the VNets: keep them known when the VNets stay the same.
        if let Some(prior) = &req.prior
            && req.planned.get_attr("virtual_network_ids") == prior.get_attr("virtual_network_ids")
            && let (Some(slot), Some(links)) = (
                req.planned.get_attr_mut("virtual_network_link_ids"),
                prior.get_attr("virtual_network_link_ids"),
            )
        {
            *slot = links.clone();
        }
        // An imported unit has no ownership yet: take manage_zone from the configuration
        // instead of replacing the zone (and everything in it) to change a bookkeeping flag.
        let imported = req
            .prior
            .as_ref()
            .and_then(|p| p.get_attr("manage_zone"))
            .is_some_and(Value::is_null);
        if !imported {
            return;
        }
        let path = AttributePath::root().attr("manage_zone");
        req.requires_replace.retain(|p| *p != path);
        // Not configured either: the default (manage the zone) applies, with nothing to do.
        if req
            .config
            .get_attr("manage_zone")
            .is_some_and(Value::is_null)
            && let Some(slot) = req.planned.get_attr_mut("manage_zone")
        {
            *slot = Value::Null;
        }
        req.keep_prior_computed_if_unchanged(&schema().block);
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let unmanaged = config.get_attr("manage_zone").and_then(Value::as_bool) == Some(false);
        let tagged = matches!(config.get_attr("tags"), Some(Value::Map(t)) if !t.is_empty());
        if unmanaged && tagged {
            diags.push(
                Diagnostic::warning(
                    "tags have no effect",
                    "tags are set on the zone only when manage_zone = true; with manage_zone = false the zone belongs to someone else and its tags are left alone.",
                )
                .at(AttributePath::root().attr("tags")),
            );
        }
    }

    async fn create(&self, ctx: &OpContext, planned: PrivateDnsModel) -> Outcome<PrivateDnsModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(None, d),
        };
        let arm = &client.arm;
        let Ids { zone, record } = ids(&client.subscription_id, &planned);
        let a = arm_ctx(ctx);
        let manage = planned.manage_zone.unwrap_or(true);
        let mut state = planned.clone();
        state.zone_id = Some(zone.path());
        state.id = Some(record.path());
        state.fqdn = Some(format!("{}.{}", planned.cluster_id, zone_of(&planned)));

        match arm.get_private_dns_zone(&zone, &a).await {
            Ok(Some(_)) if manage => {
                let mut d = super::errors::requires_import(
                    self.type_name(),
                    &zone.to_string(),
                    &record.path(),
                );
                d.detail.push_str("\n\nIf the zone serves other clusters too, keep it outside this resource: set manage_zone = false.");
                return Outcome::failed(None, d.into());
            }
            Ok(None) if !manage => {
                return Outcome::failed(
                    None,
                    Diagnostic::error(
                        format!("{zone} does not exist"),
                        "manage_zone = false needs an existing private DNS zone. Create it first, or set manage_zone = true to let this resource create it.",
                    )
                    .at(AttributePath::root().attr("manage_zone"))
                    .into(),
                );
            }
            Ok(_) => {}
            Err(e) => return Outcome::failed(None, fail("reading", &zone, &e)),
        }
        if !manage {
            match arm.get_a_record(&record, &a).await {
                Ok(Some(_)) => {
                    return Outcome::failed(
                        None,
                        super::errors::requires_import(
                            self.type_name(),
                            &record.to_string(),
                            &record.path(),
                        )
                        .into(),
                    );
                }
                Ok(None) => {}
                Err(e) => return Outcome::failed(None, fail("reading", &record, &e)),
            }
        }
        let create_only = azure::WriteCondition::create_only();
        if manage {
            let body = zone_body(&planned, None);
            let made = arm.put_private_dns_zone(&zone, &body, &create_only, &a);
            if let Err(e) = made.await {
                let d = fail("creating", &zone, &e);
                // A zone our request created despite the error is ours: keep it in state. A
                // conflict means someone else's zone appeared meanwhile: never claim that one.
                let ours = !matches!(e, azure::Error::Conflict { .. })
                    && matches!(arm.get_private_dns_zone(&zone, &a).await, Ok(Some(_)));
                if ours {
                    state.ip_address = String::new();
                    state.virtual_network_ids.clear();
                    state.virtual_network_link_ids = Some(BTreeMap::new());
                    return Outcome::failed(Some(state), d);
                }
                return Outcome::failed(None, d);
            }
        }
        let body = record_body(&planned, None);
        let made = arm.put_a_record(&record, &body, &create_only, &a);
        if let Err(e) = made.await {
            state.ip_address = String::new();
            state.virtual_network_ids.clear();
            state.virtual_network_link_ids = Some(BTreeMap::new());
            return Outcome::failed(manage.then_some(state), fail("creating", &record, &e));
        }
        let vnets: Vec<String> = planned.virtual_network_ids.iter().cloned().collect();
        let (made, diags) = Self::add_links(arm, &zone, &planned.cluster_id, &vnets, ctx).await;
        state.virtual_network_ids = made.keys().cloned().collect();
        state.virtual_network_link_ids = Some(made);
        Outcome {
            state: Some(state),
            diagnostics: diags,
        }
    }

    async fn read(&self, ctx: &OpContext, current: PrivateDnsModel) -> Outcome<PrivateDnsModel> {
        let client = match self.client.get() {
            Ok(c) => c,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let arm = &client.arm;
        let Ids { zone, record } = match ids_from_state(&current) {
            Ok(ids) => ids,
            Err(d) => return Outcome::failed(Some(current), d),
        };
        let a = arm_ctx(ctx);
        let manage = current.manage_zone.unwrap_or(true);
        let mut state = current.clone();
        let zone_obj = match arm.get_private_dns_zone(&zone, &a).await {
            Ok(Some(z)) => z,
            Ok(None) => {
                tracing::info!(zone = %zone, "private DNS zone no longer exists; removing the unit from state");
                return Outcome::gone();
            }
            Err(e) => return Outcome::failed(Some(current), fail("reading", &zone, &e)),
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
        match arm.get_a_record(&record, &a).await {
            Ok(Some(rs)) => {
                let props = rs.properties.clone().unwrap_or_default();
                let ips = rs.ipv4_addresses();
                // One address is what this resource writes; anything else is drift.
                state.ip_address = if ips.len() == 1 {
                    ips[0].to_string()
                } else {
                    ips.join(",")
                };
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
            Ok(None) if current.manage_zone.is_none() => {
                tracing::info!(record = %record, "the A record to import does not exist");
                return Outcome::gone();
            }
            Ok(None) => {
                tracing::info!(record = %record, "A record was deleted outside Terraform; the next apply re-creates it");
                state.ip_address = String::new();
            }
            Err(e) => return Outcome::failed(Some(current), fail("reading", &record, &e)),
        }
        let links = match arm.list_virtual_network_links(&zone, &a).await {
            Ok(l) => l,
            Err(e) => return Outcome::failed(Some(current), fail("listing links of", &zone, &e)),
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
            // Just imported (a unit always has a VNet): adopt whatever links the zone has.
            let importing = current.virtual_network_ids.is_empty();
            if !ours && known.is_none() && !importing {
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
        let a = arm_ctx(ctx);
        let mut state = prior.clone();
        let mut diags = Diagnostics::new();

        // Ownership is Terraform's bookkeeping only (an imported unit takes it from the
        // configuration): nothing to change in Azure.
        state.manage_zone = planned.manage_zone;
        if !planned.manage_zone.unwrap_or(true) {
            state.tags = planned.tags.clone();
        } else if planned.tags != prior.tags {
            // Read, change our attribute, write back only that version (If-Match).
            let written = match arm.get_private_dns_zone(&zone, &a).await {
                Ok(current) => {
                    let cond = guard(current.as_ref().and_then(|z| z.etag.clone()));
                    let body = zone_body(&planned, current);
                    arm.put_private_dns_zone(&zone, &body, &cond, &a)
                        .await
                        .map(|_| ())
                }
                Err(e) => Err(e),
            };
            match written {
                Ok(()) => state.tags = planned.tags.clone(),
                Err(e) => diags.extend(fail("updating tags of", &zone, &e)),
            }
        }
        if planned.ip_address != prior.ip_address || planned.ttl != prior.ttl {
            let written = match arm.get_a_record(&record, &a).await {
                Ok(current) => {
                    let cond = match &current {
                        Some(rs) => guard(rs.etag.clone()),
                        // Deleted outside Terraform: re-create it, unless someone else did.
                        None => azure::WriteCondition::create_only(),
                    };
                    let body = record_body(&planned, current);
                    arm.put_a_record(&record, &body, &cond, &a)
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
                Err(e) => diags.extend(fail("updating", &record, &e)),
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
        let manage = planned.manage_zone.unwrap_or(true);
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
            .map(|(v, l)| (super::planned_spelling(&planned.virtual_network_ids, &v), l))
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
        let a = arm_ctx(ctx);
        let manage = prior.manage_zone.unwrap_or(true);
        if manage {
            // Refuse before touching anything if the zone holds records this unit does not own.
            match arm.list_record_sets(&zone, &a).await {
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
                Err(e) => return fail("listing records of", &zone, &e),
            }
        }
        let links = prior.virtual_network_link_ids.clone().unwrap_or_default();
        let (_, d) = Self::remove_links(arm, &prior.cluster_id, manage, &links, ctx).await;
        if d.has_errors() {
            return d;
        }
        if let Err(e) = arm.delete_a_record(&record, &a).await
            && !e.is_not_found()
        {
            return fail("deleting", &record, &e);
        }
        if manage
            && let Err(e) = arm.delete_private_dns_zone(&zone, &a).await
            && !e.is_not_found()
        {
            return fail("deleting", &zone, &e);
        }
        Diagnostics::new()
    }

    async fn import(&self, _ctx: &OpContext, id: &str) -> Result<PrivateDnsModel, Diagnostics> {
        let record = azure::ARecordId::parse(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                format!("{e}. Import takes the A record's ARM ID: /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.Network/privateDnsZones/<zone>/A/<cluster_id>"),
            ))
        })?;
        Ok(PrivateDnsModel {
            id: Some(record.path()),
            resource_group_name: record.resource_group.clone(),
            cluster_id: record.name.clone(),
            zone_name: Some(record.zone_name.clone()),
            zone_id: Some(record.zone().path()),
            // Ownership of the zone is not in Azure: the configuration decides (modify_plan).
            manage_zone: None,
            ttl: Some(300),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_names_are_stable_short_and_distinct() {
        let a = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet-agents";
        let b = a.replace("rg1", "rg2");
        assert_eq!(link_name("clx", a), link_name("clx", &a.to_uppercase()));
        assert_ne!(link_name("clx", a), link_name("clx", &b));
        assert_ne!(link_name("clx", a), link_name("cly", a));
        assert!(link_name("clx", a).starts_with("clx-vnet-agents-"));
        let long = format!("{a}{}", "x".repeat(200));
        assert!(link_name(&"c".repeat(63), &long).len() <= 80);
    }

    #[test]
    fn only_links_named_for_this_cluster_are_owned() {
        let vnet =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
        let zone =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/z";
        let mine = format!("{zone}/virtualNetworkLinks/{}", link_name("clx", vnet));
        let theirs = format!("{zone}/virtualNetworkLinks/{}", link_name("cly", vnet));
        assert!(owns("clx", vnet, &mine));
        assert!(!owns("clx", vnet, &theirs));
        assert!(!owns(
            "clx",
            vnet,
            &format!("{zone}/virtualNetworkLinks/hand-made")
        ));
    }

    #[test]
    fn writes_after_reads_keep_what_they_do_not_manage() {
        let m = PrivateDnsModel {
            ip_address: "10.0.0.6".into(),
            ttl: Some(60),
            tags: Some(
                [("team".to_string(), "b".to_string())]
                    .into_iter()
                    .collect(),
            ),
            ..Default::default()
        };
        let current: azure::models::RecordSet = serde_json::from_value(serde_json::json!({
            "etag": "e1", "name": "clx", "properties": {"ttl": 300, "fqdn": "clx.z.", "isAutoRegistered": false,
            "metadata": {"owner": "netops"}, "aRecords": [{"ipv4Address": "10.0.0.5"}]}
        }))
        .unwrap();
        let body = serde_json::to_value(record_body(&m, Some(current))).unwrap();
        assert_eq!(
            body["properties"]["metadata"],
            serde_json::json!({"owner": "netops"})
        );
        assert_eq!(body["properties"]["ttl"], 60);
        assert_eq!(
            body["properties"]["aRecords"],
            serde_json::json!([{"ipv4Address": "10.0.0.6"}])
        );
        assert!(body["properties"].get("fqdn").is_none());
        let zone: azure::models::PrivateDnsZone = serde_json::from_value(serde_json::json!({
            "location": "global", "etag": "z1", "tags": {"team": "a"},
            "properties": {"numberOfRecordSets": 2, "provisioningState": "Succeeded", "futureWritable": "x"}
        }))
        .unwrap();
        let body = serde_json::to_value(zone_body(&m, Some(zone))).unwrap();
        assert_eq!(body["tags"], serde_json::json!({"team": "b"}));
        assert_eq!(
            body["properties"],
            serde_json::json!({"futureWritable": "x"})
        );
    }

    #[test]
    fn record_body_has_one_address_and_ttl() {
        let m = PrivateDnsModel {
            ip_address: "10.0.0.5".into(),
            ttl: Some(60),
            ..Default::default()
        };
        let body = record_body(&m, None);
        let p = body.properties.unwrap();
        assert_eq!(p.ttl, Some(60));
        assert_eq!(
            p.a_records.unwrap()[0].ipv4_address.as_deref(),
            Some("10.0.0.5")
        );
    }
}
