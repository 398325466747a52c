//! Validate-time checks for Azure names, ARM IDs and Astronomer values, so bad input is
//! rejected with the attribute path before any Azure call. Rules come from Azure's
//! resource-name rules (design/arm-rules.md §3) and the Private Link alias format (design/arm-rules.md §3).

use std::sync::LazyLock;

use regex::Regex;

use crate::framework::validators::StringCheck;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

static PE_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$"));
static LINKISH_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$"));
// Unbounded on purpose: `{1,90}` of the Unicode class `\w` compiles to 90 copies of it,
// about 28 ms at the first validation in every provider process; the length is checked apart.
static RG_NAME: LazyLock<Regex> = LazyLock::new(|| re(r"^[-\w._()]+$"));
static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.[a-z0-9]+\.azure\.privatelinkservice$",
    )
});
static GUID: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
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
        |s| {
            if s.len() < 2 || !PE_NAME.is_match(s) {
                return Err(format!(
                    "{s:?} is not a valid private endpoint name: use 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'"
                ));
            }
            Ok(())
        },
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

/// Resource group name: 1-90 characters, not ending in `.`.
pub fn resource_group_name() -> StringCheck {
    StringCheck::new(
        "a resource group name (1-90 characters, not ending in `.`)",
        check_resource_group,
    )
}

fn check_resource_group(s: &str) -> Result<(), String> {
    if s.chars().count() > 90 || !RG_NAME.is_match(s) || s.ends_with('.') {
        return Err(format!(
            "{s:?} is not a valid resource group name: use 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'"
        ));
    }
    Ok(())
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

/// The parts of an ARM resource ID below a resource group.
#[derive(Debug, PartialEq, Eq)]
pub struct ArmIdParts<'a> {
    /// Subscription GUID.
    pub subscription: &'a str,
    /// Resource group.
    pub resource_group: &'a str,
    /// `(type, name)` pairs after the provider namespace.
    pub resources: Vec<(&'a str, &'a str)>,
}

/// Splits `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]...`
/// checking the namespace and resource types (case-insensitive keys, as ARM returns mixed case).
pub fn parse_arm_id<'a>(
    id: &'a str,
    namespace: &str,
    types: &[&str],
) -> Result<ArmIdParts<'a>, String> {
    let expected = format!(
        "/subscriptions/{{subscription}}/resourceGroups/{{group}}/providers/{namespace}/{}",
        types
            .iter()
            .map(|t| format!("{t}/{{name}}"))
            .collect::<Vec<_>>()
            .join("/")
    );
    let bad = |why: &str| {
        Err(format!(
            "{id:?} is not a valid ID ({why}); expected {expected}"
        ))
    };
    let Some(rest) = id.strip_prefix('/') else {
        return bad("it must start with '/'");
    };
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() != 6 + 2 * types.len() {
        return bad("wrong number of segments");
    }
    if parts.iter().any(|p| p.is_empty()) {
        return bad("empty segment");
    }
    if !parts[0].eq_ignore_ascii_case("subscriptions") || !GUID.is_match(parts[1]) {
        return bad("the subscription must be a GUID");
    }
    if !parts[2].eq_ignore_ascii_case("resourceGroups") {
        return bad("missing resourceGroups");
    }
    if let Err(e) = check_resource_group(parts[3]) {
        return bad(&e);
    }
    if !parts[4].eq_ignore_ascii_case("providers") || !parts[5].eq_ignore_ascii_case(namespace) {
        return bad(&format!("the provider must be {namespace}"));
    }
    let mut resources = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let (ty, name) = (parts[6 + 2 * i], parts[7 + 2 * i]);
        if !ty.eq_ignore_ascii_case(t) {
            return bad(&format!("found {ty:?} where {t:?} belongs"));
        }
        resources.push((ty, name));
    }
    Ok(ArmIdParts {
        subscription: parts[1],
        resource_group: parts[3],
        resources,
    })
}

/// A subnet ID.
pub fn subnet_id() -> StringCheck {
    StringCheck::new("a subnet ID", |s| {
        parse_arm_id(s, "Microsoft.Network", &["virtualNetworks", "subnets"]).map(|_| ())
    })
}

/// A virtual network ID.
pub fn virtual_network_id() -> StringCheck {
    StringCheck::new("a virtual network ID", |s| {
        parse_arm_id(s, "Microsoft.Network", &["virtualNetworks"]).map(|_| ())
    })
}

/// A private endpoint ID.
pub fn private_endpoint_id() -> StringCheck {
    StringCheck::new("a private endpoint ID", |s| {
        let p = parse_arm_id(s, "Microsoft.Network", &["privateEndpoints"])?;
        private_endpoint_name_ok(p.resources[0].1)
    })
}

fn private_endpoint_name_ok(name: &str) -> Result<(), String> {
    (private_endpoint_name().check_fn())(name)
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
        if GUID.is_match(s) {
            Ok(())
        } else {
            Err(format!(
                "{s:?} is not a GUID such as 00000000-0000-0000-0000-000000000000"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: &StringCheck, s: &str) -> bool {
        (c.check_fn())(s).is_ok()
    }

    #[test]
    fn resource_group_names_count_characters_up_to_90() {
        let c = resource_group_name();
        let ninety = "r".repeat(90);
        let unicode = "é".repeat(90); // 90 characters, 180 bytes
        for good in [
            "rg-astro-agents",
            "rg_(x).1",
            ninety.as_str(),
            unicode.as_str(),
        ] {
            assert!(ok(&c, good), "{good}");
        }
        let too_long = "r".repeat(91);
        for bad in ["", "rg.", "rg/x", "rg x", too_long.as_str()] {
            assert!(!ok(&c, bad), "{bad:?}");
        }
    }

    #[test]
    fn private_endpoint_names() {
        let c = private_endpoint_name();
        for good in ["astro-privatelink", "pe_1", "a1", "A.b-c_"] {
            assert!(ok(&c, good), "{good}");
        }
        for bad in [
            "",
            "a",
            "-pe",
            "pe-",
            "pe.",
            "has space",
            &"x".repeat(65),
            "pe#1",
        ] {
            assert!(!ok(&c, bad), "{bad}");
        }
    }

    #[test]
    fn aliases() {
        let c = private_link_service_alias();
        assert!(ok(
            &c,
            "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice"
        ));
        assert!(!ok(&c, "astro-pls.eastus.azure.privatelinkservice"));
        assert!(!ok(&c, "/subscriptions/x/resourceGroups/y"));
        assert!(!ok(
            &c,
            "astro-pls.00000000-0000-0000-0000-000000000000.eastus.azure.privatelinkservice.com"
        ));
    }

    #[test]
    fn arm_ids() {
        let sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s";
        let p = parse_arm_id(sub, "Microsoft.Network", &["virtualNetworks", "subnets"]).unwrap();
        assert_eq!(p.resource_group, "rg");
        assert_eq!(
            p.resources,
            vec![("virtualNetworks", "v"), ("subnets", "s")]
        );
        let lower = sub.replace("resourceGroups", "resourcegroups");
        assert!(parse_arm_id(&lower, "Microsoft.Network", &["virtualNetworks", "subnets"]).is_ok());
        for bad in [
            "",
            "subscriptions/00000000-0000-0000-0000-000000000001",
            "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualNetworks/v/subnets/s",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups//providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        ] {
            assert!(
                parse_arm_id(bad, "Microsoft.Network", &["virtualNetworks", "subnets"]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn dns_and_zone_names() {
        assert!(ok(&dns_label(), "clxxxxxxxxx"));
        assert!(!ok(&dns_label(), "Clxxx"));
        assert!(!ok(&dns_label(), "cl.x"));
        assert!(ok(&zone_name(), "external.astronomer.run"));
        assert!(!ok(&zone_name(), "external"));
        assert!(!ok(&zone_name(), "external.astronomer.run."));
    }

    #[test]
    fn locations_normalise() {
        assert_eq!(normalize_location("East US"), "eastus");
        assert!(ok(&location(), "East US 2"));
        assert!(!ok(&location(), "east_us"));
    }

    #[test]
    fn urls_must_be_https() {
        assert!(ok(&https_url(), "https://127.0.0.1:8443/"));
        assert!(!ok(&https_url(), "http://management.azure.com/"));
        assert!(!ok(&https_url(), "management.azure.com"));
    }
}
