//! Who is calling: everything between a request's credential headers and an established
//! [`Identity`], and nothing else.
//!
//! - [`credential`]: finds the session token of a request (`Authorization: Bearer` or the
//!   `__session` cookie) and refuses malformed or ambiguous headers.
//! - [`keys`] and [`jwks`]: the public keys tokens are checked with. A [`KeySource`] hands out
//!   one [`VerificationKey`] per `kid`: [`KeySet`] an inline JWKS document
//!   (`JWT_PUBLIC_KEYS`), [`CachedKeySource`] the identity provider's JWKS endpoint
//!   (`JWKS_URL`, fetched over HTTPS by [`jwks_https`]), cached and refetched on rotation at a
//!   bounded rate. Each key pins its algorithm (ES256 for P-256 keys, RS256 for RSA keys), so a
//!   token's `alg` header can never choose one; `none`, HMAC and every other algorithm are
//!   refused.
//! - [`token`]: [`TokenVerifier`] checks signature, `iss`, `exp`, `nbf`, `aud` (when
//!   configured) with a leeway, and yields the [`SessionClaims`] (`sub`, `sid`, `tid`).
//! - [`api_key`]: the API secret's format and the constant-time check of its digest.
//! - [`identity`]: the checks against the store once a credential is verified: tenant active,
//!   session live and the user's, API key live and its secret matching, user present.
//! - [`access`]: [`AccessError`], every way those steps refuse or fail, with the stable codes
//!   both routes share.
//!
//! Nothing here signs a token (the dev-only signer is in `devkit`) or writes to the store.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod api_key;
pub mod credential;
pub mod identity;
pub mod jwks;
pub mod jwks_https;
pub mod keys;
pub mod token;

pub use access::AccessError;
pub use api_key::{ApiKeyFormatError, ApiKeySecret};
pub use credential::{CredentialError, SessionToken, session_token};
pub use identity::{Identity, api_key_identity, session_identity};
pub use jwks::{CachedKeySource, JwksFetcher, JwksPolicy, ProviderKeys};
pub use jwks_https::{HttpsJwksFetcher, parse_jwks_url};
pub use keys::{KeyError, KeySet, KeySetError, KeySource, VerificationKey};
pub use token::{SessionClaims, TokenError, TokenVerifier, VerifierSettings};

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `data`: how API-key secrets and backup codes are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}
