//! `GET /me` (seed 000): the current user of a browser or app session.
//!
//! The session token comes from `Authorization: Bearer` or the `__session` cookie (see
//! `auth::credential`). The token is verified, then tenant, session and user are read in one
//! round trip; the session must be live, so a revoked session is refused while its token is
//! still unexpired. The body is `model::MeDocument`; errors are `{"errors":[{message, code}]}`
//! with the stable codes of [`MeError`].

mod error;
mod handler;

pub use error::MeError;
pub use handler::Me;

/// `GET /me` with its dependencies, as `main` builds it.
pub type MeService<S = store::DynamoStore, K = gateway::Keys> = gateway::RouteService<Me, S, K>;
