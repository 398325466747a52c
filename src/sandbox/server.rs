//! The HTTPS server: accepts TCP on 127.0.0.1 (TCP_NODELAY, so no answer waits on a delayed
//! ACK), does the TLS handshake with the sandbox's
//! certificate, serves the axum app over HTTP/1.1 or h2, and shuts down gracefully (stops
//! accepting, lets in-flight requests finish, gives up after a grace period).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

/// How long shutdown waits for in-flight requests.
pub const GRACE_PERIOD: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    shutdown: oneshot::Receiver<()>,
) {
    let builder = Arc::new(Builder::new(TokioExecutor::new()));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut shutdown => break,
        };
        let (tcp, _peer) = match accepted {
            Ok(conn) => conn,
            Err(err) => {
                tracing::warn!(error = %err, "sandbox accept failed; backing off");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Without it, a response written in two pieces (headers, then body) waits for the
        // client's delayed ACK (~40 ms on Linux; Nagle's algorithm) before its second piece
        // leaves: a stall real ARM does not have, which would inflate every timed figure.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "sandbox could not set TCP_NODELAY");
        }
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(app.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(err)) => {
                        tracing::debug!(error = %err, "sandbox TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
            if let Err(err) = watcher.watch(conn.into_owned()).await {
                tracing::debug!(error = %err, "sandbox connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(GRACE_PERIOD, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("sandbox shutdown grace period elapsed; dropping open connections");
    }
}
