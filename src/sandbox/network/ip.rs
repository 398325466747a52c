//! IPv4 prefix arithmetic for allocating private endpoint addresses from a subnet.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Parses `a.b.c.d/len` into its network (host bits cleared).
pub fn parse_cidr(cidr: &str) -> Option<Ipv4Net> {
    cidr.parse::<Ipv4Net>().ok().map(|net| net.trunc())
}

/// The addresses of `net` an endpoint may take: from `.4` up to the one before the last (Azure
/// reserves the first four and the last; `hosts` already leaves out the network address and
/// the last). None for prefixes longer than /29.
pub fn assignable(net: Ipv4Net) -> impl Iterator<Item = Ipv4Addr> {
    net.hosts().skip(3)
}

/// The first assignable address of the prefix that is not in `used`.
pub fn next_free(cidr: &str, used: &[String]) -> Option<String> {
    assignable(parse_cidr(cidr)?)
        .map(|a| a.to_string())
        .find(|candidate| !used.contains(candidate))
}

/// True if `ip` lies in `cidr`.
pub fn contains(cidr: &str, ip: &str) -> bool {
    match (parse_cidr(cidr), ip.parse::<Ipv4Addr>()) {
        (Some(net), Ok(ip)) => net.contains(&ip),
        _ => false,
    }
}

/// True if `ip` is one of the addresses Azure reserves in `cidr`: the first four (network,
/// gateway, two for DNS) and the last (broadcast).
pub fn is_reserved(cidr: &str, ip: &str) -> bool {
    match (parse_cidr(cidr), ip.parse::<Ipv4Addr>()) {
        (Some(net), Ok(ip)) => {
            net.contains(&ip)
                && (u32::from(ip) - u32::from(net.network()) < 4 || ip == net.broadcast())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_starts_at_four_and_skips_used() {
        assert_eq!(next_free("10.10.1.0/24", &[]).as_deref(), Some("10.10.1.4"));
        let used = vec!["10.10.1.4".to_string(), "10.10.1.5".to_string()];
        assert_eq!(
            next_free("10.10.1.0/24", &used).as_deref(),
            Some("10.10.1.6")
        );
        let full: Vec<String> = (4..7).map(|i| format!("10.0.0.{i}")).collect();
        assert_eq!(next_free("10.0.0.0/29", &full), None);
        assert!(contains("10.10.1.0/24", "10.10.1.200"));
        assert!(!contains("10.10.1.0/24", "10.10.2.1"));
        assert_eq!(parse_cidr("10.10.1.7/24"), "10.10.1.0/24".parse().ok());
        assert_eq!(parse_cidr("nope"), None);
        assert!(is_reserved("10.10.1.0/24", "10.10.1.3"));
        assert!(is_reserved("10.10.1.0/24", "10.10.1.255"));
        assert!(!is_reserved("10.10.1.0/24", "10.10.1.4"));
    }
}
