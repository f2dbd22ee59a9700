//! Small IPv4/IPv6 address and CIDR arithmetic, read the way kubeadm reads
//! them (Go's `net.ParseIP`/`net.ParseCIDR` in their "sloppy" form, which
//! accepts leading zeros in IPv4 octets as decimal).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An IP address of either family. IPv4-mapped IPv6 addresses
/// (`::ffff:10.0.0.1`) are IPv4, as in Go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addr {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

impl Addr {
    pub fn is_v6(self) -> bool {
        matches!(self, Addr::V6(_))
    }

    /// Address width in bits.
    pub fn bits(self) -> u32 {
        if self.is_v6() { 128 } else { 32 }
    }

    pub fn to_u128(self) -> u128 {
        match self {
            Addr::V4(a) => u128::from(u32::from(a)),
            Addr::V6(a) => u128::from(a),
        }
    }

    fn from_u128(v: u128, v6: bool) -> Addr {
        if v6 {
            Addr::V6(Ipv6Addr::from(v))
        } else {
            Addr::V4(Ipv4Addr::from(v as u32))
        }
    }

    /// Link-local addresses (169.254.0.0/16, fe80::/10), where node-local
    /// DNS caches listen.
    pub fn is_link_local(self) -> bool {
        match self {
            Addr::V4(a) => a.is_link_local(),
            Addr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
        }
    }

    /// The unspecified address (`0.0.0.0`, `::`): "pick one for me".
    pub fn is_unspecified(self) -> bool {
        match self {
            Addr::V4(a) => a.is_unspecified(),
            Addr::V6(a) => a.is_unspecified(),
        }
    }

    pub fn family(self) -> &'static str {
        if self.is_v6() { "IPv6" } else { "IPv4" }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::V4(a) => a.fmt(f),
            Addr::V6(a) => a.fmt(f),
        }
    }
}

fn parse_v4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// Parses an IP address as kubeadm does; `None` if it is not one.
pub fn parse_ip(s: &str) -> Option<Addr> {
    if let Some(a) = parse_v4(s) {
        return Some(Addr::V4(a));
    }
    if !s.contains(':') {
        return None;
    }
    // Go accepts an embedded IPv4 part with leading zeros too; std does not.
    let a: Ipv6Addr = match s.rsplit_once(':') {
        Some((head, tail)) if tail.contains('.') => {
            let v4 = parse_v4(tail)?;
            format!("{head}:{v4}").parse().ok()?
        }
        _ => s.parse().ok()?,
    };
    Some(match a.to_ipv4_mapped() {
        Some(v4) => Addr::V4(v4),
        None => Addr::V6(a),
    })
}

/// A subnet as written: the address (host bits possibly set) and the
/// prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: Addr,
    pub prefix: u32,
}

/// Why a string is not a CIDR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CidrError {
    Empty,
    Whitespace,
    NoPrefix,
    BadAddress(String),
    BadPrefix { prefix: String, max: u32 },
}

impl fmt::Display for CidrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CidrError::Empty => f.write_str("it is empty"),
            CidrError::Whitespace => f.write_str("it contains spaces, which kubeadm does not strip"),
            CidrError::NoPrefix => f.write_str("it has no `/prefix-length` (a single address is not a subnet)"),
            CidrError::BadAddress(a) => write!(f, "`{a}` is not an IP address"),
            CidrError::BadPrefix { prefix, max } => {
                write!(f, "the prefix length `{prefix}` is not a number from 0 to {max}")
            }
        }
    }
}

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        if s.is_empty() {
            return Err(CidrError::Empty);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(CidrError::Whitespace);
        }
        let (addr, prefix) = s.split_once('/').ok_or(CidrError::NoPrefix)?;
        let a = parse_ip(addr).ok_or_else(|| CidrError::BadAddress(addr.to_string()))?;
        // A CIDR written with an IPv4-mapped IPv6 address is out of scope:
        // treat the family by how it was written.
        let a = match a {
            Addr::V4(v4) if addr.contains(':') => Addr::V6(v4.to_ipv6_mapped()),
            other => other,
        };
        let max = a.bits();
        let bad = || CidrError::BadPrefix {
            prefix: prefix.to_string(),
            max,
        };
        if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let p: u32 = prefix.parse().map_err(|_| bad())?;
        if p > max {
            return Err(bad());
        }
        Ok(Cidr { addr: a, prefix: p })
    }

    pub fn is_v6(&self) -> bool {
        self.addr.is_v6()
    }

    /// Number of host bits.
    pub fn host_bits(&self) -> u32 {
        self.addr.bits() - self.prefix
    }

    fn mask(&self) -> u128 {
        let width_mask = if self.is_v6() { u128::MAX } else { u128::from(u32::MAX) };
        let host = self.host_bits();
        let host_mask = if host >= 128 { u128::MAX } else { (1u128 << host) - 1 };
        width_mask & !host_mask
    }

    /// The network address (host bits cleared).
    pub fn network(&self) -> Addr {
        Addr::from_u128(self.addr.to_u128() & self.mask(), self.is_v6())
    }

    pub fn has_host_bits(&self) -> bool {
        self.network() != self.addr
    }

    /// `network/prefix`.
    pub fn canonical(&self) -> String {
        format!("{}/{}", self.network(), self.prefix)
    }

    /// Number of addresses in the subnet (saturating for an IPv6 /0).
    pub fn size(&self) -> u128 {
        let host = self.host_bits();
        if host >= 128 { u128::MAX } else { 1u128 << host }
    }

    /// The address `index` places after the network address, if the subnet
    /// holds it (kubeadm's `GetIndexedIP`: 1 is the API server's Service,
    /// 10 the DNS Service).
    pub fn nth(&self, index: u128) -> Option<Addr> {
        let host = self.host_bits();
        if host < 128 && index >= (1u128 << host) {
            return None;
        }
        let v = self.network().to_u128().checked_add(index)?;
        Some(Addr::from_u128(v, self.is_v6()))
    }

    pub fn contains(&self, a: Addr) -> bool {
        a.is_v6() == self.is_v6() && (a.to_u128() & self.mask()) == self.network().to_u128()
    }

    /// Whether two subnets share an address (same family only).
    pub fn overlaps(&self, other: &Cidr) -> bool {
        if self.is_v6() != other.is_v6() {
            return false;
        }
        let wider = if self.prefix <= other.prefix { self } else { other };
        let mask = wider.mask();
        (self.addr.to_u128() & mask) == (other.addr.to_u128() & mask)
    }
}

/// Splits a comma-separated list of subnets (dual-stack), keeping each
/// part's byte range in the string.
pub fn split_list(s: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in s.split(',') {
        out.push((start, start + part.len(), part));
        start += part.len() + 1;
    }
    out
}

/// kubeadm's default service subnet (every config API version).
pub const DEFAULT_SERVICE_SUBNET: &str = "10.96.0.0/12";

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        Cidr::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_addresses_like_go() {
        assert_eq!(parse_ip("10.96.0.10"), Some(Addr::V4(Ipv4Addr::new(10, 96, 0, 10))));
        assert_eq!(
            parse_ip("010.096.000.010"),
            Some(Addr::V4(Ipv4Addr::new(10, 96, 0, 10)))
        );
        assert_eq!(parse_ip("::ffff:10.0.0.1"), Some(Addr::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert!(parse_ip("fd00::a").is_some_and(Addr::is_v6));
        assert_eq!(parse_ip("256.0.0.1"), None);
        assert_eq!(parse_ip("10.0.0"), None);
        assert_eq!(parse_ip("master-1"), None);
        assert_eq!(parse_ip("fd00::1%eth0"), None);
        assert!(parse_ip("169.254.20.10").is_some_and(Addr::is_link_local));
        assert!(parse_ip("fe80::1").is_some_and(Addr::is_link_local));
        assert!(!parse_ip("fd00::1").is_some_and(Addr::is_link_local));
    }

    #[test]
    fn cidr_errors() {
        assert_eq!(Cidr::parse("10.96.0.0"), Err(CidrError::NoPrefix));
        assert_eq!(Cidr::parse(" 10.96.0.0/12"), Err(CidrError::Whitespace));
        assert_eq!(Cidr::parse(""), Err(CidrError::Empty));
        assert!(matches!(
            Cidr::parse("10.96.0.0/33"),
            Err(CidrError::BadPrefix { max: 32, .. })
        ));
        assert!(matches!(
            Cidr::parse("fd00::/129"),
            Err(CidrError::BadPrefix { max: 128, .. })
        ));
        assert!(matches!(Cidr::parse("10.96.0.0/-1"), Err(CidrError::BadPrefix { .. })));
        assert!(matches!(Cidr::parse("10.960.0.0/12"), Err(CidrError::BadAddress(_))));
    }

    #[test]
    fn networks_and_host_bits() {
        let x = c("10.96.0.1/12");
        assert!(x.has_host_bits());
        assert_eq!(x.canonical(), "10.96.0.0/12");
        assert!(!c("10.96.0.0/12").has_host_bits());
        assert_eq!(c("fd00:10:96::1/112").canonical(), "fd00:10:96::/112");
        assert_eq!(c("0.0.0.0/0").canonical(), "0.0.0.0/0");
        assert_eq!(c("::/0").canonical(), "::/0");
    }

    #[test]
    fn indexed_addresses() {
        assert_eq!(
            c("10.96.0.0/12").nth(10).map(|a| a.to_string()),
            Some("10.96.0.10".into())
        );
        assert_eq!(
            c("10.100.0.0/16").nth(1).map(|a| a.to_string()),
            Some("10.100.0.1".into())
        );
        // The network address is used even when host bits are written.
        assert_eq!(
            c("10.96.5.7/12").nth(10).map(|a| a.to_string()),
            Some("10.96.0.10".into())
        );
        assert_eq!(
            c("fd00:10:96::/112").nth(10).map(|a| a.to_string()),
            Some("fd00:10:96::a".into())
        );
        assert_eq!(c("10.0.0.0/29").nth(10), None);
        assert!(c("10.0.0.0/28").nth(10).is_some());
        assert_eq!(c("10.0.0.0/32").nth(1), None);
        assert!(c("::/0").nth(10).is_some());
    }

    #[test]
    fn sizes() {
        assert_eq!(c("10.96.0.0/12").size(), 1 << 20);
        assert_eq!(c("10.0.0.0/28").size(), 16);
        assert_eq!(c("10.0.0.0/32").size(), 1);
        assert_eq!(c("fd00::/64").size(), 1 << 64);
        assert_eq!(c("::/0").size(), u128::MAX);
        assert_eq!(c("fd00::/108").host_bits(), 20);
    }

    #[test]
    fn containment_and_overlap() {
        let svc = c("10.96.0.0/12");
        assert!(svc.contains(Addr::V4(Ipv4Addr::new(10, 100, 3, 4))));
        assert!(!svc.contains(Addr::V4(Ipv4Addr::new(10, 112, 0, 0))));
        assert!(c("10.0.0.0/8").overlaps(&svc));
        assert!(svc.overlaps(&c("10.0.0.0/8")));
        assert!(!c("10.244.0.0/16").overlaps(&svc));
        assert!(c("10.111.0.0/16").overlaps(&svc));
        assert!(!c("10.112.0.0/16").overlaps(&svc));
        assert!(!c("fd00::/8").overlaps(&svc));
        assert!(c("fd00::/8").overlaps(&c("fd00:10:96::/112")));
    }

    #[test]
    fn lists_keep_positions() {
        let s = "10.96.0.0/12,fd00::/108";
        let parts = split_list(s);
        assert_eq!(parts.len(), 2);
        assert_eq!(&s[parts[1].0..parts[1].1], "fd00::/108");
    }
}
