//! What a function's `main` does around its handler, written once: set up the JSON logs
//! ([`logging`]), read the configuration from the environment and build the clients
//! ([`Config`], [`dependencies`]), and poll the Lambda Runtime API ([`serve`], [`run`]).
//!
//! A function's `main.rs` is then two lines: the store, the token verifier and the CORS policy
//! built once per container ([`Dependencies`]), and [`serve`] around the route's plain handler
//! function.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod logging;
pub mod poll_loop;

pub use config::{Config, ConfigError, KeyConfig};

/// mimalloc instead of the system allocator, with the `mimalloc` feature (`make bench`
/// measures both; BENCHMARKS.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use poll_loop::run;

use std::future::Future;

use auth::{ProviderKeys, TokenVerifier};
use lambda_http::{Body, Error, Request, Response, service_fn};
use response::CorsPolicy;
use store::{DynamoStore, UserFields};

/// What a handler needs, built once per container and living as long as the process, so every
/// invocation borrows it.
#[derive(Clone, Copy)]
pub struct Dependencies {
    /// The DynamoDB store.
    pub store: &'static DynamoStore,
    /// The token verifier.
    pub verifier: &'static TokenVerifier<ProviderKeys>,
    /// The CORS policy (`ALLOWED_ORIGINS`).
    pub cors: &'static CorsPolicy,
}

/// Sets up the JSON logs, reads the configuration and builds the store (reading the user
/// `fields` the route renders), the token verifier and the CORS policy: what `main` does once
/// per container.
pub async fn dependencies(fields: UserFields) -> Result<Dependencies, ConfigError> {
    logging::init();
    let config = Config::from_env()?;
    let store = config.store().with_user_fields(fields);
    Ok(Dependencies {
        store: Box::leak(Box::new(store)),
        verifier: Box::leak(Box::new(config.token_verifier())),
        cors: Box::leak(Box::new(config.cors)),
    })
}

/// Answers every invocation with `handler` ([`run`]); a handler's every outcome is a response.
///
/// The functions run it on tokio's current-thread runtime (`flavor = "current_thread"` in
/// their `main`): a Lambda sandbox serves one invocation at a time, and the multi-threaded
/// runtime spent most of a warm invocation's CPU waking threads (BENCHMARKS.md).
pub async fn serve<H, F>(handler: H) -> Result<(), Error>
where
    H: Fn(Request) -> F,
    F: Future<Output = Response<Body>> + Send,
{
    run(service_fn(|request| {
        let response = handler(request);
        async move { Ok::<_, Error>(response.await) }
    }))
    .await
}
