//! go-plugin's auxiliary gRPC services that Terraform opens next to the provider service:
//! the controller (Shutdown), stdio (kept open and silent: logs go to the real stderr) and the
//! broker (accepted and ignored: Terraform providers never broker connections).

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin::grpc_broker_server::GrpcBroker;
use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{ConnInfo, Empty, StdioData};

/// A response stream that stays open and silent until shutdown, then ends.
type IdleStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Builds an [`IdleStream`] that ends when `shutdown` is cancelled, so that graceful shutdown
/// is not held up by a stream that would otherwise never finish.
fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> IdleStream<T> {
    Box::pin(futures::stream::pending::<Result<T, Status>>().take_until(shutdown.cancelled_owned()))
}

/// `plugin.GRPCController`: Shutdown triggers a graceful stop of the whole plugin.
#[derive(Debug, Clone)]
pub struct Controller {
    /// Cancelled to stop the server; `serve` then returns and the process exits.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown received; stopping");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: one open stream per caller that never sends anything. Anything sent
/// would be logged by Terraform as "unexpected data"; our logs go to stderr as JSON lines.
#[derive(Debug, Clone)]
pub struct Stdio {
    /// Ends the open streams at shutdown.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = IdleStream<StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`: accepts the stream Terraform opens, reads and ignores whatever it
/// sends, and sends nothing.
#[derive(Debug, Clone)]
pub struct Broker {
    /// Ends the open streams at shutdown.
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = IdleStream<ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    msg = inbound.next() => match msg {
                        Some(Ok(info)) => tracing::debug!(service_id = info.service_id, "ignoring broker message"),
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}
