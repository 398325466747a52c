//! Network RP (and resource group) resources, one file per ARM resource type.

pub mod application_security_groups;
pub mod controls;
pub mod ip;
pub mod network_interfaces;
pub mod network_security_groups;
pub mod private_endpoints;
pub mod private_link_services;
pub mod resource_groups;
pub mod subnets;
pub mod virtual_network_peerings;
pub mod virtual_networks;
