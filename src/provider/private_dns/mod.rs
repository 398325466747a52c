//! `astro_private_dns`: the private DNS zone (when managed), the cluster's A record and one
//! virtual network link per VNet, as one unit (Private DNS API
//! [`azure::PRIVATE_DNS_API_VERSION`](crate::azure::PRIVATE_DNS_API_VERSION)). Links are named
//! from the VNet ID so that adding or removing a VNet touches only its own link, and units that
//! link the same VNet share it (design/private-dns.md §2).

mod bodies;
mod crud;
mod links;
mod naming;
mod read;
mod states;

pub use naming::link_name;
pub use states::{RecordTarget, ZoneOwnership};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Client;
use super::validation;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::validators::{Each, IntRange, Ipv4, MinItems};
use crate::framework::value::Value;

/// The zone Astronomer's guide asks for.
pub const DEFAULT_ZONE: &str = "external.astronomer.run";

/// The A record's TTL in seconds when `ttl` is not set (and what an import starts from).
pub const DEFAULT_TTL: i64 = 300;

/// The resource's state, attribute for attribute.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PrivateDnsModel {
    /// ARM ID of the A record.
    pub id: Option<String>,
    /// Resource group of the zone.
    pub resource_group_name: String,
    /// Astro cluster ID: the A record's name.
    pub cluster_id: String,
    /// The private endpoint's IP, or that the record is missing.
    pub ip_address: RecordTarget,
    /// VNets linked to the zone.
    pub virtual_network_ids: BTreeSet<String>,
    /// Zone name.
    pub zone_name: Option<String>,
    /// Record TTL in seconds.
    pub ttl: Option<i64>,
    /// Whether this resource owns the zone.
    pub manage_zone: ZoneOwnership,
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

/// `manage_zone`, named where a diagnostic points at it.
pub(super) const MANAGE_ZONE: &str = "manage_zone";
/// `tags`, named where a diagnostic points at it.
pub(super) const TAGS: &str = "tags";

/// Ownership stored as null (imported, undecided) is decided by the configuration in place.
fn undecided_ownership(prior: &Value, _planned: &Value) -> bool {
    prior.is_null()
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
                .default_value(DEFAULT_TTL)
                .describe("TTL of the A record in seconds.")
                .validate(IntRange { min: 1, max: 2_147_483_647 }),
            Attribute::optional(MANAGE_ZONE, Type::Bool)
                .force_new_unless(undecided_ownership)
                .default_value(true)
                .describe("`true`: this resource creates and deletes the zone. `false`: the zone must already exist and only the record and links are managed (several clusters in one zone). After `terraform import` the configuration decides, without replacing anything."),
            Attribute::optional(TAGS, Type::map(s.clone()))
                .default_value(super::no_tags())
                .describe("Tags on the zone, when `manage_zone` is `true`, and on every virtual network link of the unit, changed in place (a link made outside Terraform is used as it is). Units that link the same VNet share its link: give them the same tags. Private DNS takes at most 15, named with ASCII letters, digits, `_` and `-` (not starting with a digit).")
                .validate(super::tags::private_dns()),
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the A record; `terraform import` takes it."),
            Attribute::computed("zone_id", s.clone()).use_state_for_unknown().describe("ARM ID of the private DNS zone."),
            Attribute::computed("fqdn", s.clone())
                .use_state_for_unknown()
                .describe("Fully qualified name of the record, e.g. `clxxxxxxxxx.external.astronomer.run`."),
            Attribute::computed("virtual_network_link_ids", Type::map(s))
                .use_state_unless_changed("virtual_network_ids")
                .describe("Map of virtual network ID to the ID of its zone link."),
        ])
        .describe("The private DNS zone, the cluster's A record and the zone's virtual network links, as one unit."),
    )
}

#[cfg(test)]
mod tests;
