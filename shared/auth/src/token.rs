//! Session-token verification.
//!
//! A session token is a JWT signed by the identity provider with claims:
//!
//! | claim | meaning |
//! |---|---|
//! | `iss` | one string, equal to `JWT_ISSUER` |
//! | `aud` | holds one of `JWT_AUDIENCE`; or, without `aud`, `client_id` or `azp` is one of `JWT_CLIENT_ID` |
//! | `token_use` | equals `JWT_TOKEN_USE` when that is set |
//! | `exp` | required; `nbf` honoured when present; both with `JWT_LEEWAY_SECS` of leeway |
//! | `iat` | not later than now plus the leeway; `exp` minus the earlier of `iat` and now at most `JWT_MAX_LIFETIME_SECS` |
//! | `sub` | the user id ([`model::UserId`], an opaque id) |
//! | `JWT_SESSION_CLAIM` (`sid`) | the session id ([`model::SessionId`]) |
//! | `JWT_TENANT_CLAIM` (`tid`) | the tenant id ([`model::TenantId`]) |
//!
//! The header must name its key with `kid`; the key fixes the algorithm. A `crit` header is
//! refused (no extension is implemented), and so is a `typ` other than those of
//! [`ACCEPTED_TYPES`]. Tokens longer than [`MAX_TOKEN_BYTES`] or not of the compact
//! `header.payload.signature` form are refused before any parsing.
//!
//! ## Verified-token cache
//!
//! A browser sends the same session token on every call for the token's lifetime, and the
//! signature check is most of a request's CPU (BENCHMARKS.md). So a container remembers the
//! tokens it has verified: up to [`VERIFIED_TOKEN_CACHE_SIZE`] entries, least recently used
//! evicted first (the `lru` crate), keyed by the SHA-256 of the whole token (any other byte
//! string, a tampered one included, misses and is verified in full). A hit is accepted only
//! while the token is unexpired (`exp` plus leeway, checked on every call) and while the key
//! source still hands out the very key that verified it, so a key removed from the JWKS stops
//! its tokens as soon as the key set is refreshed, as without the cache. Only successes are
//! remembered. The session behind the token is still looked up on every call.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Validation, decode, decode_header};
use lru::LruCache;
use model::{SessionId, TenantId, Timestamp, UserId};
use serde::Deserialize;
use serde_json::{Map, Value};
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

/// The token policy: who must have issued a token, for whom, for what use, for how long, and
/// which claims name the tenant and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierSettings {
    /// The required `iss`: one string, equal to this.
    pub issuer: String,
    /// When set, `aud` must contain one of these.
    pub audience: Option<Vec<String>>,
    /// When set, a token without `aud` counts when its `client_id` (Cognito access tokens) or
    /// `azp` (Clerk, OIDC's authorized party) is one of these.
    pub client_ids: Option<Vec<String>>,
    /// When set, `token_use` (Cognito's `id` or `access`) must equal this.
    pub token_use: Option<String>,
    /// The claim that names the tenant (`tid` by default).
    pub tenant_claim: String,
    /// The claim that names the session (`sid` by default).
    pub session_claim: String,
    /// The longest accepted lifetime in seconds: `exp` minus the earlier of `iat` and now, so
    /// that no `iat` stretches it.
    pub max_lifetime_secs: u64,
    /// Seconds of leeway on `exp`, `nbf` and `iat`.
    pub leeway_secs: u64,
}

/// The leeway when `JWT_LEEWAY_SECS` is not set.
pub const DEFAULT_LEEWAY_SECS: u64 = 5;
/// The longest token lifetime when `JWT_MAX_LIFETIME_SECS` is not set: 24 hours.
pub const DEFAULT_MAX_LIFETIME_SECS: u64 = 24 * 3600;
/// The tenant claim when `JWT_TENANT_CLAIM` is not set.
pub const DEFAULT_TENANT_CLAIM: &str = "tid";
/// The session claim when `JWT_SESSION_CLAIM` is not set.
pub const DEFAULT_SESSION_CLAIM: &str = "sid";

/// The `typ` headers a session token may carry (compared without case); none is fine too.
/// Other types (`logout+jwt`, `secevent+jwt`, `dpop+jwt`, ...) are tokens for other uses.
pub const ACCEPTED_TYPES: [&str; 3] = ["JWT", "at+jwt", "application/at+jwt"];

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

impl<K: KeySource> TokenVerifier<K> {
    /// A verifier with these keys and settings.
    pub fn new(keys: K, settings: VerifierSettings) -> Self {
        Self {
            keys,
            settings,
            verified: Mutex::new(LruCache::new(VERIFIED_TOKEN_CACHE_SIZE)),
        }
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
        let leeway = i64::try_from(self.settings.leeway_secs).unwrap_or(i64::MAX);
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

    /// Checks `token` and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid("longer than the size limit"));
        }
        if !is_compact_jws(token) {
            return Err(TokenError::Invalid("not three base64url segments"));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = Timestamp::now().unix_seconds();
        if let Some(verdict) = self.remembered(&digest, now).await {
            telemetry::add(|tally| tally.token_cache_hits += 1);
            return verdict;
        }
        telemetry::add(|tally| tally.token_cache_misses += 1);
        let header = decode_header(token).map_err(|_| {
            TokenError::Invalid("header does not parse or names an unsupported alg")
        })?;
        check_header_extras(token)?;
        let kid = header
            .kid
            .as_deref()
            .ok_or(TokenError::Invalid("header has no kid"))?;
        let key = self.keys.key(kid).await.map_err(|e| match e {
            KeyError::UnknownKid => TokenError::Invalid("unknown kid"),
            KeyError::Unavailable(why) => TokenError::KeysUnavailable(why),
        })?;
        // The key decides the algorithm; a header naming another one fails here. The library
        // checks the signature, `exp` and `nbf`; the rest of the policy is checked below, on
        // the claims as they are (so that `iss: ["evil", "<issuer>"]` is not taken as a match).
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = self.settings.leeway_secs;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp"]);
        let data = decode::<Map<String, Value>>(token, &key.decoding_key, &validation).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::Invalid("not valid yet (nbf)"),
                ErrorKind::InvalidSignature => TokenError::Invalid("bad signature"),
                ErrorKind::InvalidAlgorithm => TokenError::Invalid("alg does not match the key"),
                ErrorKind::MissingRequiredClaim(_) => {
                    TokenError::Invalid("a required claim is missing")
                }
                _ => TokenError::Invalid("claims do not parse"),
            },
        )?;
        let claims = self.session_claims(&data.claims, now)?;
        let verified = VerifiedToken {
            claims: claims.clone(),
            kid: kid.to_owned(),
            key,
        };
        self.remember(digest, verified);
        Ok(claims)
    }

    /// The policy's checks on verified claims, and the session they name.
    fn session_claims(
        &self,
        claims: &Map<String, Value>,
        now: i64,
    ) -> Result<SessionClaims, TokenError> {
        let policy = &self.settings;
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("iss") != Some(policy.issuer.as_str()) {
            return Err(TokenError::Invalid("wrong issuer"));
        }
        let audience_matches = match (&policy.audience, claims.get("aud")) {
            (Some(accepted), Some(Value::String(aud))) => accepted.contains(aud),
            (Some(accepted), Some(Value::Array(auds))) => auds
                .iter()
                .filter_map(Value::as_str)
                .any(|aud| accepted.iter().any(|a| a == aud)),
            (_, Some(_)) => false,
            (_, None) => false,
        };
        let client_matches = !claims.contains_key("aud")
            && policy.client_ids.as_ref().is_some_and(|accepted| {
                [text("client_id"), text("azp")]
                    .into_iter()
                    .flatten()
                    .any(|client| accepted.iter().any(|a| a == client))
            });
        let unrestricted = policy.audience.is_none() && policy.client_ids.is_none();
        if !(audience_matches || client_matches || unrestricted) {
            return Err(TokenError::Invalid("wrong audience"));
        }
        if let Some(expected) = &policy.token_use
            && text("token_use") != Some(expected.as_str())
        {
            return Err(TokenError::Invalid("wrong token_use"));
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or(TokenError::Invalid("exp is not a number"))?;
        let leeway = i64::try_from(policy.leeway_secs).unwrap_or(i64::MAX);
        let start = match claims.get("iat") {
            None => now,
            Some(iat) => {
                let iat = iat
                    .as_i64()
                    .ok_or(TokenError::Invalid("iat is not a number"))?;
                if iat > now.saturating_add(leeway) {
                    return Err(TokenError::Invalid("iat is in the future"));
                }
                iat.min(now)
            }
        };
        let max = i64::try_from(policy.max_lifetime_secs).unwrap_or(i64::MAX);
        if exp.saturating_sub(start) > max {
            return Err(TokenError::Invalid("lifetime over the maximum"));
        }
        let id = |name: &str, why: &'static str| text(name).ok_or(TokenError::Invalid(why));
        Ok(SessionClaims {
            sub: UserId::parse(id("sub", "sub is missing")?)
                .map_err(|_| TokenError::Invalid("sub is not a valid id"))?,
            sid: SessionId::parse(id(&policy.session_claim, "the session claim is missing")?)
                .map_err(|_| TokenError::Invalid("the session claim is not a valid id"))?,
            tid: TenantId::parse(id(&policy.tenant_claim, "the tenant claim is missing")?)
                .map_err(|_| TokenError::Invalid("the tenant claim is not a valid id"))?,
            exp,
        })
    }
}

/// The header checks the JWT library leaves out: a `crit` header (RFC 7515 section 4.1.11:
/// this verifier implements no extension, so any is refused) and a `typ` of another use.
fn check_header_extras(token: &str) -> Result<(), TokenError> {
    let (encoded, _) = token
        .split_once('.')
        .ok_or(TokenError::Invalid("not three base64url segments"))?;
    let header: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(TokenError::Invalid("header does not parse"))?;
    if header.contains_key("crit") {
        return Err(TokenError::Invalid(
            "crit names an extension this verifier does not implement",
        ));
    }
    match header.get("typ") {
        None => Ok(()),
        Some(Value::String(typ)) if ACCEPTED_TYPES.iter().any(|t| t.eq_ignore_ascii_case(typ)) => {
            Ok(())
        }
        Some(_) => Err(TokenError::Invalid("typ is not a session token's")),
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
    use crate::keys::KeySet;
    use devkit::{DEV_JWKS, TokenClaims, TokenSigner};

    const ES256_PEM: &str = devkit::DEV_ES256_PRIVATE_KEY;
    const RS256_PEM: &str = devkit::DEV_RS256_PRIVATE_KEY;
    const FOREIGN_PEM: &str = devkit::TEST_FOREIGN_ES256_PRIVATE_KEY;
    const ISSUER: &str = "https://issuer.test";

    /// The policy for `ISSUER` and `audience` with every other setting at its default.
    fn policy(audience: &str) -> VerifierSettings {
        VerifierSettings {
            issuer: ISSUER.to_owned(),
            audience: Some(vec![audience.to_owned()]),
            client_ids: None,
            token_use: None,
            tenant_claim: DEFAULT_TENANT_CLAIM.to_owned(),
            session_claim: DEFAULT_SESSION_CLAIM.to_owned(),
            max_lifetime_secs: DEFAULT_MAX_LIFETIME_SECS,
            leeway_secs: DEFAULT_LEEWAY_SECS,
        }
    }

    fn settings(audience: Option<&str>) -> VerifierSettings {
        VerifierSettings {
            audience: audience.map(|a| vec![a.to_owned()]),
            ..policy("unused")
        }
    }

    fn verifier(audience: Option<&str>) -> TokenVerifier<KeySet> {
        TokenVerifier::new(
            KeySet::from_jwks_json(DEV_JWKS).unwrap(),
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
        assert_eq!(verifier.cache().len(), 1);
        assert_eq!(verifier.verify(&token).await.unwrap(), first);
        assert_eq!(verifier.cache().len(), 1);

        // Same header and payload, another signature: a miss, and refused.
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let flipped = if signature.starts_with('A') { "B" } else { "A" };
        let tampered = format!("{signed}.{flipped}{}", &signature[1..]);
        assert_eq!(
            verifier.verify(&tampered).await,
            Err(TokenError::Invalid("bad signature"))
        );
        assert_eq!(verifier.cache().len(), 1, "failures are not remembered");
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
        assert_eq!(verifier.cache().len(), 0, "an expired token is forgotten");
    }

    #[tokio::test]
    async fn a_remembered_token_is_refused_once_its_key_is_removed() {
        let all = KeySet::from_jwks_json(DEV_JWKS).unwrap();
        let keys = SwappableKeys(std::sync::Mutex::new(all));
        let verifier = TokenVerifier::new(keys, settings(None));
        let token = es256().sign(&claims()).unwrap();
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(verifier.cache().len(), 1);

        let jwks: serde_json::Value = serde_json::from_str(DEV_JWKS).unwrap();
        let rsa_only = serde_json::json!({
            "keys": jwks["keys"].as_array().unwrap().iter()
                .filter(|k| k["kid"] == "dev-rs256").collect::<Vec<_>>()
        });
        *verifier.keys.0.lock().unwrap() = KeySet::from_jwks_json(&rsa_only.to_string()).unwrap();
        assert_eq!(
            verifier.verify(&token).await,
            Err(TokenError::Invalid("unknown kid"))
        );
        assert_eq!(verifier.cache().len(), 0);
    }

    #[tokio::test]
    async fn the_cache_stays_bounded_and_evicts_the_least_recently_used() {
        let verifier = verifier(None);
        let key = verifier.keys.key("dev-es256").await.unwrap();
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
        assert_eq!(verifier.cache().len(), size);
        // Token 0 is used again, so token 1 is now the least recently used.
        assert!(verifier.remembered(&digest(0), 0).await.is_some());
        verifier.remember(digest(size), entry());
        assert_eq!(verifier.cache().len(), size);
        assert!(verifier.remembered(&digest(0), 0).await.is_some());
        assert!(
            verifier.remembered(&digest(1), 0).await.is_none(),
            "evicted"
        );
        assert!(verifier.remembered(&digest(size), 0).await.is_some());
    }

    /// `claims` signed with the dev ES256 key under `header` (any JSON), as a provider or an
    /// attacker would shape it.
    fn signed(header: serde_json::Value, claims: serde_json::Value) -> String {
        let key = jsonwebtoken::EncodingKey::from_ec_pem(ES256_PEM.as_bytes()).unwrap();
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, jsonwebtoken::Algorithm::ES256)
                .unwrap();
        format!("{message}.{signature}")
    }

    fn es256_header() -> serde_json::Value {
        serde_json::json!({"alg": "ES256", "kid": "dev-es256", "typ": "JWT"})
    }

    fn policy_claims() -> serde_json::Value {
        let now = Timestamp::now().unix_seconds();
        serde_json::json!({
            "iss": ISSUER, "aud": "api://current-user", "sub": "auth0|5f7c8ec7c33c6c004bbafe82",
            "sid": "sess_2NNEqhBVAyTg1FmQi1nhq9qjNQb", "tid": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "iat": now, "exp": now + 600
        })
    }

    fn with(changes: serde_json::Value) -> serde_json::Value {
        let mut claims = policy_claims();
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    }

    #[tokio::test]
    async fn the_strict_policy_refuses_what_was_minted_for_something_else() {
        let v = verifier(Some("api://current-user"));
        let good = signed(es256_header(), policy_claims());
        let claims = v.verify(&good).await.unwrap();
        assert_eq!(claims.sub.to_string(), "auth0|5f7c8ec7c33c6c004bbafe82");
        assert_eq!(claims.sid.to_string(), "sess_2NNEqhBVAyTg1FmQi1nhq9qjNQb");
        let now = Timestamp::now().unix_seconds();
        let refused = [
            (
                "iss array",
                es256_header(),
                with(serde_json::json!({"iss": ["https://evil", ISSUER]})),
                "wrong issuer",
            ),
            (
                "no iss",
                es256_header(),
                with(serde_json::json!({"iss": null})),
                "wrong issuer",
            ),
            (
                "other audience",
                es256_header(),
                with(serde_json::json!({"aud": "api://other"})),
                "wrong audience",
            ),
            (
                "no audience",
                es256_header(),
                with(serde_json::json!({"aud": null})),
                "wrong audience",
            ),
            (
                "crit",
                serde_json::json!({"alg": "ES256", "kid": "dev-es256", "crit": ["zzz"]}),
                policy_claims(),
                "crit names an extension this verifier does not implement",
            ),
            (
                "empty crit",
                serde_json::json!({"alg": "ES256", "kid": "dev-es256", "crit": []}),
                policy_claims(),
                "crit names an extension this verifier does not implement",
            ),
            (
                "null crit",
                serde_json::json!({"alg": "ES256", "kid": "dev-es256", "crit": null}),
                policy_claims(),
                "crit names an extension this verifier does not implement",
            ),
            (
                "logout token",
                serde_json::json!({"alg": "ES256", "kid": "dev-es256", "typ": "logout+jwt"}),
                policy_claims(),
                "typ is not a session token's",
            ),
            (
                "null typ",
                serde_json::json!({"alg": "ES256", "kid": "dev-es256", "typ": null}),
                policy_claims(),
                "typ is not a session token's",
            ),
            (
                "i64::MAX exp",
                es256_header(),
                with(serde_json::json!({"exp": i64::MAX})),
                "lifetime over the maximum",
            ),
            (
                "25 h lifetime",
                es256_header(),
                with(serde_json::json!({"iat": now, "exp": now + 25 * 3600})),
                "lifetime over the maximum",
            ),
            (
                "25 h without iat",
                es256_header(),
                with(serde_json::json!({"iat": null, "exp": now + 25 * 3600})),
                "lifetime over the maximum",
            ),
            (
                "iat and exp in 2100",
                es256_header(),
                with(serde_json::json!({"iat": 4_102_444_800_i64, "exp": 4_102_444_800_i64})),
                "iat is in the future",
            ),
            (
                "iat in 10 years, 1 h lifetime",
                es256_header(),
                with(serde_json::json!({"iat": now + 315_360_000, "exp": now + 315_363_600})),
                "iat is in the future",
            ),
            (
                "iat just past the leeway",
                es256_header(),
                with(serde_json::json!({"iat": now + 60, "exp": now + 600})),
                "iat is in the future",
            ),
            (
                "key separator in sub",
                es256_header(),
                with(serde_json::json!({"sub": "TENANT#x"})),
                "sub is not a valid id",
            ),
            (
                "no tenant",
                es256_header(),
                with(serde_json::json!({"tid": null})),
                "the tenant claim is missing",
            ),
            (
                "numeric session",
                es256_header(),
                with(serde_json::json!({"sid": 7})),
                "the session claim is missing",
            ),
        ];
        for (case, header, claims, why) in refused {
            assert_eq!(
                v.verify(&signed(header, claims)).await,
                Err(TokenError::Invalid(why)),
                "{case}"
            );
        }
        let skewed = with(serde_json::json!({"iat": now + 3, "exp": now + 24 * 3600 - 10}));
        assert!(
            v.verify(&signed(es256_header(), skewed)).await.is_ok(),
            "an iat inside the leeway counts, the lifetime measured from now"
        );
        let stretched = with(serde_json::json!({"iat": now + 3, "exp": now + 24 * 3600 + 2}));
        assert_eq!(
            v.verify(&signed(es256_header(), stretched)).await,
            Err(TokenError::Invalid("lifetime over the maximum")),
            "a later iat does not stretch the lifetime"
        );
        let untyped = signed(
            serde_json::json!({"alg": "ES256", "kid": "dev-es256"}),
            policy_claims(),
        );
        assert!(v.verify(&untyped).await.is_ok(), "no typ is fine");
        let at_jwt = signed(
            serde_json::json!({"alg": "ES256", "kid": "dev-es256", "typ": "at+JWT"}),
            policy_claims(),
        );
        assert!(v.verify(&at_jwt).await.is_ok(), "RFC 9068 access tokens");
    }

    #[tokio::test]
    async fn claim_names_client_ids_and_token_use_are_configuration() {
        let cognito = VerifierSettings {
            audience: None,
            client_ids: Some(vec!["5b7a1c".into()]),
            token_use: Some("access".into()),
            tenant_claim: "custom:tenant_id".into(),
            session_claim: "origin_jti".into(),
            ..policy("unused")
        };
        let v = TokenVerifier::new(KeySet::from_jwks_json(DEV_JWKS).unwrap(), cognito);
        let access = with(serde_json::json!({
            "aud": null, "sid": null, "tid": null, "client_id": "5b7a1c", "token_use": "access",
            "custom:tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "origin_jti": "0a8b6e33-9f6c-4c3d-8e1f-2a3b4c5d6e7f", "sub": "7c9e6679-7425-40de-944b-e07fc1f90ae7"
        }));
        let claims = v
            .verify(&signed(es256_header(), access.clone()))
            .await
            .unwrap();
        assert_eq!(
            claims.sid.to_string(),
            "0a8b6e33-9f6c-4c3d-8e1f-2a3b4c5d6e7f"
        );
        assert_eq!(
            claims.tid.to_string(),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
        let mut id_token = access.clone();
        id_token["token_use"] = "id".into();
        assert_eq!(
            v.verify(&signed(es256_header(), id_token)).await,
            Err(TokenError::Invalid("wrong token_use"))
        );
        let mut other_client = access.clone();
        other_client["client_id"] = "other".into();
        assert_eq!(
            v.verify(&signed(es256_header(), other_client)).await,
            Err(TokenError::Invalid("wrong audience"))
        );
        let mut with_aud = access;
        with_aud["aud"] = "5b7a1c".into();
        assert_eq!(
            v.verify(&signed(es256_header(), with_aud)).await,
            Err(TokenError::Invalid("wrong audience")),
            "client_id counts only for tokens without aud"
        );
    }
}
