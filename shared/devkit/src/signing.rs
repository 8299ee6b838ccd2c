//! Minting session tokens: for the admin CLI's `token` command and for tests, with the
//! committed dev-only keys or a test's own. No request path signs anything.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use model::{SessionId, TenantId, UserId};
use serde::Serialize;

/// The claims a session token carries (see `auth::token`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenClaims {
    /// Issuer.
    pub iss: String,
    /// User id.
    pub sub: UserId,
    /// Session id.
    pub sid: SessionId,
    /// Tenant id.
    pub tid: TenantId,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
}

impl TokenClaims {
    /// Claims for a session, issued now and valid for `ttl_secs` (negative: already expired).
    pub fn for_session(
        issuer: &str,
        tenant: TenantId,
        user: UserId,
        session: SessionId,
        ttl_secs: i64,
    ) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Self {
            iss: issuer.to_owned(),
            sub: user,
            sid: session,
            tid: tenant,
            iat: now,
            exp: now.saturating_add(ttl_secs),
            nbf: None,
            aud: None,
        }
    }
}

/// A key that cannot sign.
#[derive(Debug, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SigningError(String);

/// Signs tokens with one private key under one `kid`.
pub struct TokenSigner {
    kid: String,
    algorithm: Algorithm,
    key: EncodingKey,
}

impl TokenSigner {
    /// An ES256 signer from a PKCS#8 P-256 private key in PEM.
    pub fn es256(pem: &[u8], kid: &str) -> Result<Self, SigningError> {
        let key = EncodingKey::from_ec_pem(pem).map_err(|e| SigningError(e.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            algorithm: Algorithm::ES256,
            key,
        })
    }

    /// An RS256 signer from an RSA private key in PEM.
    pub fn rs256(pem: &[u8], kid: &str) -> Result<Self, SigningError> {
        let key = EncodingKey::from_rsa_pem(pem).map_err(|e| SigningError(e.to_string()))?;
        Ok(Self {
            kid: kid.to_owned(),
            algorithm: Algorithm::RS256,
            key,
        })
    }

    /// A compact JWT for `claims`, with `kid` and `typ: JWT` in the header.
    pub fn sign(&self, claims: &TokenClaims) -> Result<String, SigningError> {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        encode(&header, claims, &self.key).map_err(|e| SigningError(e.to_string()))
    }
}
