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
    let fail = |problem: String| IdError::Malformed {
        kind,
        input: input.to_string(),
        problem,
        expected: expected.clone(),
    };
    let Some(rest) = input.strip_prefix('/') else {
        return Err(fail("it must start with \"/\"".into()));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let mut wanted: Vec<(&str, Option<&str>)> = vec![
        ("subscriptions", None),
        ("resourceGroups", None),
        ("providers", Some(PROVIDER)),
    ];
    wanted.extend(keys.iter().map(|k| (*k, None)));
    if segments.len() > wanted.len() * 2 {
        return Err(fail(format!(
            "unexpected extra segments after \"{}\"",
            segments[..wanted.len() * 2].join("/")
        )));
    }
    let mut values = Vec::with_capacity(keys.len() + 2);
    for (i, (key, fixed)) in wanted.iter().enumerate() {
        let got_key = segments.get(i * 2).copied().unwrap_or("");
        if !got_key.eq_ignore_ascii_case(key) {
            return Err(fail(if got_key.is_empty() {
                format!("the segment \"{key}\" is missing")
            } else {
                format!("found \"{got_key}\" where \"{key}\" was expected")
            }));
        }
        let value = segments.get(i * 2 + 1).copied().unwrap_or("");
        if value.is_empty() {
            return Err(fail(format!("the value for \"{key}\" is missing")));
        }
        match fixed {
            Some(f) if !value.eq_ignore_ascii_case(f) => {
                return Err(fail(format!(
                    "found provider \"{value}\" where \"{f}\" was expected"
                )));
            }
            Some(_) => {}
            None => values.push(value.to_string()),
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
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/12345678-1234-9876-4563-123456789012";

    fn check<T: std::fmt::Debug>(
        parse: fn(&str) -> Result<T, IdError>,
        cases: &[(&str, &str, bool)],
    ) {
        for (name, input, ok) in cases {
            let got = parse(input);
            assert_eq!(got.is_ok(), *ok, "case {name}: {input:?} gave {got:?}");
        }
    }

    #[test]
    fn private_endpoint_id_table() {
        check(
            PrivateEndpointId::parse,
            &[
                ("empty", "", false),
                (
                    "no leading slash",
                    "subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
                    false,
                ),
                ("missing subscription value", "/subscriptions/", false),
                ("subscription only", SUB, false),
                (
                    "missing resource group value",
                    &format!("{SUB}/resourceGroups/"),
                    false,
                ),
                (
                    "missing providers",
                    &format!("{SUB}/resourceGroups/rg"),
                    false,
                ),
                (
                    "missing provider value",
                    &format!("{SUB}/resourceGroups/rg/providers/"),
                    false,
                ),
                (
                    "wrong provider",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Compute/privateEndpoints/pe"
                    ),
                    false,
                ),
                (
                    "missing type",
                    &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network"),
                    false,
                ),
                (
                    "missing name",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/"
                    ),
                    false,
                ),
                (
                    "wrong type",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe"
                    ),
                    false,
                ),
                (
                    "valid",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe"
                    ),
                    true,
                ),
                (
                    "keys in other casing",
                    &format!(
                        "{SUB}/resourcegroups/rg/providers/microsoft.network/PRIVATEENDPOINTS/pe"
                    ),
                    true,
                ),
                (
                    "extra segments",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/extra/x"
                    ),
                    false,
                ),
                (
                    "trailing slash",
                    &format!(
                        "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe/"
                    ),
                    false,
                ),
            ],
        );
    }

    #[test]
    fn values_keep_their_casing_and_path_is_canonical() {
        let id = PrivateEndpointId::parse(&format!(
            "{SUB}/resourcegroups/RG-Mixed/providers/microsoft.network/privateendpoints/PE1"
        ))
        .expect("valid id");
        assert_eq!(id.resource_group, "RG-Mixed");
        assert_eq!(id.name, "PE1");
        assert_eq!(
            id.path(),
            format!(
                "{SUB}/resourceGroups/RG-Mixed/providers/Microsoft.Network/privateEndpoints/PE1"
            )
        );
        assert_eq!(PrivateEndpointId::parse(&id.path()), Ok(id.clone()));
        assert_eq!(
            id.to_string(),
            r#"Private Endpoint "PE1" (Resource Group "RG-Mixed")"#
        );
    }

    #[test]
    fn subnet_id_table() {
        let base =
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet");
        check(
            SubnetId::parse,
            &[
                ("empty", "", false),
                ("vnet only", &base, false),
                ("missing subnet value", &format!("{base}/subnets/"), false),
                ("valid", &format!("{base}/subnets/agents"), true),
                ("extra", &format!("{base}/subnets/agents/x/y"), false),
            ],
        );
        let id = SubnetId::parse(&format!("{base}/subnets/agents")).expect("valid");
        assert_eq!(id.virtual_network().path(), base);
        assert_eq!(
            id.to_string(),
            r#"Subnet "agents" (Resource Group "rg" / Virtual Network "vnet")"#
        );
    }

    #[test]
    fn vnet_and_nic_ids() {
        let vnet =
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet");
        assert_eq!(
            VirtualNetworkId::parse(&vnet).map(|v| v.name),
            Ok("vnet".into())
        );
        assert!(VirtualNetworkId::parse(&format!("{vnet}/subnets/s")).is_err());
        let nic = format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe.nic.abcd"
        );
        assert_eq!(
            NetworkInterfaceId::parse(&nic).map(|n| n.name),
            Ok("pe.nic.abcd".into())
        );
        assert!(NetworkInterfaceId::parse(&vnet).is_err());
    }

    #[test]
    fn private_dns_ids() {
        let zone = format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/external.astronomer.run"
        );
        let zid = PrivateDnsZoneId::parse(&zone).expect("zone");
        assert_eq!(zid.zone_name, "external.astronomer.run");
        assert_eq!(
            zid.to_string(),
            r#"Private DNS Zone "external.astronomer.run" (Resource Group "rg")"#
        );

        let link = format!("{zone}/virtualNetworkLinks/agents");
        let lid = VirtualNetworkLinkId::parse(&link).expect("link");
        assert_eq!(lid.zone(), zid);
        assert_eq!(zid.link("agents"), lid);
        assert_eq!(lid.path(), link);
        assert!(VirtualNetworkLinkId::parse(&zone).is_err());
        assert!(VirtualNetworkLinkId::parse(&format!("{zone}/virtualNetworkLinks/")).is_err());

        let rec = format!("{zone}/A/clxxxxxxxxx");
        let rid = ARecordId::parse(&rec).expect("record");
        assert_eq!(rid.name, "clxxxxxxxxx");
        assert_eq!(zid.a_record("clxxxxxxxxx"), rid);
        assert!(
            ARecordId::parse(&format!("{zone}/a/clx")).is_ok(),
            "keys are case-insensitive"
        );
        assert!(ARecordId::parse(&format!("{zone}/AAAA/clx")).is_err());
        assert!(ARecordId::parse(&format!("{zone}/A")).is_err());
    }

    #[test]
    fn errors_say_what_is_missing() {
        let err = PrivateEndpointId::parse(&format!("{SUB}/resourceGroups/rg")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"providers\" is missing"), "{msg}");
        assert!(msg.contains("/privateEndpoints/{name}"), "{msg}");
        assert_eq!(
            PrivateEndpointId::parse(""),
            Err(IdError::Empty {
                kind: "Private Endpoint"
            })
        );
    }

    #[test]
    fn resource_group_names() {
        for ok in ["rg", "RG-astro_agents.(prod)", "Ünïcode", &"a".repeat(90)] {
            assert!(ResourceGroupName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "rg.", "rg/x", "rg#1", "has space", &"a".repeat(91)] {
            assert!(ResourceGroupName::parse(bad).is_err(), "{bad}");
        }
    }
}
