//! Who is calling: credential extraction, session-token verification, API-key checks.
//!
//! - [`credential`]: finds the session token of a request (`Authorization: Bearer` or the
//!   `__session` cookie) and refuses malformed or ambiguous headers.
//! - [`keys`]: the public keys tokens are checked with. A [`KeySource`] hands out one
//!   [`VerificationKey`] per `kid`; [`StaticKeySource`] serves an inline JWKS document
//!   (`JWT_PUBLIC_KEYS`); [`CachedKeySource`] a JWKS endpoint (`JWKS_URL`), cached and
//!   refetched on rotation at a bounded rate. Each key pins its algorithm (ES256 for P-256 keys, RS256 for RSA
//!   keys), so a token's `alg` header can never choose one; `none`, HMAC and every other
//!   algorithm are refused.
//! - [`token`]: [`TokenVerifier`] checks signature, `iss`, `exp`, `nbf`, `aud` (when
//!   configured) with a leeway, and yields the [`SessionClaims`] (`sub`, `sid`, `tid`).
//! - [`signing`]: [`TokenSigner`], used by the admin CLI and the tests to mint tokens with the
//!   committed dev-only keys. Nothing on a request path signs.
//! - [`api_key`]: the API-key format and the constant-time secret check.
//!
//! Nothing here reads the store; the functions combine these checks with store lookups.

pub mod api_key;
pub mod credential;
pub mod jwks;
pub mod keys;
pub mod signing;
pub mod token;

pub use api_key::{ApiKeyFormatError, ApiKeyId, ApiKeySecret};
pub use credential::{CredentialError, SessionToken, session_token};
pub use jwks::{CachedKeySource, JwksFetcher, JwksPolicy};
pub use keys::{KeyError, KeySet, KeySetError, KeySource, StaticKeySource, VerificationKey};
pub use signing::{SigningError, TokenClaims, TokenSigner};
pub use token::{SessionClaims, TokenError, TokenVerifier, VerifierConfigError, VerifierSettings};

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `data`: how API-key secrets and backup codes are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
