//! Public keys for token verification.
//!
//! A [`KeySet`] is built from a JWKS document. Each usable key becomes a [`VerificationKey`]
//! whose algorithm is fixed by the key itself: a P-256 `EC` key verifies ES256 only, an `RSA`
//! key RS256 only. A key whose `alg` says otherwise, a key for encryption (`use: enc`), a key
//! without `kid`, and every other key type (HMAC `oct`, `OKP`, other curves) are skipped and
//! reported, never used.
//!
//! Handlers ask a [`KeySource`] for the key of a token's `kid`. [`KeySet`] serves a fixed set
//! (inline `JWT_PUBLIC_KEYS`); [`crate::CachedKeySource`] fetches `JWKS_URL` and implements the
//! same trait; [`crate::ProviderKeys`] is whichever of the two the configuration names.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};

/// One public key, with the one algorithm it verifies.
#[derive(Debug)]
pub struct VerificationKey {
    /// The algorithm this key verifies (ES256 or RS256).
    pub(crate) algorithm: Algorithm,
    /// The key itself.
    pub(crate) decoding_key: DecodingKey,
}

/// A JWKS document that yields no usable key, or is not JWKS at all.
#[derive(Debug, thiserror::Error)]
pub enum KeySetError {
    /// The text is not a JWKS document.
    #[error("not a JWKS document: {0}")]
    NotJwks(String),
    /// The document holds no ES256 or RS256 signing key with a `kid`.
    #[error("the JWKS document holds no usable ES256 or RS256 signing key (skipped: {0:?})")]
    NoUsableKey(Vec<String>),
}

/// The usable keys of a JWKS document, by `kid`.
#[derive(Debug, Default, Clone)]
pub struct KeySet {
    keys: HashMap<String, Arc<VerificationKey>>,
    skipped: Vec<String>,
}

impl KeySet {
    /// Parses a JWKS document, keeping the usable keys. Fails when none is usable.
    pub fn from_jwks_json(json: &str) -> Result<Self, KeySetError> {
        let jwks: JwkSet =
            serde_json::from_str(json).map_err(|e| KeySetError::NotJwks(e.to_string()))?;
        let mut set = KeySet::default();
        for jwk in &jwks.keys {
            let kid = jwk.common.key_id.clone().unwrap_or_default();
            match usable_key(jwk) {
                Ok(key) => {
                    set.keys.insert(kid, Arc::new(key));
                }
                Err(reason) => set.skipped.push(format!("{kid:?}: {reason}")),
            }
        }
        if set.keys.is_empty() {
            return Err(KeySetError::NoUsableKey(set.skipped));
        }
        Ok(set)
    }

    /// The key with this `kid`.
    pub fn get(&self, kid: &str) -> Option<Arc<VerificationKey>> {
        self.keys.get(kid).cloned()
    }

    /// The keys that were skipped, each with the reason (for an init log line).
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

fn usable_key(jwk: &jsonwebtoken::jwk::Jwk) -> Result<VerificationKey, &'static str> {
    if jwk.common.key_id.as_deref().is_none_or(str::is_empty) {
        return Err("no kid");
    }
    if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
        return Err("not a signing key");
    }
    let algorithm = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Algorithm::ES256
        }
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        _ => return Err("unsupported key type (only P-256 EC and RSA)"),
    };
    let declared_matches = match jwk.common.key_algorithm {
        None => true,
        Some(KeyAlgorithm::ES256) => algorithm == Algorithm::ES256,
        Some(KeyAlgorithm::RS256) => algorithm == Algorithm::RS256,
        Some(_) => false,
    };
    if !declared_matches {
        return Err("alg is not ES256 for a P-256 key or RS256 for an RSA key");
    }
    let decoding_key = DecodingKey::from_jwk(jwk).map_err(|_| "key material does not parse")?;
    Ok(VerificationKey {
        algorithm,
        decoding_key,
    })
}

/// Why no key was handed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// No key has this `kid` (the token is refused: 401).
    #[error("no key has this kid")]
    UnknownKid,
    /// The keys could not be obtained now (the request is refused with 503).
    #[error("the signing keys are unavailable: {0}")]
    Unavailable(String),
}

/// Where verification keys come from.
pub trait KeySource: Send + Sync {
    /// The key for `kid`.
    fn key(&self, kid: &str)
    -> impl Future<Output = Result<Arc<VerificationKey>, KeyError>> + Send;
}

/// A fixed set serves its own keys (inline configuration, `JWT_PUBLIC_KEYS`).
impl KeySource for KeySet {
    async fn key(&self, kid: &str) -> Result<Arc<VerificationKey>, KeyError> {
        self.get(kid).ok_or(KeyError::UnknownKid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV_JWKS: &str = include_str!("../../../dev/keys/dev-jwks.json");

    #[test]
    fn dev_jwks_yields_an_es256_and_an_rs256_key() {
        let set = KeySet::from_jwks_json(DEV_JWKS).unwrap();
        assert_eq!(set.keys.len(), 2);
        assert_eq!(set.get("dev-es256").unwrap().algorithm, Algorithm::ES256);
        assert_eq!(set.get("dev-rs256").unwrap().algorithm, Algorithm::RS256);
        assert!(set.skipped().is_empty());
    }

    #[test]
    fn skips_hmac_enc_kidless_and_mislabelled_keys() {
        let jwks = r#"{"keys":[
            {"kty":"oct","kid":"hmac","k":"c2VjcmV0"},
            {"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":"X0SQClQrcG-puz-ibl2nlz7rbsvufd57poUSqEnupCw","y":"XlUcBvavfaAtRLC4TQUXVeLQTdC-a26_mP2PTUQoCV8"},
            {"kty":"EC","crv":"P-256","x":"X0SQClQrcG-puz-ibl2nlz7rbsvufd57poUSqEnupCw","y":"XlUcBvavfaAtRLC4TQUXVeLQTdC-a26_mP2PTUQoCV8"},
            {"kty":"EC","crv":"P-256","kid":"wrong-alg","alg":"RS256","x":"X0SQClQrcG-puz-ibl2nlz7rbsvufd57poUSqEnupCw","y":"XlUcBvavfaAtRLC4TQUXVeLQTdC-a26_mP2PTUQoCV8"},
            {"kty":"EC","crv":"P-256","kid":"good","x":"X0SQClQrcG-puz-ibl2nlz7rbsvufd57poUSqEnupCw","y":"XlUcBvavfaAtRLC4TQUXVeLQTdC-a26_mP2PTUQoCV8"}
        ]}"#;
        let set = KeySet::from_jwks_json(jwks).unwrap();
        assert_eq!(set.keys.len(), 1);
        assert!(set.get("good").is_some());
        assert_eq!(set.skipped().len(), 4);
    }

    #[test]
    fn refuses_documents_without_usable_keys() {
        assert!(matches!(
            KeySet::from_jwks_json("not json"),
            Err(KeySetError::NotJwks(_))
        ));
        assert!(matches!(
            KeySet::from_jwks_json(r#"{"keys":[]}"#),
            Err(KeySetError::NoUsableKey(_))
        ));
        let only_hmac = r#"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}"#;
        assert!(matches!(
            KeySet::from_jwks_json(only_hmac),
            Err(KeySetError::NoUsableKey(_))
        ));
    }

    #[tokio::test]
    async fn static_source_answers_unknown_kid() {
        let source = KeySet::from_jwks_json(DEV_JWKS).unwrap();
        assert!(source.key("dev-es256").await.is_ok());
        assert_eq!(source.key("nope").await.unwrap_err(), KeyError::UnknownKid);
    }
}
