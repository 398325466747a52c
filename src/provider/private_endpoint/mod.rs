//! `astro_private_endpoint`: the Private Endpoint in the agents' subnet, connected to
//! Astronomer's Private Link Service by alias as a manual connection (Network API
//! [`azure::NETWORK_API_VERSION`](crate::azure::NETWORK_API_VERSION)). Reads the endpoint's NIC
//! for its private IP. A connection that Astronomer rejected or disconnected cannot be
//! re-requested in place, so the plan replaces the endpoint, with a warning saying why.

mod convert;
mod crud;
mod plan;
mod static_ip;
mod upgrade;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Client;
use super::validation::{self, normalize_location};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::types::Type;
use crate::framework::validators::{Each, Ipv4, StringLength};
use crate::framework::value::Value;

/// The resource's state, attribute for attribute.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PrivateEndpointModel {
    /// ARM ID.
    pub id: Option<String>,
    /// Endpoint name.
    pub name: String,
    /// Resource group.
    pub resource_group_name: String,
    /// Region.
    pub location: String,
    /// Subnet ARM ID.
    pub subnet_id: String,
    /// Astronomer's Private Link Service alias.
    pub private_link_service_alias: String,
    /// Message shown to Astronomer support.
    pub request_message: Option<String>,
    /// Name of the private link service connection.
    pub connection_name: Option<String>,
    /// Manual approval (Astronomer approves by hand).
    pub manual_connection: Option<bool>,
    /// Name of the NIC Azure creates.
    pub custom_network_interface_name: Option<String>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Private IP of the endpoint's NIC; set: the endpoint's one static address.
    pub private_ip_address: Option<String>,
    /// Application security groups the endpoint joins; unset: whatever Azure holds.
    pub application_security_group_ids: Option<BTreeSet<String>>,
    /// NIC ARM ID.
    pub network_interface_id: Option<String>,
    /// Astronomer rejected or removed the connection (Rejected or Disconnected).
    pub connection_closed: Option<bool>,
    /// ARM provisioning state.
    pub provisioning_state: Option<String>,
}

/// The `astro_private_endpoint` resource.
#[derive(Debug)]
pub struct PrivateEndpoint {
    client: Client,
}

impl PrivateEndpoint {
    /// The resource, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

/// `application_security_group_ids`, named where a diagnostic points at it.
pub(super) const ASG_IDS: &str = "application_security_group_ids";

/// `manual_connection`, named where a diagnostic points at it.
pub(super) const MANUAL_CONNECTION: &str = "manual_connection";

/// The schema version: 1 since `connection_status` and `connection_description` left (release
/// 3); `upgrade.rs` reads version 0.
pub const SCHEMA_VERSION: i64 = 1;

/// The schema, in the order of the docs page (docs/resources/private_endpoint.md).
pub fn schema() -> Schema {
    let s = Type::String;
    Schema::new(
        Block::new(vec![
            Attribute::required("name", s.clone())
                .force_new()
                .describe("Name of the private endpoint, e.g. `astro-privatelink`.")
                .validate(validation::private_endpoint_name()),
            Attribute::required("resource_group_name", s.clone())
                .force_new()
                .describe("Resource group the endpoint (and its network interface) is created in.")
                .validate(validation::resource_group_name()),
            Attribute::required("location", s.clone())
                .force_new()
                .describe("Azure region of the agents' virtual network. `East US` and `eastus` are the same.")
                .validate(validation::location())
                .equivalent_when(same_location),
            Attribute::required("subnet_id", s.clone())
                .force_new()
                .describe("ARM ID of the agents' subnet the endpoint is placed in.")
                .validate(validation::subnet_id())
                .equivalent_when(super::same_id),
            Attribute::required("private_link_service_alias", s.clone())
                .force_new_unless(plan::alias_of_imported_id)
                .describe("Alias of Astronomer's Private Link Service, as given by Astronomer support.")
                .validate(validation::private_link_service_alias()),
            Attribute::optional("request_message", s.clone())
                .describe("Message shown to Astronomer support with the connection request; include the Astro cluster ID and organisation.")
                .validate(StringLength { min: 1, max: 140 }),
            Attribute::optional("connection_name", s.clone())
                .force_new()
                .default_from("name")
                .describe("Name of the private link service connection.")
                .validate(validation::connection_name()),
            Attribute::optional(MANUAL_CONNECTION, Type::Bool)
                .force_new()
                .default_value(true)
                .describe("Request a manual connection, approved by Astronomer support. Astro's service requires `true`."),
            Attribute::optional("custom_network_interface_name", s.clone())
                .force_new()
                .describe("Name of the network interface Azure creates for the endpoint. Azure picks one when unset.")
                .validate(validation::connection_name()),
            Attribute::optional("tags", Type::map(s.clone()))
                .default_value(super::no_tags())
                .describe("Tags on the private endpoint: at most 50, names up to 512 characters without `<>%&\\?/`, values up to 256.")
                .validate(super::tags::arm()),
            Attribute::computed("id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the private endpoint; `terraform import` takes it."),
            Attribute::optional_computed(static_ip::PRIVATE_IP_ADDRESS, s.clone())
                .force_new()
                .use_state_for_unknown()
                .describe("The endpoint's private IP address (from its network interface): the A record's target. Unset, Azure allocates one. Set, a static IPv4 address in the subnet (not one of the five Azure reserves in every subnet), sent as the endpoint's single `ipConfigurations` entry; changing it replaces the endpoint. An address outside the subnet is refused before anything is created.")
                .validate(Ipv4),
            Attribute::optional_computed(ASG_IDS, Type::set(s.clone()))
                .use_state_for_unknown()
                .describe("ARM IDs of the application security groups the endpoint joins, changed in place. Set: exactly these. Unset: the associations Azure holds (made elsewhere) are kept as they are and reported here.")
                .validate(Each(validation::application_security_group_id()))
                .equivalent_when(super::same_id),
            Attribute::computed("network_interface_id", s.clone())
                .use_state_for_unknown()
                .describe("ARM ID of the endpoint's network interface."),
            Attribute::computed("connection_closed", Type::Bool)
                .force_new()
                .use_state_for_unknown()
                .describe("`true` once Astronomer rejected or removed the connection (status `Rejected` or `Disconnected`); the next plan then replaces the endpoint, with a warning saying why. It does not change when Astronomer approves: read the approval from `astro_private_endpoint_approval` (stable once created) or, live, from the `astro_private_endpoint_connection` data source."),
            Attribute::computed("provisioning_state", s)
                .use_state_when(succeeded)
                .describe("ARM provisioning state of the endpoint."),
        ])
        .describe("The Private Endpoint in the agents' subnet, connected to Astronomer's Private Link Service by alias."),
    )
    .version(SCHEMA_VERSION)
}

/// `Succeeded`: where every successful write ends (ARM's long-running operation ends in it),
/// so an in-place update keeps it in the plan; a transient state is known after apply.
fn succeeded(v: &Value) -> bool {
    v.as_str() == Some("Succeeded")
}

fn same_location(a: &Value, b: &Value) -> bool {
    matches!((a.as_str(), b.as_str()), (Some(a), Some(b)) if normalize_location(a) == normalize_location(b))
}

#[cfg(test)]
mod tests;
