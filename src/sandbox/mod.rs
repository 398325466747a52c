//! `astro-azure-sandbox`: a local HTTPS imitation of the slice of Azure Resource Manager the
//! provider uses, plus Astronomer's side of the Private Link, built from Azure's REST
//! definitions (azure-rest-api-specs: network 2025-07-01 `privateEndpoint.json`,
//! `privateLinkService.json`, `networkInterface.json`, `virtualNetwork.json`,
//! `networkSecurityGroup.json`; privatedns
//! 2024-06-01) and never from the provider's own client: no `crate::` module outside
//! `sandbox` is used, so a misunderstanding in one is caught by the other.
//!
//! # Contract
//!
//! * Library: [`Sandbox::start`]`(`[`SandboxConfig`]`)` binds `127.0.0.1:port` (0 = any) and
//!   returns a [`Sandbox`] with [`Sandbox::endpoint`] (`https://127.0.0.1:PORT`),
//!   [`Sandbox::ca_pem`], [`Sandbox::env_vars`], [`Sandbox::state_dir`] and the async,
//!   graceful [`Sandbox::shutdown`]. With a `state_dir`, `ca.pem` and `env` (`export K=V`
//!   lines) are written there.
//! * Env keys: `ARM_RESOURCE_MANAGER_ENDPOINT` and `AZURE_AUTHORITY_HOST`
//!   (`https://127.0.0.1:PORT/`), `SSL_CERT_FILE` (absolute path of `ca.pem`, only when a
//!   state dir is used), `ARM_SUBSCRIPTION_ID` (first seeded subscription), `ARM_TENANT_ID`,
//!   `ARM_CLIENT_ID`, `ARM_CLIENT_SECRET` (first seeded service principal), `ARM_USE_CLI=false`,
//!   `ASTRO_SANDBOX_PLS_ALIAS`, `ASTRO_SANDBOX_PLS_ID`, `ASTRO_SANDBOX_SUBNET_ID`,
//!   `ASTRO_SANDBOX_VNET_ID` (first seeded VNet and its first subnet), and with a `loopback`
//!   seed `ASTRO_SANDBOX_DNS` (`127.0.0.1:PORT` of the loopback DNS server).
//! * Loopback services (`loopback` in the seed, e.g. [`seed::LOOPBACK_SEED`]): a DNS server
//!   answering A queries as Azure DNS does in the first VNet, and Astro's `404 page not found`
//!   over TLS on port 443 of endpoint addresses in 127.0.0.0/8, while their connection is
//!   Approved (see `loopback.rs`).
//! * Token endpoint: `POST /{tenant}/oauth2/v2.0/token` exactly as azure_identity calls it:
//!   form `grant_type=client_credentials`, `client_id`, `scope=<x>/.default`, and either
//!   `client_secret` or `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
//!   with `client_assertion`, verified as Entra does (`auth`): a certificate-signed assertion
//!   against a registered certificate, a federated token against the principal's federated
//!   identity credentials. Answers `{token_type, expires_in, ext_expires_in, access_token}`;
//!   failures use Entra's `{error, error_description: "AADSTS…"}`. Tokens are opaque and
//!   checked on every ARM call (401 `AuthenticationFailed` when missing,
//!   `InvalidAuthenticationToken` when unknown).
//! * Token sources (`identity`): GitHub Actions' and Azure DevOps' OIDC endpoints, IMDS and
//!   App Service's managed identity endpoints, each with its request shape and failure answers.
//! * Entra discovery without a token (`discovery`): a tenant's OpenID configuration, instance
//!   discovery and its (empty) key set, as MSAL and azure-identity read them.
//! * api-versions (`arm::api_versions`, one table with its sources): Microsoft.Network
//!   2024-05-01 2024-07-01 2024-10-01 2025-01-01 2025-03-01 2025-05-01 2025-07-01 2026-03-01;
//!   Private DNS 2020-06-01 2024-06-01; resource groups 2021-04-01 2022-09-01 2024-03-01. Missing → 400 `MissingApiVersionParameter`; malformed → 400
//!   `InvalidApiVersionParameter`; well-formed but unknown → 400 `NoRegisteredProviderFound`.
//! * ARM routes (all under `/subscriptions/{sub}`): resource groups GET/PUT/list; VNets,
//!   subnets, VNet peerings and network security groups GET/list (seeded only; changed
//!   through `POST /_sandbox/network`); private endpoints PUT (LRO, Azure-AsyncOperation) / GET /
//!   DELETE (LRO, Location) / list; application security groups PUT (LRO) / GET / DELETE (LRO) /
//!   list; subscription-scope lists of every network type served; NICs GET/list; PLS GET, its privateEndpointConnections
//!   list/GET/PUT (approve or reject, 200)/DELETE; POST
//!   `.../locations/{loc}/checkPrivateLinkServiceVisibility` (subscription or resource group
//!   scope, `{"visible": bool}`); network operation status
//!   (`/providers/Microsoft.Network/locations/{loc}/operations/{id}`, always 200
//!   `{status: InProgress|Succeeded|Failed}`) and results (`.../operationResults/{id}`, 202
//!   until done, then 204 for a delete or 200 with the resource); private DNS zones and
//!   virtual network links PUT/DELETE (LRO: 202 + Location + Azure-AsyncOperation +
//!   Retry-After) / PATCH (same LRO) / GET / list; A record sets PUT/PATCH/GET/DELETE
//!   (synchronous), SOA GET; listing
//!   `.../ALL` and `.../A`; DNS operation statuses/results
//!   (`.../resourceGroups/{rg}/providers/Microsoft.Network/privateDnsOperationStatuses|Results/{id}`).
//! * LRO completion: an operation answers InProgress for `lro_polls` polls (of either URL),
//!   then completes. While it runs, another write on the same resource → 409
//!   `AnotherOperationInProgress`. An operation no client polled for 5 s (plus Retry-After)
//!   finishes by itself, as Azure's do, so a client killed mid-operation leaves nothing busy.
//! * Management API `/_sandbox/…` (no auth, never faulted, not logged): `GET health`,
//!   `POST reset` (back to the seed; tokens, faults and the log are kept), `GET|PUT faults`
//!   (rates, latency, LRO polls and failures, the 404 window, and targeted rules: "the next N
//!   `<method>` requests on `<type>` answer `<status> <code>`", optionally after applying the
//!   request, as a lost response), `GET requests` (with each request's `user_agent` and, for
//!   tokens, `credential`), `GET requests/summary` (with the injected faults by kind),
//!   `DELETE requests` (each ARM write's JSON body is in the log), `GET api_versions`,
//!   `GET resources` (JSON array of
//!   the ARM ids clients created: PEs, NICs, PLS connections, zones, links, record sets other
//!   than SOA), `POST approve`, `POST oob`, `POST network` (DNS servers, peerings, NSG
//!   rules and attachments, subnet policies), `GET verify?vnet_id=..&host=..`, and the
//!   identity controls `POST principals/{client_id}/certificates`, `POST oidc/mint`,
//!   `GET|PUT token_source_failures`.
//!
//! # Layout
//!
//! * `mod.rs` — [`Sandbox`] / [`SandboxConfig`]: bind, write the state dir, run the server
//!   on its own runtime thread (so a caller that blocks or pauses tokio time cannot stall it).
//! * `server` (TLS accept loop, graceful drain), `tls` (CA + leaf), `seed`/`seeded_world` (seed
//!   file → resources), `state` (resources, operations, tokens, faults, log behind a lock).
//! * `auth` — token endpoint and bearer check; `jwt` — JWT decoding, certificate signature
//!   checks, the sandbox's OIDC issuer key; `identity` — CI and managed identity token sources. `arm` — front door: auth, faults, parse into
//!   an operation (`arm::route`), api-version, dispatch; `arm::lro` status/result URLs;
//!   `arm::body` request parsing. One [`ArmError`] renders every ARM error.
//! * `network/*` and `privatedns/*` — one file per ARM resource type.
//! * `management` (`/_sandbox/`), `request_log`, `verify`, `views` (GET rendering).
//!
//! # Scope and non-goals
//!
//! Only what the provider needs. Not implemented, answered with an explicit ARM error rather
//! than a guess: PATCH outside private DNS (405 `MethodNotAllowed`; the network spec has no
//! PATCH for private endpoints), writes to VNets/subnets/NICs/PLS
//! (405), resource group DELETE (405), record types other than A and SOA (404
//! `InvalidResourceType`), other resource types (404 `InvalidResourceType`), other
//! namespaces (404 `InvalidResourceNamespace`), other paths (404 `InvalidRequestUri`).
//! No RBAC: any valid token may touch any seeded subscription (including Astronomer's, so a
//! test can act as Astronomer support). Lists page as `arm::paging` says (`$top`, the
//! `list_page_size` fault setting, `nextLink` with `$skipToken`).
//!
//! # Known divergences from real ARM
//!
//! * LROs advance by polls, not by time, except that one nobody polls for 5 s (plus
//!   Retry-After) completes by itself.
//! * While a zone or link is being created its GET already answers (provisioningState
//!   `Creating`); set `not_found_window_ms` to imitate the 404 some ARM reads give.
//! * Resource names are matched case-insensitively and returned with the casing of the PUT
//!   that created them (record set names are lower-cased, as the service does).
//! * Request validation is the sandbox's: a body that is not JSON or has a wrong type gives
//!   400 `InvalidRequestContent` (with `target` = JSON path); a missing required property gives
//!   400 `InvalidRequestFormat` (network) / `BadRequest` (DNS) / `LocationRequired`, naming the
//!   property in `target`. Real ARM words these differently per RP.
//! * Changing subnet, location or connection of an existing PE → 400
//!   `PropertyChangeNotAllowed` (target = the property). Subnet not found or in another region
//!   than the PE → 400 `InvalidResourceReference` (real wording). More than one connection →
//!   400 `PrivateEndpointCanOnlyHaveOneConnection` (sandbox code).
//! * An automatic (non-manual) connection to a PLS that does not auto-approve the subscription
//!   → 403 `LinkedAuthorizationFailed`, as ARM answers cross-tenant callers.
//! * Zone delete while links exist → 400 `CannotDeleteResource` (code chosen by the sandbox).
//!   A link to a VNet already linked to a zone of the same name → 400 `BadRequest` with the
//!   real "overlapping namespaces" message. Zone location other than `global` → 400
//!   `InvalidLocation`.
//! * PLS connection DELETE is answered synchronously (200/204), not as an LRO.
//! * A record set PUT without `ttl` stores 3600.
//! * Faults: 429 `TooManyRequests` with `Retry-After: retry_after_secs`; 500
//!   `InternalServerError`. They apply to every ARM route including LRO status URLs. The
//!   extra fault key `lro_failure_rate` (default 0) makes an LRO end `Failed` with
//!   `InternalServerError`, leaving the resource `provisioningState: Failed`.
//! * Every ARM answer carries fresh `x-ms-request-id` / `x-ms-correlation-request-id`
//!   headers; no `x-ms-ratelimit-*` headers except on injected 429s.

mod arm;
mod auth;
pub mod az_cli;
mod discovery;
pub mod error;
pub mod faults;
pub mod identity;
mod jwt;
mod loopback;
mod management;
mod network;
mod privatedns;
mod request_log;
pub mod seed;
mod seeded_world;
mod server;
mod state;
pub mod tls;
mod verify;
mod views;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use tokio::sync::oneshot;

pub use error::ArmError;
pub use faults::{FaultRule, Faults};
pub use seed::Seed;

use state::Shared;

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The seed file could not be read or is invalid.
    #[error("seed {origin}: {reason}")]
    Seed {
        /// File path or "embedded default seed".
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// Certificate or TLS setup failed.
    #[error("sandbox TLS setup: {0}")]
    Tls(String),
    /// Binding the port failed.
    #[error(
        "binding 127.0.0.1:{port}: {source} (is the port already in use? use --port 0 for any free port)"
    )]
    Bind {
        /// Requested port.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing the state directory failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// How to start a sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed file; `None` uses the embedded `default-seed.json`.
    pub seed: Option<PathBuf>,
    /// Where `ca.pem` and `env` are written; `None` writes nothing.
    pub state_dir: Option<PathBuf>,
    /// Initial fault settings.
    pub faults: Faults,
}

/// A running sandbox. Drop it or call [`Sandbox::shutdown`] to stop it.
pub struct Sandbox {
    addr: SocketAddr,
    ca_pem: String,
    env: Vec<(String, String)>,
    state_dir: Option<PathBuf>,
    /// Tells the server to stop accepting and drain.
    stop: Option<oneshot::Sender<()>>,
    /// Fires when the server thread has drained and exited.
    done: Option<oneshot::Receiver<()>>,
}

/// Builds the whole app: token endpoint, management API, and the ARM fallback.
fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(auth::token))
        .merge(identity::router())
        .merge(discovery::router())
        .nest(
            "/_sandbox",
            management::router().merge(identity::management_router()),
        )
        .fallback(arm::dispatch)
        .with_state(shared)
}

fn env_vars(
    seed: &Seed,
    endpoint: &str,
    ca_file: Option<&Path>,
    dns: Option<SocketAddr>,
) -> Vec<(String, String)> {
    let (alias, pls_id, subnet_id, vnet_id) = seeded_world::advertised_ids(seed);
    let principal = &seed.service_principals[0];
    let mut vars = vec![
        (
            "ARM_RESOURCE_MANAGER_ENDPOINT".to_string(),
            format!("{endpoint}/"),
        ),
        ("AZURE_AUTHORITY_HOST".to_string(), format!("{endpoint}/")),
    ];
    if let Some(ca) = ca_file {
        vars.push(("SSL_CERT_FILE".to_string(), ca.display().to_string()));
    }
    vars.extend([
        (
            "ARM_SUBSCRIPTION_ID".to_string(),
            seed.subscriptions[0].id.clone(),
        ),
        ("ARM_TENANT_ID".to_string(), seed.tenant_id.clone()),
        ("ARM_CLIENT_ID".to_string(), principal.client_id.clone()),
        (
            "ARM_CLIENT_SECRET".to_string(),
            principal.client_secret.clone().unwrap_or_default(),
        ),
        ("ARM_USE_CLI".to_string(), "false".to_string()),
        ("ASTRO_SANDBOX_PLS_ALIAS".to_string(), alias),
        ("ASTRO_SANDBOX_PLS_ID".to_string(), pls_id),
        ("ASTRO_SANDBOX_SUBNET_ID".to_string(), subnet_id),
        ("ASTRO_SANDBOX_VNET_ID".to_string(), vnet_id),
    ]);
    if let Some(dns) = dns {
        vars.push(("ASTRO_SANDBOX_DNS".to_string(), dns.to_string()));
    }
    vars
}

/// Renders env vars as `export KEY=VALUE` lines (values single-quoted when needed).
pub fn env_file_text(vars: &[(String, String)]) -> String {
    vars.iter()
        .map(|(k, v)| {
            let plain = v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/:._-=".contains(c));
            if plain {
                format!("export {k}={v}\n")
            } else {
                format!("export {k}='{}'\n", v.replace('\'', "'\\''"))
            }
        })
        .collect()
}

fn write_file(path: &Path, text: &str) -> Result<(), SandboxError> {
    std::fs::write(path, text).map_err(|source| SandboxError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Builds the server runtime and serves until `stopped` fires (then drains).
fn run_server(
    listener: std::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    app: Router,
    stopped: oneshot::Receiver<()>,
    loopback: Option<(loopback::Loopback, Arc<Shared>, Arc<rustls::ServerConfig>)>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("astro-azure-sandbox-worker")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            tracing::error!(error = %err, "sandbox could not build its runtime");
            return;
        }
    };
    runtime.block_on(async move {
        // Stops with the runtime, when the server has drained.
        if let Some((services, shared, tls)) = loopback {
            services.spawn(shared, tls);
        }
        match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => server::serve(listener, acceptor, app, stopped).await,
            Err(err) => tracing::error!(error = %err, "sandbox could not register its listener"),
        }
    });
}

impl Sandbox {
    /// Generates a CA, binds 127.0.0.1:port, writes the state dir (if any) and starts serving.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let seed = Seed::load(config.seed.as_deref())?;
        config
            .faults
            .validate()
            .map_err(|reason| SandboxError::Seed {
                origin: "initial faults".into(),
                reason,
            })?;
        let tls = tls::generate()?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|source| SandboxError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            port: config.port,
            source,
        })?;
        let endpoint = format!("https://127.0.0.1:{}", addr.port());
        let state_dir = match &config.state_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| SandboxError::Io {
                    path: dir.clone(),
                    source,
                })?;
                Some(
                    std::fs::canonicalize(dir).map_err(|source| SandboxError::Io {
                        path: dir.clone(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        let ca_file = state_dir.as_ref().map(|d| d.join("ca.pem"));
        let loopback = loopback::bind(&seed)?;
        let dns = loopback.as_ref().and_then(loopback::Loopback::dns_addr);
        let env = env_vars(&seed, &endpoint, ca_file.as_deref(), dns);
        if let (Some(dir), Some(ca_file)) = (&state_dir, &ca_file) {
            write_file(ca_file, &tls.ca_pem)?;
            write_file(&dir.join("env"), &env_file_text(&env))?;
        }
        let issuer = jwt::Issuer::generate().map_err(SandboxError::Tls)?;
        let shared = Arc::new(Shared::new(endpoint, seed, config.faults.clone(), issuer));
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config.clone());
        let (stop, stopped) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        let loopback = loopback.map(|l| (l, shared.clone(), tls.astro_config.clone()));
        let app = app(shared);
        // The server runs on its own runtime in its own thread, so a caller that blocks its
        // runtime (running `terraform` synchronously) or pauses tokio time cannot stall it.
        std::thread::Builder::new()
            .name("astro-azure-sandbox".into())
            .spawn(move || {
                run_server(listener, acceptor, app, stopped, loopback);
                let _ = done_tx.send(());
            })
            .map_err(|source| SandboxError::Io {
                path: PathBuf::from("<server thread>"),
                source,
            })?;
        Ok(Sandbox {
            addr,
            ca_pem: tls.ca_pem,
            env,
            state_dir,
            stop: Some(stop),
            done: Some(done),
        })
    }

    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// The CA certificate (PEM) clients must trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The variables the env file holds (see the module docs).
    pub fn env_vars(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    /// The state directory, when one was given (canonical path).
    pub fn state_dir(&self) -> Option<&Path> {
        self.state_dir.as_deref()
    }

    /// Stops accepting, lets in-flight requests finish (bounded by a grace period), returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // env holds the client secret: never printed.
        f.debug_struct("Sandbox")
            .field("endpoint", &self.endpoint())
            .field("state_dir", &self.state_dir)
            .finish_non_exhaustive()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
