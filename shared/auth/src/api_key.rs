//! API keys for tenant integrations (`X-API-KEY` + `X-API-SECRET`).
//!
//! Format (identifiable prefixes help users and secret scanners):
//!
//! - key id ([`model::ApiKeyId`]): `cuk_` followed by 32 lower-case hex digits (a UUIDv4's 122
//!   random bits); public, stored in clear as part of the item key;
//! - secret: `cus_` followed by 64 lower-case hex digits (two UUIDv4s: 244 random bits from the
//!   operating system's CSPRNG); shown once at creation, stored only as its SHA-256 digest.
//!
//! Keys are minted by the operator's `accounts::new_api_key`; this module only checks them.
//!
//! The secrets are long and random, so a fast digest is enough (there is nothing to
//! brute-force that a slow hash would protect); the digest comparison runs in constant time.

use std::fmt;

use model::is_prefixed_hex;
use subtle::ConstantTimeEq;

use crate::sha256_hex;

/// What every API secret starts with.
pub const SECRET_PREFIX: &str = "cus_";

/// An `X-API-KEY` or `X-API-SECRET` value that is not of the documented format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not of the documented format")]
pub struct ApiKeyFormatError(&'static str);

/// A well-formed API secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// Checks the format of an `X-API-SECRET` value.
    pub fn parse(text: &str) -> Result<Self, ApiKeyFormatError> {
        if is_prefixed_hex(text, SECRET_PREFIX, 64) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ApiKeyFormatError("X-API-SECRET"))
        }
    }

    /// Whether this secret's digest ([`sha256_hex`], as stored) equals `stored_digest`,
    /// compared in constant time.
    pub fn matches(&self, stored_digest: &str) -> bool {
        sha256_hex(self.0.as_bytes())
            .as_bytes()
            .ct_eq(stored_digest.as_bytes())
            .into()
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devkit::demo::{API_KEY, API_SECRET as SECRET};

    const OTHER: &str = "cus_fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    #[test]
    fn a_secret_matches_its_digest_only() {
        let secret = ApiKeySecret::parse(SECRET).unwrap();
        assert!(secret.matches(&sha256_hex(SECRET.as_bytes())));
        assert!(!secret.matches(&sha256_hex(OTHER.as_bytes())));
        assert!(!secret.matches(""));
    }

    #[test]
    fn refuses_other_formats() {
        for bad in ["", "cus_", API_KEY, &SECRET[..60], &SECRET.to_uppercase()] {
            assert!(ApiKeySecret::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let secret = ApiKeySecret::parse(SECRET).unwrap();
        assert!(!format!("{secret:?}").contains(&SECRET[4..]));
    }
}
