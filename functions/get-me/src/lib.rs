//! `GET /me`: the current user of a browser or app session.
//!
//! - [`handler`]: the request's way from the credential to the document, an async function of
//!   the store and the token verifier ([`bootstrap::Dependencies`]) and the request, and the
//!   route's [`service`]: the handler behind the shared layers;
//! - [`error`]: [`MeError`], and the one place it becomes a status and a body.
//!
//! The session token comes from `Authorization: Bearer` or the `__session` cookie
//! (`auth::credential`). The token is verified, then tenant, session and user are read in one
//! round trip; the session must be live, so a revoked session is refused while its token is
//! still unexpired. The body is `model::MeDocument`; errors are `{"errors":[{message, code}]}`.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod error;
pub mod handler;

pub use error::MeError;
pub use handler::{get_me, service};

/// The media type of every `/me` body.
pub const CONTENT_TYPE: &str = "application/json";
