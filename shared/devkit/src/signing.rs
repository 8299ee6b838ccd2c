//! Minting session tokens: for the admin CLI's `token` command and for tests, with the
//! committed dev-only keys or a test's own. No request path signs anything.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use model::{SessionId, TenantId, UserId};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// The claims a session token carries (see `auth::token`). The tenant and the session go under
/// the claim names [`TokenClaims::claim_names`] sets (`tid` and `sid` unless told otherwise), as
/// the verifier's `JWT_TENANT_CLAIM` and `JWT_SESSION_CLAIM` expect them.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub nbf: Option<i64>,
    /// Audience.
    pub aud: Option<String>,
    /// The names of the tenant and session claims.
    pub claim_names: (String, String),
}

impl Serialize for TokenClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("iss", &self.iss)?;
        map.serialize_entry("sub", &self.sub)?;
        map.serialize_entry(&self.claim_names.1, &self.sid)?;
        map.serialize_entry(&self.claim_names.0, &self.tid)?;
        map.serialize_entry("iat", &self.iat)?;
        map.serialize_entry("exp", &self.exp)?;
        if let Some(nbf) = self.nbf {
            map.serialize_entry("nbf", &nbf)?;
        }
        if let Some(aud) = &self.aud {
            map.serialize_entry("aud", aud)?;
        }
        map.end()
    }
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
            claim_names: ("tid".to_owned(), "sid".to_owned()),
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
        self.sign_json(claims, Some("JWT"))
    }

    /// A compact JWT of any claims, with `kid` and the given `typ` (or none) in the header:
    /// tokens shaped as an identity provider issues them.
    pub fn sign_json(
        &self,
        claims: &impl Serialize,
        typ: Option<&str>,
    ) -> Result<String, SigningError> {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        header.typ = typ.map(str::to_owned);
        encode(&header, claims, &self.key).map_err(|e| SigningError(e.to_string()))
    }
}
