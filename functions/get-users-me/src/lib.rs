//! `GET /users/me`: the current user of a tenant's integration, as JSON:API.
//!
//! - [`handler`]: the request's way from `X-Domain` and the credential to the document, an
//!   async function of the store and the token verifier ([`bootstrap::Dependencies`]) and the
//!   request, and the route's [`service`]: the handler behind the shared layers;
//! - [`request`]: reading the request (tenant, credential, `include`/`fields`, `Accept`), pure
//!   functions;
//! - [`error`]: [`UsersMeError`], and the one place it becomes a status and a body.
//!
//! `X-Domain` names the tenant (a UUIDv4). The credential is either `Authorization: Bearer`
//! (a session token whose `tid` must equal `X-Domain` and whose session must be live) or the
//! pair `X-API-KEY` + `X-API-SECRET` (a live key of that tenant; the secret checked against its
//! stored digest in constant time). The body is `model::UsersMeDocument`. Every response is
//! `application/vnd.api+json`.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod handler;
pub mod request;

pub use error::UsersMeError;
pub use handler::{get_users_me, service};
