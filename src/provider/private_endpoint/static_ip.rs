//! A static `private_ip_address`: checked against the subnet before the endpoint is written
//! (it must lie in one of the subnet's prefixes and not be one of the five addresses Azure
//! reserves in every subnet), and Azure's refusals explained with the subnet's prefix when the
//! subnet could not be read first. Source: Microsoft Learn, "Azure Virtual Network frequently
//! asked questions" (the first four and the last address of each subnet are reserved) and
//! "Manage a private endpoint: static IP" (`ipConfigurations[].privateIPAddress`, with no
//! group ID or member name for a Private Link Service).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::azure;
use crate::framework::diagnostics::Diagnostic;
use crate::framework::path::AttributePath;

/// The attribute a static-address diagnostic points at.
pub(super) const PRIVATE_IP_ADDRESS: &str = "private_ip_address";

/// The name the endpoint's one IP configuration gets.
pub(super) const IP_CONFIGURATION_NAME: &str = "astro-static-ip";

/// Why `ip` cannot be an endpoint's address in a subnet of `prefixes`; `None` when it can (or
/// when no prefix is IPv4, so nothing can be said).
pub(super) fn misfit(ip: &str, prefixes: &[String]) -> Option<String> {
    let addr = ip.parse::<Ipv4Addr>().ok()?;
    let nets: Vec<(&String, Ipv4Net)> = prefixes
        .iter()
        .filter_map(|p| p.parse::<Ipv4Net>().ok().map(|n| (p, n.trunc())))
        .collect();
    if nets.is_empty() {
        return None;
    }
    let Some((prefix, net)) = nets.iter().find(|(_, net)| net.contains(&addr)) else {
        let all: Vec<&str> = nets.iter().map(|(p, _)| p.as_str()).collect();
        return Some(format!(
            "{ip} is outside the subnet's address prefix {}",
            all.join(", ")
        ));
    };
    let first_free = Ipv4Addr::from(u32::from(net.network()).saturating_add(4));
    if addr < first_free || addr == net.broadcast() {
        return Some(format!(
            "{ip} is one of the five addresses Azure reserves in every subnet (the first four and the last of {prefix}): the first one free for an endpoint is {first_free}"
        ));
    }
    None
}

/// The diagnostic for a static address that does not fit the subnet, before anything is
/// written.
pub(super) fn misfit_diagnostic(subnet_id: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        "private_ip_address does not fit the subnet",
        format!(
            "{why} ({subnet_id}). Nothing was created. Choose a free address inside the subnet's prefix, or leave private_ip_address unset so that Azure allocates one."
        ),
    )
    .at(AttributePath::root().attr(PRIVATE_IP_ADDRESS))
}

/// What Azure's refusal of a static address means, for the error of a failed create; `None`
/// for other errors. `prefixes` are the subnet's, when it could be read.
pub(super) fn explain_refusal(e: &azure::Error, ip: &str, prefixes: &[String]) -> Option<String> {
    let code = e.code()?;
    let prefix = if prefixes.is_empty() {
        "the subnet's address prefix".to_string()
    } else {
        format!("the subnet's address prefix {}", prefixes.join(", "))
    };
    let why = match code {
        "PrivateIPAddressNotInSubnet"
        | "InvalidPrivateIpAddress"
        | "PrivateIPAddressIsReserved" => {
            format!(
                "Azure refused the static address {ip}: it must lie in {prefix} and not be one of the five addresses Azure reserves there (the first four and the last)."
            )
        }
        "PrivateIPAddressInUse" => format!(
            "Azure refused the static address {ip}: another network interface in the subnet holds it. Choose a free address in {prefix}."
        ),
        _ => return None,
    };
    Some(format!(
        "{why} The endpoint was not created; fix private_ip_address (or leave it unset so that Azure allocates one) and apply again."
    ))
}

/// The endpoint's single static IP configuration for `ip` (no group ID or member name: a Private
/// Link Service has none).
pub(super) fn ip_configuration(ip: &str) -> azure::models::PrivateEndpointIpConfiguration {
    azure::models::PrivateEndpointIpConfiguration {
        name: Some(IP_CONFIGURATION_NAME.to_string()),
        properties: Some(azure::models::PrivateEndpointIpConfigurationProperties {
            private_ip_address: Some(ip.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The subnet's prefixes, or `None` when it cannot be read (no permission, say): Azure's own
/// answer to the write then decides, and [`explain_refusal`] explains it.
pub(super) async fn subnet_prefixes(
    arm: &azure::ArmClient,
    subnet_id: &str,
    ctx: &azure::ArmCallCtx,
) -> Option<Vec<String>> {
    let id = azure::SubnetId::parse(subnet_id).ok()?;
    match arm.get(&id, ctx).await {
        Ok(Some(subnet)) => Some(subnet.prefixes()),
        Ok(None) => None,
        Err(e) => {
            tracing::info!(subnet = %id, error = %e, "cannot read the subnet to check the static address first");
            None
        }
    }
}
