//! What the checks read (`World`), fetched once, and the helpers that look into VNets, subnets,
//! peerings and ARM IDs.

use std::collections::BTreeMap;

use super::nsg_rules::{self, Range};
use crate::azure::network_models::{Subnet, VirtualNetwork};
use crate::azure::{self, ArmCallCtx, ArmClient};

/// Lower-cased ARM ID, for comparisons (ARM IDs are case-insensitive).
pub(super) fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// The last segment of an ARM ID, for messages.
pub(super) fn short(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

pub(super) fn vnet_of_subnet(subnet_id: &str) -> Option<String> {
    let lower = subnet_id.to_ascii_lowercase();
    lower
        .rfind("/subnets/")
        .map(|at| subnet_id[..at].to_string())
}

/// What the checks read, fetched once.
pub(super) struct World {
    pub(super) vnets: BTreeMap<String, Result<VirtualNetwork, String>>,
}

impl World {
    pub(super) async fn vnet(
        &mut self,
        arm: &ArmClient,
        id: &str,
        ctx: &ArmCallCtx,
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

pub(super) fn address_space(v: &VirtualNetwork) -> Vec<String> {
    v.properties
        .as_ref()
        .and_then(|p| p.address_space.clone())
        .and_then(|a| a.address_prefixes)
        .unwrap_or_default()
}

pub(super) fn dns_servers(v: &VirtualNetwork) -> Vec<String> {
    v.properties
        .as_ref()
        .and_then(|p| p.dhcp_options.clone())
        .and_then(|d| d.dns_servers)
        .unwrap_or_default()
}

pub(super) fn subnet_in<'a>(v: &'a VirtualNetwork, subnet_id: &str) -> Option<&'a Subnet> {
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
pub(super) fn peering(from: &VirtualNetwork, to: &str) -> Option<(String, bool, Vec<String>)> {
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
pub(super) fn virtual_network_tag(v: &VirtualNetwork) -> Vec<Range> {
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
