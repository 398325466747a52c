//! End-to-end tests of the plugin runtime: spawn the built provider binary the way Terraform
//! does (clean environment, magic cookie, PLUGIN_CLIENT_CERT made like go-plugin's), read the
//! handshake line, and talk to it over mutual TLS like Terraform's gRPC client.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use astro_provider::proto::plugin::grpc_broker_client::GrpcBrokerClient;
use astro_provider::proto::plugin::grpc_controller_client::GrpcControllerClient;
use astro_provider::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use astro_provider::proto::plugin::{ConnInfo, Empty};
use astro_provider::proto::tfplugin5::get_provider_schema;
use astro_provider::proto::tfplugin5::provider_client::ProviderClient;
use base64::Engine as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-astro");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Generous bound for the provider to print its handshake (Terraform allows 60 s).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// A client certificate shaped like the one go-plugin (Terraform) generates: self-signed
/// ECDSA P-521 / SHA-512, CA:TRUE, CN localhost, O HashiCorp, EKU client+server auth.
struct ClientIdentity {
    pem: String,
    der: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn go_plugin_like_client_cert() -> ClientIdentity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyAgreement,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(1);
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// The provider command with a clean environment (only PATH), as a test base.
fn provider_command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A running provider and its stdout.
struct Running {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
}

fn spawn(mut cmd: Command) -> Running {
    let mut child = cmd.spawn().expect("spawn provider");
    let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    Running { child, stdout }
}

impl Running {
    async fn next_line(&mut self) -> String {
        tokio::time::timeout(STARTUP_TIMEOUT, self.stdout.next_line())
            .await
            .expect("provider printed nothing in time")
            .expect("read stdout")
            .expect("stdout closed before a line")
    }

    /// Waits for the process to exit, returning how long that took.
    async fn wait_exit(&mut self, limit: Duration) -> Duration {
        let start = Instant::now();
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("provider still running after {limit:?}"))
            .unwrap();
        assert!(status.success(), "exit status {status}");
        start.elapsed()
    }

    fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }
}

/// How long a test waits for the provider to exit before calling it hung: a safety net, far
/// above any healthy exit (the benchmarks measure that).
const EXIT_PATIENCE: Duration = Duration::from_secs(60);

/// Waits until signal `signo` is no longer pending for process `pid` (`ShdPnd` in
/// `/proc/<pid>/status`): the kernel has delivered it, or the process is gone.
async fn wait_signal_delivered(pid: u32, signo: u32) {
    let bit = 1u64 << (signo - 1);
    let started = Instant::now();
    loop {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            return;
        };
        let pending = status
            .lines()
            .find_map(|l| l.strip_prefix("ShdPnd:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0);
        if pending & bit == 0 {
            return;
        }
        assert!(
            started.elapsed() < EXIT_PATIENCE,
            "signal {signo} still pending for {pid} after {EXIT_PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts the provider as Terraform does, with AutoMTLS, and parses its handshake.
async fn start_with_mtls(
    client: &ClientIdentity,
) -> (Running, SocketAddr, CertificateDer<'static>) {
    let mut cmd = provider_command();
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("TF_LOG_PROVIDER", "WARN")
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", &client.pem);
    let mut running = spawn(cmd);
    let line = running.next_line().await;
    let (addr, cert) = parse_handshake(&line);
    (
        running,
        addr,
        cert.expect("TLS handshake line must carry a certificate"),
    )
}

/// Parses `1|5|tcp|ADDR|grpc|CERT` the way go-plugin does (RawStdEncoding: no padding).
fn parse_handshake(line: &str) -> (SocketAddr, Option<CertificateDer<'static>>) {
    let parts: Vec<&str> = line.trim().split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(&parts[..3], ["1", "5", "tcp"], "handshake line {line:?}");
    assert_eq!(parts[4], "grpc");
    let addr: SocketAddr = parts[3].parse().expect("address");
    assert!(addr.ip().is_loopback());
    let cert = (!parts[5].is_empty()).then(|| {
        assert!(
            !parts[5].contains('='),
            "certificate must be unpadded base64"
        );
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("certificate must decode as base64 RawStdEncoding");
        CertificateDer::from(der)
    });
    (addr, cert)
}

/// A gRPC channel over TLS like Terraform's: trusts only the printed server certificate,
/// verifies it for "localhost", ALPN h2, optionally presents a client certificate.
async fn tls_channel(
    addr: SocketAddr,
    server_cert: &CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<Channel, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server_cert.clone()).map_err(|e| e.to_string())?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .map_err(|e| e.to_string())?,
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let service = tower::service_fn(move |_uri: http::Uri| {
        let connector = connector.clone();
        async move {
            let tcp = TcpStream::connect(addr).await?;
            let name = ServerName::try_from("localhost").expect("valid name");
            let tls = connector.connect(name, tcp).await?;
            let (_, session) = tls.get_ref();
            assert_eq!(session.alpn_protocol(), Some(&b"h2"[..]), "ALPN must be h2");
            Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
        }
    });
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(service)
        .await
        .map_err(|e| format!("{e:?}"))
}

/// A plaintext (h2c) channel, as Terraform uses for reattached providers.
async fn plain_channel(addr: SocketAddr) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .expect("plaintext connect")
}

/// Calls GetSchema; any failure (TLS refusal shows up here with TLS 1.3) becomes Err.
async fn get_schema(channel: Channel) -> Result<get_provider_schema::Response, String> {
    ProviderClient::new(channel)
        .get_schema(get_provider_schema::Request {})
        .await
        .map(tonic::Response::into_inner)
        .map_err(|s| format!("{s:?}"))
}

async fn try_get_schema_over_tls(
    addr: SocketAddr,
    server_cert: &CertificateDer<'static>,
    client: Option<&ClientIdentity>,
) -> Result<get_provider_schema::Response, String> {
    let channel = tls_channel(addr, server_cert, client).await?;
    tokio::time::timeout(Duration::from_secs(10), get_schema(channel))
        .await
        .map_err(|_| "timed out".to_owned())?
}

async fn stderr_of(running: Running) -> String {
    let out = running.child.wait_with_output().await.unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn without_magic_cookie_exits_1_with_human_message() {
    let out = provider_command().output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout: {:?}", out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("This binary is a plugin"), "{stderr}");
    assert!(
        stderr.contains("not meant to be executed directly"),
        "{stderr}"
    );

    let mut wrong = provider_command();
    wrong.env("TF_PLUGIN_MAGIC_COOKIE", "not-the-cookie");
    let out = wrong.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test]
async fn protocol_versions_without_5_is_a_clear_error() {
    let mut cmd = provider_command();
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6,7");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no handshake line expected");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("protocol 5"), "{stderr}");
    assert!(stderr.contains("6,7"), "{stderr}");
}

#[tokio::test]
async fn mtls_handshake_serves_only_terraforms_certificate() {
    let client = go_plugin_like_client_cert();
    let (mut running, addr, server_cert) = start_with_mtls(&client).await;

    // The announced certificate is valid for "localhost" (what Go's client dials).
    let ee = webpki::EndEntityCert::try_from(&server_cert).expect("server cert parses");
    let localhost = ServerName::try_from("localhost").unwrap();
    ee.verify_is_valid_for_subject_name(&localhost)
        .expect("server cert has SAN localhost");

    // With the right client certificate: GetSchema and the health check work.
    let schema = try_get_schema_over_tls(addr, &server_cert, Some(&client))
        .await
        .expect("GetSchema with Terraform's certificate");
    let provider = schema.provider.expect("provider schema");
    assert!(provider.block.is_some(), "provider schema needs a block");
    assert!(schema.diagnostics.is_empty());

    let channel = tls_channel(addr, &server_cert, Some(&client))
        .await
        .unwrap();
    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(health.status(), ServingStatus::Serving);

    // Without a client certificate, and with a different P-521 one: refused.
    let none = try_get_schema_over_tls(addr, &server_cert, None).await;
    assert!(none.is_err(), "no client cert must be refused: {none:?}");
    let stranger = go_plugin_like_client_cert();
    let other = try_get_schema_over_tls(addr, &server_cert, Some(&stranger)).await;
    assert!(
        other.is_err(),
        "another client cert must be refused: {other:?}"
    );

    // Still serving Terraform afterwards.
    try_get_schema_over_tls(addr, &server_cert, Some(&client))
        .await
        .expect("still serving after refusals");

    running.child.start_kill().unwrap();
    let stderr = stderr_of(running).await;
    let refusals: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("refused connection"))
        .collect();
    // tonic may retry a refused connection, so count kinds, not lines.
    assert!(
        refusals
            .iter()
            .any(|l| l.contains("peer sent no certificates")),
        "the certificate-less client is refused: {stderr}"
    );
    assert!(
        refusals
            .iter()
            .any(|l| l.contains("ApplicationVerificationFailure")),
        "the stranger's certificate is refused: {stderr}"
    );
}

#[tokio::test]
async fn controller_shutdown_exits_and_ends_the_streams() {
    let client = go_plugin_like_client_cert();
    let (mut running, addr, server_cert) = start_with_mtls(&client).await;
    let channel = tls_channel(addr, &server_cert, Some(&client))
        .await
        .unwrap();

    // Open the long-lived streams Terraform opens, so shutdown must end them.
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .expect("stdio stream opens")
        .into_inner();
    let (_broker_tx, broker_rx) = tokio::sync::mpsc::channel::<ConnInfo>(1);
    let mut broker = GrpcBrokerClient::new(channel.clone())
        .start_stream(tokio_stream::wrappers::ReceiverStream::new(broker_rx))
        .await
        .expect("broker stream opens")
        .into_inner();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown answers");
    // How fast it exits is measured by the benchmarks; here only that it exits, with a generous
    // limit for a loaded machine.
    running.wait_exit(EXIT_PATIENCE).await;

    // The streams ended rather than being left dangling, and stdio stayed silent all along
    // (the provider logs to stderr, never through go-plugin's stdio stream).
    let mut said = Vec::new();
    while let Ok(Some(message)) = stdio.message().await {
        said.push(message);
    }
    assert!(said.is_empty(), "stdio must not send anything: {said:?}");
    assert!(!matches!(broker.message().await, Ok(Some(_))));
}

#[tokio::test]
async fn sigint_is_ignored_and_sigterm_stops() {
    let client = go_plugin_like_client_cert();
    let (mut running, addr, server_cert) = start_with_mtls(&client).await;
    let pid = running.pid().to_string();

    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    // The event: the kernel has delivered the SIGINT (it is no longer pending for the
    // process); had it stopped the provider, the call below would fail.
    wait_signal_delivered(running.pid(), 2).await;
    assert!(
        running.child.try_wait().unwrap().is_none(),
        "SIGINT must not stop the provider"
    );
    try_get_schema_over_tls(addr, &server_cert, Some(&client))
        .await
        .expect("serving after SIGINT");

    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    running.wait_exit(EXIT_PATIENCE).await;
}

#[tokio::test]
async fn version_flag() {
    let out = provider_command().arg("--version").output().await.unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        format!(
            "terraform-provider-astro {} (tfplugin5)",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[tokio::test]
async fn unknown_flag_is_rejected() {
    let out = provider_command().arg("--bogus").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
}

#[tokio::test]
async fn debug_mode_prints_reattach_and_serves_plaintext() {
    // No cookie: debug mode does not need one.
    let mut running = spawn({
        let mut cmd = provider_command();
        cmd.arg("--debug");
        cmd
    });
    let json = loop {
        let line = running.next_line().await;
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.strip_suffix('\'').expect("closing quote").to_owned();
        }
    };
    let value: serde_json::Value = serde_json::from_str(&json).expect("reattach JSON parses");
    let entry = &value["registry.terraform.io/astro-privatelink/astro"];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 5);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Pid"], u64::from(running.pid()));
    assert_eq!(entry["Addr"]["Network"], "tcp");
    let addr: SocketAddr = entry["Addr"]["String"].as_str().unwrap().parse().unwrap();

    let schema = get_schema(plain_channel(addr).await)
        .await
        .expect("GetSchema over plaintext");
    assert!(schema.provider.is_some());

    // Ctrl-C stops a debug server.
    let status = std::process::Command::new("kill")
        .args(["-INT", &running.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    running.wait_exit(EXIT_PATIENCE).await;
}

#[tokio::test]
async fn without_client_cert_serves_plaintext_with_empty_cert_field() {
    let mut cmd = provider_command();
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5");
    let mut running = spawn(cmd);
    let line = running.next_line().await;
    let (addr, cert) = parse_handshake(&line);
    assert!(
        cert.is_none(),
        "no certificate without PLUGIN_CLIENT_CERT: {line}"
    );
    let schema = get_schema(plain_channel(addr).await)
        .await
        .expect("GetSchema");
    assert!(schema.provider.is_some());
    running.child.start_kill().unwrap();
}

#[tokio::test]
async fn unusable_client_cert_is_reported() {
    let mut cmd = provider_command();
    cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_CLIENT_CERT", "this is not PEM");
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PLUGIN_CLIENT_CERT"), "{stderr}");
}
