use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Timestamp, User};

/// One life of a user id: a random UUID written on the user item (`generation`) when the user
/// is created, and copied onto every session and API key made for it (`user_generation`). A
/// user id deleted and created again gets a new generation, so the credentials of its earlier
/// life never count again, whatever the timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Generation(pub Uuid);

/// Whether a credential (session or API key) made for `credential_generation` at
/// `credential_created_at` belongs to the present life of `user`:
///
/// - both carry a generation: they must be equal;
/// - neither does (items written before generations existed): the credential must not be
///   older than the user, as before (to the second);
/// - only one does: no, since a user created again always carries a new generation.
pub fn belongs_to_life(
    credential_generation: Option<Generation>,
    credential_created_at: Timestamp,
    user: &User,
) -> bool {
    match (credential_generation, user.generation) {
        (Some(credential), Some(user)) => credential == user,
        (None, None) => credential_created_at >= user.created_at,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TenantId, UserId};

    #[test]
    fn a_credential_counts_only_for_its_own_life() {
        let at = Timestamp::from_unix_seconds(1_700_000_000);
        let life = Generation(Uuid::new_v4());
        let user: User = serde_json::from_value(serde_json::json!({
            "id": UserId::random(),
            "tenant_id": TenantId::random(),
            "generation": life,
            "created_at": at,
            "updated_at": at,
        }))
        .unwrap();
        assert!(belongs_to_life(Some(life), at, &user));
        assert!(!belongs_to_life(
            Some(Generation(Uuid::new_v4())),
            at,
            &user
        ));
        assert!(!belongs_to_life(None, at, &user), "no generation, new user");
        let legacy = User {
            generation: None,
            ..user.clone()
        };
        assert!(belongs_to_life(None, at, &legacy), "same second, as before");
        let earlier = Timestamp::from_unix_seconds(1_699_999_999);
        assert!(!belongs_to_life(None, earlier, &legacy));
        assert!(!belongs_to_life(Some(life), at, &legacy));
    }
}
