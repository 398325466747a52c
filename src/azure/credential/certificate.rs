//! Client certificate authentication without OpenSSL: the certificate and its RSA key come
//! from a PKCS#12 file (p12-keystore, pure Rust) or a PEM file holding both, and every token
//! request carries a fresh client assertion signed with aws-lc-rs, the JWT Entra documents at
//! https://learn.microsoft.com/entra/identity-platform/certificate-credentials: header `alg`
//! RS256, `typ` JWT, `x5t` (base64url SHA-1 thumbprint of the DER certificate) and `x5t#S256`;
//! claims `aud` (the token endpoint), `iss` = `sub` = the client ID, `jti`, `nbf`, `iat`, `exp`.

use std::fmt;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::azure::config::{CertificateSource, Secret};

/// How long a client assertion is valid (Entra accepts up to a few minutes of skew).
pub const ASSERTION_LIFETIME_SECS: u64 = 600;

/// Why the certificate could not be used; never holds the password or key material.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The file could not be read.
    #[error(
        "reading the client certificate {path} (client_certificate_path / ARM_CLIENT_CERTIFICATE_PATH): {source}"
    )]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `client_certificate` is not base64.
    #[error("`client_certificate` (ARM_CLIENT_CERTIFICATE) is not valid base64: {0}")]
    Base64(base64::DecodeError),
    /// The PKCS#12 file could not be opened (wrong password, corrupt file).
    #[error(
        "the client certificate is not a PKCS#12 file this password opens (check client_certificate_password / ARM_CLIENT_CERTIFICATE_PASSWORD): {0}"
    )]
    Pkcs12(String),
    /// The file holds no usable private key.
    #[error("the client certificate file holds no private key{0}")]
    NoKey(&'static str),
    /// The file holds no certificate.
    #[error("the client certificate file holds no certificate")]
    NoCertificate,
    /// The key is not an RSA key aws-lc-rs accepts.
    #[error(
        "the client certificate's private key is not a usable RSA key (Entra signs client assertions with RS256): {0}"
    )]
    NotRsa(String),
}

/// A loaded certificate: its RSA key and thumbprints.
pub struct ClientCertificate {
    key: RsaKeyPair,
    /// base64url SHA-1 of the DER certificate.
    x5t: String,
    /// base64url SHA-256 of the DER certificate.
    x5t_s256: String,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl ClientCertificate {
    /// Reads the certificate from `source` (PKCS#12, or PEM with certificate and key).
    pub fn load(
        source: &CertificateSource,
        password: Option<&Secret>,
    ) -> Result<Self, CertificateError> {
        let bytes = match source {
            CertificateSource::Path(path) => {
                std::fs::read(path).map_err(|source| CertificateError::Read {
                    path: path.clone(),
                    source,
                })?
            }
            CertificateSource::Base64(b64) => {
                let text: String = b64
                    .expose()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                STANDARD.decode(text).map_err(CertificateError::Base64)?
            }
        };
        Self::parse(&bytes, password.map(Secret::expose).unwrap_or(""))
    }

    /// Parses PEM (when it starts like PEM) or PKCS#12 bytes.
    pub fn parse(bytes: &[u8], password: &str) -> Result<Self, CertificateError> {
        let pem = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .is_some_and(|i| bytes[i..].starts_with(b"-----BEGIN"));
        if pem {
            Self::from_pem(bytes)
        } else {
            Self::from_pkcs12(bytes, password)
        }
    }

    fn from_pem(bytes: &[u8]) -> Result<Self, CertificateError> {
        if bytes
            .windows(b"ENCRYPTED PRIVATE KEY".len())
            .any(|w| w == b"ENCRYPTED PRIVATE KEY")
        {
            return Err(CertificateError::NoKey(
                " this provider can read: the PEM key is encrypted; use an unencrypted PEM key or a password-protected PKCS#12 file",
            ));
        }
        let cert = CertificateDer::pem_slice_iter(bytes)
            .next()
            .ok_or(CertificateError::NoCertificate)?
            .map_err(|_| CertificateError::NoCertificate)?;
        let key = PrivateKeyDer::from_pem_slice(bytes).map_err(|_| CertificateError::NoKey(""))?;
        let key = match key {
            PrivateKeyDer::Pkcs8(k) => RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err(CertificateError::NotRsa("an EC key".into())),
        }
        .map_err(|e| CertificateError::NotRsa(e.to_string()))?;
        Ok(Self::new(key, cert.as_ref()))
    }

    fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Self, CertificateError> {
        let store = p12_keystore::KeyStore::from_pkcs12(
            bytes,
            password,
            p12_keystore::Pkcs12ImportPolicy::Relaxed,
        )
        .map_err(|e| CertificateError::Pkcs12(e.to_string()))?;
        let (_, chain) = store
            .private_key_chain()
            .ok_or(CertificateError::NoKey(""))?;
        let cert = chain
            .certs()
            .first()
            .ok_or(CertificateError::NoCertificate)?;
        let key = RsaKeyPair::from_pkcs8(chain.key().as_der())
            .map_err(|e| CertificateError::NotRsa(e.to_string()))?;
        Ok(Self::new(key, cert.as_der()))
    }

    fn new(key: RsaKeyPair, cert_der: &[u8]) -> Self {
        Self {
            key,
            x5t: URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, cert_der)),
            x5t_s256: URL_SAFE_NO_PAD.encode(digest(&SHA256, cert_der)),
        }
    }

    /// A signed client assertion for `client_id` and the token endpoint `audience`.
    pub fn assertion(&self, client_id: &str, audience: &str, now: u64) -> Result<String, String> {
        let header = serde_json::json!({
            "alg": "RS256",
            "typ": "JWT",
            "x5t": self.x5t,
            "x5t#S256": self.x5t_s256,
        });
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|e| format!("signing the client assertion: {e}"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// azure_identity's [`ClientAssertion`] made from a certificate: a new JWT per token request.
#[derive(Debug)]
pub struct CertificateAssertion {
    certificate: ClientCertificate,
    client_id: String,
    audience: String,
}

impl CertificateAssertion {
    /// Assertions for `client_id` addressed to the token endpoint `audience`.
    pub fn new(certificate: ClientCertificate, client_id: String, audience: String) -> Self {
        Self {
            certificate,
            client_id,
            audience,
        }
    }
}

#[async_trait::async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.certificate
            .assertion(&self.client_id, &self.audience, now)
            .map_err(|e| azure_core::Error::with_message(ErrorKind::Credential, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::KeyPair;

    fn rsa_cert() -> (String, String, Vec<u8>, Vec<u8>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
        let cert = rcgen::CertificateParams::new(vec!["astro-test".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (
            cert.pem(),
            key.serialize_pem(),
            cert.der().to_vec(),
            key.serialize_der(),
        )
    }

    fn decode(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn pem_and_pkcs12_give_the_same_thumbprint_and_a_verifiable_assertion() {
        let (cert_pem, key_pem, cert_der, key_der) = rsa_cert();
        let pem =
            ClientCertificate::parse(format!("{cert_pem}{key_pem}").as_bytes(), "").expect("PEM");
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "astro",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
                b"1".as_slice(),
                p12_keystore::PrivateKey::from_der(&key_der).unwrap(),
                [p12_keystore::Certificate::from_der(&cert_der).unwrap()],
            )),
        );
        let pfx = store.writer("pfx-password").write().unwrap();
        let p12 = ClientCertificate::parse(&pfx, "pfx-password").expect("PKCS#12");
        assert_eq!(pem.x5t, p12.x5t);
        let wrong = ClientCertificate::parse(&pfx, "nope").unwrap_err();
        assert!(matches!(wrong, CertificateError::Pkcs12(_)), "{wrong}");
        assert!(!wrong.to_string().contains("nope"));

        let jwt = p12
            .assertion("client", "https://login.example/t/oauth2/v2.0/token", 1000)
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode(parts[0]);
        assert_eq!(header["alg"], "RS256");
        assert_eq!(
            header["x5t"],
            URL_SAFE_NO_PAD.encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, &cert_der))
        );
        let claims = decode(parts[1]);
        assert_eq!(claims["iss"], "client");
        assert_eq!(claims["sub"], "client");
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(claims["exp"], 1000 + ASSERTION_LIFETIME_SECS);
        let spki = p12.key.public_key();
        let public = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            spki.as_ref(),
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
            )
            .expect("signature verifies with the certificate's key");
    }

    #[test]
    fn pem_without_key_or_with_encrypted_key_is_refused() {
        let (cert_pem, _, _, _) = rsa_cert();
        assert!(matches!(
            ClientCertificate::parse(cert_pem.as_bytes(), ""),
            Err(CertificateError::NoKey(_))
        ));
        let encrypted = format!(
            "{cert_pem}-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        );
        let err = ClientCertificate::parse(encrypted.as_bytes(), "").unwrap_err();
        assert!(err.to_string().contains("encrypted"), "{err}");
    }
}
