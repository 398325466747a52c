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
//! * `nsg_allows_443`: each agent subnet's NSG allows outbound TCP 443 to the endpoint's IP
//!   ([`super::nsg_rules`]), and, when the endpoint's subnet applies network policies to
//!   private endpoints (`privateEndpointNetworkPolicies` `Enabled` or
//!   `NetworkSecurityGroupEnabled`), its NSG allows the agents in on 443 (Microsoft Learn,
//!   "Manage network policies for private endpoints").
//!
//! With a `probe` block it also runs [`super::probe`] from where Terraform runs.
//! NSGs on the agents' own network interfaces are not seen (only subnets are given).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::Client;
use super::connection_data_source::{Seen, seen, support_note};
use super::nsg_rules::{self, Direction, Flow, Range, Verdict};
use super::validation;
use crate::azure::network_models::{NetworkSecurityGroup, Subnet, VirtualNetwork};
use crate::azure::{self, ArmClient, OpCtx};
use crate::framework::diagnostics::{Diagnostic, Diagnostics};
use crate::framework::resource::DataSource;
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
                .describe("One object per check, in this order: `connection_approved`, `record_points_at_endpoint`, `agent_vnets_resolve_zone`, `agent_vnets_reach_endpoint`, `nsg_allows_443`, then with `probe` `resolves_to_private_ip` and `https_answers_404`. Each has `name`, `ok` (bool), `detail` (what was found) and `fix` (what to do; empty when it passed)."),
            Attribute::computed("ok", Type::Bool).describe("`true` when every check passed."),
        ])
        .with_block(NestedBlock {
            type_name: "probe".into(),
            block: Block::new(vec![
                Attribute::optional("dns_servers", Type::list(s.clone()))
                    .describe("DNS servers to ask, as `host:port` (e.g. `10.10.0.4:53`). Default: the resolver of the machine Terraform runs on.")
                    .validate(Each(super::probe::host_port())),
                Attribute::optional("timeout", s)
                    .describe("Time allowed for the DNS query and for the HTTPS request, each, such as `5s`. Default `5s`.")
                    .validate(GoDuration),
            ])
            .describe("Also test the private path from where Terraform runs (a self-hosted runner inside the agents' VNet): resolve `<cluster-id>.<zone>` and send `GET https://<cluster-id>.<zone>/`, expecting the endpoint's private IP and Astro's `404 page not found`. Off unless the block is present."),
            nesting: Nesting::Single,
        })
        .describe("Checks the private path to Astro the way Astronomer's guide verifies and troubleshoots it, through Azure Resource Manager: connection approved, A record pointing at the endpoint, the agents' VNets resolving the zone and reaching the endpoint, and NSGs allowing TCP 443; optionally probes the path from inside the network."),
    )
}

/// A check that passed.
fn pass(name: &str, detail: String) -> CheckResult {
    CheckResult {
        name: name.into(),
        ok: true,
        detail,
        fix: String::new(),
    }
}

/// A check that failed.
fn fail(name: &str, detail: String, fix: String) -> CheckResult {
    CheckResult {
        name: name.into(),
        ok: false,
        detail,
        fix,
    }
}

/// Lower-cased ARM ID, for comparisons (ARM IDs are case-insensitive).
fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// The last segment of an ARM ID, for messages.
fn short(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

fn vnet_of_subnet(subnet_id: &str) -> Option<String> {
    let lower = subnet_id.to_ascii_lowercase();
    lower
        .rfind("/subnets/")
        .map(|at| subnet_id[..at].to_string())
}

/// What the checks read, fetched once.
struct World {
    vnets: BTreeMap<String, Result<VirtualNetwork, String>>,
}

impl World {
    async fn vnet(
        &mut self,
        arm: &ArmClient,
        id: &str,
        ctx: &OpCtx,
    ) -> Result<VirtualNetwork, String> {
        if let Some(v) = self.vnets.get(&key(id)) {
            return v.clone();
        }
        let got = match azure::VirtualNetworkId::parse(id) {
            Err(e) => Err(e.to_string()),
            Ok(vid) => match arm.get(&vid, ctx).await {
                Ok(Some(v)) => Ok(v),
                Ok(None) => Err(format!("{vid} does not exist")),
                Err(e) => Err(format!("reading {vid}: {e}")),
            },
        };
        self.vnets.insert(key(id), got.clone());
        got
    }
}

fn address_space(v: &VirtualNetwork) -> Vec<String> {
    v.properties
        .as_ref()
        .and_then(|p| p.address_space.clone())
        .and_then(|a| a.address_prefixes)
        .unwrap_or_default()
}

fn dns_servers(v: &VirtualNetwork) -> Vec<String> {
    v.properties
        .as_ref()
        .and_then(|p| p.dhcp_options.clone())
        .and_then(|d| d.dns_servers)
        .unwrap_or_default()
}

fn subnet_in<'a>(v: &'a VirtualNetwork, subnet_id: &str) -> Option<&'a Subnet> {
    let want = key(subnet_id);
    let name = short(subnet_id).to_ascii_lowercase();
    v.properties
        .as_ref()
        .and_then(|p| p.subnets.as_ref())?
        .iter()
        .find(|s| {
            s.id.as_deref().map(key).as_deref() == Some(want.as_str())
                || (s.id.is_none()
                    && s.name.as_deref().map(str::to_ascii_lowercase) == Some(name.clone()))
        })
}

/// (state, allowVirtualNetworkAccess, remote address space) of `from`'s peering to `to`.
fn peering(from: &VirtualNetwork, to: &str) -> Option<(String, bool, Vec<String>)> {
    from.properties
        .as_ref()
        .and_then(|p| p.virtual_network_peerings.as_ref())?
        .iter()
        .filter_map(|p| p.properties.clone())
        .find(|p| {
            p.remote_virtual_network
                .as_ref()
                .and_then(|r| r.id.as_deref())
                .is_some_and(|r| key(r) == key(to))
        })
        .map(|p| {
            (
                p.peering_state.unwrap_or_default(),
                p.allow_virtual_network_access.unwrap_or(true),
                p.remote_address_space
                    .and_then(|a| a.address_prefixes)
                    .unwrap_or_default(),
            )
        })
}

/// What the `VirtualNetwork` service tag covers for an NSG in `v`: its space, the spaces of
/// Connected peerings, and Azure's platform address.
fn virtual_network_tag(v: &VirtualNetwork) -> Vec<Range> {
    let mut prefixes = address_space(v);
    for p in v
        .properties
        .as_ref()
        .and_then(|p| p.virtual_network_peerings.clone())
        .unwrap_or_default()
    {
        let props = p.properties.unwrap_or_default();
        if props
            .peering_state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("Connected"))
        {
            prefixes.extend(
                props
                    .remote_address_space
                    .and_then(|a| a.address_prefixes)
                    .unwrap_or_default(),
            );
        }
    }
    prefixes.push(nsg_rules::AZURE_PLATFORM_IP.to_string());
    prefixes.iter().filter_map(|p| Range::parse(p)).collect()
}

fn connection_check(pe_id: &azure::PrivateEndpointId, s: &Seen) -> CheckResult {
    const NAME: &str = "connection_approved";
    let status = if s.status.is_empty() {
        "without a status"
    } else {
        &s.status
    };
    if s.status.eq_ignore_ascii_case("Approved") {
        return pass(
            NAME,
            format!(
                "connection {:?} of {pe_id} is Approved ({:?})",
                s.connection_name, s.description
            ),
        );
    }
    let detail = format!(
        "connection {:?} of {pe_id} is {status} ({:?}): Astronomer's Private Link Service does not pass traffic until Astronomer approves it",
        s.connection_name, s.description
    );
    let fix = if ["Rejected", "Disconnected"]
        .iter()
        .any(|d| s.status.eq_ignore_ascii_case(d))
    {
        format!(
            "A {status} connection can never be approved again: run terraform apply, which replaces the astro_private_endpoint to send a new request, and ask Astronomer support to approve that one. {}",
            support_note(pe_id, s)
        )
    } else {
        format!(
            "Ask Astronomer support to approve the connection (astro_private_endpoint_approval waits for it during apply). {}",
            support_note(pe_id, s)
        )
    };
    fail(NAME, detail, fix)
}

fn record_check(
    record_id: &azure::ARecordId,
    record: Option<&azure::models::RecordSet>,
    ip: Option<&str>,
) -> CheckResult {
    const NAME: &str = "record_points_at_endpoint";
    let fqdn = format!("{}.{}", record_id.name, record_id.zone_name);
    let Some(ip) = ip else {
        return fail(
            NAME,
            "the endpoint reports no private IP address, so no record can point at it".into(),
            "Check the endpoint in the Azure portal; run terraform apply to refresh it.".into(),
        );
    };
    let Some(record) = record else {
        return fail(
            NAME,
            format!("the A record {fqdn} does not exist ({record_id})"),
            format!(
                "Create it pointing at {ip}: an astro_private_dns with cluster_id = \"{}\" and ip_address = astro_private_endpoint.<name>.private_ip_address, then terraform apply.",
                record_id.name
            ),
        );
    };
    let ips = record.ipv4_addresses();
    if ips == [ip] {
        return pass(
            NAME,
            format!("{fqdn} points at {ip}, the endpoint's private IP"),
        );
    }
    let now = if ips.is_empty() {
        "no address".to_string()
    } else {
        ips.join(", ")
    };
    fail(
        NAME,
        format!("{fqdn} points at {now}; the endpoint's private IP is {ip}"),
        format!(
            "Point the record at {ip} only: ip_address = astro_private_endpoint.<name>.private_ip_address in the astro_private_dns resource, then terraform apply (terraform plan shows the drift)."
        ),
    )
}

/// The agents' subnets, or the endpoint's own.
fn agent_subnets(config: &PrivateLinkCheckModel, pe_subnet: Option<&str>) -> Vec<String> {
    match &config.agent_subnet_ids {
        Some(set) if !set.is_empty() => set.iter().cloned().collect(),
        _ => pe_subnet.map(|s| vec![s.to_string()]).unwrap_or_default(),
    }
}

#[async_trait]
impl DataSource for PrivateLinkCheck {
    type Model = PrivateLinkCheckModel;

    fn type_name(&self) -> &'static str {
        "astro_private_link_check"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(
        &self,
        cancel: CancellationToken,
        config: PrivateLinkCheckModel,
    ) -> Result<PrivateLinkCheckModel, Diagnostics> {
        let client = self.client.get()?;
        let arm = &client.arm;
        let invalid = |what: &str, e: azure::IdError| {
            Diagnostics::from(Diagnostic::error(format!("Invalid {what}"), e.to_string()))
        };
        let pe_id = azure::PrivateEndpointId::parse(&config.private_endpoint_id)
            .map_err(|e| invalid("private_endpoint_id", e))?;
        let record_id = azure::ARecordId::parse(&config.dns_record_id)
            .map_err(|e| invalid("dns_record_id", e))?;
        let ctx = OpCtx::new(READ_TIMEOUT, cancel.clone());
        let reading = |what: &str, e: &azure::Error| {
            Diagnostics::from(super::errors::azure_error("reading", what, e))
        };

        let pe = match arm.get_private_endpoint(&pe_id, &ctx).await {
            Ok(Some(pe)) => pe,
            Ok(None) => {
                return Err(Diagnostic::error(
                    format!("{pe_id} not found"),
                    "The private endpoint does not exist. Check private_endpoint_id; when it refers to an endpoint in the same configuration, reference its id attribute so that Terraform reads the check after creating it.",
                )
                .into());
            }
            Err(e) => return Err(reading(&pe_id.to_string(), &e)),
        };
        let s = seen(&pe);
        let ip = arm
            .private_endpoint_ip(&pe, &ctx)
            .await
            .map_err(|e| reading(&format!("the network interface of {pe_id}"), &e))?;
        let pe_subnet = pe
            .properties
            .as_ref()
            .and_then(|p| p.subnet.as_ref())
            .and_then(|s| s.id.clone());
        let record = arm
            .get_a_record(&record_id, &ctx)
            .await
            .map_err(|e| reading(&record_id.to_string(), &e))?;
        let links = arm
            .list_virtual_network_links(&record_id.zone(), &ctx)
            .await
            .map_err(|e| reading(&format!("the links of {}", record_id.zone()), &e))?;

        let mut checks = vec![
            connection_check(&pe_id, &s),
            record_check(&record_id, record.as_ref(), ip.as_deref()),
        ];
        let mut world = World {
            vnets: BTreeMap::new(),
        };
        let subnets = agent_subnets(&config, pe_subnet.as_deref());
        let mut agent_vnets: Vec<String> = Vec::new();
        for sid in &subnets {
            if let Some(v) = vnet_of_subnet(sid)
                && !agent_vnets.iter().any(|a| key(a) == key(&v))
            {
                agent_vnets.push(v);
            }
        }
        let linked: Vec<String> = links
            .iter()
            .filter_map(|l| l.virtual_network_id().map(str::to_string))
            .collect();
        checks.push(resolve_check(arm, &ctx, &mut world, &record_id, &agent_vnets, &linked).await);
        let pe_vnet = pe_subnet.as_deref().and_then(vnet_of_subnet);
        checks.push(reach_check(arm, &ctx, &mut world, pe_vnet.as_deref(), &agent_vnets).await);
        checks.push(
            nsg_check(
                arm,
                &ctx,
                &mut world,
                &subnets,
                pe_subnet.as_deref(),
                ip.as_deref(),
            )
            .await,
        );
        if let Some(probe) = &config.probe {
            let fqdn = format!("{}.{}", record_id.name, record_id.zone_name);
            checks.extend(super::probe::run(probe, &fqdn, ip.as_deref(), &cancel).await);
        }

        let ok = checks.iter().all(|c| c.ok);
        if !ok && config.fail_on_error == Some(true) {
            let mut detail = String::from("fail_on_error is set and these checks failed:\n");
            for c in checks.iter().filter(|c| !c.ok) {
                detail.push_str(&format!("\n* {}: {}\n  Fix: {}\n", c.name, c.detail, c.fix));
            }
            return Err(Diagnostic::error(
                format!(
                    "Private Link check failed: {}",
                    checks
                        .iter()
                        .filter(|c| !c.ok)
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                detail,
            )
            .into());
        }
        Ok(PrivateLinkCheckModel {
            checks: Some(checks),
            ok: Some(ok),
            ..config
        })
    }
}

async fn resolve_check(
    arm: &ArmClient,
    ctx: &OpCtx,
    world: &mut World,
    record_id: &azure::ARecordId,
    agent_vnets: &[String],
    linked: &[String],
) -> CheckResult {
    const NAME: &str = "agent_vnets_resolve_zone";
    let zone = &record_id.zone_name;
    let is_linked = |v: &str| linked.iter().any(|l| key(l) == key(v));
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut fixes = Vec::new();
    if agent_vnets.is_empty() {
        return fail(
            NAME,
            "no agent subnet is known (the endpoint reports no subnet)".into(),
            "Set agent_subnet_ids.".into(),
        );
    }
    for vnet_id in agent_vnets {
        let v = match world.vnet(arm, vnet_id, ctx).await {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!("VNet {}: cannot be read ({e})", short(vnet_id)));
                fixes.push(format!(
                    "Check agent_subnet_ids and that Terraform's identity may read {vnet_id}."
                ));
                continue;
            }
        };
        let servers = dns_servers(&v);
        let custom: Vec<&String> = servers.iter().filter(|s| s.as_str() != AZURE_DNS).collect();
        if custom.is_empty() {
            if is_linked(vnet_id) {
                good.push(format!(
                    "VNet {} uses Azure-provided DNS and is linked to {zone}",
                    short(vnet_id)
                ));
            } else {
                bad.push(format!(
                    "VNet {} uses Azure-provided DNS ({AZURE_DNS}), which answers {zone} only in VNets linked to the zone, and it is not linked (peering does not carry zone links)",
                    short(vnet_id)
                ));
                fixes.push(format!(
                    "Link the zone to VNet {}: add \"{vnet_id}\" to virtual_network_ids of the astro_private_dns resource, then terraform apply.",
                    short(vnet_id)
                ));
            }
            continue;
        }
        // Custom servers: each must sit in a VNet linked to the zone (and forward there).
        let mut outside = Vec::new();
        let mut inside = Vec::new();
        for server in &custom {
            let mut home = None;
            for l in linked {
                if let Ok(lv) = world.vnet(arm, l, ctx).await
                    && address_space(&lv)
                        .iter()
                        .filter_map(|p| Range::parse(p))
                        .any(|r| Range::parse(server).is_some_and(|ip| r.contains(&ip)))
                {
                    home = Some(short(l).to_string());
                    break;
                }
            }
            match home {
                Some(h) => inside.push(format!("{server} (in linked VNet {h})")),
                None => outside.push(server.to_string()),
            }
        }
        if servers.iter().any(|s| s == AZURE_DNS) && !is_linked(vnet_id) {
            outside.push(format!("{AZURE_DNS} (the VNet itself is not linked)"));
        }
        if outside.is_empty() {
            good.push(format!(
                "VNet {} uses custom DNS servers {}",
                short(vnet_id),
                inside.join(", ")
            ));
        } else {
            bad.push(format!(
                "VNet {} uses custom DNS servers {}, which are not in any VNet linked to {zone}",
                short(vnet_id),
                outside.join(", ")
            ));
            fixes.push(format!(
                "On the DNS servers {} of VNet {}: forward `{zone}` to {AZURE_DNS} from a VNet linked to the zone (for example an Azure DNS Private Resolver inbound endpoint in a linked hub VNet), or link the zone to the VNet that holds them.",
                outside.join(", "),
                short(vnet_id)
            ));
        }
    }
    if bad.is_empty() {
        pass(NAME, good.join("; "))
    } else {
        fail(NAME, bad.join("; "), fixes.join(" "))
    }
}

async fn reach_check(
    arm: &ArmClient,
    ctx: &OpCtx,
    world: &mut World,
    pe_vnet: Option<&str>,
    agent_vnets: &[String],
) -> CheckResult {
    const NAME: &str = "agent_vnets_reach_endpoint";
    let Some(pe_vnet) = pe_vnet else {
        return fail(
            NAME,
            "the endpoint reports no subnet".into(),
            "Check the endpoint in the Azure portal.".into(),
        );
    };
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut fixes = Vec::new();
    for vnet_id in agent_vnets {
        if key(vnet_id) == key(pe_vnet) {
            good.push(format!("VNet {} holds the endpoint", short(vnet_id)));
            continue;
        }
        let (a, b) = (
            world.vnet(arm, vnet_id, ctx).await,
            world.vnet(arm, pe_vnet, ctx).await,
        );
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                bad.push(format!("cannot read the VNets ({e})"));
                fixes.push("Check that Terraform's identity may read both VNets.".into());
                continue;
            }
        };
        let describe = |p: Option<(String, bool, Vec<String>)>| match p {
            None => "no peering".to_string(),
            Some((state, access, _)) if !access => {
                format!("{state} with allowVirtualNetworkAccess = false")
            }
            Some((state, _, _)) => state,
        };
        let there = peering(&a, pe_vnet);
        let back = peering(&b, vnet_id);
        let connected = |p: &Option<(String, bool, Vec<String>)>| {
            p.as_ref()
                .is_some_and(|(s, access, _)| s.eq_ignore_ascii_case("Connected") && *access)
        };
        let line = format!(
            "VNet {} -> {}: {}; {} -> {}: {}",
            short(vnet_id),
            short(pe_vnet),
            describe(there.clone()),
            short(pe_vnet),
            short(vnet_id),
            describe(back.clone())
        );
        if connected(&there) && connected(&back) {
            good.push(line);
        } else {
            bad.push(line);
            fixes.push(format!(
                "Peer VNet {} with VNet {} in both directions (azurerm_virtual_network_peering on each side, allow_virtual_network_access = true) until both show Connected; traffic to the endpoint crosses a direct peering only (peering is not transitive).",
                short(vnet_id),
                short(pe_vnet)
            ));
        }
    }
    if bad.is_empty() {
        pass(NAME, good.join("; "))
    } else {
        fail(NAME, bad.join("; "), fixes.join(" "))
    }
}

/// The NSG attached to `subnet`, read; `Ok(None)` when there is none.
async fn nsg_of(
    arm: &ArmClient,
    ctx: &OpCtx,
    subnet: &Subnet,
) -> Result<Option<(String, NetworkSecurityGroup)>, String> {
    let Some(id) = subnet
        .properties
        .as_ref()
        .and_then(|p| p.network_security_group.as_ref())
        .and_then(|n| n.id.clone())
    else {
        return Ok(None);
    };
    let nid = azure::NetworkSecurityGroupId::parse(&id).map_err(|e| e.to_string())?;
    match arm.get(&nid, ctx).await {
        Ok(Some(n)) => Ok(Some((nid.name.clone(), n))),
        Ok(None) => Err(format!("{nid} does not exist")),
        Err(e) => Err(format!("reading {nid}: {e}")),
    }
}

fn fix_for(verdict: &Verdict, nsg: &str, dir: Direction, from: &str, ip: &str) -> String {
    let way = match dir {
        Direction::Outbound => "outbound",
        Direction::Inbound => "inbound",
    };
    match verdict {
        Verdict::Denied(d) if d.default => format!(
            "In NSG {nsg}, add an {way} rule allowing TCP 443 from {from} to {ip}/32 (any priority number below {}).",
            d.priority
        ),
        Verdict::Denied(d) => format!(
            "In NSG {nsg}, add an {way} rule allowing TCP 443 from {from} to {ip}/32 with a priority number below {} so it is evaluated before {d}, or narrow {:?} so it no longer matches.",
            d.priority, d.name
        ),
        Verdict::NoRule => {
            format!("In NSG {nsg}, add an {way} rule allowing TCP 443 from {from} to {ip}/32.")
        }
        Verdict::Undecided(d, _) => format!(
            "Confirm by hand that {d} of NSG {nsg} does not block {way} TCP 443 from {from} to {ip}, or express it with IP prefixes so it can be checked."
        ),
        Verdict::Allowed(_) => String::new(),
    }
}

fn say(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allowed(d) => format!("allowed by {d}"),
        Verdict::Denied(d) => format!("denied by {d}"),
        Verdict::Undecided(d, why) => format!("cannot be decided at {d}: {why}"),
        Verdict::NoRule => "matched by no rule, so denied".into(),
    }
}

async fn nsg_check(
    arm: &ArmClient,
    ctx: &OpCtx,
    world: &mut World,
    subnets: &[String],
    pe_subnet: Option<&str>,
    ip: Option<&str>,
) -> CheckResult {
    const NAME: &str = "nsg_allows_443";
    let Some(ip) = ip else {
        return fail(
            NAME,
            "the endpoint reports no private IP address".into(),
            "Check the endpoint in the Azure portal.".into(),
        );
    };
    let Some(dst) = Range::parse(ip) else {
        return fail(
            NAME,
            format!("the endpoint's address {ip:?} is not IPv4"),
            "Check the endpoint in the Azure portal.".into(),
        );
    };
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut fixes = Vec::new();
    // The endpoint side, when its subnet applies NSGs to private endpoints.
    let mut inbound: Option<(String, NetworkSecurityGroup, Vec<Range>)> = None;
    if let Some(pe_subnet) = pe_subnet
        && let Some(pe_vnet_id) = vnet_of_subnet(pe_subnet)
    {
        match world.vnet(arm, &pe_vnet_id, ctx).await {
            Ok(pv) => {
                if let Some(sn) = subnet_in(&pv, pe_subnet) {
                    let policies = sn
                        .properties
                        .as_ref()
                        .and_then(|p| p.private_endpoint_network_policies.clone())
                        .unwrap_or_default();
                    let applies = ["Enabled", "NetworkSecurityGroupEnabled"]
                        .iter()
                        .any(|p| policies.eq_ignore_ascii_case(p));
                    if applies {
                        match nsg_of(arm, ctx, sn).await {
                            Ok(Some((name, nsg))) => {
                                inbound = Some((name, nsg, virtual_network_tag(&pv)));
                            }
                            Ok(None) => good.push(format!(
                                "endpoint subnet {}: network policies {policies} but no NSG",
                                short(pe_subnet)
                            )),
                            Err(e) => {
                                bad.push(format!("endpoint subnet {}: {e}", short(pe_subnet)));
                                fixes.push(
                                    "Check that Terraform's identity may read the NSG.".into(),
                                );
                            }
                        }
                    }
                }
            }
            Err(e) => {
                bad.push(format!("endpoint VNet: {e}"));
                fixes.push("Check that Terraform's identity may read the endpoint's VNet.".into());
            }
        }
    }
    for sid in subnets {
        let Some(vnet_id) = vnet_of_subnet(sid) else {
            continue;
        };
        let v = match world.vnet(arm, &vnet_id, ctx).await {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!("subnet {}: {e}", short(sid)));
                fixes.push(format!("Check agent_subnet_ids ({sid})."));
                continue;
            }
        };
        let Some(sn) = subnet_in(&v, sid) else {
            bad.push(format!(
                "subnet {} does not exist in VNet {}",
                short(sid),
                short(&vnet_id)
            ));
            fixes.push(format!("Check agent_subnet_ids ({sid})."));
            continue;
        };
        let prefixes = sn.prefixes();
        let sources: Vec<Range> = prefixes.iter().filter_map(|p| Range::parse(p)).collect();
        let from = prefixes.join(", ");
        match nsg_of(arm, ctx, sn).await {
            Ok(None) => good.push(format!(
                "subnet {}: no NSG, outbound TCP 443 to {ip} is open",
                short(sid)
            )),
            Ok(Some((name, nsg))) => {
                let flow = Flow {
                    direction: Direction::Outbound,
                    sources: sources.clone(),
                    destination: dst,
                    port: HTTPS_PORT,
                    virtual_network: virtual_network_tag(&v),
                };
                let verdict = nsg_rules::evaluate(&nsg, &flow);
                let line = format!(
                    "subnet {}: NSG {name}, outbound TCP 443 to {ip} {}",
                    short(sid),
                    say(&verdict)
                );
                if matches!(verdict, Verdict::Allowed(_)) {
                    good.push(line);
                } else {
                    fixes.push(fix_for(&verdict, &name, Direction::Outbound, &from, ip));
                    bad.push(line);
                }
            }
            Err(e) => {
                bad.push(format!("subnet {}: {e}", short(sid)));
                fixes.push("Check that Terraform's identity may read the NSG.".into());
            }
        }
        if let Some((name, nsg, tag)) = &inbound {
            let flow = Flow {
                direction: Direction::Inbound,
                sources,
                destination: dst,
                port: HTTPS_PORT,
                virtual_network: tag.clone(),
            };
            let verdict = nsg_rules::evaluate(nsg, &flow);
            let line = format!(
                "endpoint subnet NSG {name} (network policies apply to the endpoint), inbound TCP 443 from {} {}",
                short(sid),
                say(&verdict)
            );
            if matches!(verdict, Verdict::Allowed(_)) {
                good.push(line);
            } else {
                fixes.push(fix_for(&verdict, name, Direction::Inbound, &from, ip));
                bad.push(line);
            }
        }
    }
    if bad.is_empty() {
        pass(NAME, good.join("; "))
    } else {
        fail(NAME, bad.join("; "), fixes.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnet_of_a_subnet_keeps_the_spelling() {
        assert_eq!(
            vnet_of_subnet("/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/Subnets/x").as_deref(),
            Some("/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V")
        );
        assert_eq!(vnet_of_subnet("/nothing"), None);
    }

    #[test]
    fn a_pending_connection_says_what_to_send_support() {
        let id = azure::PrivateEndpointId::new("s", "rg", "pe");
        let c = connection_check(
            &id,
            &Seen {
                status: "Pending".into(),
                connection_name: "pe".into(),
                alias: "a.b.eastus.azure.privatelinkservice".into(),
                ..Default::default()
            },
        );
        assert!(!c.ok);
        assert!(
            c.fix.contains("Ask Astronomer support to approve"),
            "{}",
            c.fix
        );
        assert!(c.fix.contains("a.b.eastus.azure.privatelinkservice"));
    }

    #[test]
    fn a_record_with_an_extra_address_fails() {
        let id = azure::ARecordId::new("s", "rg", "external.astronomer.run", "clx");
        let rs: azure::models::RecordSet = serde_json::from_value(serde_json::json!({"properties": {"aRecords": [{"ipv4Address": "10.0.0.4"}, {"ipv4Address": "10.0.0.5"}]}})).expect("record");
        let c = record_check(&id, Some(&rs), Some("10.0.0.4"));
        assert!(!c.ok, "{c:?}");
        assert!(c.detail.contains("10.0.0.4, 10.0.0.5"));
        let c = record_check(&id, None, Some("10.0.0.4"));
        assert!(c.detail.contains("does not exist"));
    }
}
