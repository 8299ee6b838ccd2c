//! Who a request is: the checks both routes make after the credential is verified, written once.
//!
//! - [`session_identity`]: for a verified session token. One round trip fetches tenant, session
//!   and user; the tenant must be active, the session live and the user's, the user present.
//! - [`api_key_identity`]: for an `X-API-KEY` + `X-API-SECRET` pair under a tenant. One round
//!   trip fetches tenant and key; the tenant must be active, the key live and the secret match
//!   its digest (constant time), all refused alike (4016, so the tenants that exist cannot be
//!   probed either); only then a second round trip fetches the key's user.
//!
//! An unknown key, a revoked or expired key and a wrong secret are one error after the same
//! reads (one item asked for, whether or not it exists or was seen before), so a caller cannot
//! tell which keys exist.
//!
//! Deleting a user ends its credentials without touching them: its sessions and keys then find
//! no user (404), and a user created again under the same id (a provider's `sub` can come
//! back) has a new [`model::Generation`], which no session or key of the earlier life carries
//! ([`model::belongs_to_life`]).
//!
//! A user signs in only while it [`may_sign_in`]: `active` (an item without `active` counts as
//! inactive: fail closed) and not archived. A deactivated
//! (`active: false`, a suspension an operator can lift) or archived (`archived_at` set, the
//! account closed) user's sessions, tokens and API keys are refused with
//! [`AccessError::UserInactive`] (401, code 4018) on both routes.

use model::{ApiKeyId, Session, Tenant, TenantId, Timestamp, User, belongs_to_life};
use store::{ApiKeyContextSource, SessionContextSource, SessionLookup, UserSource};

use crate::{AccessError, ApiKeySecret, SessionClaims};

/// The caller, established.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The caller's tenant (active).
    pub tenant: Tenant,
    /// The caller's user.
    pub user: User,
    /// The session, for a session token.
    pub session: Option<Session>,
}

/// Whether `user`'s credentials count: it is active and not archived.
pub fn may_sign_in(user: &User) -> bool {
    user.active && user.archived_at.is_none()
}

/// The identity of a verified session token.
pub async fn session_identity(
    store: &impl SessionContextSource,
    claims: &SessionClaims,
) -> Result<Identity, AccessError> {
    let lookup = SessionLookup {
        tenant_id: claims.tid,
        session_id: claims.sid,
        user_id: claims.sub,
    };
    let context = store.session_context(lookup).await?;
    let tenant = context
        .tenant
        .filter(|t| t.active)
        .ok_or(AccessError::TenantUnavailable)?;
    let session = context
        .session
        .filter(|s| s.is_live_for(claims.sub, Timestamp::now()))
        .ok_or(AccessError::SessionNotLive)?;
    let user = context.user.ok_or(AccessError::UserNotFound)?;
    if !belongs_to_life(session.user_generation, session.created_at, &user) {
        // A session of an earlier life of the user id (deleted, then created again).
        return Err(AccessError::SessionNotLive);
    }
    if !may_sign_in(&user) {
        return Err(AccessError::UserInactive);
    }
    Ok(Identity {
        tenant,
        user,
        session: Some(session),
    })
}

/// A digest no secret has, compared when the key does not exist so that both paths do the
/// same work.
const NO_SUCH_DIGEST: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The identity of an API key of tenant `tenant_id`.
pub async fn api_key_identity(
    store: &(impl ApiKeyContextSource + UserSource),
    tenant_id: TenantId,
    key: &ApiKeyId,
    secret: &ApiKeySecret,
) -> Result<Identity, AccessError> {
    let context = store.api_key_context(tenant_id, key).await?;
    let digest = context
        .api_key
        .as_ref()
        .map_or(NO_SUCH_DIGEST, |k| k.secret_sha256.as_str());
    let secret_matches = secret.matches(digest);
    // An unknown or disabled tenant is refused as an unknown key is, after the same work: a
    // caller without a valid key cannot tell which tenants exist.
    let (tenant, api_key) = context
        .tenant
        .filter(|t| t.active)
        .zip(
            context
                .api_key
                .filter(|k| secret_matches && k.is_live(Timestamp::now())),
        )
        .ok_or(AccessError::ApiKeyRefused("no live key or wrong secret"))?;
    let user = store
        .user(tenant_id, api_key.user_id)
        .await?
        .ok_or(AccessError::UserNotFound)?;
    if !belongs_to_life(api_key.user_generation, api_key.created_at, &user) {
        // A key of an earlier life of the user id (deleted, then created again).
        return Err(AccessError::ApiKeyRefused(
            "key of an earlier life of its user",
        ));
    }
    if !may_sign_in(&user) {
        return Err(AccessError::UserInactive);
    }
    Ok(Identity {
        tenant,
        user,
        session: None,
    })
}
