//! Evaluates a network security group for one flow (agents' subnet → endpoint IP, TCP 443)
//! the way Azure does: rules of the flow's direction, custom and default together, in
//! priority order (lower number first); the first rule that matches decides. Source:
//! Microsoft Learn, "How network security groups filter network traffic" and "Network
//! security groups overview" (default rules, service tags).
//!
//! A rule the check cannot judge from ARM alone (application security groups, service tags
//! other than `VirtualNetwork`, `Internet` and `AzureLoadBalancer`, source ports other than
//! any, or a prefix covering only part of the agents' subnet) stops the evaluation with
//! [`Verdict::Undecided`] naming that rule, instead of a guess.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::azure::network_models::{NetworkSecurityGroup, SecurityRule};

/// Azure's virtual public IP (DNS, health probes): always in the `VirtualNetwork` tag.
pub const AZURE_PLATFORM_IP: &str = "168.63.129.16";

/// An IPv4 range, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// First address.
    pub first: u32,
    /// Last address.
    pub last: u32,
}

impl Range {
    /// Parses `a.b.c.d/len` or a single address.
    pub fn parse(text: &str) -> Option<Range> {
        let text = text.trim();
        let single = || text.parse::<Ipv4Addr>().ok().map(Ipv4Net::from);
        let net = text.parse::<Ipv4Net>().ok().or_else(single)?;
        Some(Range {
            first: net.network().into(),
            last: net.broadcast().into(),
        })
    }

    /// Whether `other` lies wholly inside this range.
    pub fn contains(&self, other: &Range) -> bool {
        self.first <= other.first && other.last <= self.last
    }

    /// Whether the two ranges share an address.
    pub fn overlaps(&self, other: &Range) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

/// Private (RFC 1918) and shared (RFC 6598) space: never part of the `Internet` tag.
fn private_space() -> [Range; 4] {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
    ]
    .map(|c| Range::parse(c).unwrap_or(Range { first: 0, last: 0 }))
}

/// `Inbound` or `Outbound`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Into the subnet.
    Inbound,
    /// Out of the subnet.
    Outbound,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// The flow to judge.
#[derive(Clone, Debug)]
pub struct Flow {
    /// Direction as the NSG sees it.
    pub direction: Direction,
    /// The sources: the agents' subnet prefixes.
    pub sources: Vec<Range>,
    /// The destination: the endpoint's IP.
    pub destination: Range,
    /// TCP destination port.
    pub port: u16,
    /// What the `VirtualNetwork` tag covers for this NSG: its VNet's space, the spaces of
    /// VNets peered with it, and [`AZURE_PLATFORM_IP`].
    pub virtual_network: Vec<Range>,
}

/// The rule that decided, as shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decider {
    /// Rule name.
    pub name: String,
    /// Its priority.
    pub priority: i64,
    /// One of Azure's default rules.
    pub default: bool,
}

impl std::fmt::Display for Decider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rule {:?} (priority {})",
            if self.default { "default" } else { "custom" },
            self.name,
            self.priority
        )
    }
}

/// The outcome of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An Allow rule matched first.
    Allowed(Decider),
    /// A Deny rule matched first.
    Denied(Decider),
    /// A rule that may match could not be judged; says why.
    Undecided(Decider, String),
    /// No rule matched (a group without default rules): Azure denies.
    NoRule,
}

/// Does a set of prefixes cover the addresses `of`? `Some(true)` all, `Some(false)` none,
/// `None` some (or cannot tell, with the reason).
enum Cover {
    All,
    None,
    Unknown(String),
}

fn cover_of(prefixes: &[String], of: &[Range], flow: &Flow) -> Cover {
    let mut all = true;
    let mut any = false;
    for target in of {
        let mut covered = false;
        let mut touched = false;
        for p in prefixes {
            let ranges: Vec<Range> = match p.trim() {
                "*" | "Any" | "any" => vec![Range {
                    first: 0,
                    last: u32::MAX,
                }],
                t if t.eq_ignore_ascii_case("VirtualNetwork") => flow.virtual_network.clone(),
                t if t.eq_ignore_ascii_case("Internet") => {
                    // Outside the VNet tag and outside private space.
                    let inside_vnet = flow.virtual_network.iter().any(|r| r.overlaps(target));
                    let private = private_space().iter().any(|r| r.overlaps(target));
                    if inside_vnet || private {
                        vec![]
                    } else {
                        return Cover::Unknown(format!(
                            "the service tag Internet and the public address range {}",
                            show(target)
                        ));
                    }
                }
                t if t.eq_ignore_ascii_case("AzureLoadBalancer") => {
                    vec![Range::parse(AZURE_PLATFORM_IP).unwrap_or(Range { first: 0, last: 0 })]
                }
                t => match Range::parse(t) {
                    Some(r) => vec![r],
                    None => return Cover::Unknown(format!("the service tag {t}")),
                },
            };
            for r in ranges {
                if r.contains(target) {
                    covered = true;
                } else if r.overlaps(target) {
                    touched = true;
                }
            }
        }
        if covered {
            any = true;
        } else {
            all = false;
            if touched {
                return Cover::Unknown(format!("a prefix covering only part of {}", show(target)));
            }
        }
    }
    match (all, any) {
        (true, _) => Cover::All,
        (false, false) => Cover::None,
        (false, true) => {
            Cover::Unknown("prefixes covering only some of the agents' subnet prefixes".into())
        }
    }
}

fn show(r: &Range) -> String {
    if r.first == r.last {
        Ipv4Addr::from(r.first).to_string()
    } else {
        format!("{}-{}", Ipv4Addr::from(r.first), Ipv4Addr::from(r.last))
    }
}

fn port_in(ranges: &[String], port: u16) -> bool {
    ranges.iter().any(|r| match r.trim() {
        "*" => true,
        r => match r.split_once('-') {
            Some((a, b)) => matches!((a.trim().parse::<u16>(), b.trim().parse::<u16>()), (Ok(a), Ok(b)) if a <= port && port <= b),
            None => r.parse::<u16>() == Ok(port),
        },
    })
}

fn both(one: &Option<String>, many: &Option<Vec<String>>) -> Vec<String> {
    let mut v: Vec<String> = one.iter().filter(|s| !s.is_empty()).cloned().collect();
    v.extend(many.clone().unwrap_or_default());
    v
}

/// Whether `rule` matches `flow`: `Ok(true/false)`, or `Err(why)` when it cannot be judged.
fn matches(rule: &SecurityRule, flow: &Flow) -> Result<bool, String> {
    let p = rule.properties.clone().unwrap_or_default();
    if !p
        .direction
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case(flow.direction.word()))
    {
        return Ok(false);
    }
    let proto = p.protocol.as_deref().unwrap_or("*");
    if !(proto == "*" || proto.eq_ignore_ascii_case("Tcp")) {
        return Ok(false);
    }
    if !port_in(
        &both(&p.destination_port_range, &p.destination_port_ranges),
        flow.port,
    ) {
        return Ok(false);
    }
    let dst = both(
        &p.destination_address_prefix,
        &p.destination_address_prefixes,
    );
    let dst_cover = if p
        .destination_application_security_groups
        .as_ref()
        .is_some_and(|v| !v.is_empty())
    {
        return Err("it names application security groups as the destination".into());
    } else {
        cover_of(&dst, &[flow.destination], flow)
    };
    match dst_cover {
        Cover::None => return Ok(false),
        Cover::Unknown(why) => return Err(format!("it uses {why} as the destination")),
        Cover::All => {}
    }
    if p.source_application_security_groups
        .as_ref()
        .is_some_and(|v| !v.is_empty())
    {
        return Err("it names application security groups as the source".into());
    }
    match cover_of(
        &both(&p.source_address_prefix, &p.source_address_prefixes),
        &flow.sources,
        flow,
    ) {
        Cover::None => return Ok(false),
        Cover::Unknown(why) => return Err(format!("it uses {why} as the source")),
        Cover::All => {}
    }
    let src_ports = both(&p.source_port_range, &p.source_port_ranges);
    let any_source_port = src_ports
        .iter()
        .any(|r| r.trim() == "*" || r.trim() == "0-65535");
    if !any_source_port {
        return Err(format!(
            "it matches only source ports {} (clients pick ephemeral ports)",
            src_ports.join(", ")
        ));
    }
    Ok(true)
}

/// Judges `flow` against `nsg`'s custom and default rules in priority order.
pub fn evaluate(nsg: &NetworkSecurityGroup, flow: &Flow) -> Verdict {
    let props = nsg.properties.clone().unwrap_or_default();
    let mut rules: Vec<(bool, SecurityRule)> = props
        .security_rules
        .unwrap_or_default()
        .into_iter()
        .map(|r| (false, r))
        .chain(
            props
                .default_security_rules
                .unwrap_or_default()
                .into_iter()
                .map(|r| (true, r)),
        )
        .collect();
    let priority = |r: &SecurityRule| {
        r.properties
            .as_ref()
            .and_then(|p| p.priority)
            .unwrap_or(i64::MAX)
    };
    rules.sort_by_key(|(_, r)| priority(r));
    for (default, rule) in &rules {
        let decider = Decider {
            name: rule.name.clone().unwrap_or_default(),
            priority: priority(rule),
            default: *default,
        };
        match matches(rule, flow) {
            Ok(false) => continue,
            Ok(true) => {
                let allow = rule
                    .properties
                    .as_ref()
                    .and_then(|p| p.access.as_deref())
                    .is_some_and(|a| a.eq_ignore_ascii_case("Allow"));
                return if allow {
                    Verdict::Allowed(decider)
                } else {
                    Verdict::Denied(decider)
                };
            }
            Err(why) => return Verdict::Undecided(decider, why),
        }
    }
    Verdict::NoRule
}

#[cfg(test)]
mod tests;
