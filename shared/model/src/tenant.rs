use serde::{Deserialize, Serialize};

use crate::{TenantId, Timestamp};

/// A tenant: one customer organisation. Every user, session and API key belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    /// The tenant id, a UUIDv4 (the `X-Domain` of `GET /users/me`).
    pub id: TenantId,
    /// A display name.
    pub name: String,
    /// A disabled tenant's credentials are refused on both routes.
    pub active: bool,
    /// When the tenant was created.
    pub created_at: Timestamp,
    /// When the tenant last changed.
    pub updated_at: Timestamp,
}
