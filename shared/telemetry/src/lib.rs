//! What one invocation did, tallied for its metric line (`bootstrap::metrics`): the store adds
//! its DynamoDB requests, the token verifier its cache hits and misses and its JWKS fetches,
//! and the route's service reads the tally once the response is ready.
//!
//! The tally is task-local: [`scope`] gives each invocation its own, which the crates below the
//! handler reach without taking it as an argument. Work outside a scope (the admin CLI, unit
//! tests of one crate) is counted nowhere, by design.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::cell::Cell;
use std::future::Future;
use std::time::Duration;

/// What an invocation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// DynamoDB requests (one per operation sent; the SDK's retries are inside it).
    pub dynamodb_requests: u32,
    /// DynamoDB requests that failed.
    pub dynamodb_failures: u32,
    /// Time spent waiting for DynamoDB.
    pub dynamodb_time: Duration,
    /// JWKS fetches.
    pub jwks_fetches: u32,
    /// JWKS fetches that failed.
    pub jwks_fetch_failures: u32,
    /// Session tokens found in the verified-token cache.
    pub token_cache_hits: u32,
    /// Session tokens verified in full.
    pub token_cache_misses: u32,
}

tokio::task_local! {
    static TALLY: Cell<Tally>;
}

/// Runs `work` (one invocation) with a tally of its own.
pub async fn scope<F: Future>(work: F) -> F::Output {
    TALLY.scope(Cell::new(Tally::default()), work).await
}

/// Adds to the tally of the invocation the current task serves, if it runs in a [`scope`].
pub fn add(update: impl FnOnce(&mut Tally)) {
    // Outside a scope there is no invocation to count for.
    TALLY
        .try_with(|cell| {
            let mut tally = cell.get();
            update(&mut tally);
            cell.set(tally);
        })
        .ok();
}

/// The tally so far of the invocation the current task serves, `None` outside a [`scope`].
pub fn current() -> Option<Tally> {
    TALLY.try_with(Cell::get).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_scope_counts_its_own_work_and_none_outside() {
        add(|t| t.jwks_fetches += 1);
        assert_eq!(current(), None);
        let inside = scope(async {
            add(|t| t.token_cache_hits += 1);
            add(|t| t.token_cache_hits += 1);
            let nested = scope(async {
                add(|t| t.jwks_fetches += 1);
                current()
            })
            .await;
            (current(), nested)
        })
        .await;
        let (outer, nested) = inside;
        assert_eq!(
            outer.map(|t| (t.token_cache_hits, t.jwks_fetches)),
            Some((2, 0))
        );
        assert_eq!(
            nested.map(|t| (t.token_cache_hits, t.jwks_fetches)),
            Some((0, 1))
        );
    }
}
