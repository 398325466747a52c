//! JSON Web Tokens as the sandbox's Entra and identity providers need them, through
//! jsonwebtoken: decoding (header and claims, before anything is trusted), checking an
//! RS256/PS256 client assertion against a registered certificate, and the sandbox's own OIDC
//! issuer that signs the federated tokens its CI imitations hand out (ES256), standing in for
//! GitHub's, Azure DevOps', HCP Terraform's and AKS's issuers, whose public keys Entra would
//! fetch from their discovery documents. Claims are checked by the callers, one by one, since
//! Entra answers each failure with its own error code.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};

/// A decoded (not yet verified) JWT.
#[derive(Debug, Clone)]
pub struct Jwt {
    /// The JOSE header.
    pub header: Header,
    /// The claims.
    pub claims: Value,
    /// The compact token as sent: what a signature check reads.
    token: String,
}

impl Jwt {
    /// Decodes a compact JWS without checking it; `None` when it is not one.
    pub fn decode(token: &str) -> Option<Self> {
        let token = token.trim();
        let data = jsonwebtoken::dangerous::insecure_decode::<Value>(token).ok()?;
        Some(Self {
            header: data.header,
            claims: data.claims,
            token: token.to_string(),
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

    /// Whether `key` made the signature with the header's algorithm, one of `allowed`.
    fn signed_by(&self, key: &DecodingKey, allowed: &[Algorithm]) -> bool {
        if !allowed.contains(&self.header.alg) {
            return false;
        }
        let mut signature_only = Validation::new(self.header.alg);
        signature_only.validate_exp = false;
        signature_only.validate_aud = false;
        signature_only.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(&self.token, key, &signature_only).is_ok()
    }

    /// Verifies the signature with an X.509 certificate's key (RS256 or PS256).
    pub fn verify_with_certificate(&self, cert_der: &[u8]) -> bool {
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            STANDARD.encode(cert_der)
        );
        DecodingKey::from_rsa_pem(pem.as_bytes())
            .is_ok_and(|key| self.signed_by(&key, &[Algorithm::RS256, Algorithm::PS256]))
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
pub struct Issuer {
    signing: EncodingKey,
    verifying: DecodingKey,
    kid: String,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// A fresh P-256 key.
    pub fn generate() -> Result<Self, String> {
        let failed =
            |e: aws_lc_rs::error::Unspecified| format!("generating the OIDC issuer key: {e}");
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(failed)?;
        Ok(Self {
            signing: EncodingKey::from_ec_der(key.to_pkcs8v1().map_err(failed)?.as_ref()),
            verifying: DecodingKey::from_ec_der(key.public_key().as_ref()),
            kid: uuid::Uuid::new_v4().simple().to_string(),
        })
    }

    /// A signed ID token `{iss, sub, aud, iat, nbf, exp, jti}` valid for `lifetime_secs`
    /// (negative: already expired).
    pub fn mint(&self, iss: &str, sub: &str, aud: &str, lifetime_secs: i64) -> String {
        let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let claims = json!({
            "iss": iss,
            "sub": sub,
            "aud": aud,
            "iat": now.min(now + lifetime_secs) - 60,
            "nbf": now.min(now + lifetime_secs) - 60,
            "exp": now + lifetime_secs,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        jsonwebtoken::encode(&header, &claims, &self.signing).unwrap_or_default()
    }

    /// Whether this issuer signed `jwt`.
    pub fn signed(&self, jwt: &Jwt) -> bool {
        jwt.header.kid.as_deref() == Some(self.kid.as_str())
            && jwt.signed_by(&self.verifying, &[Algorithm::ES256])
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
        // The same signature over other claims.
        let parts: Vec<&str> = token.split('.').collect();
        let other = json!({"iss": "https://issuer.example", "sub": "sub-2", "exp": u64::MAX});
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other.to_string()),
            parts[2]
        );
        let forged = Jwt::decode(&forged).unwrap();
        assert_eq!(forged.claim("sub"), Some("sub-2"));
        assert!(!issuer.signed(&forged));
        let other = Issuer::generate().unwrap();
        assert!(!other.signed(&jwt));
        let expired = Jwt::decode(&issuer.mint("i", "s", "a", -120)).unwrap();
        assert!(issuer.signed(&expired) && !expired.in_time(30));
        assert!(Jwt::decode("not.a").is_none());
    }

    #[test]
    fn certificate_assertions_verify_with_rs256_and_ps256_and_that_certificate_only() {
        use aws_lc_rs::rand::SystemRandom;
        use aws_lc_rs::signature::{
            RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PSS_SHA256, RsaKeyPair,
        };
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let certificate = || {
            let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
            let cert = rcgen::CertificateParams::new(vec!["client".to_string()])
                .unwrap()
                .self_signed(&key)
                .unwrap();
            (RsaKeyPair::from_pkcs8(&key.serialize_der()).unwrap(), cert)
        };
        let (key, cert) = certificate();
        let (_, other_cert) = certificate();
        let sign = |alg: &str, padding| {
            let input = format!(
                "{}.{}",
                b64(json!({"alg": alg, "typ": "JWT"}).to_string().as_bytes()),
                b64(json!({"sub": "client"}).to_string().as_bytes())
            );
            let mut signature = vec![0; key.public_modulus_len()];
            key.sign(
                padding,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .unwrap();
            Jwt::decode(&format!("{input}.{}", b64(&signature))).unwrap()
        };
        for (alg, padding) in [
            (
                "RS256",
                &RSA_PKCS1_SHA256 as &dyn aws_lc_rs::signature::RsaEncoding,
            ),
            ("PS256", &RSA_PSS_SHA256),
        ] {
            let jwt = sign(alg, padding);
            assert!(jwt.verify_with_certificate(cert.der()), "{alg}");
            assert!(
                !jwt.verify_with_certificate(other_cert.der()),
                "{alg}, other key"
            );
        }
        // A header naming another algorithm than the signature's is refused, and so is a
        // correct signature with an algorithm Entra does not take for client assertions.
        assert!(!sign("PS256", &RSA_PKCS1_SHA256).verify_with_certificate(cert.der()));
        assert!(!sign("RS384", &RSA_PKCS1_SHA384).verify_with_certificate(cert.der()));
    }
}
