//! Keys from the identity provider's JWKS endpoint (`JWKS_URL`), cached per container.
//!
//! [`CachedKeySource`] fetches the document on first use (not at init), keeps it, and fetches
//! again when a token names a `kid` it does not hold (key rotation) or when the copy is older
//! than [`JwksPolicy::max_age`] (so removed keys stop working). Refetches are at most one per
//! [`JwksPolicy::min_refresh`], whatever the traffic: a flood of tokens with made-up `kid`s
//! costs the provider one request per interval. Concurrent requests share one fetch.
//!
//! A fetch that fails (network, status, a document without usable keys) is
//! [`KeyError::Unavailable`] (the routes answer 503), never a panic. The previous keys stay in
//! use for the `kid`s they hold, but only for [`JwksPolicy::stale_grace`] past their
//! [`JwksPolicy::max_age`]: a key the provider removed (after a compromise, say) while its
//! endpoint is unreachable is trusted for at most `max_age + stale_grace` after the last
//! successful fetch; after that every request answers 503 until a fetch succeeds.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::jwks_https::HttpsJwksFetcher;
use crate::keys::{KeyError, KeySet, KeySource, VerificationKey};

/// The keys a function verifies tokens with, as configured: an inline set
/// (`JWT_PUBLIC_KEYS`) or the identity provider's JWKS endpoint (`JWKS_URL`).
pub enum ProviderKeys {
    /// `JWT_PUBLIC_KEYS`: a fixed set.
    Inline(KeySet),
    /// `JWKS_URL`: fetched on first use, cached, refetched on rotation.
    Remote(Box<CachedKeySource<HttpsJwksFetcher>>),
}

impl KeySource for ProviderKeys {
    async fn key(&self, kid: &str) -> Result<Arc<VerificationKey>, KeyError> {
        match self {
            ProviderKeys::Inline(keys) => keys.key(kid).await,
            ProviderKeys::Remote(keys) => keys.key(kid).await,
        }
    }
}

/// Fetches the JWKS document.
pub trait JwksFetcher: Send + Sync {
    /// The document's text, or why it could not be had (for logs).
    fn fetch(&self) -> impl Future<Output = Result<String, String>> + Send;
}

/// When to fetch again (the defaults and bounds are the configuration's,
/// `bootstrap::config::SecondsVariable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksPolicy {
    /// At most one fetch per this interval.
    pub min_refresh: Duration,
    /// Keys older than this are fetched again on the next request.
    pub max_age: Duration,
    /// How long past `max_age` the keys still verify while every refresh fails.
    pub stale_grace: Duration,
}

#[derive(Default)]
struct Cache {
    keys: Option<KeySet>,
    fetched_at: Option<Instant>,
    last_attempt: Option<Instant>,
    last_error: Option<String>,
}

/// A [`KeySource`] over a JWKS endpoint, with the caching described in the module docs.
pub struct CachedKeySource<F> {
    fetcher: F,
    policy: JwksPolicy,
    cache: Mutex<Cache>,
}

impl<F: JwksFetcher> CachedKeySource<F> {
    /// A source that fetches with `fetcher` under `policy`. Nothing is fetched yet.
    pub fn new(fetcher: F, policy: JwksPolicy) -> Self {
        Self {
            fetcher,
            policy,
            cache: Mutex::new(Cache::default()),
        }
    }
}

impl<F: JwksFetcher> KeySource for CachedKeySource<F> {
    async fn key(&self, kid: &str) -> Result<Arc<VerificationKey>, KeyError> {
        // One lock for lookup and refresh: requests waiting here find the fresh keys after the
        // one fetch, instead of fetching again.
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        let fresh = cache
            .fetched_at
            .is_some_and(|at| now.duration_since(at) < self.policy.max_age);
        if fresh && let Some(key) = cache.keys.as_ref().and_then(|k| k.get(kid)) {
            return Ok(key);
        }
        let may_fetch = cache
            .last_attempt
            .is_none_or(|at| now.duration_since(at) >= self.policy.min_refresh);
        let mut fetched_now = false;
        if may_fetch {
            cache.last_attempt = Some(now);
            let fetched = self
                .fetcher
                .fetch()
                .await
                .and_then(|text| KeySet::from_jwks_json(&text).map_err(|e| e.to_string()));
            telemetry::add(|tally| {
                tally.jwks_fetches += 1;
                tally.jwks_fetch_failures += u32::from(fetched.is_err());
            });
            match fetched {
                Ok(keys) => {
                    cache.keys = Some(keys);
                    cache.fetched_at = Some(now);
                    cache.last_error = None;
                    fetched_now = true;
                }
                Err(why) => cache.last_error = Some(why),
            }
        }
        let usable = fetched_now
            || cache.fetched_at.is_some_and(|at| {
                now.duration_since(at) < self.policy.max_age.saturating_add(self.policy.stale_grace)
            });
        if usable && let Some(key) = cache.keys.as_ref().and_then(|k| k.get(kid)) {
            return Ok(key);
        }
        match (&cache.keys, &cache.last_error) {
            (_, Some(why)) => Err(KeyError::Unavailable(format!("JWKS fetch failed: {why}"))),
            (Some(_), None) if usable => Err(KeyError::UnknownKid),
            (Some(_), None) => Err(KeyError::Unavailable(
                "the keys are past their grace".into(),
            )),
            (None, None) => Err(KeyError::Unavailable("no JWKS fetched yet".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use devkit::DEV_JWKS;

    /// Serves whatever document it holds, counting fetches.
    struct FakeFetcher {
        document: StdMutex<Result<String, String>>,
        fetches: AtomicUsize,
    }

    impl FakeFetcher {
        fn new(document: Result<String, String>) -> Self {
            Self {
                document: StdMutex::new(document),
                fetches: AtomicUsize::new(0),
            }
        }
        fn set(&self, document: Result<String, String>) {
            *self.document.lock().unwrap() = document;
        }
    }

    impl JwksFetcher for &FakeFetcher {
        async fn fetch(&self) -> Result<String, String> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            self.document.lock().unwrap().clone()
        }
    }

    fn only(kid: &str) -> String {
        let all: serde_json::Value = serde_json::from_str(DEV_JWKS).unwrap();
        let keys: Vec<_> = all["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["kid"] == kid)
            .cloned()
            .collect();
        serde_json::json!({ "keys": keys }).to_string()
    }

    fn policy(min_refresh_ms: u64) -> JwksPolicy {
        JwksPolicy {
            min_refresh: Duration::from_millis(min_refresh_ms),
            max_age: Duration::from_secs(600),
            stale_grace: Duration::from_secs(900),
        }
    }

    #[tokio::test]
    async fn fetches_once_on_first_use_and_caches() {
        let fetcher = FakeFetcher::new(Ok(DEV_JWKS.into()));
        let source = CachedKeySource::new(&fetcher, policy(0));
        assert_eq!(
            fetcher.fetches.load(Ordering::SeqCst),
            0,
            "nothing fetched before first use"
        );
        for _ in 0..5 {
            assert!(source.key("dev-es256").await.is_ok());
            assert!(source.key("dev-rs256").await.is_ok());
        }
        assert_eq!(fetcher.fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn unknown_kids_refetch_at_most_once_per_interval() {
        let fetcher = FakeFetcher::new(Ok(DEV_JWKS.into()));
        let source = CachedKeySource::new(&fetcher, policy(60_000));
        assert!(source.key("dev-es256").await.is_ok());
        for i in 0..100 {
            assert_eq!(
                source.key(&format!("made-up-{i}")).await.unwrap_err(),
                KeyError::UnknownKid
            );
        }
        assert_eq!(
            fetcher.fetches.load(Ordering::SeqCst),
            1,
            "a flood of bad kids fetched again"
        );
    }

    #[tokio::test]
    async fn rotation_adds_the_new_key_and_drops_the_removed_one() {
        let fetcher = FakeFetcher::new(Ok(only("dev-es256")));
        let source = CachedKeySource::new(&fetcher, policy(0));
        assert!(source.key("dev-es256").await.is_ok());
        assert_eq!(
            source.key("dev-rs256").await.unwrap_err(),
            KeyError::UnknownKid
        );
        fetcher.set(Ok(only("dev-rs256")));
        assert!(
            source.key("dev-rs256").await.is_ok(),
            "the new kid triggers a refetch"
        );
        assert_eq!(
            source.key("dev-es256").await.unwrap_err(),
            KeyError::UnknownKid,
            "the removed key is gone"
        );
    }

    #[tokio::test]
    async fn stale_keys_are_fetched_again() {
        let fetcher = FakeFetcher::new(Ok(DEV_JWKS.into()));
        let stale_at_once = JwksPolicy {
            min_refresh: Duration::ZERO,
            max_age: Duration::ZERO,
            stale_grace: Duration::from_secs(600),
        };
        let source = CachedKeySource::new(&fetcher, stale_at_once);
        assert!(source.key("dev-es256").await.is_ok());
        fetcher.set(Ok(only("dev-rs256")));
        assert_eq!(
            source.key("dev-es256").await.unwrap_err(),
            KeyError::UnknownKid
        );
    }

    #[tokio::test]
    async fn failed_fetches_are_unavailable_and_keep_known_keys() {
        let fetcher = FakeFetcher::new(Err("connection refused".into()));
        let source = CachedKeySource::new(&fetcher, policy(0));
        assert!(matches!(
            source.key("dev-es256").await,
            Err(KeyError::Unavailable(_))
        ));
        fetcher.set(Ok("{\"keys\": []}".into()));
        assert!(
            matches!(source.key("dev-es256").await, Err(KeyError::Unavailable(_))),
            "an empty set is a failed fetch"
        );
        fetcher.set(Ok(DEV_JWKS.into()));
        assert!(source.key("dev-es256").await.is_ok());
        fetcher.set(Err("timeout".into()));
        assert!(
            source.key("dev-es256").await.is_ok(),
            "known keys keep working while the provider is down"
        );
        assert!(matches!(
            source.key("new-kid").await,
            Err(KeyError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn stale_keys_verify_for_the_grace_period_only_while_refreshes_fail() {
        let fetcher = FakeFetcher::new(Ok(DEV_JWKS.into()));
        let graceful = JwksPolicy {
            min_refresh: Duration::ZERO,
            max_age: Duration::ZERO,
            stale_grace: Duration::from_secs(600),
        };
        let source = CachedKeySource::new(&fetcher, graceful);
        assert!(source.key("dev-es256").await.is_ok());
        fetcher.set(Err("provider down".into()));
        assert!(
            source.key("dev-es256").await.is_ok(),
            "within the grace period the known key still verifies"
        );

        let no_grace = JwksPolicy {
            stale_grace: Duration::ZERO,
            ..graceful
        };
        let fetcher = FakeFetcher::new(Ok(DEV_JWKS.into()));
        let source = CachedKeySource::new(&fetcher, no_grace);
        assert!(source.key("dev-es256").await.is_ok());
        fetcher.set(Err("provider down".into()));
        assert!(
            matches!(source.key("dev-es256").await, Err(KeyError::Unavailable(_))),
            "past the grace period: 503 until a fetch succeeds"
        );
        fetcher.set(Ok(DEV_JWKS.into()));
        assert!(
            source.key("dev-es256").await.is_ok(),
            "and back once it does"
        );
    }
}
