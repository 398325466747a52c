//! Credentials and the shared transport: credential failures, request logging without the token, custom authorities, token files, trusting `SSL_CERT_FILE`, and building every credential kind.

use super::*;

#[tokio::test(start_paused = true)]
async fn credential_failure_maps_to_credential_error() {
    let http = MockHttp::new(vec![]);
    let c = ArmClient::with_credential(
        &config_with(&[]),
        Arc::new(FailingCredential),
        Transport::new(http.clone()),
    )
    .expect("client");
    let err = c
        .get(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Credential(_)), "{err:?}");
    assert!(http.requests().is_empty(), "nothing sent without a token");
}

/// Captures tracing output of one test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn logs_carry_request_ids_but_never_the_token() {
    let buf = LogBuffer::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let http = MockHttp::new(vec![
        reply(Method::Put, PE_PATH, 201)
            .json(pe_body("Updating"))
            .header("azure-asyncoperation", OP_URL)
            .header("x-ms-request-id", "req-put-1")
            .header("x-ms-correlation-request-id", "corr-1"),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "InProgress"})),
        reply(Method::Get, "/operations/op1", 200).json(json!({"status": "Succeeded"})),
        reply(Method::Get, PE_PATH, 200).json(pe_body("Succeeded")),
    ]);
    client(&http)
        .put_private_endpoint(&pe_id(), &pe_request(), &ctx(Duration::from_secs(600)))
        .await
        .expect("put");
    let logs = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        http.requests()[0]
            .header("authorization")
            .is_some_and(|a| a.contains(TOKEN))
    );
    assert!(
        logs.contains("req-put-1") && logs.contains("corr-1"),
        "{logs}"
    );
    assert!(
        logs.contains("waiting for writing Private Endpoint"),
        "{logs}"
    );
    assert!(!logs.contains(TOKEN), "token leaked into logs:\n{logs}");
}

#[tokio::test(start_paused = true)]
async fn client_secret_credential_uses_the_custom_authority_and_shared_transport() {
    let config = config_with(&[
        ("ARM_TENANT_ID", "tenant-1"),
        ("ARM_CLIENT_ID", "client-1"),
        ("ARM_CLIENT_SECRET", "s3cr3t-value"),
        ("AZURE_AUTHORITY_HOST", "https://login.test/"),
    ]);
    let http = MockHttp::new(vec![
        reply(Method::Post, "/tenant-1/oauth2/v2.0/token", 200).json(json!({
            "token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": "from-entra"
        })),
        reply(Method::Get, PE_PATH, 404),
    ]);
    let credential = credential::build_credential(&config, http.clone()).expect("credential");
    let c = ArmClient::with_credential(&config, credential, Transport::new(http.clone()))
        .expect("client");
    assert_eq!(
        c.get(&pe_id(), &ctx(Duration::from_secs(60)))
            .await
            .expect("get"),
        None
    );
    let seen = http.requests();
    assert_eq!(seen[0].url.host_str(), Some("login.test"));
    let form = String::from_utf8(seen[0].body.clone()).expect("utf8");
    assert!(form.contains("client_secret=s3cr3t-value"), "{form}");
    assert!(
        form.contains("scope=https%3A%2F%2Farm.test%2F.default"),
        "{form}"
    );
    assert_eq!(seen[1].header("authorization"), Some("Bearer from-entra"));
}

#[tokio::test(start_paused = true)]
async fn oidc_credential_reads_the_token_file() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    writeln!(file, "federated-jwt-1").expect("write");
    let path = file.path().to_string_lossy().to_string();
    let config = config_with(&[
        ("ARM_TENANT_ID", "tenant-1"),
        ("ARM_CLIENT_ID", "client-1"),
        ("ARM_USE_OIDC", "true"),
        ("ARM_OIDC_TOKEN_FILE_PATH", &path),
        ("AZURE_AUTHORITY_HOST", "https://login.test/"),
    ]);
    let http = MockHttp::new(vec![
        reply(Method::Post, "/tenant-1/oauth2/v2.0/token", 200).json(json!({
            "token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": "from-oidc"
        })),
        reply(Method::Get, PE_PATH, 404),
    ]);
    let credential = credential::build_credential(&config, http.clone()).expect("credential");
    let c = ArmClient::with_credential(&config, credential, Transport::new(http.clone()))
        .expect("client");
    c.get(&pe_id(), &ctx(Duration::from_secs(60)))
        .await
        .expect("get");
    let seen = http.requests();
    let form = String::from_utf8(seen[0].body.clone()).expect("utf8");
    assert!(form.contains("client_assertion=federated-jwt-1"), "{form}");
    assert_eq!(seen[1].header("authorization"), Some("Bearer from-oidc"));
}

/// The shared HTTP client trusts the CA named by `SSL_CERT_FILE` (how clients trust the
/// sandbox). Environment variables are set only on child processes: the test re-runs itself
/// as a child in "probe" mode with SSL_CERT_FILE pointing at the test CA, then at an
/// unrelated CA, against a local TLS server on 127.0.0.1.
mod tls_trust {
    use std::sync::Arc;

    use azure_core::http::{Method, Request};
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::azure::credential;

    const PROBE_URL: &str = "ASTRO_TEST_TLS_PROBE_URL";
    const PROBE_EXPECT: &str = "ASTRO_TEST_TLS_PROBE_EXPECT";
    const TEST_NAME: &str =
        "azure::tests::credentials::tls_trust::shared_http_client_trusts_the_ssl_cert_file_ca";

    #[test]
    fn shared_http_client_trusts_the_ssl_cert_file_ca() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        match (std::env::var(PROBE_URL), std::env::var(PROBE_EXPECT)) {
            (Ok(url), Ok(expect)) => rt.block_on(probe(&url, &expect)),
            _ => rt.block_on(parent()),
        }
    }

    /// Child: one GET through the shared client; the outcome must match `expect`.
    async fn probe(url: &str, expect: &str) {
        let http = credential::http_client().expect("http client");
        let req = Request::new(url.parse().expect("url"), Method::Get);
        let result = http.execute_request(&req).await;
        match expect {
            "trusted" => {
                let resp = result.expect("TLS with the SSL_CERT_FILE CA must succeed");
                assert_eq!(u16::from(resp.status()), 200);
            }
            "untrusted" => assert!(
                result.is_err(),
                "a server signed by another CA must be refused"
            ),
            other => panic!("unknown expectation {other}"),
        }
    }

    fn new_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("ca")
    }

    async fn parent() {
        let ca = new_ca("astro test CA");
        let other = new_ca("unrelated CA");
        let leaf_key = KeyPair::generate().expect("key");
        let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("params")
            .signed_by(&leaf_key, &ca)
            .expect("leaf");
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // An untrusting client aborts the handshake: nothing to answer then.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });

        let dir = tempfile::tempdir().expect("tempdir");
        let trusted = dir.path().join("ca.pem");
        let untrusted = dir.path().join("other.pem");
        std::fs::write(&trusted, ca.pem()).expect("write ca");
        std::fs::write(&untrusted, other.pem()).expect("write other");
        let exe = std::env::current_exe().expect("test binary");
        for (bundle, expect) in [(&trusted, "trusted"), (&untrusted, "untrusted")] {
            let out = tokio::process::Command::new(&exe)
                .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
                .env("SSL_CERT_FILE", bundle)
                .env_remove("SSL_CERT_DIR")
                .env(PROBE_URL, format!("https://127.0.0.1:{port}/"))
                .env(PROBE_EXPECT, expect)
                .output()
                .await
                .expect("run child");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "child ({expect}) failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        server.abort();
    }
}

#[tokio::test]
async fn arm_client_new_builds_every_credential_kind_without_network() {
    let cases: [&[(&str, &str)]; 4] = [
        &[
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_CLIENT_SECRET", "s"),
        ],
        &[
            ("ARM_TENANT_ID", "t"),
            ("ARM_CLIENT_ID", "c"),
            ("ARM_USE_OIDC", "true"),
            ("ARM_OIDC_TOKEN", "jwt"),
        ],
        &[("ARM_USE_MSI", "true"), ("ARM_CLIENT_ID", "uami")],
        &[],
    ];
    for env in cases {
        let config = config_with(env);
        let c = ArmClient::new(&config)
            .unwrap_or_else(|e| panic!("{} client: {e}", config.credential.kind()));
        assert_eq!(c.endpoint().as_str(), ENDPOINT);
    }
}
