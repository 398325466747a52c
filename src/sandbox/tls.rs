//! Generates the sandbox's own CA and a server certificate for 127.0.0.1/localhost signed by
//! it, and builds the rustls server configuration (aws-lc-rs provider, HTTP/1.1 and h2); plus
//! a second one for `*.external.astronomer.run`, which the loopback imitation of Astro's
//! Remote Execution API presents (HTTP/1.1).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::ServerConfig;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::SandboxError;

/// The generated CA (PEM, for clients) and the server TLS configuration.
#[derive(Debug)]
pub struct TlsMaterial {
    /// The CA certificate clients must trust.
    pub ca_pem: String,
    /// Server configuration presenting the leaf certificate.
    pub server_config: Arc<ServerConfig>,
    /// Server configuration for `*.external.astronomer.run` (see [`ASTRO_ZONE`]).
    pub astro_config: Arc<ServerConfig>,
}

/// The zone whose hosts the loopback Astro imitation holds a certificate for.
pub const ASTRO_ZONE: &str = "external.astronomer.run";

fn tls_err(step: &str) -> impl Fn(rcgen::Error) -> SandboxError + '_ {
    move |e| SandboxError::Tls(format!("{step}: {e}"))
}

/// Creates a fresh CA and a leaf for `127.0.0.1`, `::1` and `localhost`.
pub fn generate() -> Result<TlsMaterial, SandboxError> {
    let ca_key = KeyPair::generate().map_err(tls_err("generating the CA key"))?;
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(tls_err("building CA parameters"))?;
    let mut ca_name = DistinguishedName::new();
    ca_name.push(DnType::CommonName, "astro-azure-sandbox local CA");
    ca_params.distinguished_name = ca_name;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(tls_err("self-signing the CA"))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_config = leaf(
        &issuer,
        &ca_cert,
        vec!["localhost".to_string()],
        "127.0.0.1",
        true,
        &[b"h2".as_slice(), b"http/1.1".as_slice()],
    )?;
    let astro_config = leaf(
        &issuer,
        &ca_cert,
        vec![format!("*.{ASTRO_ZONE}"), ASTRO_ZONE.to_string()],
        &format!("*.{ASTRO_ZONE}"),
        false,
        &[b"http/1.1".as_slice()],
    )?;
    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        server_config,
        astro_config,
    })
}

/// A leaf for `names` (plus the loopback addresses when `loopback`) signed by the CA, as a
/// rustls server configuration offering `alpn`.
fn leaf(
    issuer: &Issuer<'_, KeyPair>,
    ca_cert: &rcgen::Certificate,
    names: Vec<String>,
    common_name: &str,
    loopback: bool,
    alpn: &[&[u8]],
) -> Result<Arc<ServerConfig>, SandboxError> {
    let leaf_key = KeyPair::generate().map_err(tls_err("generating the server key"))?;
    let mut leaf_params =
        CertificateParams::new(names).map_err(tls_err("building server parameters"))?;
    if loopback {
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        leaf_params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    }
    let mut leaf_name = DistinguishedName::new();
    leaf_name.push(DnType::CommonName, common_name);
    leaf_params.distinguished_name = leaf_name;
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, issuer)
        .map_err(tls_err("signing the server certificate"))?;

    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SandboxError::Tls(format!("choosing TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| SandboxError::Tls(format!("loading the server certificate: {e}")))?;
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}
