//! Named states of the unit that its stored attributes carry: who owns the zone (undecided
//! right after an import) and whether the A record exists, so the CRUD code matches on
//! variants instead of testing for null or empty values.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Who owns the private DNS zone: `manage_zone` as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZoneOwnership {
    /// Just imported: ownership is not recorded in Azure, so the configuration decides on
    /// the next apply, in place (stored as null; the default, managing the zone, applies).
    #[default]
    Undecided,
    /// The unit creates and deletes the zone (`manage_zone = true`).
    Managed,
    /// The zone belongs to someone else; only the record and links are the unit's.
    Unmanaged,
}

impl ZoneOwnership {
    /// True unless the zone belongs to someone else.
    pub fn manages_zone(self) -> bool {
        self != ZoneOwnership::Unmanaged
    }
}

impl Serialize for ZoneOwnership {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ZoneOwnership::Undecided => None::<bool>,
            ZoneOwnership::Managed => Some(true),
            ZoneOwnership::Unmanaged => Some(false),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ZoneOwnership {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<bool>::deserialize(d)? {
            None => ZoneOwnership::Undecided,
            Some(true) => ZoneOwnership::Managed,
            Some(false) => ZoneOwnership::Unmanaged,
        })
    }
}

/// What the A record holds: `ip_address` as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RecordTarget {
    /// No A record in Azure: deleted outside Terraform, or a create stopped before writing
    /// it. Stored as `""`, which no configuration can hold (the address is checked as IPv4),
    /// so the next plan differs and the apply writes the record.
    #[default]
    Missing,
    /// The record's address (several addresses, drift, are kept comma-separated).
    Address(String),
}

impl RecordTarget {
    /// The address, `""` when the record is missing.
    pub fn as_str(&self) -> &str {
        match self {
            RecordTarget::Missing => "",
            RecordTarget::Address(a) => a,
        }
    }
}

impl From<&str> for RecordTarget {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            RecordTarget::Missing
        } else {
            RecordTarget::Address(s.to_string())
        }
    }
}

impl Serialize for RecordTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_str().serialize(s)
    }
}

impl<'de> Deserialize<'de> for RecordTarget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RecordTarget::from(String::deserialize(d)?.as_str()))
    }
}
