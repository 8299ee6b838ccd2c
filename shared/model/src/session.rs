use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::{Generation, SessionId, Timestamp, UserId};

/// A sign-in session. A session JWT names one; the session must be live for the JWT to count,
/// so revoking it ends access at once, whatever the JWT's own expiry.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The session id (the token's `sid` claim), a UUIDv4.
    pub id: SessionId,
    /// The user the session belongs to (the token's `sub` claim must equal it).
    pub user_id: UserId,
    /// The user's [`Generation`] when the session was made; absent on older items.
    pub user_generation: Option<Generation>,
    /// When the session was created.
    pub created_at: Timestamp,
    /// When the session last changed.
    pub updated_at: Timestamp,
    /// After this instant the session is dead.
    pub expires_at: Timestamp,
    /// Set when the session was revoked.
    pub revoked_at: Option<Timestamp>,
}

impl Session {
    /// Whether the session may authenticate `user_id` at `now`: not revoked, not expired, and
    /// the user's own.
    pub fn is_live_for(&self, user_id: UserId, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at && self.user_id == user_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: UserId = UserId::from_static("7c9e6679-7425-40de-944b-e07fc1f90ae7");

    fn session() -> Session {
        Session {
            id: SessionId::random(),
            user_id: U,
            user_generation: None,
            created_at: Timestamp::from_unix_seconds(0),
            updated_at: Timestamp::from_unix_seconds(0),
            expires_at: Timestamp::from_unix_seconds(100),
            revoked_at: None,
        }
    }

    #[test]
    fn live_only_for_its_user_before_expiry_and_unrevoked() {
        let s = session();
        assert!(s.is_live_for(U, Timestamp::from_unix_seconds(99)));
        assert!(!s.is_live_for(U, Timestamp::from_unix_seconds(100)));
        assert!(!s.is_live_for(UserId::random(), Timestamp::from_unix_seconds(1)));
        let revoked = Session {
            revoked_at: Some(Timestamp::from_unix_seconds(1)),
            ..session()
        };
        assert!(!revoked.is_live_for(U, Timestamp::from_unix_seconds(2)));
    }
}
