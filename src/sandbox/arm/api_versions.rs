//! The api-versions the sandbox accepts, per family of resource types, in one table that says
//! where each list came from. A well-formed version outside its list is refused as ARM refuses
//! it (400 `NoRegisteredProviderFound`).

/// One family's accepted versions and their source.
#[derive(Debug, Clone, Copy)]
pub struct Versions {
    /// Family name used in messages.
    pub family: &'static str,
    /// Accepted versions, oldest first.
    pub versions: &'static [&'static str],
    /// Where the list came from.
    pub source: &'static str,
}

/// Microsoft.Network: private endpoints, NICs, VNets, subnets, peerings, NSGs, PLS,
/// application security groups, network operations.
pub const NETWORK: Versions = Versions {
    family: "Microsoft.Network",
    versions: &[
        "2024-05-01",
        "2024-07-01",
        "2024-10-01",
        "2025-01-01",
        "2025-03-01",
        "2025-05-01",
        "2025-07-01",
        "2026-03-01",
    ],
    source: "azure-rest-api-specs specification/network/resource-manager/Microsoft.Network/stable/\
             <version>/privateEndpoint.json (2024-05-01 through 2025-07-01); 2026-03-01 is the \
             default api-version of azure-mgmt-network 33.1.0 (every operation the sandbox \
             serves is sent with it), generated from the network definitions' 2026-03-01 stable tag",
};

/// Private DNS zones, virtual network links, record sets, DNS operations.
pub const PRIVATE_DNS: Versions = Versions {
    family: "Microsoft.Network/privateDnsZones",
    versions: &["2020-06-01", "2024-06-01"],
    source: "azure-rest-api-specs specification/privatedns/resource-manager/Microsoft.Network/\
             stable/{2020-06-01,2024-06-01}/privatedns.json; 2024-06-01 is the default of \
             azure-mgmt-privatedns 2.0.0",
};

/// Microsoft.Resources resource groups.
pub const RESOURCES: Versions = Versions {
    family: "Microsoft.Resources/resourceGroups",
    versions: &["2021-04-01", "2022-09-01", "2024-03-01"],
    source: "azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/\
             stable/<version>/resources.json",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_unique_and_dated() {
        for table in [NETWORK, PRIVATE_DNS, RESOURCES] {
            let mut sorted = table.versions.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted, table.versions, "{}", table.family);
            assert!(
                table.versions.iter().all(|v| v.len() == 10),
                "{}",
                table.family
            );
        }
    }
}
