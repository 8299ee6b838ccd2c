//! Domain types of the "current user" API, and the response documents built from them.
//!
//! This crate knows nothing of DynamoDB, HTTP or tokens. It holds:
//!
//! - typed ids ([`TenantId`], [`UserId`], [`SessionId`], [`ApiKeyId`]), parsed once where they
//!   enter;
//! - the stored records: [`Tenant`], [`User`] (with its email addresses, phone numbers, social
//!   connections, authenticators and segments), [`Session`] and [`ApiKey`]. They are serialised
//!   as they are stored (the `store` crate maps them to DynamoDB items with `serde_dynamo`);
//! - [`Generation`], which binds a session or an API key to one life of its user's id;
//! - [`json_text`], how a user item stores its collections: as JSON text, one attribute each;
//! - [`Timestamp`], a UTC instant with one-second precision and the two wire formats the API
//!   documents use (RFC 3339 `2019-08-24T14:15:22Z` and `GET /users/me`'s `2016-01-01 12:00:00`);
//! - [`MeDocument`], the body of `GET /me` (seed 000), built from a user and its session, which
//!   never carries an MFA secret or a backup code;
//! - [`UsersMeDocument`], the JSON:API body of `GET /users/me` (seed 004), from the same user.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod api_key;
mod generation;
mod id;
pub mod json_text;
mod me;
mod session;
mod tenant;
mod timestamp;
mod user;
mod users_me;

pub use api_key::ApiKey;
pub use generation::{Generation, belongs_to_life};
pub use id::{ApiKeyId, IdError, SessionId, TenantId, UserId, is_prefixed_hex};
pub use me::{MeDocument, MeUser};
pub use session::Session;
pub use tenant::Tenant;
pub use timestamp::{DateTimeUtc, Timestamp, TimestampError};
pub use user::{
    Authenticator, Availability, DEFAULT_AUTH_PROVIDER, EmailAddress, PhoneNumber,
    SecondFactorPolicy, Segment, SocialConnection, User,
};
pub use users_me::{
    PROFILE_ATTRIBUTES, PROFILE_RELATIONSHIP, PROFILE_TYPE, USER_ATTRIBUTES, USERS_TYPE,
    UsersMeDocument, UsersMeSelection,
};
