//! Renders any stored resource as a GET would, filling in what is derived from other
//! resources (a PE's connection state, a VNet's subnets, a zone's counters).

use serde_json::Value;

use super::network::{network_security_groups, private_endpoints, subnets, virtual_networks};
use super::privatedns::zones;
use super::state::{Kind, Resource, World};

/// The GET body of `res`.
pub fn render(world: &World, res: &Resource) -> Value {
    match res.kind {
        Kind::PrivateEndpoint => private_endpoints::render(world, res),
        Kind::VirtualNetwork => virtual_networks::render(world, res),
        Kind::Subnet => subnets::render(world, res),
        Kind::DnsZone => zones::render(world, res),
        Kind::NetworkSecurityGroup => network_security_groups::render(world, res),
        _ => res.body.clone(),
    }
}
