//! The in-network probe of `astro_private_link_check`: Astronomer's verify step run from
//! where Terraform runs (a self-hosted runner inside the agents' network). It resolves
//! `<cluster-id>.<zone>` (through the given DNS servers, or the system resolver) expecting
//! exactly the endpoint's private IP, then sends `GET https://<cluster-id>.<zone>/` to that
//! address expecting Astro's `404 page not found`.
//!
//! The DNS query is a plain RFC 1035 A query over UDP (one question, recursion desired),
//! encoded and decoded by hickory-proto.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use tokio_util::sync::CancellationToken;

use super::{CheckResult, ProbeModel};
use crate::framework::duration;
use crate::framework::validators::StringCheck;

/// Default time for each step.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// What Astro's Remote Execution API answers on `/` (Go's standard not-found body).
const EXPECTED_BODY: &str = "404 page not found";

/// A `host:port` DNS server address.
pub fn host_port() -> StringCheck {
    StringCheck::new("a DNS server as host:port, e.g. 10.10.0.4:53", |s| {
        s.parse::<SocketAddr>()
            .map(|_| ())
            .map_err(|_| format!("{s:?} is not an IP address and port such as 10.10.0.4:53"))
    })
}

/// The DNS answer to one query.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// The A records.
    Addresses(Vec<Ipv4Addr>),
    /// NXDOMAIN.
    NoSuchName,
    /// Any other response code.
    Failed(ResponseCode),
}

/// Encodes an A query for `name` with `id` (recursion desired).
pub fn encode_query(id: u16, name: &str) -> Result<Vec<u8>, String> {
    let name =
        Name::from_ascii(name).map_err(|e| format!("{name:?} is not a valid DNS name: {e}"))?;
    let mut query = Message::new(id, MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(name, RecordType::A));
    query
        .to_vec()
        .map_err(|e| format!("encoding the DNS query: {e}"))
}

/// Decodes the response to the query with `id`.
pub fn decode_answer(id: u16, msg: &[u8]) -> Result<Answer, String> {
    let msg = Message::from_vec(msg).map_err(|e| format!("undecodable DNS response: {e}"))?;
    if msg.metadata.id != id || msg.metadata.message_type != MessageType::Response {
        return Err("DNS response does not answer our query".into());
    }
    Ok(match msg.metadata.response_code {
        ResponseCode::NoError => Answer::Addresses(
            msg.answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(a) => Some(a.0),
                    _ => None,
                })
                .collect(),
        ),
        ResponseCode::NXDomain => Answer::NoSuchName,
        other => Answer::Failed(other),
    })
}

async fn query(server: SocketAddr, name: &str, timeout: Duration) -> Result<Answer, String> {
    let id: u16 = rand::random();
    let packet = encode_query(id, name)?;
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0"
            .parse()
            .map_err(|_| "bind address".to_string())?
    } else {
        "[::]:0".parse().map_err(|_| "bind address".to_string())?
    };
    let sock = tokio::net::UdpSocket::bind(local)
        .await
        .map_err(|e| format!("opening a UDP socket: {e}"))?;
    sock.send_to(&packet, server)
        .await
        .map_err(|e| format!("sending to {server}: {e}"))?;
    let mut buf = [0u8; 1500];
    let work = async {
        loop {
            let (n, from) = sock
                .recv_from(&mut buf)
                .await
                .map_err(|e| format!("reading from {server}: {e}"))?;
            if from == server
                && let Ok(a) = decode_answer(id, &buf[..n])
            {
                return Ok(a);
            }
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| format!("no answer from {server} within {timeout:?}"))?
}

/// Resolves `fqdn` through `servers` (first that answers) or the system resolver.
async fn resolve(
    fqdn: &str,
    servers: &[String],
    timeout: Duration,
) -> (Result<Vec<Ipv4Addr>, String>, String) {
    if servers.is_empty() {
        let via = "the system resolver".to_string();
        let got = tokio::time::timeout(timeout, tokio::net::lookup_host((fqdn, 443)))
            .await
            .map_err(|_| format!("no answer within {timeout:?}"))
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map(|addrs| {
                addrs
                    .filter_map(|a| match a.ip() {
                        std::net::IpAddr::V4(v4) => Some(v4),
                        std::net::IpAddr::V6(_) => None,
                    })
                    .collect()
            });
        return (got, via);
    }
    let mut errors = Vec::new();
    for s in servers {
        let Ok(addr) = s.parse::<SocketAddr>() else {
            errors.push(format!("{s}: not host:port"));
            continue;
        };
        match query(addr, fqdn, timeout).await {
            Ok(Answer::Addresses(a)) => return (Ok(a), format!("DNS server {s}")),
            Ok(Answer::NoSuchName) => {
                return (
                    Err("NXDOMAIN (the server does not know the name)".into()),
                    format!("DNS server {s}"),
                );
            }
            Ok(Answer::Failed(code)) => {
                errors.push(format!("{s}: response code {} ({code})", u16::from(code)))
            }
            Err(e) => errors.push(format!("{s}: {e}")),
        }
    }
    (
        Err(errors.join("; ")),
        format!("DNS servers {}", servers.join(", ")),
    )
}

/// Runs the probe; returns `resolves_to_private_ip` and `https_answers_404`.
pub async fn run(
    probe: &ProbeModel,
    fqdn: &str,
    ip: Option<&str>,
    cancel: &CancellationToken,
) -> Vec<CheckResult> {
    let timeout = probe
        .timeout
        .as_deref()
        .and_then(|t| duration::parse(t).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_TIMEOUT);
    let servers = probe.dns_servers.clone().unwrap_or_default();
    let (resolved, via) = tokio::select! {
        r = resolve(fqdn, &servers, timeout) => r,
        _ = cancel.cancelled() => (Err("interrupted".into()), "nothing".into()),
    };
    let expected = ip.unwrap_or_default();
    let dns = match &resolved {
        Ok(addrs) if addrs.len() == 1 && addrs[0].to_string() == expected => CheckResult {
            name: "resolves_to_private_ip".into(),
            ok: true,
            detail: format!("{fqdn} resolves to {expected} through {via}"),
            fix: String::new(),
        },
        Ok(addrs) => CheckResult {
            name: "resolves_to_private_ip".into(),
            ok: false,
            detail: format!(
                "{fqdn} resolves to {} through {via}; the endpoint's private IP is {expected}",
                if addrs.is_empty() { "nothing".to_string() } else { addrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") }
            ),
            fix: "The resolver this run uses does not answer from the private zone: see agent_vnets_resolve_zone and record_points_at_endpoint, and run the probe where the agents run (with their DNS servers).".into(),
        },
        Err(e) => CheckResult {
            name: "resolves_to_private_ip".into(),
            ok: false,
            detail: format!("{fqdn} did not resolve through {via}: {e}"),
            fix: "The resolver this run uses does not answer from the private zone: link the zone to the VNet this runs in, or forward the zone to 168.63.129.16 from a linked VNet (see agent_vnets_resolve_zone).".into(),
        },
    };
    let target = match &resolved {
        Ok(addrs) if !addrs.is_empty() => Some(addrs[0]),
        _ => None,
    };
    let http = match target {
        None => CheckResult {
            name: "https_answers_404".into(),
            ok: false,
            detail: format!("not tried: {fqdn} did not resolve"),
            fix: "Fix resolves_to_private_ip first.".into(),
        },
        Some(addr) => {
            let got = tokio::select! {
                r = https_get(fqdn, addr, timeout) => r,
                _ = cancel.cancelled() => Err("interrupted".into()),
            };
            match got {
                Ok((status, body)) if status == 404 && body.trim() == EXPECTED_BODY => CheckResult {
                    name: "https_answers_404".into(),
                    ok: true,
                    detail: format!("GET https://{fqdn}/ at {addr} answered 404 \"{EXPECTED_BODY}\", as Astro's Remote Execution API does"),
                    fix: String::new(),
                },
                Ok((status, body)) => CheckResult {
                    name: "https_answers_404".into(),
                    ok: false,
                    detail: format!("GET https://{fqdn}/ at {addr} answered {status} {:?}, not 404 \"{EXPECTED_BODY}\"", body.chars().take(100).collect::<String>()),
                    fix: "Something other than Astro answers at that address: check that the name resolves to the private endpoint's IP (resolves_to_private_ip) and that no proxy intercepts the request.".into(),
                },
                Err(e) => CheckResult {
                    name: "https_answers_404".into(),
                    ok: false,
                    detail: format!("GET https://{fqdn}/ at {addr}: {e}"),
                    fix: "Nothing answered on TCP 443: check that the connection is Approved (connection_approved), that the runner's VNet reaches the endpoint (agent_vnets_reach_endpoint) and that no NSG, firewall or route blocks outbound 443 (nsg_allows_443).".into(),
                },
            }
        }
    };
    vec![dns, http]
}

/// `GET https://fqdn/` sent to `addr:443` (TLS with the host name); (status, body).
async fn https_get(fqdn: &str, addr: Ipv4Addr, timeout: Duration) -> Result<(u16, String), String> {
    let client = reqwest::Client::builder()
        .resolve(fqdn, SocketAddr::from((addr, 443)))
        .connect_timeout(timeout)
        .timeout(timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("building the HTTPS client: {e}"))?;
    let resp = client
        .get(format!("https://{fqdn}/"))
        .send()
        .await
        .map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            msg
        })?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_round_trips_through_a_handmade_answer() {
        let q = encode_query(0x1234, "clx.external.astronomer.run").expect("query");
        assert_eq!(&q[..2], &[0x12, 0x34]);
        assert_eq!(q[12], 3);
        // An answer: the question echoed, one A record by compression pointer.
        let mut a = q.clone();
        a[2] = 0x81;
        a[3] = 0x80;
        a[7] = 1;
        a.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 10, 1, 4]);
        assert_eq!(
            decode_answer(0x1234, &a),
            Ok(Answer::Addresses(vec![Ipv4Addr::new(10, 10, 1, 4)]))
        );
        let mut nx = q.clone();
        nx[2] = 0x81;
        nx[3] = 0x83;
        assert_eq!(decode_answer(0x1234, &nx), Ok(Answer::NoSuchName));
        assert!(decode_answer(0x9999, &a).is_err());
        assert!(encode_query(1, "a..b").is_err());
    }

    #[test]
    fn host_port_is_checked() {
        assert!((host_port().check_fn())("10.10.0.4:53").is_ok());
        assert!((host_port().check_fn())("dns.example:53").is_err());
        assert!((host_port().check_fn())("10.10.0.4").is_err());
    }
}
