//! What a function is around its route's handler, written once: the JSON logs ([`logging`]),
//! the configuration read from the environment at init ([`Config`]), the shared HTTP layers
//! and the one mapping of a route's error to its response ([`http`], [`cors`]), and the poll
//! loop on the Lambda Runtime API ([`run`]).
//!
//! A function's `main` reads the configuration ([`init`]), builds its [`Dependencies`] once,
//! and runs its route's service: the handler behind [`http::route_service`].

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod cors;
pub mod http;
pub mod logging;
pub mod metrics;
pub mod poll_loop;

pub use config::{Config, ConfigError, KeyConfig};
pub use cors::{CorsPolicy, OriginError};
pub use http::{Challenge, RouteError, RouteService, RouteSettings, route_service};
pub use poll_loop::run;

use auth::{ProviderKeys, TokenVerifier};
use store::DynamoStore;

/// mimalloc instead of the system allocator, with the `mimalloc` feature (`make bench`
/// measures both; BENCHMARKS.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a route's handler needs, built once per container and shared by every invocation.
pub struct Dependencies<S = DynamoStore> {
    /// The store.
    pub store: S,
    /// The token verifier.
    pub verifier: TokenVerifier<ProviderKeys>,
}

/// Reads the configuration and sets up the JSON logs: what `main` does first, once per
/// container.
pub fn init() -> Result<Config, ConfigError> {
    let config = Config::from_env()?;
    logging::init(config.log_filter.clone());
    Ok(config)
}
