//! The go-plugin contract that Terraform expects from a provider process: the magic-cookie
//! check, protocol negotiation, the stdout handshake line, AutoMTLS, and the gRPC server with
//! the auxiliary go-plugin services (health, controller, stdio, broker) next to the
//! `tfplugin5.Provider` service it is given.
//!
//! This layer knows nothing about Azure or about resources: it serves whatever implements the
//! generated [`Provider`] trait.
//!
//! Lifecycle: Terraform starts the process, reads one handshake line from stdout, connects,
//! calls RPCs, then calls `plugin.GRPCController/Shutdown` and waits 2 s before killing the
//! process. Shutdown (or SIGTERM) stops the server gracefully within [`SHUTDOWN_GRACE`].
//! SIGINT is ignored outside debug mode: Ctrl-C reaches the whole process group, and
//! Terraform answers it by calling `Stop` on the provider instead.
//!
//! Transport: TCP on `127.0.0.1:0` (PLUGIN_MIN_PORT/PLUGIN_MAX_PORT are not needed: Go servers
//! on Unix ignore them too). Mutual TLS whenever Terraform sends PLUGIN_CLIENT_CERT (see
//! [`tls`]); plaintext h2c only without it (debug mode, TF_DISABLE_PLUGIN_TLS).

mod conn;
pub mod handshake;
mod services;
pub mod tls;

use std::io::{self, Write as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

use crate::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin5::provider_server::{Provider, ProviderServer};

pub use handshake::{NOT_A_PLUGIN_MESSAGE, check_magic_cookie_env};

/// The provider's source address, printed in debug mode for `TF_REATTACH_PROVIDERS`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/astro-privatelink/astro";

/// Largest gRPC message accepted or sent (terraform-plugin-go uses the same; tonic's default
/// decode limit of 4 MiB is too small for big plans).
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How long a graceful stop may wait for open connections before the server gives up on them.
/// Well under the 2 s Terraform waits before it kills the process.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// The service name go-plugin's health check asks about.
const HEALTH_SERVICE: &str = "plugin";

/// How to serve.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeOptions {
    /// Debug mode: no magic cookie, plaintext, prints `TF_REATTACH_PROVIDERS` and serves until
    /// Ctrl-C, so Terraform can attach to a provider started in a debugger.
    pub debug: bool,
}

/// Why the plugin could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The magic cookie is missing or wrong: someone ran the binary by hand.
    #[error("{NOT_A_PLUGIN_MESSAGE}")]
    NotLaunchedByTerraform,
    /// The host does not speak protocol 5.
    #[error(
        "this provider speaks Terraform plugin protocol 5 only, but the host offered versions \
         \"{offered}\" (PLUGIN_PROTOCOL_VERSIONS); use Terraform 0.12 or later"
    )]
    UnsupportedProtocol {
        /// The host's PLUGIN_PROTOCOL_VERSIONS value.
        offered: String,
    },
    /// PLUGIN_CLIENT_CERT could not be used.
    #[error("PLUGIN_CLIENT_CERT from Terraform is unusable: {0}")]
    ClientCert(String),
    /// Generating the server certificate failed.
    #[error("generating the TLS server certificate: {0}")]
    ServerCert(#[from] rcgen::Error),
    /// rustls rejected the TLS configuration.
    #[error("configuring TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// The async runtime could not be started.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] io::Error),
    /// The local listener could not be opened.
    #[error("listening on 127.0.0.1: {0}")]
    Listen(#[source] io::Error),
    /// The handshake line could not be written.
    #[error("writing the handshake to stdout: {0}")]
    Stdout(#[source] io::Error),
    /// Signal handlers could not be installed.
    #[error("installing signal handlers: {0}")]
    Signals(#[source] io::Error),
    /// The gRPC server failed.
    #[error("serving gRPC: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// Serves `provider` as a Terraform plugin until Terraform shuts it down (or SIGTERM, or
/// Ctrl-C in debug mode).
///
/// # Errors
/// See [`PluginError`]: a missing magic cookie (outside debug mode), an unsupported protocol
/// version, an unusable client certificate, or I/O failures while starting.
pub async fn serve<P: Provider>(provider: P, opts: ServeOptions) -> Result<(), PluginError> {
    let security = if opts.debug {
        Security::Plaintext
    } else {
        check_magic_cookie_env()?;
        let offered = std::env::var(handshake::PROTOCOL_VERSIONS_KEY).ok();
        handshake::negotiate_protocol(offered.as_deref())?;
        Security::from_env()?
    };

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(PluginError::Listen)?;
    let addr = listener.local_addr().map_err(PluginError::Listen)?;
    let shutdown = CancellationToken::new();
    watch_signals(opts.debug, shutdown.clone())?;
    let router = router(provider, &shutdown).await;

    let (server_cert, tls) = match security {
        Security::Plaintext => (None, None),
        Security::MutualTls {
            server_cert,
            config,
        } => (Some(server_cert), Some(config)),
    };
    announce(opts, addr, server_cert.as_deref()).map_err(PluginError::Stdout)?;
    tracing::info!(%addr, tls = tls.is_some(), debug = opts.debug, "plugin serving");

    let incoming = conn::incoming(listener, tls, shutdown.clone());
    let server = router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        () = grace_expired(&shutdown) => {
            tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after shutdown; exiting anyway");
        }
    }
    tracing::debug!("plugin stopped");
    Ok(())
}

/// How connections are secured.
enum Security {
    /// h2c: no client certificate was given (debug mode, or Terraform's TF_DISABLE_PLUGIN_TLS).
    Plaintext,
    /// TLS with a fresh server certificate and Terraform's client certificate pinned.
    MutualTls {
        /// DER of our certificate, announced in the handshake line.
        server_cert: rustls::pki_types::CertificateDer<'static>,
        /// The TLS configuration for the acceptor.
        config: Arc<rustls::ServerConfig>,
    },
}

impl Security {
    /// Mutual TLS when PLUGIN_CLIENT_CERT is set and non-empty, plaintext otherwise.
    fn from_env() -> Result<Self, PluginError> {
        let pem = match std::env::var(tls::CLIENT_CERT_KEY) {
            Ok(pem) if !pem.trim().is_empty() => pem,
            _ => return Ok(Self::Plaintext),
        };
        let client_certs = tls::parse_client_certs(&pem)?;
        let identity = tls::ServerIdentity::generate()?;
        let config = tls::server_config(&identity, client_certs)?;
        Ok(Self::MutualTls {
            server_cert: identity.cert,
            config: Arc::new(config),
        })
    }
}

/// Completes once `shutdown` has been requested and [`SHUTDOWN_GRACE`] has passed since.
async fn grace_expired(shutdown: &CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}

/// Builds the gRPC router with every service Terraform may call.
async fn router<P: Provider>(
    provider: P,
    shutdown: &CancellationToken,
) -> tonic::transport::server::Router {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status(HEALTH_SERVICE, tonic_health::ServingStatus::Serving)
        .await;
    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    Server::builder()
        .add_service(health)
        .add_service(GrpcControllerServer::new(services::Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(services::Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(services::Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(provider)
}

/// Writes the handshake line (normal mode) or the reattach instructions (debug mode) to
/// stdout and flushes it.
fn announce(opts: ServeOptions, addr: SocketAddr, server_cert: Option<&[u8]>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if opts.debug {
        let json = handshake::reattach_json(PROVIDER_ADDRESS, std::process::id(), addr);
        writeln!(
            out,
            "Provider started in debug mode. To attach Terraform, set this in the shell that runs terraform:\n\
             \n\
             \tTF_REATTACH_PROVIDERS='{json}'\n\
             \n\
             Stop the provider with Ctrl-C when done."
        )?;
    } else {
        writeln!(out, "{}", handshake::handshake_line(addr, server_cert))?;
    }
    out.flush()
}

/// Installs signal handling before the handshake: SIGTERM stops gracefully; SIGINT stops in
/// debug mode and is ignored otherwise (Terraform sends `Stop` and then `Shutdown` instead).
#[cfg(unix)]
fn watch_signals(debug: bool, shutdown: CancellationToken) -> Result<(), PluginError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(PluginError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(PluginError::Signals)?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = term.recv() => {
                    tracing::info!("SIGTERM received; stopping");
                    shutdown.cancel();
                }
                _ = int.recv() => {
                    if debug {
                        tracing::info!("interrupt received; stopping");
                        shutdown.cancel();
                    } else {
                        tracing::debug!("ignoring SIGINT; Terraform stops providers through Stop and Shutdown");
                    }
                }
            }
        }
    });
    Ok(())
}

/// Non-Unix fallback: Ctrl-C stops in debug mode only.
#[cfg(not(unix))]
fn watch_signals(debug: bool, shutdown: CancellationToken) -> Result<(), PluginError> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                result = tokio::signal::ctrl_c() => {
                    if result.is_err() || debug {
                        shutdown.cancel();
                    }
                }
            }
        }
    });
    Ok(())
}
