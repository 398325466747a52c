//! The Azure Resource Manager client used by the provider layer: settings resolution
//! ([`config`]), credentials ([`credential`]), one ARM client on the azure_core pipeline
//! ([`ArmClient`]) with our own ARM long-running-operation poller ([`lro`]) and retry policy
//! ([`retry`]), typed ARM IDs
//! ([`ids`]), serde models ([`models`]) and one error type ([`Error`]).
//!
//! This layer knows nothing about Terraform: it never sees the framework, the provider's
//! models or protobuf. api-versions are fixed here, in one place.

pub mod client;
pub mod config;
pub mod credential;
pub mod error;
pub mod ids;
pub mod lro;
pub mod models;
pub mod network_models;
pub mod retry;

#[cfg(test)]
mod tests;

pub use client::{ArmCallCtx, ArmClient, ArmResource, WriteCondition};
pub use config::{
    AzureConfig, CertificateSource, CloudEnvironment, ConfigError, CredentialChoice,
    OidcTokenSource, ProviderSettings, Secret, resolve,
};
pub use error::{Error, Result};
pub use ids::{
    ARecordId, ApplicationSecurityGroupId, IdError, NetworkInterfaceId, NetworkSecurityGroupId,
    PrivateDnsZoneId, PrivateEndpointId, PrivateLinkServiceId, ResourceGroupName, SubnetId,
    VirtualNetworkId, VirtualNetworkLinkId,
};
pub use lro::OperationStatus;
pub use models::private_ip;

/// api-version for Microsoft.Network (Private Endpoints, NICs); azurerm pins the same.
pub const NETWORK_API_VERSION: &str = "2025-01-01";
/// api-version for Microsoft.Network/privateDnsZones and children.
pub const PRIVATE_DNS_API_VERSION: &str = "2024-06-01";
