//! The records only the admin CLI writes and no route reads: a new user's blank record and a
//! user's sign-in secrets.

use model::{
    Availability, DEFAULT_AUTH_PROVIDER, Generation, SecondFactorPolicy, TenantId, Timestamp, User,
    UserId,
};
use serde::{Deserialize, Serialize};
use serde_json::Map;
use store::keys::ItemKey;

/// A new user with only identity and timestamps set, every list empty, active, of a new
/// [`Generation`].
pub fn blank_user(tenant_id: TenantId, id: UserId, now: Timestamp) -> User {
    User {
        id,
        tenant_id,
        first_name: None,
        last_name: None,
        username: None,
        availability: Availability::Available,
        profile_picture_url: None,
        primary_email_address_id: None,
        primary_phone_number_id: None,
        email_addresses: vec![],
        phone_numbers: vec![],
        second_factor_policy: SecondFactorPolicy::None,
        social_connections: vec![],
        authenticators: vec![],
        backup_codes_generated: false,
        has_password: false,
        has_passkeys: false,
        public_metadata: Map::new(),
        segments: vec![],
        position: None,
        active: true,
        factory_password: false,
        reachable: true,
        last_login_date: None,
        archived_at: None,
        auth_provider: DEFAULT_AUTH_PROVIDER.to_owned(),
        generation: Some(Generation(uuid::Uuid::new_v4())),
        created_at: now,
        updated_at: now,
    }
}

/// A user's sign-in secrets, stored as an item of their own beside the user item.
///
/// The identity provider needs them at sign-in; neither route renders them, so neither reads
/// them: a request never decodes them and a function's memory never holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSecrets {
    /// The user they belong to.
    pub user_id: UserId,
    /// One secret per entry of the user's `authenticators`.
    #[serde(default)]
    pub totp: Vec<TotpSecret>,
    /// SHA-256 digests (hex) of the unused backup codes; the user item's
    /// `backup_codes_generated` says whether there are any.
    #[serde(default)]
    pub backup_code_digests: Vec<String>,
}

/// The secret of one TOTP authenticator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpSecret {
    /// The [`model::Authenticator::id`] it belongs to.
    pub authenticator_id: String,
    /// The base32 TOTP secret.
    pub secret: String,
    /// The `otpauth://` provisioning URL.
    #[serde(default)]
    pub otp_url: Option<String>,
}

/// The key of a user's sign-in secrets: the user's partition, sort key `SECRETS`.
pub fn user_secrets_key(tenant_id: TenantId, user_id: UserId) -> ItemKey {
    ItemKey {
        pk: ItemKey::user(tenant_id, user_id).pk,
        sk: "SECRETS".to_owned(),
    }
}
