//! Turns ARM client errors into diagnostics in one place: each names the Azure object, what
//! was tried, Azure's code and message, and what to do next.

use crate::azure::Error;
use crate::azure::error::Transient;
use crate::framework::diagnostics::Diagnostic;

/// What the user can do about an Azure error code.
fn hint(err: &Error) -> Option<&'static str> {
    let code = err.code().unwrap_or_default();
    Some(match (err, code) {
        (_, "ResourceGroupNotFound") => {
            "Create the resource group first, or correct resource_group_name."
        }
        (_, "InvalidPrivateLinkServiceId") => {
            "Check private_link_service_alias with Astronomer support: the alias must exist and be visible to this subscription."
        }
        (_, "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled") => {
            "Disable private endpoint network policies on the subnet (azurerm_subnet: private_endpoint_network_policies = \"Disabled\")."
        }
        (_, "AuthorizationFailed" | "LinkedAuthorizationFailed") => {
            "Grant the identity Terraform runs as the Network Contributor role (or Private DNS Zone Contributor for DNS) on the resource group."
        }
        _ if err.transient() == Some(Transient::Busy) => {
            "Another operation on the same objects is still running in Azure; run terraform apply again shortly."
        }
        (_, "PreconditionFailed") => {
            "The object changed in Azure while Terraform worked on it; run terraform plan to see the change."
        }
        (Error::Throttled { .. }, _) => {
            "Azure Resource Manager throttled the requests; wait, or lower terraform's -parallelism."
        }
        (Error::Timeout { .. }, _) => {
            "Azure did not finish in time; raise the matching value in this resource's timeouts block, then apply again."
        }
        (Error::Cancelled, _) => {
            "The run was interrupted; run terraform plan to see what exists now."
        }
        (Error::Credential(_), _) => {
            "Check the provider's credentials (client_id/client_secret/tenant_id, OIDC, managed identity or `az login`) and the ARM_* variables."
        }
        (Error::Transport(_) | Error::NotSent(_), _) => {
            "Check network access to Azure Resource Manager (proxy, DNS, SSL_CERT_FILE for custom CAs)."
        }
        _ => return None,
    })
}

/// A diagnostic for `err` raised while `action` (e.g. "updating") `object` (e.g. a Private
/// Endpoint's display name).
pub fn azure_error(action: &str, object: &str, err: &Error) -> Diagnostic {
    with_hint(action, object, err, hint(err))
}

/// [`azure_error`] for a create-only write: a 412 there means the object appeared while
/// Terraform was creating it, and is not ours (the client adopts its own).
pub fn create_error(object: &str, err: &Error) -> Diagnostic {
    let hint = if err.code() == Some("PreconditionFailed") {
        Some(
            "It already exists in Azure and is not managed by this configuration (it appeared while Terraform was creating it). Adopt it with terraform import and its ARM ID, or remove it, then apply again.",
        )
    } else {
        hint(err)
    };
    with_hint("creating", object, err, hint)
}

fn with_hint(action: &str, object: &str, err: &Error, hint: Option<&str>) -> Diagnostic {
    let mut detail = format!("{action} {object}: {err}");
    if let Some(h) = hint {
        detail.push_str("\n\n");
        detail.push_str(h);
    }
    Diagnostic::error(format!("Error {action} {object}"), detail)
}

/// The error for an object that exists but is not in state.
pub fn requires_import(resource_type: &str, object: &str, id: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{object} already exists"),
        format!(
            "{object} already exists in Azure and is not managed by this configuration. Adopt it with\n\n{}",
            import_command(resource_type, id)
        ),
    )
}

/// When Azure cannot find the endpoint's resource group (or subscription) and `subnet_id` is
/// in another subscription than the provider's: the likely cause, named with both IDs. Decided
/// on ARM's error code and the parsed subnet ID, never on message text.
pub fn other_subscription(
    err: &Error,
    object: &str,
    provider_subscription: &str,
    subnet_id: &str,
) -> Option<Diagnostic> {
    if !matches!(
        err.code(),
        Some("ResourceGroupNotFound" | "SubscriptionNotFound")
    ) {
        return None;
    }
    let subnet = crate::azure::SubnetId::parse(subnet_id).ok()?;
    if subnet
        .subscription_id
        .eq_ignore_ascii_case(provider_subscription)
    {
        return None;
    }
    Some(Diagnostic::error(
        format!("Error creating {object}: the subnet is in another subscription"),
        format!(
            "Set the provider's subscription_id (or ARM_SUBSCRIPTION_ID) to {}, the subscription of subnet_id, or use a subnet of subscription {provider_subscription}. A private endpoint is created in the provider's subscription, in the resource group named by resource_group_name: the provider works in subscription {provider_subscription}, and subnet_id {subnet_id} is in subscription {}.\n\ncreating {object}: {err}",
            subnet.subscription_id, subnet.subscription_id
        ),
    ))
}

/// How to adopt `id` into a `resource_type`: the `terraform import` command (`<name>` is the
/// resource's label, which Terraform names in the diagnostic's `with` line: a provider is
/// never told its resources' addresses) and the equivalent import block.
pub fn import_command(resource_type: &str, id: &str) -> String {
    format!(
        "  terraform import {resource_type}.<name> {id}\n\nor an import block:\n\n  import {{\n    to = {resource_type}.<name>\n    id = \"{id}\"\n  }}"
    )
}
