//! Session-token verification.
//!
//! A session token is a JWT signed by the identity provider with claims:
//!
//! | claim | meaning |
//! |---|---|
//! | `iss` | must equal `JWT_ISSUER` |
//! | `aud` | must contain one of `JWT_AUDIENCE` when that is set |
//! | `exp` | required; `nbf` honoured when present; both with `JWT_LEEWAY_SECS` of leeway |
//! | `sub` | the user id (a UUID, [`model::UserId`]) |
//! | `sid` | the session id (a UUID, [`model::SessionId`]) |
//! | `tid` | the tenant id (a UUID, [`model::TenantId`]) |
//!
//! The header must name its key with `kid`; the key fixes the algorithm. Tokens longer than
//! [`MAX_TOKEN_BYTES`] or not of the compact `header.payload.signature` form are refused before
//! any parsing.
//!
//! ## Verified-token cache
//!
//! A browser sends the same session token on every call for the token's lifetime, and the
//! signature check is most of a request's CPU (ES256 about 100 µs, RS256 about 50 µs on the
//! bench machine; BENCHMARKS.md). So a container remembers the tokens it has verified: up to
//! [`VERIFIED_TOKEN_CACHE_SIZE`] entries, least recently used evicted first (the `lru` crate),
//! keyed by the SHA-256 of the whole token (any other byte string, a tampered one included,
//! misses and is verified in full). A hit is accepted only
//! while the token is unexpired (`exp` plus leeway, checked on every call) and while the key
//! source still hands out the very key that verified it, so a key removed from the JWKS stops
//! its tokens as soon as the key set is refreshed, as without the cache. Only successes are
//! remembered. The session behind the token is still looked up on every call.

use std::env;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use lru::LruCache;
use model::{SessionId, TenantId, UserId};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::keys::{KeyError, KeySource, VerificationKey};

/// Tokens longer than this are refused unread.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a verified session token says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionClaims {
    /// The user id (`sub`).
    pub sub: UserId,
    /// The session id (`sid`).
    pub sid: SessionId,
    /// The tenant id (`tid`).
    pub tid: TenantId,
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

/// How many verified tokens a container remembers (see the module docs).
#[allow(clippy::unwrap_used)] // evaluated at compile time
pub const VERIFIED_TOKEN_CACHE_SIZE: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

/// A token that passed verification: its claims and the key that verified it.
#[derive(Debug)]
struct VerifiedToken {
    claims: SessionClaims,
    kid: String,
    key: Arc<VerificationKey>,
}

/// Verifies session tokens against the keys of a [`KeySource`].
#[derive(Debug)]
pub struct TokenVerifier<K> {
    keys: K,
    settings: VerifierSettings,
    verified: Mutex<LruCache<[u8; 32], Arc<VerifiedToken>>>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl<K: KeySource> TokenVerifier<K> {
    /// A verifier with these keys and settings.
    pub fn new(keys: K, settings: VerifierSettings) -> Self {
        Self {
            keys,
            settings,
            verified: Mutex::new(LruCache::new(VERIFIED_TOKEN_CACHE_SIZE)),
        }
    }

    /// How many verified tokens are remembered now.
    pub fn cached_tokens(&self) -> usize {
        self.cache().len()
    }

    fn cache(&self) -> MutexGuard<'_, LruCache<[u8; 32], Arc<VerifiedToken>>> {
        // The map is never left half-updated, so a poisoned lock is still usable.
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached verdict for the token with this digest at `now`, if it is remembered.
    async fn remembered(
        &self,
        digest: &[u8; 32],
        now: i64,
    ) -> Option<Result<SessionClaims, TokenError>> {
        let entry = self.cache().get(digest).cloned()?;
        let leeway = i64::try_from(self.settings.leeway_secs).unwrap_or(0);
        if now > entry.claims.exp.saturating_add(leeway) {
            self.cache().pop(digest);
            return Some(Err(TokenError::Expired));
        }
        match self.keys.key(&entry.kid).await {
            Ok(key) if Arc::ptr_eq(&key, &entry.key) => Some(Ok(entry.claims.clone())),
            // The key changed or went away: forget the token and verify it afresh.
            Ok(_) | Err(KeyError::UnknownKid) => {
                self.cache().pop(digest);
                None
            }
            Err(KeyError::Unavailable(why)) => Some(Err(TokenError::KeysUnavailable(why))),
        }
    }

    fn remember(&self, digest: [u8; 32], token: VerifiedToken) {
        self.cache().put(digest, Arc::new(token));
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
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = now_secs();
        if let Some(verdict) = self.remembered(&digest, now).await {
            return verdict;
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
        let verified = VerifiedToken {
            claims: data.claims.clone(),
            kid: kid.to_owned(),
            key,
        };
        self.remember(digest, verified);
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
    use devkit::{DEV_JWKS, TokenClaims, TokenSigner};

    const ES256_PEM: &str = devkit::DEV_ES256_PRIVATE_KEY;
    const RS256_PEM: &str = devkit::DEV_RS256_PRIVATE_KEY;
    const FOREIGN_PEM: &str = devkit::TEST_FOREIGN_ES256_PRIVATE_KEY;
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
        TokenClaims::for_session(
            ISSUER,
            TenantId::random(),
            UserId::random(),
            SessionId::random(),
            600,
        )
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
        assert_eq!(
            (
                got.sub.to_string(),
                got.sid.to_string(),
                got.tid.to_string()
            ),
            (c.sub.to_string(), c.sid.to_string(), c.tid.to_string())
        );
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

    /// A key source whose key set the test replaces, as a JWKS refresh would.
    struct SwappableKeys(std::sync::Mutex<KeySet>);

    impl KeySource for SwappableKeys {
        async fn key(&self, kid: &str) -> Result<Arc<VerificationKey>, KeyError> {
            self.0.lock().unwrap().get(kid).ok_or(KeyError::UnknownKid)
        }
    }

    #[tokio::test]
    async fn a_verified_token_is_remembered_and_a_tampered_one_is_verified_in_full() {
        let verifier = verifier(None);
        let token = es256().sign(&claims()).unwrap();
        let first = verifier.verify(&token).await.unwrap();
        assert_eq!(verifier.cached_tokens(), 1);
        assert_eq!(verifier.verify(&token).await.unwrap(), first);
        assert_eq!(verifier.cached_tokens(), 1);

        // Same header and payload, another signature: a miss, and refused.
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
        assert_eq!(
            verifier.verify(&tampered).await,
            Err(TokenError::Invalid("bad signature"))
        );
        assert_eq!(verifier.cached_tokens(), 1, "failures are not remembered");
    }

    #[tokio::test]
    async fn a_remembered_token_expires_with_its_exp() {
        let verifier = verifier(None);
        let token = es256().sign(&claims()).unwrap();
        let verified = verifier.verify(&token).await.unwrap();
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let leeway = verifier.settings.leeway_secs as i64;
        assert_eq!(
            verifier.remembered(&digest, verified.exp + leeway).await,
            Some(Ok(verified.clone())),
            "still valid at the end of the leeway"
        );
        assert_eq!(
            verifier
                .remembered(&digest, verified.exp + leeway + 1)
                .await,
            Some(Err(TokenError::Expired))
        );
        assert_eq!(verifier.cached_tokens(), 0, "an expired token is forgotten");
    }

    #[tokio::test]
    async fn a_remembered_token_is_refused_once_its_key_is_removed() {
        let all = KeySet::from_jwks_json(DEV_JWKS).unwrap();
        let keys = SwappableKeys(std::sync::Mutex::new(all));
        let verifier = TokenVerifier::new(keys, settings(None));
        let token = es256().sign(&claims()).unwrap();
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(verifier.cached_tokens(), 1);

        let jwks: serde_json::Value = serde_json::from_str(DEV_JWKS).unwrap();
        let rsa_only = serde_json::json!({
            "keys": jwks["keys"].as_array().unwrap().iter()
                .filter(|k| k["kid"] == "dev-rs256").collect::<Vec<_>>()
        });
        *verifier.keys().0.lock().unwrap() = KeySet::from_jwks_json(&rsa_only.to_string()).unwrap();
        assert_eq!(
            verifier.verify(&token).await,
            Err(TokenError::Invalid("unknown kid"))
        );
        assert_eq!(verifier.cached_tokens(), 0);
    }

    #[tokio::test]
    async fn the_cache_stays_bounded_and_evicts_the_least_recently_used() {
        let verifier = verifier(None);
        let key = verifier.keys().key("dev-es256").await.unwrap();
        let entry = || VerifiedToken {
            claims: SessionClaims {
                sub: UserId::random(),
                sid: SessionId::random(),
                tid: TenantId::random(),
                exp: 4_102_444_800,
            },
            kid: "dev-es256".into(),
            key: key.clone(),
        };
        let digest = |i: usize| -> [u8; 32] { Sha256::digest(i.to_le_bytes()).into() };
        let size = VERIFIED_TOKEN_CACHE_SIZE.get();
        for i in 0..size {
            verifier.remember(digest(i), entry());
        }
        assert_eq!(verifier.cached_tokens(), size);
        // Token 0 is used again, so token 1 is now the least recently used.
        assert!(verifier.remembered(&digest(0), 0).await.is_some());
        verifier.remember(digest(size), entry());
        assert_eq!(verifier.cached_tokens(), size);
        assert!(verifier.remembered(&digest(0), 0).await.is_some());
        assert!(
            verifier.remembered(&digest(1), 0).await.is_none(),
            "evicted"
        );
        assert!(verifier.remembered(&digest(size), 0).await.is_some());
    }
}
