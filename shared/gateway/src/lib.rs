//! What every function does around its handler, written once.
//!
//! - [`config`]: reads the environment at init (`TABLE_NAME`, `JWT_*`) and builds the clients
//!   once per container; a missing or wrong variable fails init with its name.
//! - [`logging`]: JSON log lines through `tracing`, filtered by `RUST_LOG`.
//! - [`access`]: the authentication failures both routes share, with their stable codes.
//! - [`jwks`]: fetching the identity provider's JWKS over HTTPS (`JWKS_URL`).
//! - [`identity`]: who the caller is, once its credential is verified (tenant, session, user,
//!   API key checks against the store).
//! - [`response`]: JSON responses with the headers every response carries
//!   (`Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, `X-Request-Id`), and the
//!   one access-log line per request.
//! - [`route`]: a route served with its dependencies ([`RouteService`]), and the last step of
//!   every request: error to response, log lines.
//! - [`runtime`]: the Lambda poll loop, `lambda_http::run` without its per-invocation `setenv`
//!   (which grows a glibc process by ~150 bytes per invocation).
//!
//! Routes keep their own error shapes and codes; this crate only does what they share.

pub mod access;
pub mod config;
pub mod identity;
pub mod jwks;
pub mod logging;
pub mod response;
pub mod route;
pub mod runtime;

pub use access::AccessError;
pub use config::{ConfigError, FunctionConfig, KeyConfig, Keys};
pub use identity::Identity;
pub use response::{RequestMeta, json_response};
pub use route::{Answer, Call, Deps, Route, RouteError, RouteService, Store, finish};
