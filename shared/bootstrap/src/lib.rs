//! What a function's `main` does around its handler, written once: read the configuration from
//! the environment and build the clients ([`Config`]), set up the JSON logs ([`logging`]), and
//! poll the Lambda Runtime API ([`run`]).
//!
//! A function's `main.rs` is then a few lines: logging, `Config::from_env()`, the store and the
//! token verifier built once per container, and `run(service_fn(...))` around the route's plain
//! handler function.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod config;
pub mod logging;
pub mod poll_loop;

pub use config::{Config, ConfigError, KeyConfig};
pub use poll_loop::run;
