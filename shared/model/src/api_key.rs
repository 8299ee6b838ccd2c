use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::{ApiKeyId, Generation, Timestamp, UserId};

/// A tenant integration's API key. The secret itself is never stored: only its SHA-256 digest
/// (see the `auth` crate for the secret's format and the constant-time check).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The public key id, as sent in `X-API-KEY`.
    pub key: ApiKeyId,
    /// The user the integration acts as.
    pub user_id: UserId,
    /// The user's [`Generation`] when the key was made; absent on older items.
    pub user_generation: Option<Generation>,
    /// Lower-case hex SHA-256 of the secret.
    pub secret_sha256: String,
    /// When the key was created.
    pub created_at: Timestamp,
    /// When set, the key stops working at this instant.
    pub expires_at: Option<Timestamp>,
    /// Set when the key was revoked.
    pub revoked_at: Option<Timestamp>,
}

impl ApiKey {
    /// Whether the key is usable at `now`: not revoked and not expired.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| now < expiry)
    }
}
