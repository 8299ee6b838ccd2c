//! Session-token verification.
//!
//! A session token is a JWT signed by the identity provider with claims:
//!
//! | claim | meaning |
//! |---|---|
//! | `iss` | must equal `JWT_ISSUER` |
//! | `aud` | must contain one of `JWT_AUDIENCE` when that is set |
//! | `exp` | required; `nbf` honoured when present; both with `JWT_LEEWAY_SECS` of leeway |
//! | `sub` | the user id (UUID) |
//! | `sid` | the session id (UUID) |
//! | `tid` | the tenant id (UUID) |
//!
//! The header must name its key with `kid`; the key fixes the algorithm. Tokens longer than
//! [`MAX_TOKEN_BYTES`] or not of the compact `header.payload.signature` form are refused before
//! any parsing.

use std::env;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use serde::Deserialize;
use uuid::Uuid;

use crate::keys::{KeyError, KeySource};

/// Tokens longer than this are refused unread.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a verified session token says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionClaims {
    /// The user id (`sub`).
    pub sub: Uuid,
    /// The session id (`sid`).
    pub sid: Uuid,
    /// The tenant id (`tid`).
    pub tid: Uuid,
    /// Expiry, seconds since the epoch (`exp`).
    pub exp: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The token is past its `exp` (401).
    #[error("the token has expired")]
    Expired,
    /// Anything else wrong with the token (401). The text names the check, never the token,
    /// and is meant for logs.
    #[error("the token is invalid: {0}")]
    Invalid(&'static str),
    /// The keys could not be obtained (503).
    #[error("{0}")]
    KeysUnavailable(String),
}

/// Issuer, audience and leeway: the verifier's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierSettings {
    /// The required `iss`.
    pub issuer: String,
    /// When set, `aud` must contain one of these.
    pub audience: Option<Vec<String>>,
    /// Seconds of leeway on `exp` and `nbf`.
    pub leeway_secs: u64,
}

/// A configuration variable that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration variable {variable}: {problem}")]
pub struct VerifierConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// The leeway when `JWT_LEEWAY_SECS` is not set.
pub const DEFAULT_LEEWAY_SECS: u64 = 5;

impl VerifierSettings {
    /// Reads `JWT_ISSUER` (required), `JWT_AUDIENCE` (optional, comma-separated) and
    /// `JWT_LEEWAY_SECS` (optional, 0 to 300, default 5).
    pub fn from_env() -> Result<Self, VerifierConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// As [`VerifierSettings::from_env`], reading variables through `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, VerifierConfigError> {
        let issuer = lookup("JWT_ISSUER")
            .filter(|v| !v.trim().is_empty())
            .ok_or(VerifierConfigError {
                variable: "JWT_ISSUER",
                problem: "is required".into(),
            })?;
        let audience = lookup("JWT_AUDIENCE")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .filter(|list| !list.is_empty());
        let leeway_secs = match lookup("JWT_LEEWAY_SECS").filter(|v| !v.trim().is_empty()) {
            None => DEFAULT_LEEWAY_SECS,
            Some(text) => text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|secs| *secs <= 300)
                .ok_or(VerifierConfigError {
                    variable: "JWT_LEEWAY_SECS",
                    problem: format!(
                        "must be a whole number of seconds from 0 to 300, not {text:?}"
                    ),
                })?,
        };
        Ok(Self {
            issuer,
            audience,
            leeway_secs,
        })
    }
}

/// Verifies session tokens against the keys of a [`KeySource`].
#[derive(Debug)]
pub struct TokenVerifier<K> {
    keys: K,
    settings: VerifierSettings,
}

impl<K: KeySource> TokenVerifier<K> {
    /// A verifier with these keys and settings.
    pub fn new(keys: K, settings: VerifierSettings) -> Self {
        Self { keys, settings }
    }

    /// The key source.
    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// Checks `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid("longer than the size limit"));
        }
        if !is_compact_jws(token) {
            return Err(TokenError::Invalid("not three base64url segments"));
        }
        let header = decode_header(token).map_err(|_| {
            TokenError::Invalid("header does not parse or names an unsupported alg")
        })?;
        let kid = header
            .kid
            .as_deref()
            .ok_or(TokenError::Invalid("header has no kid"))?;
        let key = self.keys.key(kid).await.map_err(|e| match e {
            KeyError::UnknownKid => TokenError::Invalid("unknown kid"),
            KeyError::Unavailable(why) => TokenError::KeysUnavailable(why),
        })?;
        // The key decides the algorithm; a header naming another one fails here.
        let mut validation = Validation::new(key.algorithm());
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        validation.set_issuer(&[self.settings.issuer.as_str()]);
        let mut required = vec!["exp", "iss", "sub"];
        match &self.settings.audience {
            Some(audience) => {
                validation.set_audience(audience);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        let data =
            decode::<SessionClaims>(token, key.decoding_key(), &validation).map_err(|e| match e
                .kind()
            {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::Invalid("not valid yet (nbf)"),
                ErrorKind::InvalidSignature => TokenError::Invalid("bad signature"),
                ErrorKind::InvalidAlgorithm => TokenError::Invalid("alg does not match the key"),
                ErrorKind::InvalidIssuer => TokenError::Invalid("wrong issuer"),
                ErrorKind::InvalidAudience => TokenError::Invalid("wrong audience"),
                ErrorKind::MissingRequiredClaim(_) => {
                    TokenError::Invalid("a required claim is missing")
                }
                _ => TokenError::Invalid("claims do not parse"),
            })?;
        Ok(data.claims)
    }
}

/// Whether `token` is three non-empty base64url segments (signature may not be empty).
fn is_compact_jws(token: &str) -> bool {
    let mut segments = 0;
    for segment in token.split('.') {
        segments += 1;
        if segment.is_empty()
            || !segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    segments == 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeySet, StaticKeySource};
    use crate::signing::{TokenClaims, TokenSigner};

    const DEV_JWKS: &str = include_str!("../../../dev/keys/dev-jwks.json");
    const ES256_PEM: &str = include_str!("../../../dev/keys/dev-es256-private.pem");
    const RS256_PEM: &str = include_str!("../../../dev/keys/dev-rs256-private.pem");
    const FOREIGN_PEM: &str = include_str!("../../../dev/keys/test-foreign-es256-private.pem");
    const ISSUER: &str = "https://issuer.test";

    fn settings(audience: Option<&str>) -> VerifierSettings {
        VerifierSettings {
            issuer: ISSUER.into(),
            audience: audience.map(|a| vec![a.to_owned()]),
            leeway_secs: 5,
        }
    }

    fn verifier(audience: Option<&str>) -> TokenVerifier<StaticKeySource> {
        TokenVerifier::new(
            StaticKeySource::new(KeySet::from_jwks_json(DEV_JWKS).unwrap()),
            settings(audience),
        )
    }

    fn claims() -> TokenClaims {
        TokenClaims::for_session(ISSUER, Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), 600)
    }

    fn es256() -> TokenSigner {
        TokenSigner::es256(ES256_PEM.as_bytes(), "dev-es256").unwrap()
    }

    #[tokio::test]
    async fn accepts_es256_and_rs256() {
        let c = claims();
        let got = verifier(None)
            .verify(&es256().sign(&c).unwrap())
            .await
            .unwrap();
        assert_eq!((got.sub, got.sid, got.tid), (c.sub, c.sid, c.tid));
        let rs = TokenSigner::rs256(RS256_PEM.as_bytes(), "dev-rs256").unwrap();
        assert!(verifier(None).verify(&rs.sign(&c).unwrap()).await.is_ok());
    }

    #[tokio::test]
    async fn the_key_pins_the_algorithm() {
        // An RS256 token presented under the ES256 key's kid.
        let rs = TokenSigner::rs256(RS256_PEM.as_bytes(), "dev-es256").unwrap();
        let err = verifier(None)
            .verify(&rs.sign(&claims()).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err, TokenError::Invalid("alg does not match the key"));
    }

    #[tokio::test]
    async fn refuses_a_foreign_key_under_a_trusted_kid() {
        let forged = TokenSigner::es256(FOREIGN_PEM.as_bytes(), "dev-es256").unwrap();
        let err = verifier(None)
            .verify(&forged.sign(&claims()).unwrap())
            .await
            .unwrap_err();
        assert_eq!(err, TokenError::Invalid("bad signature"));
    }

    #[tokio::test]
    async fn expiry_nbf_issuer_and_audience() {
        let v = verifier(None);
        let expired = TokenClaims {
            exp: claims().iat - 60,
            ..claims()
        };
        assert_eq!(
            v.verify(&es256().sign(&expired).unwrap()).await,
            Err(TokenError::Expired)
        );
        // Inside the leeway an expired token still counts.
        let just_expired = TokenClaims {
            exp: claims().iat - 2,
            ..claims()
        };
        assert!(
            v.verify(&es256().sign(&just_expired).unwrap())
                .await
                .is_ok()
        );
        let future = TokenClaims {
            nbf: Some(claims().iat + 600),
            ..claims()
        };
        assert!(matches!(
            v.verify(&es256().sign(&future).unwrap()).await,
            Err(TokenError::Invalid(_))
        ));
        let other_issuer = TokenClaims {
            iss: "https://evil.test".into(),
            ..claims()
        };
        assert_eq!(
            v.verify(&es256().sign(&other_issuer).unwrap()).await,
            Err(TokenError::Invalid("wrong issuer"))
        );

        let with_aud = verifier(Some("api://current-user"));
        let no_aud = claims();
        assert!(
            with_aud
                .verify(&es256().sign(&no_aud).unwrap())
                .await
                .is_err()
        );
        let wrong_aud = TokenClaims {
            aud: Some("api://other".into()),
            ..claims()
        };
        assert_eq!(
            with_aud.verify(&es256().sign(&wrong_aud).unwrap()).await,
            Err(TokenError::Invalid("wrong audience"))
        );
        let right_aud = TokenClaims {
            aud: Some("api://current-user".into()),
            ..claims()
        };
        assert!(
            with_aud
                .verify(&es256().sign(&right_aud).unwrap())
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn refuses_malformed_tokens_before_parsing() {
        let v = verifier(None);
        let good = es256().sign(&claims()).unwrap();
        let too_long = "a".repeat(MAX_TOKEN_BYTES + 1);
        let cases = [
            String::new(),
            "abc".into(),
            "a.b".into(),
            format!("{good}.extra"),
            good.rsplit_once('.').unwrap().0.to_owned() + ".",
            format!("{good}=="),
            "a.b.c".into(),
            too_long,
        ];
        for case in cases {
            assert!(
                matches!(v.verify(&case).await, Err(TokenError::Invalid(_))),
                "{case:.40}"
            );
        }
    }

    #[test]
    fn settings_from_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s =
            VerifierSettings::from_lookup(vars(&[("JWT_ISSUER", "i"), ("JWT_AUDIENCE", "a, b")]))
                .unwrap();
        assert_eq!(s.audience, Some(vec!["a".into(), "b".into()]));
        assert_eq!(s.leeway_secs, DEFAULT_LEEWAY_SECS);
        let missing = VerifierSettings::from_lookup(vars(&[])).unwrap_err();
        assert_eq!(missing.variable, "JWT_ISSUER");
        let bad =
            VerifierSettings::from_lookup(vars(&[("JWT_ISSUER", "i"), ("JWT_LEEWAY_SECS", "ten")]))
                .unwrap_err();
        assert_eq!(bad.variable, "JWT_LEEWAY_SECS");
    }
}
