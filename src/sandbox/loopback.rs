//! Loopback services for a seed with `loopback` set, so that the in-network probe of
//! `astro_private_link_check` can be proven on one machine:
//!
//! * a DNS server on `127.0.0.1:<dns_port>` (UDP, A queries) answering as Azure-provided
//!   DNS does inside the first seeded VNet: from the private zones linked to that VNet
//!   ([`super::verify`]'s resolution), NXDOMAIN otherwise;
//! * Astro's Remote Execution API imitated on TCP 443 of the first addresses Azure hands out
//!   (`.4` to `.7`) of every seeded subnet inside 127.0.0.0/8 (all of which is loopback on
//!   Linux): TLS with a `*.external.astronomer.run` certificate from the sandbox's CA, then
//!   `404 page not found` to any request, but only while an Approved private endpoint holds
//!   that address; otherwise the connection is closed (real Azure drops the packets, so a
//!   client times out instead).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{RData, Record, RecordType};
use rustls::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::SandboxError;
use super::network::{ip, network_interfaces, private_link_services};
use super::seed::Seed;
use super::state::{Kind, Shared, World};

/// Port of the imitated Remote Execution API (what the probe calls).
pub const HTTPS_PORT: u16 = 443;
/// Go's `http.NotFound` answer, which Astro's API gives on `/`.
const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n";

/// The bound sockets, ready to serve.
#[derive(Debug)]
pub struct Loopback {
    dns: std::net::UdpSocket,
    https: Vec<std::net::TcpListener>,
    vnet_id: String,
}

/// Binds the services the seed asks for; `None` when it asks for none.
pub fn bind(seed: &Seed) -> Result<Option<Loopback>, SandboxError> {
    let Some(cfg) = &seed.loopback else {
        return Ok(None);
    };
    let dns = std::net::UdpSocket::bind(("127.0.0.1", cfg.dns_port))
        .and_then(|s| s.set_nonblocking(true).map(|()| s))
        .map_err(|source| SandboxError::Bind {
            port: cfg.dns_port,
            source,
        })?;
    let mut https = Vec::new();
    for sub in &seed.subscriptions {
        for rg in &sub.resource_groups {
            for vnet in &rg.virtual_networks {
                for subnet in &vnet.subnets {
                    let Some(net) = ip::parse_cidr(&subnet.address_prefix) else {
                        continue;
                    };
                    if net.network().octets()[0] != 127 {
                        continue;
                    }
                    for addr in ip::assignable(net).take(4) {
                        let l = std::net::TcpListener::bind((addr, HTTPS_PORT))
                            .and_then(|l| l.set_nonblocking(true).map(|()| l))
                            .map_err(|source| SandboxError::Bind {
                                port: HTTPS_PORT,
                                source: std::io::Error::new(
                                    source.kind(),
                                    format!("{addr}:{HTTPS_PORT} for the loopback Astro imitation (binding port 443 needs root or CAP_NET_BIND_SERVICE): {source}"),
                                ),
                            })?;
                        https.push(l);
                    }
                }
            }
        }
    }
    let (_, _, _, vnet_id) = super::seeded_world::advertised_ids(seed);
    Ok(Some(Loopback {
        dns,
        https,
        vnet_id,
    }))
}

impl Loopback {
    /// Where the DNS server listens.
    pub fn dns_addr(&self) -> Option<SocketAddr> {
        self.dns.local_addr().ok()
    }

    /// Serves until the runtime stops.
    pub fn spawn(self, shared: Arc<Shared>, tls: Arc<ServerConfig>) {
        match tokio::net::UdpSocket::from_std(self.dns) {
            Ok(sock) => {
                tokio::spawn(dns_server(sock, shared.clone(), self.vnet_id));
            }
            Err(e) => tracing::error!(error = %e, "loopback DNS could not register its socket"),
        }
        let acceptor = tokio_rustls::TlsAcceptor::from(tls);
        for l in self.https {
            match tokio::net::TcpListener::from_std(l) {
                Ok(l) => {
                    tokio::spawn(astro_api(l, shared.clone(), acceptor.clone()));
                }
                Err(e) => tracing::error!(error = %e, "loopback HTTPS could not register"),
            }
        }
    }
}

/// The question of a query: (name without the final dot, type); `None` unless the message
/// is a query with exactly one question.
fn question(query: &Message) -> Option<(String, RecordType)> {
    match (query.metadata.message_type, query.queries.as_slice()) {
        (MessageType::Query, [q]) => {
            let name = q.name().to_ascii();
            Some((name.trim_end_matches('.').to_string(), q.query_type()))
        }
        _ => None,
    }
}

/// The answer to `query` given the address the name resolves to, if any: authoritative, with
/// the A record (TTL 10 s) when the question asks for one, NXDOMAIN when nothing resolves.
pub fn answer(query: &Message, resolved: Option<Ipv4Addr>) -> Option<Vec<u8>> {
    let (_, qtype) = question(query)?;
    let mut out = Message::response(query.metadata.id, query.metadata.op_code);
    out.metadata.authoritative = true;
    out.metadata.recursion_desired = query.metadata.recursion_desired;
    out.metadata.recursion_available = true;
    out.metadata.response_code = match resolved {
        Some(_) => ResponseCode::NoError,
        None => ResponseCode::NXDomain,
    };
    out.add_query(query.queries[0].clone());
    if let (Some(ip), RecordType::A) = (resolved, qtype) {
        let name = query.queries[0].name().clone();
        out.add_answer(Record::from_rdata(name, 10, RData::A(A(ip))));
    }
    out.to_vec().ok()
}

async fn dns_server(sock: tokio::net::UdpSocket, shared: Arc<Shared>, vnet_id: String) {
    let mut buf = [0u8; 1500];
    loop {
        let Ok((n, from)) = sock.recv_from(&mut buf).await else {
            continue;
        };
        let Ok(query) = Message::from_vec(&buf[..n]) else {
            continue;
        };
        let Some((name, _)) = question(&query) else {
            continue;
        };
        let resolved = {
            let inner = shared.lock();
            super::verify::verify(&inner.world, &vnet_id, &name)
                .ok()
                .and_then(|v| v.resolved)
                .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        };
        if let Some(reply) = answer(&query, resolved) {
            let _ = sock.send_to(&reply, from).await;
        }
    }
}

/// Whether an Approved private endpoint holds `addr`.
fn approved_at(world: &World, addr: Ipv4Addr) -> bool {
    let want = addr.to_string();
    world.of_kind(Kind::NetworkInterface).any(|nic| {
        network_interfaces::first_ip(&nic.body).as_deref() == Some(want.as_str())
            && nic.body["properties"]["privateEndpoint"]["id"]
                .as_str()
                .and_then(|pe| private_link_services::connection_of(world, pe))
                .and_then(|c| {
                    c.body["properties"]["privateLinkServiceConnectionState"]["status"].as_str()
                })
                == Some("Approved")
    })
}

async fn astro_api(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    acceptor: tokio_rustls::TlsAcceptor,
) {
    let Ok(SocketAddr::V4(local)) = listener.local_addr() else {
        return;
    };
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        if !approved_at(&shared.lock().world, *local.ip()) {
            drop(tcp);
            continue;
        }
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let Ok(Ok(mut tls)) =
                tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
            else {
                return;
            };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
                match tokio::time::timeout(Duration::from_secs(10), tls.read(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
                    _ => return,
                }
            }
            let _ = tls.write_all(NOT_FOUND).await;
            let _ = tls.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u8) -> Vec<u8> {
        let mut q = vec![0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            q.push(l.len() as u8);
            q.extend_from_slice(l.as_bytes());
        }
        q.extend_from_slice(&[0, 0, qtype, 0, 1]);
        q
    }

    #[test]
    fn a_queries_get_an_answer_or_nxdomain() {
        let q = query("clx.external.astronomer.run", 1);
        let parsed = Message::from_vec(&q).expect("parses");
        assert_eq!(
            question(&parsed),
            Some(("clx.external.astronomer.run".to_string(), RecordType::A))
        );
        let a = answer(&parsed, Some(Ipv4Addr::new(127, 77, 1, 4))).expect("answer");
        assert_eq!(&a[..2], &[0xAB, 0xCD]);
        assert_eq!(a[3] & 0x0F, 0);
        assert_eq!(&a[6..8], &[0, 1]);
        assert_eq!(&a[a.len() - 4..], &[127, 77, 1, 4]);
        let nx = answer(&parsed, None).expect("nx");
        assert_eq!(nx[3] & 0x0F, 3);
        assert_eq!(&nx[6..8], &[0, 0]);
        let aaaa = answer(
            &Message::from_vec(&query("clx.external.astronomer.run", 28)).expect("parses"),
            Some(Ipv4Addr::LOCALHOST),
        )
        .expect("aaaa");
        assert_eq!(&aaaa[6..8], &[0, 0], "no A record in an AAAA answer");
    }
}
