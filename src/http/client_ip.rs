//! The client's address: the TCP peer, or the first untrusted hop of `X-Forwarded-For` when the
//! peer is one of `GOGOTIME_TRUSTED_PROXIES` (anyone else could forge that header).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Walk the chain from the nearest hop; the first address we do not trust is the client.
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// Reads the peer from axum's connect info (absent in `oneshot` router tests).
pub fn peer(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The address `observe` resolved for this request, as text for the audit log and rate limits
/// (empty when nothing resolved one, as in `oneshot` router tests).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ClientIp>()
        .map(|ip| ip.0.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn untrusted_peers_cannot_claim_another_address() {
        let ip = resolve(
            "203.0.113.9".parse().unwrap(),
            &headers("1.2.3.4"),
            &["10.0.0.0/8".parse().unwrap()],
        );
        assert_eq!(ip.to_string(), "203.0.113.9");
    }

    #[test]
    fn trusted_proxy_chain_yields_the_first_untrusted_hop() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let ip = resolve(
            "10.0.0.2".parse().unwrap(),
            &headers("6.6.6.6, 198.51.100.7, 10.0.0.5"),
            &trusted,
        );
        assert_eq!(ip.to_string(), "198.51.100.7");
    }

    #[test]
    fn trusted_proxy_without_header_is_the_client() {
        let ip = resolve(
            "10.0.0.2".parse().unwrap(),
            &HeaderMap::new(),
            &["10.0.0.0/8".parse().unwrap()],
        );
        assert_eq!(ip.to_string(), "10.0.0.2");
    }
}
