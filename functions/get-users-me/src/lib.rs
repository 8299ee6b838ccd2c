//! `GET /users/me` (seed 004): the current user of a tenant's integration, as JSON:API.
//!
//! `X-Domain` names the tenant (a UUIDv4). The credential is either `Authorization: Bearer`
//! (a session token whose `tid` must equal `X-Domain` and whose session must be live) or the
//! pair `X-API-KEY` + `X-API-SECRET` (a live key of that tenant; the secret checked against its
//! stored digest in constant time). The body is `model::users_me_document`; errors use the
//! seed's own shapes (see [`UsersMeError`]). Every response is `application/vnd.api+json`.

mod error;
mod handler;
pub mod request;

pub use error::UsersMeError;
pub use handler::UsersMe;

/// `GET /users/me` with its dependencies, as `main` builds it.
pub type UsersMeService<S = store::DynamoStore, K = gateway::Keys> =
    gateway::RouteService<UsersMe, S, K>;
