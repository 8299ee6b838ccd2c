//! What every function does around its handler, written once.
//!
//! - [`config`]: reads the environment at init (`TABLE_NAME`, `JWT_*`) and builds the clients
//!   once per container; a missing or wrong variable fails init with its name.
//! - [`logging`]: JSON log lines through `tracing`, filtered by `RUST_LOG`.
//! - [`response`]: JSON responses with the headers every response carries
//!   (`Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, `X-Request-Id`), and the
//!   one access-log line per request.
//!
//! Routes keep their own error shapes; this crate only writes the bytes and headers.

pub mod config;
pub mod logging;
pub mod response;

pub use config::{ConfigError, FunctionConfig, Keys};
pub use response::{RequestMeta, json_response};
