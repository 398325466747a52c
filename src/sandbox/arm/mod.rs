//! The ARM front door: every request that is neither the token endpoint nor `/_sandbox/`
//! lands here. In order: bearer token check (401), injected faults (latency, 429, 500),
//! parse into an [`route::Operation`] (404/405 for what the sandbox does not implement),
//! targeted fault rules, api-version check (400), then the per-resource handler (a
//! `lost_response` rule replaces its answer), then the request log, which records the fault.

pub mod api_versions;
pub mod body;
pub mod lro;
pub mod paging;
pub mod route;
mod system_data;

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::error::ArmError;
use super::faults::{Faults, Injected};
use super::request_log::{LogEntry, Timing};
use super::state::{Kind, Shared, World};
use super::{auth, network, privatedns};
use route::{ApiFamily, Operation, Target};

/// A successful ARM answer.
#[derive(Debug)]
pub struct ArmResponse {
    /// Status sent.
    pub status: StatusCode,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// Extra headers (Azure-AsyncOperation, Location, Retry-After, ETag).
    pub headers: Vec<(&'static str, String)>,
}

impl ArmResponse {
    /// A JSON answer.
    pub fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    /// An answer without a body.
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

impl IntoResponse for ArmResponse {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        };
        for (name, value) in &self.headers {
            if let Ok(value) = HeaderValue::from_str(value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

/// What a handler sees besides the world.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// `https://127.0.0.1:PORT`.
    pub endpoint: &'a str,
    /// The api-version of the request (already checked).
    pub api_version: &'a str,
    /// Request headers (If-Match, If-None-Match).
    pub headers: &'a HeaderMap,
    /// Request body.
    pub body: &'a [u8],
    /// The request path (no query string), for a list's `nextLink`.
    pub path: &'a str,
    /// The query string (`$top`, `$skipToken` of list calls), if any.
    pub query: Option<&'a str>,
    /// The client id the request's token was issued to (for `systemData`).
    pub caller: &'a str,
    /// Current faults (LRO polls, 404 window, Retry-After).
    pub faults: &'a Faults,
    /// Whether an LRO this request starts is to fail (drawn from the fault RNG).
    pub lro_fails: bool,
}

impl Ctx<'_> {
    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A query parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.unwrap_or("").as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

fn api_version(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.into_owned())
}

fn check_api_version(version: Option<&str>, target: &Target) -> Result<(), ArmError> {
    let Some(version) = version else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let well_formed = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}(-[a-z]+)?$")
        .map(|re| re.is_match(version))
        .unwrap_or(false);
    if !well_formed {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are in the form \
                 'yyyy-mm-dd' or 'yyyy-mm-dd-preview'."
            ),
        ));
    }
    let supported = match target.family() {
        ApiFamily::Network => api_versions::NETWORK.versions,
        ApiFamily::PrivateDns => api_versions::PRIVATE_DNS.versions,
        ApiFamily::Resources => api_versions::RESOURCES.versions,
    };
    if supported.contains(&version) {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location 'global' and API version \
             '{version}' for type '{}'. The supported api-versions are '{}'.",
            target.resource_type(),
            supported.join(", ")
        ),
    ))
}

fn throttled(faults: &Faults) -> ArmError {
    ArmError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "The request is being throttled as the limit has been reached for operation type. \
         Please retry after the time given in the Retry-After header.",
    )
    .with_header("retry-after", faults.retry_after_secs.to_string())
    .with_header("x-ms-ratelimit-remaining-subscription-writes", "0")
}

fn server_error() -> ArmError {
    ArmError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        "An error occurred (injected by the sandbox's fault settings).",
    )
}

/// Routes a parsed operation to its resource file.
fn handle(world: &mut World, ctx: &Ctx<'_>, op: &Operation) -> Result<ArmResponse, ArmError> {
    use Target as T;
    match &op.target {
        T::ResourceGroups(_) | T::ResourceGroup(_) => {
            network::resource_groups::handle(world, ctx, op)
        }
        T::VirtualNetworks(_) | T::VirtualNetwork(..) => {
            network::virtual_networks::handle(world, ctx, op)
        }
        T::Subnets(..) | T::Subnet(..) => network::subnets::handle(world, ctx, op),
        T::VnetPeerings(..) | T::VnetPeering(..) => {
            network::virtual_network_peerings::handle(world, ctx, op)
        }
        T::NetworkSecurityGroups(_) | T::NetworkSecurityGroup(..) => {
            network::network_security_groups::handle(world, ctx, op)
        }
        T::PrivateEndpoints(_) | T::PrivateEndpoint(..) => {
            network::private_endpoints::handle(world, ctx, op)
        }
        T::ApplicationSecurityGroups(_) | T::ApplicationSecurityGroup(..) => {
            network::application_security_groups::handle(world, ctx, op)
        }
        T::NetworkInterfaces(_) | T::NetworkInterface(..) => {
            network::network_interfaces::handle(world, ctx, op)
        }
        T::CheckPlsVisibility(sub, _) => {
            network::private_link_services::check_visibility(world, ctx, sub)
        }
        T::PrivateLinkService(..) | T::PlsConnections(..) | T::PlsConnection(..) => {
            network::private_link_services::handle(world, ctx, op)
        }
        T::NetworkOperationStatus(..)
        | T::NetworkOperationResult(..)
        | T::DnsOperationStatus(..)
        | T::DnsOperationResult(..) => lro::handle(world, ctx, op),
        T::DnsZones(_) | T::SubscriptionDnsZones(_) | T::DnsZone(..) => {
            privatedns::zones::handle(world, ctx, op)
        }
        T::VnetLinks(..) | T::VnetLink(..) => {
            privatedns::virtual_network_links::handle(world, ctx, op)
        }
        T::RecordSets(..) | T::RecordSet(..) => privatedns::record_sets::handle(world, ctx, op),
        T::SubscriptionList(sub, listed) => {
            let kind = match *listed {
                "privateEndpoints" => Kind::PrivateEndpoint,
                "networkInterfaces" => Kind::NetworkInterface,
                "virtualNetworks" => Kind::VirtualNetwork,
                "networkSecurityGroups" => Kind::NetworkSecurityGroup,
                "privateLinkServices" => Kind::PrivateLinkService,
                _ => Kind::ApplicationSecurityGroup,
            };
            paging::subscription_list(world, ctx, sub, kind)
        }
    }
}

/// The axum fallback handler serving every ARM route.
pub async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    shared.arrive();
    let path = uri.path().to_string();
    let parsed = route::parse(&method, &path);
    let resource_type = match &parsed {
        Ok(op) => op.target.resource_type(),
        Err(_) => "unknown".to_string(),
    };
    let (answered, fault) = answer(&shared, &method, &uri, &headers, &body, parsed).await;
    let mut response = match answered {
        Ok(ok) => ok.into_response(),
        Err(err) => err.into_response(),
    };
    // ARM stamps every answer with request ids; clients log them for support cases.
    let request_id = uuid::Uuid::new_v4().to_string();
    for name in ["x-ms-request-id", "x-ms-correlation-request-id"] {
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    let entry = LogEntry {
        method: method.to_string(),
        path,
        resource_type,
        status: response.status().as_u16(),
        time: Timing::since(started),
        user_agent: super::identity::user_agent(&headers),
        credential: None,
        fault,
        body: written_body(&method, &body),
    };
    shared.lock().log.push(entry);
    response
}

/// The JSON body of a write, kept in the request log (None for reads and non-JSON bodies).
fn written_body(method: &Method, body: &[u8]) -> Option<Value> {
    let write = [Method::PUT, Method::PATCH, Method::POST].contains(method);
    write.then(|| serde_json::from_slice(body).ok()).flatten()
}

/// The answer to one ARM request, and the fault injected into it (its kind), if any.
async fn answer(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    parsed: Result<Operation, ArmError>,
) -> (Result<ArmResponse, ArmError>, Option<String>) {
    let drawn = {
        let mut inner = shared.lock();
        auth::check_bearer(&mut inner.tokens, headers).map(|caller| {
            let faults = inner.faults.clone();
            let (delay, injected) = faults.draw(&mut inner.rng);
            (delay, injected, faults, caller)
        })
    };
    let (delay, injected, faults, caller) = match drawn {
        Ok(d) => d,
        Err(e) => return (Err(e), None),
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let refused = match injected {
        Injected::Throttle => Some(throttled(&faults)),
        Injected::ServerError => Some(server_error()),
        Injected::None => None,
    };
    if let Some(err) = refused {
        let kind = format!("{} {}", err.status.as_u16(), err.code);
        return (Err(err), Some(kind));
    }
    let op = match parsed {
        Ok(op) => op,
        Err(e) => return (Err(e), None),
    };
    let mut inner = shared.lock();
    let resource_type = op.target.resource_type();
    let rule = inner.faults.rule_for(method.as_str(), &resource_type);
    if let Some(index) = rule
        && !inner.faults.rules[index].lost_response
    {
        let fired = inner.faults.fire(index);
        let faults = inner.faults.clone();
        if let Some(rule) = fired {
            return (Err(rule_error(&rule, &faults)), Some(rule.kind()));
        }
    }
    let version = api_version(uri.query());
    if let Err(e) = check_api_version(version.as_deref(), &op.target) {
        return (Err(e), None);
    }
    let version = version.unwrap_or_default();
    let faults = inner.faults.clone();
    let lro_fails = faults.draw_lro_failure(&mut inner.rng);
    let ctx = Ctx {
        endpoint: &shared.endpoint,
        api_version: &version,
        headers,
        body,
        path: uri.path(),
        query: uri.query(),
        caller: &caller,
        faults: &faults,
        lro_fails,
    };
    tracing::debug!(method = %method, path = %uri.path(), "sandbox ARM request");
    let retry_after = std::time::Duration::from_secs(faults.retry_after_secs);
    inner.world.finish_abandoned(retry_after);
    let dns_write = system_data::dns_write_target(&op);
    let before = dns_write
        .as_deref()
        .and_then(|id| inner.world.get(id))
        .map(|r| r.body["systemData"].clone());
    let mut handled = handle(&mut inner.world, &ctx, &op);
    if let (Ok(answer), Some(id)) = (&mut handled, &dns_write) {
        system_data::stamp(&mut inner.world, &ctx, id, before, answer);
    }
    // A lost response fires only on a request that was applied: the write happened, the
    // client just never heard so.
    if handled.is_ok()
        && let Some(index) = rule
        && let Some(rule) = inner.faults.fire(index)
    {
        return (Err(rule_error(&rule, &faults)), Some(rule.kind()));
    }
    (handled, None)
}

/// The error a fault rule answers with (429s carry Retry-After).
fn rule_error(rule: &super::faults::FaultRule, faults: &Faults) -> ArmError {
    let status = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = rule.error_code();
    let message = if rule.lost_response {
        "The request was applied, but its response was lost (injected by a sandbox fault rule)."
            .to_string()
    } else {
        format!("{code} (injected by a sandbox fault rule).")
    };
    let err = ArmError::new(status, &code, message);
    if rule.status == 429 {
        err.with_header("retry-after", faults.retry_after_secs.to_string())
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_rules() {
        let pe = Target::PrivateEndpoints(route::Scope {
            sub: "s".into(),
            rg: "r".into(),
        });
        let zone = Target::DnsZones(route::Scope {
            sub: "s".into(),
            rg: "r".into(),
        });
        let code = |v: Option<&str>, t: &Target| check_api_version(v, t).err().map(|e| e.code);
        assert_eq!(
            code(None, &pe).as_deref(),
            Some("MissingApiVersionParameter")
        );
        assert_eq!(
            code(Some("yesterday"), &pe).as_deref(),
            Some("InvalidApiVersionParameter")
        );
        assert_eq!(code(Some("2025-01-01"), &pe), None);
        assert_eq!(
            code(Some("2024-06-01"), &pe).as_deref(),
            Some("NoRegisteredProviderFound")
        );
        assert_eq!(code(Some("2024-06-01"), &zone), None);
        assert_eq!(
            api_version(Some("a=b&api-version=2025-01-01")).as_deref(),
            Some("2025-01-01")
        );
    }
}
