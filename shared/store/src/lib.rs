//! DynamoDB access: the key design, item mapping, the reads the functions make behind one small
//! trait per read, the client's configuration, and the invocation's trace id on each request
//! ([`trace`]). Only what the functions run: the admin CLI's writes and the table definition
//! are in the `accounts` crate, the in-memory store of the unit tests in `testkit`.
//!
//! # Key design
//!
//! One table, a string partition key `pk` and a string sort key `sk`. The tenant is the first
//! part of every partition key, so a lookup can only ever reach the tenant it names: a request
//! authenticated for tenant A builds keys under `TENANT#A` and cannot read tenant B's items.
//! Ids never hold `#` (`model::id`), so no key of one tenant or kind is a key of another.
//!
//! | item | `pk` | `sk` |
//! |---|---|---|
//! | tenant | `TENANT#<tenant id>` | `TENANT` |
//! | user | `TENANT#<tenant id>#USER#<user id>` | `USER` |
//! | user's sign-in secrets | `TENANT#<tenant id>#USER#<user id>` | `SECRETS` |
//! | session | `TENANT#<tenant id>#SESSION#<session id>` | `SESSION` |
//! | API key | `TENANT#<tenant id>#APIKEY#<key id>` | `APIKEY` |
//!
//! Every user, session and API key is a partition of its own, so a tenant's requests spread
//! over its users' partitions: DynamoDB's per-partition limits (3,000 reads, 1,000 writes a
//! second) bound one user, not one tenant. The tenant item is the one key every request of a
//! tenant needs; [`DynamoStore::with_tenant_cache`] reads it at most once per container per
//! period (`TENANT_CACHE_SECS`), so its heat does not grow with the tenant's traffic.
//!
//! Every item also has `kind` (`tenant`, `user`, `user_secrets`, `session`, `api_key`) for
//! people browsing the table. The rest of an item is the `model` record, mapped with
//! `serde_dynamo`. A user's TOTP secrets and backup-code digests (`accounts::UserSecrets`) are an
//! item of their own beside the user item: neither route renders them, so neither reads them,
//! and the user item both routes read carries only what they serve (`authenticators` as
//! `{id, created_at}`, `backup_codes_generated`).
//!
//! # Reads
//!
//! Every read is a key lookup, never a Scan or a Query. A session-token request needs the
//! tenant, the session and the user: one strongly consistent `BatchGetItem` fetches the three
//! (or two, with the tenant cached): one round trip, strongly consistent so that a revocation
//! counts at once. An API-key request fetches the key (and the tenant) in one `BatchGetItem`,
//! and only once the secret matched, the user with one `GetItem`: a refused key costs the same
//! reads whether or not it exists or was seen before, so timing does not tell real key ids.
//!
//! The handlers depend on one small trait per read ([`SessionContextSource`],
//! [`ApiKeyContextSource`], [`UserSource`]), not on DynamoDB; [`DynamoStore`] implements them,
//! and so does the in-memory store of `testkit`.
//!
//! # Failures
//!
//! The client is built with connect and per-attempt timeouts and a bounded retry budget
//! ([`client`]), so a dead or throttling store becomes [`StoreError::Unavailable`] (the routes
//! answer 503 with `Retry-After`) within about two seconds instead of a hang. An item that
//! does not map to its record, or whose own ids name another item than its key, is
//! [`StoreError::CorruptItem`], naming the key and the attribute, never a stored value (the
//! routes log it and answer 500).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod client;
mod dynamo;
mod error;
pub mod keys;
pub mod trace;

use std::future::Future;

pub use dynamo::DynamoStore;
pub use error::{StoreError, sdk_error};

use model::{ApiKey, ApiKeyId, Session, SessionId, Tenant, TenantId, User, UserId};

/// What a session-token request needs from the store, fetched in one round trip.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionContext {
    /// The tenant, if it exists.
    pub tenant: Option<Tenant>,
    /// The session, if it exists.
    pub session: Option<Session>,
    /// The user, if it exists.
    pub user: Option<User>,
}

/// The items a session token names: its tenant (`tid`), session (`sid`) and user (`sub`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLookup {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The session, under that tenant.
    pub session_id: SessionId,
    /// The user, under that tenant.
    pub user_id: UserId,
}

/// Reads the tenant, session and user a session token names.
pub trait SessionContextSource: Send + Sync {
    /// Fetches the tenant, session and user of `lookup`, in one round trip. Missing items are
    /// `None`.
    fn session_context(
        &self,
        lookup: SessionLookup,
    ) -> impl Future<Output = Result<SessionContext, StoreError>> + Send;
}

/// What an API-key request needs before its secret is checked: the tenant and the key. The
/// key's user is read only once the secret matched, so a refused key costs the same reads
/// whether or not it exists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiKeyContext {
    /// The tenant, if it exists.
    pub tenant: Option<Tenant>,
    /// The key, if it exists under that tenant.
    pub api_key: Option<ApiKey>,
}

/// Reads the tenant and the API key an API-key request names.
pub trait ApiKeyContextSource: Send + Sync {
    /// Fetches tenant `tenant_id` and its API key `key_id`, in one round trip.
    fn api_key_context(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> impl Future<Output = Result<ApiKeyContext, StoreError>> + Send;
}

/// Reads one user.
pub trait UserSource: Send + Sync {
    /// Fetches user `user_id` of tenant `tenant_id`, in one round trip.
    fn user(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
}
