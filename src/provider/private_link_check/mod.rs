//! data `astro_private_link_check`: the verify and troubleshooting sections of Astronomer's
//! guide as checks run through Azure Resource Manager (Network API
//! [`azure::NETWORK_API_VERSION`], Private DNS [`azure::PRIVATE_DNS_API_VERSION`]), each
//! reported as `{name, ok, detail, fix}`:
//!
//! * `connection_approved`: the endpoint's connection is Approved.
//! * `record_points_at_endpoint`: the A record exists and holds exactly the endpoint's IP.
//! * `agent_vnets_resolve_zone`: Azure-provided DNS (168.63.129.16) answers a private zone
//!   only in VNets linked to it, and peering does not carry links; a VNet with custom DNS
//!   servers resolves the zone only if those servers sit in a linked VNet (they forward to
//!   168.63.129.16 from there). Source: Microsoft Learn, "What is an Azure Private DNS zone"
//!   and "Azure Private Endpoint DNS integration".
//! * `agent_vnets_reach_endpoint`: same VNet, or a direct peering Connected in both
//!   directions (Microsoft Learn, "Virtual network peering": peering is not transitive).
//! * `zone_records`: the A records the zone holds, this cluster's first: a VNet linked to the
//!   zone resolves only those names under it and gets NXDOMAIN for every other one (Azure's
//!   `NxDomainRedirect` fallback is for `privatelink.*` zones only; design/private-dns.md §1).
//! * `nsg_allows_443`: each agent subnet's NSG allows outbound TCP 443 to the endpoint's IP
//!   ([`nsg_rules`]), and, when the endpoint's subnet applies network policies to
//!   private endpoints (`privateEndpointNetworkPolicies` `Enabled` or
//!   `NetworkSecurityGroupEnabled`), its NSG allows the agents in on 443 (Microsoft Learn,
//!   "Manage network policies for private endpoints").
//!
//! With a `probe` block it also runs [`probe`] from where Terraform runs.
//! NSGs on the agents' own network interfaces are not seen (only subnets are given).

mod checks;
mod nsg;
mod nsg_rules;
mod probe;
mod reach;
mod read;
mod world;

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Client;
use super::validation;
use crate::azure::{self};
use crate::framework::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::framework::types::Type;
use crate::framework::validators::{Each, GoDuration, StringCheck};

/// Azure-provided DNS: the platform resolver every VNet uses unless given custom servers.
const AZURE_DNS: &str = "168.63.129.16";
/// The port Astro's Remote Execution API listens on.
const HTTPS_PORT: u16 = 443;
/// All reads together may take this long (the ARM client retries throttling inside it).
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// One check's result.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CheckResult {
    /// Stable name, for `check {}` blocks.
    pub name: String,
    /// Passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do when it failed (empty when it passed).
    pub fix: String,
}

/// The `probe` block.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ProbeModel {
    /// DNS servers (`host:port`) to ask; empty: the system resolver.
    pub dns_servers: Option<Vec<String>>,
    /// Time allowed for each step.
    pub timeout: Option<String>,
}

/// The data source's state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PrivateLinkCheckModel {
    /// The endpoint to check.
    pub private_endpoint_id: String,
    /// The cluster's A record.
    pub dns_record_id: String,
    /// Subnets the agents run in; default the endpoint's subnet.
    pub agent_subnet_ids: Option<BTreeSet<String>>,
    /// Failed checks become an error.
    pub fail_on_error: Option<bool>,
    /// The in-network probe, when present.
    pub probe: Option<ProbeModel>,
    /// The results, in a fixed order.
    pub checks: Option<Vec<CheckResult>>,
    /// Every check passed.
    pub ok: Option<bool>,
}

/// The data source.
#[derive(Debug)]
pub struct PrivateLinkCheck {
    client: Client,
}

impl PrivateLinkCheck {
    /// The data source, using the provider's client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn a_record_id() -> StringCheck {
    StringCheck::new("an A record set ID of a private DNS zone", |s| {
        azure::ARecordId::parse(s)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// The schema.
pub fn schema() -> Schema {
    let s = Type::String;
    let check = Type::object([
        ("name", s.clone()),
        ("ok", Type::Bool),
        ("detail", s.clone()),
        ("fix", s.clone()),
    ]);
    Schema::new(
        Block::new(vec![
            Attribute::required("private_endpoint_id", s.clone())
                .describe("ARM ID of the private endpoint, e.g. `astro_private_endpoint.agents.id`.")
                .validate(validation::private_endpoint_id()),
            Attribute::required("dns_record_id", s.clone())
                .describe("ARM ID of the cluster's A record, e.g. `astro_private_dns.astro.id`; names the zone and the cluster ID.")
                .validate(a_record_id()),
            Attribute::optional("agent_subnet_ids", Type::set(s.clone()))
                .describe("ARM IDs of the subnets the agents run in. Default: the endpoint's own subnet.")
                .validate(Each(validation::subnet_id())),
            Attribute::optional("fail_on_error", Type::Bool)
                .describe("`true`: any failed check makes reading the data source fail, with every failed check's fix in the error (for a pipeline gate). Default `false`: failures are only reported in `checks` and `ok` (for `check {}` blocks and outputs)."),
            Attribute::computed("checks", Type::list(check))
                .describe("One object per check, in this order: `connection_approved`, `record_points_at_endpoint`, `agent_vnets_resolve_zone`, `agent_vnets_reach_endpoint`, `zone_records`, `nsg_allows_443`, then with `probe` `resolves_to_private_ip` and `https_answers_404`. Each has `name`, `ok` (bool), `detail` (what was found) and `fix` (what to do; empty when it passed)."),
            Attribute::computed("ok", Type::Bool).describe("`true` when every check passed."),
        ])
        .with_block(NestedBlock {
            type_name: "probe".into(),
            block: Block::new(vec![
                Attribute::optional("dns_servers", Type::list(s.clone()))
                    .describe("DNS servers to ask, as `host:port` (e.g. `10.10.0.4:53`). Default: the resolver of the machine Terraform runs on.")
                    .validate(Each(probe::host_port())),
                Attribute::optional("timeout", s)
                    .describe("Time allowed for the DNS query and for the HTTPS request, each, such as `5s`. Default `5s`.")
                    .validate(GoDuration),
            ])
            .describe("Also test the private path from where Terraform runs (a self-hosted runner inside the agents' VNet): resolve `<cluster-id>.<zone>` and send `GET https://<cluster-id>.<zone>/`, expecting the endpoint's private IP and Astro's `404 page not found`. Off unless the block is present."),
            nesting: Nesting::Single,
        })
        .describe("Checks the private path to Astro the way Astronomer's guide verifies and troubleshoots it, through Azure Resource Manager: connection approved, A record pointing at the endpoint, the agents' VNets resolving the zone and reaching the endpoint, the clusters the zone resolves, and NSGs allowing TCP 443; optionally probes the path from inside the network."),
    )
}

/// The result of a check that passed.
fn check_passed(name: &str, detail: String) -> CheckResult {
    CheckResult {
        name: name.into(),
        ok: true,
        detail,
        fix: String::new(),
    }
}

/// The result of a check that failed, with how to fix it.
fn check_failed(name: &str, detail: String, fix: String) -> CheckResult {
    CheckResult {
        name: name.into(),
        ok: false,
        detail,
        fix,
    }
}

#[cfg(test)]
mod tests;
