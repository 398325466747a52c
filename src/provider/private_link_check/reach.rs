//! `agent_vnets_resolve_zone` and `agent_vnets_reach_endpoint`: zone links, custom DNS servers
//! and peerings of each agent VNet.

use super::nsg_rules::Range;
use super::world::*;
use super::*;
use crate::azure::{self, ArmCallCtx, ArmClient};

pub(super) async fn resolve_check(
    arm: &ArmClient,
    ctx: &ArmCallCtx,
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
        return check_failed(
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
        check_passed(NAME, good.join("; "))
    } else {
        check_failed(NAME, bad.join("; "), fixes.join(" "))
    }
}

pub(super) async fn reach_check(
    arm: &ArmClient,
    ctx: &ArmCallCtx,
    world: &mut World,
    pe_vnet: Option<&str>,
    agent_vnets: &[String],
) -> CheckResult {
    const NAME: &str = "agent_vnets_reach_endpoint";
    let Some(pe_vnet) = pe_vnet else {
        return check_failed(
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
        check_passed(NAME, good.join("; "))
    } else {
        check_failed(NAME, bad.join("; "), fixes.join(" "))
    }
}
