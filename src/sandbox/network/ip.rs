//! IPv4 prefix arithmetic for allocating private endpoint addresses from a subnet.

use std::net::Ipv4Addr;

/// Parses `a.b.c.d/len` into (network address, prefix length).
pub fn parse_cidr(cidr: &str) -> Option<(u32, u8)> {
    let (addr, len) = cidr.split_once('/')?;
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((u32::from(addr) & mask, len))
}

/// The first address from `.4` of the prefix up (Azure reserves the first four and the last)
/// that is not in `used`.
pub fn next_free(cidr: &str, used: &[String]) -> Option<String> {
    let (network, len) = parse_cidr(cidr)?;
    if len > 29 {
        return None;
    }
    let size = 1u64 << (32 - len);
    (4..size - 1)
        .filter_map(|offset| u32::try_from(u64::from(network) + offset).ok())
        .map(|n| Ipv4Addr::from(n).to_string())
        .find(|candidate| !used.iter().any(|u| u == candidate))
}

/// True if `ip` lies in `cidr`.
pub fn contains(cidr: &str, ip: &str) -> bool {
    let (Some((network, len)), Ok(ip)) = (parse_cidr(cidr), ip.parse::<Ipv4Addr>()) else {
        return false;
    };
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & mask == network
}

/// True if `ip` is one of the addresses Azure reserves in `cidr`: the first four (network,
/// gateway, two for DNS) and the last (broadcast).
pub fn is_reserved(cidr: &str, ip: &str) -> bool {
    let (Some((network, len)), Ok(ip)) = (parse_cidr(cidr), ip.parse::<Ipv4Addr>()) else {
        return false;
    };
    let offset = u64::from(u32::from(ip).wrapping_sub(network));
    let size = 1u64 << (32 - u32::from(len));
    offset < 4 || offset == size - 1
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
        assert_eq!(parse_cidr("10.10.1.7/24"), Some((0x0a0a0100, 24)));
        assert_eq!(parse_cidr("nope"), None);
        assert!(is_reserved("10.10.1.0/24", "10.10.1.3"));
        assert!(is_reserved("10.10.1.0/24", "10.10.1.255"));
        assert!(!is_reserved("10.10.1.0/24", "10.10.1.4"));
    }
}
