//! Plan rules: an alias and the service's ARM ID name the same connection, so after an import
//! the configured alias is taken in place.

use crate::azure;
use crate::framework::value::Value;

/// True for a Private Link Service alias (`<name>.<guid>.<region>.azure.privatelinkservice`),
/// false for the service's ARM ID.
pub(super) fn is_alias(target: &str) -> bool {
    target
        .to_ascii_lowercase()
        .ends_with(".azure.privatelinkservice")
}

/// After an import where Azure named the service by its resource ID, state holds that ID in
/// `private_link_service_alias`; the configured alias is the same connection's other name
/// (Azure resolves an alias to that ID), so it is taken in place instead of replacing the
/// endpoint. Only an ID-for-alias swap is adopted: a different alias still replaces.
pub(super) fn alias_of_imported_id(prior: &Value, planned: &Value) -> bool {
    let prior = prior.as_str().unwrap_or_default();
    let planned = planned.as_str().unwrap_or_default();
    azure::PrivateLinkServiceId::parse(prior).is_ok() && is_alias(planned)
}
