//! Validate-time checks for Azure names, ARM IDs and Astronomer values, so bad input is
//! rejected with the attribute path before any Azure call. Rules come from Azure's
//! resource-name rules and the Private Link alias format (design/arm-rules.md §3). ARM IDs,
//! resource group and private endpoint names are checked by the client's own parsers in
//! `azure::ids`, so validation accepts exactly what the client accepts.

use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

use crate::azure::ids;
use crate::framework::validators::StringCheck;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

static LINKISH_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"));
static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.[a-z0-9]+\.azure\.privatelinkservice$",
    )
});
static DNS_LABEL: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
static ZONE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$"));
static LOCATION: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z][A-Za-z0-9 ]{1,40}$"));

/// Private endpoint name: 2-64 characters, alphanumerics, `_`, `.`, `-`; starts with an
/// alphanumeric and ends with an alphanumeric or `_`.
pub fn private_endpoint_name() -> StringCheck {
    StringCheck::new(
        "a private endpoint name (2-64 characters: letters, digits, `_`, `.`, `-`)",
        ids::check_private_endpoint_name,
    )
}

/// Private link service connection or network interface name: 1-80 characters.
pub fn connection_name() -> StringCheck {
    StringCheck::new("1-80 characters: letters, digits, `_`, `.`, `-`", |s| {
        if !LINKISH_NAME.is_match(s) {
            return Err(format!(
                "{s:?} is not a valid name: use 1-80 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'"
            ));
        }
        Ok(())
    })
}

/// Resource group name: 1-90 characters, not ending in `.` (the rule of
/// [`ids::ResourceGroupName`], which the client applies too).
pub fn resource_group_name() -> StringCheck {
    StringCheck::new(
        "a resource group name (1-90 characters, not ending in `.`)",
        |s| {
            ids::ResourceGroupName::parse(s)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )
}

/// Azure region, e.g. `eastus` or `East US`.
pub fn location() -> StringCheck {
    StringCheck::new("an Azure region such as `eastus` or `East US`", |s| {
        if !LOCATION.is_match(s) {
            return Err(format!(
                "{s:?} is not an Azure region name such as \"eastus\" or \"West Europe\""
            ));
        }
        Ok(())
    })
}

/// Lower-cases and removes spaces: "East US" and "eastus" are the same region.
pub fn normalize_location(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Private Link Service alias Astronomer support gives out.
pub fn private_link_service_alias() -> StringCheck {
    StringCheck::new(
        "a Private Link Service alias `<name>.<guid>.<region>.azure.privatelinkservice`",
        |s| {
            if !ALIAS.is_match(s) {
                return Err(format!(
                    "{s:?} is not a Private Link Service alias: expected <name>.<guid>.<region>.azure.privatelinkservice, as given by Astronomer support"
                ));
            }
            Ok(())
        },
    )
}

/// The cluster ID, used as the A record's name: a lower-case DNS label.
pub fn dns_label() -> StringCheck {
    StringCheck::new(
        "a lower-case DNS label (1-63 letters, digits or `-`)",
        |s| {
            if !DNS_LABEL.is_match(s) {
                return Err(format!(
                    "{s:?} is not a DNS label: use 1-63 lower-case letters, digits or '-', not starting or ending with '-' (the Astro cluster ID, e.g. clxxxxxxxxx)"
                ));
            }
            Ok(())
        },
    )
}

/// A private DNS zone name: 2-34 labels.
pub fn zone_name() -> StringCheck {
    StringCheck::new("a DNS zone name with 2-34 labels", |s| {
        let labels: Vec<&str> = s.split('.').collect();
        if !(2..=34).contains(&labels.len())
            || s.len() > 253
            || labels.iter().any(|l| !ZONE_LABEL.is_match(l))
        {
            return Err(format!(
                "{s:?} is not a private DNS zone name: use 2-34 dot-separated labels of letters, digits, '_' or '-', without a trailing dot"
            ));
        }
        Ok(())
    })
}

/// Accepts exactly what the client's typed parser for `T` accepts.
fn parses_as<T: FromStr<Err = ids::IdError>>(s: &str) -> Result<(), String> {
    s.parse::<T>().map(|_| ()).map_err(|e| e.to_string())
}

/// A subnet ID.
pub fn subnet_id() -> StringCheck {
    StringCheck::new("a subnet ID", parses_as::<ids::SubnetId>)
}

/// A virtual network ID.
pub fn virtual_network_id() -> StringCheck {
    StringCheck::new("a virtual network ID", parses_as::<ids::VirtualNetworkId>)
}

/// An application security group ID.
pub fn application_security_group_id() -> StringCheck {
    StringCheck::new(
        "an application security group ID",
        parses_as::<ids::ApplicationSecurityGroupId>,
    )
}

/// A private endpoint ID.
pub fn private_endpoint_id() -> StringCheck {
    StringCheck::new("a private endpoint ID", parses_as::<ids::PrivateEndpointId>)
}

/// An https URL (ARM and Entra endpoints refuse anything else).
pub fn https_url() -> StringCheck {
    StringCheck::new("an https:// URL", |s| match url::Url::parse(s) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => Ok(()),
        Ok(u) => Err(format!(
            "{s:?} uses {:?}: only https endpoints are accepted",
            u.scheme()
        )),
        Err(e) => Err(format!("{s:?} is not a URL: {e}")),
    })
}

/// A GUID (subscription or tenant).
pub fn guid() -> StringCheck {
    StringCheck::new("a GUID", |s| {
        if ids::is_guid(s) {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not a GUID such as 00000000-0000-0000-0000-000000000000"
            ))
        }
    })
}

#[cfg(test)]
mod tests;
