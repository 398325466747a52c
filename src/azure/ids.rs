//! Typed ARM resource IDs for the few Microsoft.Network types the provider touches: a strict
//! parser per type, `path()` for request URLs and a `Display` for humans
//! (`Private Endpoint "x" (Resource Group "y")`).
//!
//! Casing rule: segment *keys* (`subscriptions`, `resourceGroups`, `providers`,
//! `Microsoft.Network`, `privateEndpoints`, ...) are compared case-insensitively, because ARM
//! returns them in mixed casing (`resourcegroups`); *values* are kept exactly as given.
//! `path()` always writes the canonical key casing.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

/// Why a string is not the expected ARM ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The input was empty.
    #[error("parsing {kind} ID: the ID is empty")]
    Empty {
        /// Kind of ID expected.
        kind: &'static str,
    },
    /// The input does not have the expected shape.
    #[error("parsing {kind} ID {input:?}: {problem}; expected {expected}")]
    Malformed {
        /// Kind of ID expected.
        kind: &'static str,
        /// The input as given.
        input: String,
        /// What is wrong.
        problem: String,
        /// The expected template.
        expected: String,
    },
    /// A resource group name breaks Azure's naming rules.
    #[error("invalid resource group name {name:?}: {problem}")]
    InvalidResourceGroupName {
        /// The name as given.
        name: String,
        /// What is wrong.
        problem: &'static str,
    },
}

const PROVIDER: &str = "Microsoft.Network";

static PE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$").expect("static regex")
});

/// Whether `s` is a GUID such as `00000000-0000-0000-0000-000000000000` (subscription and
/// tenant IDs), any hex case.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Azure's private endpoint name rule: 2-64 characters, letters, digits, `_`, `.`, `-`;
/// starts with a letter or digit and ends with a letter, digit or `_`
/// (design/arm-rules.md §3).
pub fn check_private_endpoint_name(name: &str) -> Result<(), String> {
    if name.len() < 2 || !PE_NAME.is_match(name) {
        return Err(format!(
            "{name:?} is not a valid private endpoint name: use 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending with a letter, digit or '_'"
        ));
    }
    Ok(())
}

/// A name rule: `Err` says what is wrong with the name.
type NameRule = fn(&str) -> Result<(), String>;

/// The name rule of a resource type segment, where the provider knows one; other names
/// only need to be non-empty.
fn name_rule(key: &str) -> Option<NameRule> {
    match key {
        "privateEndpoints" => Some(check_private_endpoint_name),
        _ => None,
    }
}

/// Splits `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/{k1}/{v1}...`
/// into `[s, rg, v1, ...]`, checking each key against `keys` case-insensitively.
fn parse_network_id(
    input: &str,
    kind: &'static str,
    keys: &[&str],
) -> Result<Vec<String>, IdError> {
    if input.trim().is_empty() {
        return Err(IdError::Empty { kind });
    }
    let expected = template(keys);
    let malformed = |problem: String| IdError::Malformed {
        kind,
        input: input.to_string(),
        problem,
        expected: expected.clone(),
    };
    let Some(rest) = input.strip_prefix('/') else {
        return Err(malformed("it must start with \"/\"".into()));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let mut wanted: Vec<(&str, Option<&str>)> = vec![
        ("subscriptions", None),
        ("resourceGroups", None),
        ("providers", Some(PROVIDER)),
    ];
    wanted.extend(keys.iter().map(|k| (*k, None)));
    if segments.len() > wanted.len() * 2 {
        return Err(malformed(format!(
            "unexpected extra segments after \"{}\"",
            segments[..wanted.len() * 2].join("/")
        )));
    }
    let mut values = Vec::with_capacity(keys.len() + 2);
    for (i, (key, fixed)) in wanted.iter().enumerate() {
        let got_key = segments.get(i * 2).copied().unwrap_or("");
        if !got_key.eq_ignore_ascii_case(key) {
            return Err(malformed(if got_key.is_empty() {
                format!("the segment \"{key}\" is missing")
            } else {
                format!("found \"{got_key}\" where \"{key}\" was expected")
            }));
        }
        let value = segments.get(i * 2 + 1).copied().unwrap_or("");
        if value.is_empty() {
            return Err(malformed(format!("the value for \"{key}\" is missing")));
        }
        match fixed {
            Some(f) if !value.eq_ignore_ascii_case(f) => {
                return Err(malformed(format!(
                    "found provider \"{value}\" where \"{f}\" was expected"
                )));
            }
            Some(_) => {}
            None => values.push(value.to_string()),
        }
        match *key {
            "subscriptions" if !is_guid(value) => {
                return Err(malformed(format!(
                    "the subscription {value:?} is not a GUID"
                )));
            }
            "resourceGroups" => {
                if let Err(IdError::InvalidResourceGroupName { problem, .. }) =
                    ResourceGroupName::parse(value)
                {
                    return Err(malformed(format!(
                        "the resource group name {value:?} is invalid: {problem}"
                    )));
                }
            }
            k => {
                if let Some(Err(problem)) = name_rule(k).map(|rule| rule(value)) {
                    return Err(malformed(problem));
                }
            }
        }
    }
    Ok(values)
}

fn template(keys: &[&str]) -> String {
    let mut s = format!(
        "/subscriptions/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/providers/{PROVIDER}"
    );
    for k in keys {
        s.push_str(&format!("/{k}/{{name}}"));
    }
    s
}

fn network_path(sub: &str, rg: &str, parts: &[(&str, &str)]) -> String {
    let mut s = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{PROVIDER}");
    for (k, v) in parts {
        s.push('/');
        s.push_str(k);
        s.push('/');
        s.push_str(v);
    }
    s
}

/// `Label "name" (Resource Group "rg" / Parent "p")`
fn fmt_human(
    f: &mut fmt::Formatter<'_>,
    label: &str,
    rg: &str,
    parts: &[(&str, &str)],
) -> fmt::Result {
    let Some(((_, name), parents)) = parts.split_last() else {
        return write!(f, "{label} (Resource Group {rg:?})");
    };
    write!(f, "{label} {name:?} (Resource Group {rg:?}")?;
    for (plabel, pvalue) in parents {
        write!(f, " / {plabel} {pvalue:?}")?;
    }
    f.write_str(")")
}

macro_rules! network_id {
    (
        $(#[$meta:meta])*
        $ty:ident, $label:literal, [$($field:ident : $key:literal => $flabel:literal),+]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty {
            /// Subscription ID.
            pub subscription_id: String,
            /// Resource group name.
            pub resource_group: String,
            $(
                #[doc = concat!("The ", $flabel, " name.")]
                pub $field: String,
            )+
        }

        impl $ty {
            /// Human-readable kind, as used in messages.
            pub const KIND: &'static str = $label;

            /// Builds the ID from its parts (not validated).
            pub fn new(
                subscription_id: impl Into<String>,
                resource_group: impl Into<String>,
                $($field: impl Into<String>),+
            ) -> Self {
                Self {
                    subscription_id: subscription_id.into(),
                    resource_group: resource_group.into(),
                    $($field: $field.into()),+
                }
            }

            /// Parses an ARM ID strictly (segment keys case-insensitive, values kept).
            pub fn parse(input: &str) -> Result<Self, IdError> {
                let mut v = parse_network_id(input, $label, &[$($key),+])?.into_iter();
                Ok(Self {
                    subscription_id: v.next().unwrap_or_default(),
                    resource_group: v.next().unwrap_or_default(),
                    $($field: v.next().unwrap_or_default()),+
                })
            }

            /// The ARM path (the ID in canonical casing), for request URLs and state.
            pub fn path(&self) -> String {
                network_path(&self.subscription_id, &self.resource_group, &[$(($key, &self.$field)),+])
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt_human(f, $label, &self.resource_group, &[$(($flabel, &self.$field)),+])
            }
        }

        impl FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

network_id!(
    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}`
    VirtualNetworkId, "Virtual Network", [name: "virtualNetworks" => "Virtual Network"]
);
network_id!(
    /// `.../providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}`
    SubnetId, "Subnet", [
        virtual_network_name: "virtualNetworks" => "Virtual Network",
        name: "subnets" => "Subnet"
    ]
);
network_id!(
    /// `.../providers/Microsoft.Network/privateEndpoints/{name}`
    PrivateEndpointId, "Private Endpoint", [name: "privateEndpoints" => "Private Endpoint"]
);
network_id!(
    /// `.../providers/Microsoft.Network/privateLinkServices/{name}` (the service a connection
    /// targets; Azure may name it this way instead of by alias)
    PrivateLinkServiceId, "Private Link Service", [name: "privateLinkServices" => "Private Link Service"]
);
network_id!(
    /// `.../providers/Microsoft.Network/networkInterfaces/{name}`
    NetworkInterfaceId, "Network Interface", [name: "networkInterfaces" => "Network Interface"]
);
network_id!(
    /// `.../providers/Microsoft.Network/privateDnsZones/{zone}`
    PrivateDnsZoneId, "Private DNS Zone", [zone_name: "privateDnsZones" => "Private DNS Zone"]
);
network_id!(
    /// `.../providers/Microsoft.Network/privateDnsZones/{zone}/virtualNetworkLinks/{name}`
    VirtualNetworkLinkId, "Virtual Network Link", [
        zone_name: "privateDnsZones" => "Private DNS Zone",
        name: "virtualNetworkLinks" => "Virtual Network Link"
    ]
);
network_id!(
    /// `.../providers/Microsoft.Network/privateDnsZones/{zone}/A/{name}`
    ARecordId, "Private DNS A Record", [
        zone_name: "privateDnsZones" => "Private DNS Zone",
        name: "A" => "A Record"
    ]
);

network_id!(
    /// `.../providers/Microsoft.Network/applicationSecurityGroups/{name}` (an ASG a private
    /// endpoint joins)
    ApplicationSecurityGroupId, "Application Security Group", [name: "applicationSecurityGroups" => "Application Security Group"]
);

network_id!(
    /// `.../providers/Microsoft.Network/networkSecurityGroups/{name}`
    NetworkSecurityGroupId, "Network Security Group", [name: "networkSecurityGroups" => "Network Security Group"]
);

impl SubnetId {
    /// The virtual network that holds this subnet.
    pub fn virtual_network(&self) -> VirtualNetworkId {
        VirtualNetworkId::new(
            &self.subscription_id,
            &self.resource_group,
            &self.virtual_network_name,
        )
    }
}

impl VirtualNetworkLinkId {
    /// The zone this link belongs to.
    pub fn zone(&self) -> PrivateDnsZoneId {
        PrivateDnsZoneId::new(&self.subscription_id, &self.resource_group, &self.zone_name)
    }
}

impl ARecordId {
    /// The zone this record belongs to.
    pub fn zone(&self) -> PrivateDnsZoneId {
        PrivateDnsZoneId::new(&self.subscription_id, &self.resource_group, &self.zone_name)
    }
}

impl PrivateDnsZoneId {
    /// The ID of a virtual network link in this zone.
    pub fn link(&self, name: impl Into<String>) -> VirtualNetworkLinkId {
        VirtualNetworkLinkId::new(
            &self.subscription_id,
            &self.resource_group,
            &self.zone_name,
            name,
        )
    }

    /// The ID of an A record set in this zone.
    pub fn a_record(&self, name: impl Into<String>) -> ARecordId {
        ARecordId::new(
            &self.subscription_id,
            &self.resource_group,
            &self.zone_name,
            name,
        )
    }
}

/// A validated resource group name (Azure: 1-90 characters; letters, digits, `_`, `-`, `.`,
/// `(`, `)`; must not end with `.`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceGroupName(String);

impl ResourceGroupName {
    /// Longest name Azure accepts.
    pub const MAX_LEN: usize = 90;

    /// Validates a name against Azure's rules.
    pub fn parse(name: &str) -> Result<Self, IdError> {
        let bad = |problem| IdError::InvalidResourceGroupName {
            name: name.to_string(),
            problem,
        };
        if name.is_empty() {
            return Err(bad("it is empty"));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(bad("it is longer than 90 characters"));
        }
        if name.ends_with('.') {
            return Err(bad("it must not end with a period"));
        }
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
        {
            return Err(bad(
                "only letters, digits, underscores, hyphens, periods and parentheses are allowed",
            ));
        }
        Ok(Self(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceGroupName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests;
