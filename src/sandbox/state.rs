//! The sandbox's in-memory state: every ARM resource as the JSON ARM would return, keyed by
//! lower-cased ARM id (ARM ids are case-insensitive), the running long-running operations,
//! issued tokens, faults and the request log. One std `Mutex` guards it; nothing is awaited
//! while it is held.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::arm::route::Scope;
use super::error::ArmError;
use super::faults::Faults;
use super::request_log::LogEntry;
use super::seed::Seed;

/// The kinds of ARM resource the sandbox stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Microsoft.Resources/resourceGroups`
    ResourceGroup,
    /// `Microsoft.Network/virtualNetworks`
    VirtualNetwork,
    /// `Microsoft.Network/virtualNetworks/subnets`
    Subnet,
    /// `Microsoft.Network/privateEndpoints`
    PrivateEndpoint,
    /// `Microsoft.Network/networkInterfaces`
    NetworkInterface,
    /// `Microsoft.Network/privateLinkServices`
    PrivateLinkService,
    /// `Microsoft.Network/privateLinkServices/privateEndpointConnections`
    PlsConnection,
    /// `Microsoft.Network/privateDnsZones`
    DnsZone,
    /// `Microsoft.Network/privateDnsZones/virtualNetworkLinks`
    VnetLink,
    /// `Microsoft.Network/privateDnsZones/{type}`
    RecordSet,
    /// `Microsoft.Network/networkSecurityGroups`
    NetworkSecurityGroup,
    /// `Microsoft.Network/virtualNetworks/virtualNetworkPeerings`
    VnetPeering,
    /// `Microsoft.Network/applicationSecurityGroups`
    ApplicationSecurityGroup,
}

/// One stored resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// ARM id with the casing it was created with.
    pub id: String,
    /// What it is.
    pub kind: Kind,
    /// The body a GET returns (etag and provisioningState included).
    pub body: Value,
    /// Seeded resources are not listed by `/_sandbox/resources`.
    pub seeded: bool,
    /// When it was created (drives the read-after-write 404 window).
    pub created_at: Instant,
    /// The id of a running LRO on this resource, if any.
    pub busy: Option<String>,
}

/// PUT or DELETE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// Create or update.
    Put,
    /// Delete.
    Delete,
}

/// Which RP's status URL shapes an operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpFamily {
    /// `.../providers/Microsoft.Network/locations/{loc}/operations|operationResults/{id}`
    Network,
    /// `.../resourceGroups/{rg}/providers/Microsoft.Network/privateDnsOperationStatuses|Results/{id}`
    PrivateDns,
}

/// A long-running operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Operation id (a GUID).
    pub id: String,
    /// Status URL (Azure-AsyncOperation).
    pub status_url: String,
    /// Result URL (Location).
    pub result_url: String,
    /// Network or Private DNS.
    pub family: OpFamily,
    /// Put or Delete.
    pub kind: OpKind,
    /// The resource the operation works on.
    pub resource_id: String,
    /// Polls still answered `InProgress`.
    pub polls_left: u32,
    /// RFC 3339 start time.
    pub start_time: String,
    /// `None` while running; `Some(Ok)` Succeeded; `Some(Err)` Failed.
    pub outcome: Option<Result<(), ArmError>>,
    /// Set when the fault RNG decided this operation ends Failed.
    pub fails: bool,
    /// When a client last asked about it (creation counts). Azure finishes operations
    /// nobody polls any more; see [`World::finish_abandoned`].
    pub last_polled: std::time::Instant,
}

/// An operation nobody has polled for this long is finished, as Azure finishes operations by
/// itself: a client that died mid-apply must not leave the resource busy (409) for ever.
pub const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

/// Lower-cases an ARM id and trims a trailing slash: the key resources are stored under.
pub fn key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// All ARM resources and operations.
#[derive(Debug, Default)]
pub struct World {
    /// Resources by [`key`].
    pub resources: BTreeMap<String, Resource>,
    /// Operations by id.
    pub ops: HashMap<String, Operation>,
    /// Known subscription ids (lower-case).
    pub subscriptions: Vec<String>,
}

impl World {
    /// The resource with this id, any casing.
    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources.get(&key(id))
    }

    /// Mutable access to the resource with this id.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Resource> {
        self.resources.get_mut(&key(id))
    }

    /// Inserts or replaces a resource.
    pub fn insert(&mut self, resource: Resource) {
        self.resources.insert(key(&resource.id), resource);
    }

    /// Removes a resource.
    pub fn remove(&mut self, id: &str) -> Option<Resource> {
        self.resources.remove(&key(id))
    }

    /// Resources of `kind` whose id lies directly or deeply under `parent`.
    pub fn under(&self, parent: &str, kind: Kind) -> Vec<&Resource> {
        let prefix = format!("{}/", key(parent));
        self.resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, r)| r)
            .filter(|r| r.kind == kind)
            .collect()
    }

    /// All resources of a kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Resource> {
        self.resources.values().filter(move |r| r.kind == kind)
    }

    /// 404 `SubscriptionNotFound` / `ResourceGroupNotFound` unless the scope exists.
    pub fn require_rg(&self, sub: &str, rg: &str) -> Result<(), ArmError> {
        if !self.subscriptions.contains(&sub.to_ascii_lowercase()) {
            return Err(ArmError::subscription_not_found(sub));
        }
        if self.get(&rg_id(sub, rg)).is_none() {
            return Err(ArmError::resource_group_not_found(rg));
        }
        Ok(())
    }

    /// The scope spelled as ARM stores it: the subscription and resource group as they were
    /// created. ARM builds the IDs of new resources, and answers, in that casing, whatever
    /// casing the request used.
    pub fn canonical_scope(&self, scope: &Scope) -> Scope {
        let stored = self.get(&rg_id(&scope.sub, &scope.rg)).map(|rg| {
            let parts: Vec<&str> = rg.id.split('/').collect();
            (
                parts.get(2).map(|s| s.to_string()),
                parts.get(4).map(|s| s.to_string()),
            )
        });
        match stored {
            Some((Some(sub), Some(rg))) => Scope { sub, rg },
            _ => scope.clone(),
        }
    }

    /// The ID of `id` as stored (ARM's casing), or `id` itself when nothing is stored there.
    pub fn canonical_id(&self, id: &str) -> String {
        self.get(id)
            .map_or_else(|| id.to_string(), |r| r.id.clone())
    }

    /// 404 `SubscriptionNotFound` unless the subscription exists.
    pub fn require_sub(&self, sub: &str) -> Result<(), ArmError> {
        if self.subscriptions.contains(&sub.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(ArmError::subscription_not_found(sub))
        }
    }

    /// 409 `AnotherOperationInProgress` if an LRO still runs on `id`.
    pub fn require_idle(&self, id: &str) -> Result<(), ArmError> {
        let busy = self.get(id).and_then(|r| r.busy.as_ref());
        match busy.and_then(|op| self.ops.get(op)) {
            Some(op) => Err(ArmError::another_operation(&op.status_url)),
            None => Ok(()),
        }
    }

    /// Finishes every running operation that no client polled for [`ABANDONED_AFTER`] (plus
    /// the Retry-After the sandbox asks clients to wait).
    pub fn finish_abandoned(&mut self, retry_after: std::time::Duration) {
        let limit = ABANDONED_AFTER + retry_after;
        let stale: Vec<Operation> = self
            .ops
            .values()
            .filter(|op| op.outcome.is_none() && op.last_polled.elapsed() > limit)
            .cloned()
            .collect();
        for op in stale {
            self.complete(&op);
        }
    }

    /// Advances an operation by one poll; completes it when its polls are used up.
    pub fn poll(&mut self, op_id: &str) -> Option<Operation> {
        let op = self.ops.get_mut(op_id)?;
        op.last_polled = std::time::Instant::now();
        if op.outcome.is_none() {
            if op.polls_left > 0 {
                op.polls_left -= 1;
            } else {
                let done = op.clone();
                self.complete(&done);
            }
        }
        self.ops.get(op_id).cloned()
    }

    /// Finishes an operation: PUT → provisioningState Succeeded; DELETE → the resource and
    /// what hangs off it are removed.
    pub fn complete(&mut self, op: &Operation) {
        if op.fails {
            self.fail(op);
            return;
        }
        match op.kind {
            OpKind::Put => {
                if let Some(res) = self.get_mut(&op.resource_id) {
                    res.busy = None;
                    res.body["properties"]["provisioningState"] = json!("Succeeded");
                    if res.kind == Kind::VnetLink {
                        res.body["properties"]["virtualNetworkLinkState"] = json!("Completed");
                    }
                }
            }
            OpKind::Delete => self.delete_cascade(&op.resource_id),
        }
        if let Some(stored) = self.ops.get_mut(&op.id) {
            stored.outcome = Some(Ok(()));
        }
    }

    /// Ends an operation Failed: the resource stays, with provisioningState Failed.
    fn fail(&mut self, op: &Operation) {
        if let Some(res) = self.get_mut(&op.resource_id) {
            res.busy = None;
            res.body["properties"]["provisioningState"] = json!("Failed");
        }
        let error = ArmError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The operation failed (injected by the sandbox's lro_failure_rate).",
        );
        if let Some(stored) = self.ops.get_mut(&op.id) {
            stored.outcome = Some(Err(error));
        }
    }

    /// Removes a resource, its children and its dependents (a PE's NIC and PLS connection).
    pub fn delete_cascade(&mut self, id: &str) {
        let Some(res) = self.remove(id) else { return };
        let prefix = format!("{}/", key(id));
        self.resources.retain(|k, _| !k.starts_with(&prefix));
        if res.kind == Kind::PrivateEndpoint {
            if let Some(nics) = res.body["properties"]["networkInterfaces"].as_array() {
                for nic in nics {
                    if let Some(nic_id) = nic["id"].as_str() {
                        self.remove(nic_id);
                    }
                }
            }
            let pe_key = key(id);
            self.resources.retain(|_, r| {
                !(r.kind == Kind::PlsConnection
                    && r.body["properties"]["privateEndpoint"]["id"]
                        .as_str()
                        .is_some_and(|pe| key(pe) == pe_key))
            });
        }
    }

    /// True while `res` is inside the read-after-write 404 window.
    pub fn hidden_by_window(res: &Resource, faults: &Faults) -> bool {
        faults.not_found_window_ms > 0
            && res.created_at.elapsed() < Duration::from_millis(faults.not_found_window_ms)
    }
}

/// `/subscriptions/{sub}/resourceGroups/{rg}`.
pub fn rg_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{rest}`.
pub fn network_id(sub: &str, rg: &str, rest: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{rest}")
}

/// Everything behind the lock.
#[derive(Debug)]
pub struct Inner {
    /// The seed (kept for reset and for credentials).
    pub seed: Seed,
    /// ARM resources and operations.
    pub world: World,
    /// Issued bearer tokens: their expiry and the client id they were issued to.
    pub tokens: HashMap<String, (Instant, String)>,
    /// Current fault settings.
    pub faults: Faults,
    /// RNG the faults draw from.
    pub rng: StdRng,
    /// Request log.
    pub log: Vec<LogEntry>,
    /// Registered certificates and queued token-source failures.
    pub identity: super::identity::IdentityState,
}

/// State shared by all handlers.
#[derive(Debug)]
pub struct Shared {
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub endpoint: String,
    /// Signs the federated tokens the CI imitations hand out (never changes).
    pub issuer: super::jwt::Issuer,
    inner: Mutex<Inner>,
    /// ARM requests received since start (for `GET health`, so a test can wait for its
    /// request to reach the sandbox instead of guessing with a sleep).
    received: AtomicUsize,
}

impl Shared {
    /// Builds the state from a seed.
    pub fn new(endpoint: String, seed: Seed, faults: Faults, issuer: super::jwt::Issuer) -> Self {
        let world = super::seeded_world::build_world(&seed);
        let rng = faults.rng();
        Self {
            endpoint,
            issuer,
            inner: Mutex::new(Inner {
                seed,
                world,
                tokens: HashMap::new(),
                faults,
                rng,
                log: Vec::new(),
                identity: Default::default(),
            }),
            received: AtomicUsize::new(0),
        }
    }

    /// Counts an ARM request as received.
    pub fn arrive(&self) {
        self.received.fetch_add(1, Ordering::SeqCst);
    }

    /// ARM requests received since start.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }

    /// Locks the state; a poisoned lock is recovered (a panicking handler leaves plain data).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The current time as RFC 3339.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
