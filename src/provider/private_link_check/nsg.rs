//! `nsg_allows_443`: the NSGs on the agents' subnets and on the endpoint's subnet, judged by
//! `nsg_rules`.

use super::nsg_rules::{self, Direction, Flow, Range, Verdict};
use super::world::*;
use super::*;
use crate::azure::network_models::{NetworkSecurityGroup, Subnet};
use crate::azure::{self, ArmCallCtx, ArmClient};

/// The NSG attached to `subnet`, read; `Ok(None)` when there is none.
pub(super) async fn nsg_of(
    arm: &ArmClient,
    ctx: &ArmCallCtx,
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

pub(super) fn fix_for(
    verdict: &Verdict,
    nsg: &str,
    dir: Direction,
    from: &str,
    ip: &str,
) -> String {
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

pub(super) fn say(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Allowed(d) => format!("allowed by {d}"),
        Verdict::Denied(d) => format!("denied by {d}"),
        Verdict::Undecided(d, why) => format!("cannot be decided at {d}: {why}"),
        Verdict::NoRule => "matched by no rule, so denied".into(),
    }
}

pub(super) async fn nsg_check(
    arm: &ArmClient,
    ctx: &ArmCallCtx,
    world: &mut World,
    subnets: &[String],
    pe_subnet: Option<&str>,
    ip: Option<&str>,
) -> CheckResult {
    const NAME: &str = "nsg_allows_443";
    let Some(ip) = ip else {
        return check_failed(
            NAME,
            "the endpoint reports no private IP address".into(),
            "Check the endpoint in the Azure portal.".into(),
        );
    };
    let Some(dst) = Range::parse(ip) else {
        return check_failed(
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
        check_passed(NAME, good.join("; "))
    } else {
        check_failed(NAME, bad.join("; "), fixes.join(" "))
    }
}
