//! AutoMTLS for the go-plugin transport: a fresh self-signed server certificate per process,
//! and a client-certificate verifier that accepts exactly the certificate Terraform announced
//! in `PLUGIN_CLIENT_CERT`.
//!
//! Terraform's client certificate is a self-signed ECDSA P-521 / SHA-512 certificate with
//! CA:TRUE. rustls' stock WebPKI verifier rejects a CA certificate used as an end entity, and
//! only the aws-lc-rs provider verifies P-521 signatures, so the verifier here pins the DER
//! bytes and checks handshake signatures with aws-lc-rs' algorithms. It must advertise
//! `ecdsa_secp521r1_sha512`: Go's TLS client silently sends no certificate otherwise.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

use super::PluginError;

/// Environment variable holding Terraform's client certificate (PEM) when AutoMTLS is on.
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";

/// How long the server certificate is valid. Each provider process makes a new one.
const SERVER_CERT_LIFETIME: time::Duration = time::Duration::days(365);

/// Back-dating of the server certificate, against small clock differences (as go-plugin does).
const SERVER_CERT_BACKDATE: time::Duration = time::Duration::seconds(30);

/// The crypto provider every TLS piece of the plugin uses (aws-lc-rs: it verifies P-521).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The server's certificate (announced in the handshake line) and its private key.
pub struct ServerIdentity {
    /// DER of the self-signed server certificate.
    pub cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key never appears in Debug output.
        f.debug_struct("ServerIdentity")
            .field("cert_len", &self.cert.len())
            .finish_non_exhaustive()
    }
}

impl ServerIdentity {
    /// Generates an ECDSA P-256 self-signed certificate for `localhost` with EKU
    /// serverAuth + clientAuth, valid from 30 s ago: what Terraform's Go client checks.
    ///
    /// # Errors
    /// [`PluginError::ServerCert`] if key or certificate generation fails.
    pub fn generate() -> Result<Self, PluginError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "terraform-provider-astro");
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - SERVER_CERT_BACKDATE;
        params.not_after = now + SERVER_CERT_LIFETIME;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }
}

/// Parses every certificate in a PEM text (the content of `PLUGIN_CLIENT_CERT`).
///
/// # Errors
/// [`PluginError::ClientCert`] when the text is not PEM or holds no certificate.
pub fn parse_client_certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, PluginError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PluginError::ClientCert(format!("not valid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(PluginError::ClientCert(
            "it holds no PEM CERTIFICATE block".to_owned(),
        ));
    }
    Ok(certs)
}

/// Accepts a client only if it presents one of the pinned certificates and proves possession
/// of its key. Client authentication is mandatory.
#[derive(Debug)]
pub struct PinnedClientCertVerifier {
    pinned: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertVerifier {
    /// Pins `pinned`; handshake signatures are checked with `provider`'s algorithms.
    pub fn new(pinned: Vec<CertificateDer<'static>>, provider: &CryptoProvider) -> Self {
        Self {
            pinned,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: Go's client then sends its certificate whatever its issuer.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|pin| pin.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Builds the rustls server configuration: TLS 1.2+, ALPN `h2` (grpc-go ≥ 1.67 insists on
/// it), our certificate, and mandatory client authentication against `client_certs`.
///
/// # Errors
/// [`PluginError::Tls`] if rustls rejects the configuration.
pub fn server_config(
    identity: &ServerIdentity,
    client_certs: Vec<CertificateDer<'static>>,
) -> Result<rustls::ServerConfig, PluginError> {
    let provider = crypto_provider();
    let verifier = Arc::new(PinnedClientCertVerifier::new(client_certs, &provider));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_advertises_p521_sha512() {
        let verifier = PinnedClientCertVerifier::new(Vec::new(), &crypto_provider());
        let schemes = verifier.supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
        assert!(verifier.client_auth_mandatory());
        assert!(verifier.offer_client_auth());
    }

    #[test]
    fn verifier_pins_exact_der() {
        let pinned = CertificateDer::from(vec![1u8, 2, 3]);
        let verifier = PinnedClientCertVerifier::new(vec![pinned.clone()], &crypto_provider());
        let now = UnixTime::now();
        assert!(verifier.verify_client_cert(&pinned, &[], now).is_ok());
        let other = CertificateDer::from(vec![1u8, 2, 4]);
        assert!(verifier.verify_client_cert(&other, &[], now).is_err());
    }

    #[test]
    fn client_cert_pem_parsing() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        let parsed = parse_client_certs(&cert.pem()).unwrap();
        assert_eq!(parsed, vec![cert.der().clone()]);
        assert!(matches!(
            parse_client_certs("not pem at all"),
            Err(PluginError::ClientCert(_))
        ));
    }

    #[test]
    fn server_identity_and_config() {
        let identity = ServerIdentity::generate().unwrap();
        assert!(!identity.cert.is_empty());
        assert!(!format!("{identity:?}").contains("key:"));
        let config = server_config(&identity, vec![identity.cert.clone()]).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
