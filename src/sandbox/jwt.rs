//! JSON Web Tokens as the sandbox's Entra and identity providers need them: decoding
//! (base64url header, claims, signature), checking an RS256/PS256 client assertion against a
//! registered certificate, and the sandbox's own OIDC issuer that signs the federated tokens
//! its CI imitations hand out (ES256), standing in for GitHub's, Azure DevOps', HCP
//! Terraform's and AKS's issuers, whose public keys Entra would fetch from their discovery
//! documents.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// A decoded (not yet verified) JWT.
#[derive(Debug, Clone)]
pub struct Jwt {
    /// The JOSE header.
    pub header: Value,
    /// The claims.
    pub claims: Value,
    /// `<header>.<claims>` as sent: what the signature covers.
    pub signing_input: String,
    /// The raw signature.
    pub signature: Vec<u8>,
}

impl Jwt {
    /// Splits and decodes a compact JWS; `None` when it is not one.
    pub fn decode(token: &str) -> Option<Self> {
        let mut parts = token.trim().split('.');
        let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let json = |p: &str| -> Option<Value> {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
        };
        Some(Self {
            header: json(h)?,
            claims: json(c)?,
            signing_input: format!("{h}.{c}"),
            signature: URL_SAFE_NO_PAD.decode(s).ok()?,
        })
    }

    /// A string claim.
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// `aud` as a list (it may be a string or an array).
    pub fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `exp` is in the future and `nbf` (if any) not after now, allowing `skew` seconds.
    pub fn in_time(&self, skew: u64) -> bool {
        let now = now_secs();
        let exp = self.claims.get("exp").and_then(Value::as_u64);
        let nbf = self.claims.get("nbf").and_then(Value::as_u64).unwrap_or(0);
        exp.is_some_and(|e| e + skew > now) && nbf <= now + skew
    }

    /// Verifies the signature with an X.509 certificate's key (RS256 or PS256).
    pub fn verify_with_certificate(&self, cert_der: &[u8]) -> bool {
        let der = rustls_pki_types::CertificateDer::from(cert_der);
        let Ok(cert) = webpki::EndEntityCert::try_from(&der) else {
            return false;
        };
        let alg: &dyn rustls_pki_types::SignatureVerificationAlgorithm =
            match self.header.get("alg").and_then(Value::as_str) {
                Some("RS256") => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
                Some("PS256") => webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
                _ => return false,
            };
        cert.verify_signature(alg, self.signing_input.as_bytes(), &self.signature)
            .is_ok()
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The sandbox's token-signing key for every imitated OIDC issuer.
#[derive(Debug)]
pub struct Issuer {
    key: EcdsaKeyPair,
    kid: String,
}

impl Issuer {
    /// A fresh P-256 key.
    pub fn generate() -> Result<Self, String> {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|e| format!("generating the OIDC issuer key: {e}"))?;
        Ok(Self {
            key,
            kid: uuid::Uuid::new_v4().simple().to_string(),
        })
    }

    /// A signed ID token `{iss, sub, aud, iat, nbf, exp, jti}` valid for `lifetime_secs`
    /// (negative: already expired).
    pub fn mint(&self, iss: &str, sub: &str, aud: &str, lifetime_secs: i64) -> String {
        let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
        let header = json!({"alg": "ES256", "typ": "JWT", "kid": self.kid});
        let claims = json!({
            "iss": iss,
            "sub": sub,
            "aud": aud,
            "iat": now.min(now + lifetime_secs) - 60,
            "nbf": now.min(now + lifetime_secs) - 60,
            "exp": now + lifetime_secs,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(&SystemRandom::new(), input.as_bytes())
            .map(|s| URL_SAFE_NO_PAD.encode(s.as_ref()))
            .unwrap_or_default();
        format!("{input}.{signature}")
    }

    /// Whether this issuer signed `jwt`.
    pub fn signed(&self, jwt: &Jwt) -> bool {
        jwt.header.get("alg").and_then(Value::as_str) == Some("ES256")
            && jwt.header.get("kid").and_then(Value::as_str) == Some(self.kid.as_str())
            && UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.key.public_key().as_ref())
                .verify(jwt.signing_input.as_bytes(), &jwt.signature)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_verify_and_tampering_is_caught() {
        let issuer = Issuer::generate().unwrap();
        let token = issuer.mint(
            "https://issuer.example",
            "sub-1",
            "api://AzureADTokenExchange",
            600,
        );
        let jwt = Jwt::decode(&token).unwrap();
        assert!(issuer.signed(&jwt));
        assert!(jwt.in_time(0));
        assert_eq!(jwt.claim("sub"), Some("sub-1"));
        assert_eq!(
            jwt.audiences(),
            vec!["api://AzureADTokenExchange".to_string()]
        );
        let mut forged = jwt.clone();
        forged.signing_input = forged.signing_input.replace('.', ".x");
        assert!(!issuer.signed(&forged));
        let other = Issuer::generate().unwrap();
        assert!(!other.signed(&jwt));
        let expired = Jwt::decode(&issuer.mint("i", "s", "a", -120)).unwrap();
        assert!(issuer.signed(&expired) && !expired.in_time(30));
        assert!(Jwt::decode("not.a").is_none());
    }
}
