//! The operator's operations on tenants, users, sessions and API keys, in any table (local
//! server or AWS): what the admin CLI (`tools/admin`) runs, and what the tests set their data up
//! with, so what they exercise is what operators run. Arguments are checked here (ids, email,
//! phone); the writes are [`TableWrites`] and the table's definition [`TableDefinition`].

pub mod phone;
pub mod records;
pub mod table;
pub mod writes;

pub use records::{TotpSecret, UserSecrets, blank_user};
pub use table::TableDefinition;
pub use writes::{TableWrites, WriteError};

use model::{
    ApiKey, ApiKeyId, EmailAddress, Session, SessionId, Tenant, TenantId, Timestamp, User, UserId,
};
use store::{DynamoStore, StoreError, UserSource};

/// Lifetime of sessions created by `session create`: 30 days.
pub const SESSION_LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// A new API key: a random key id and its secret, `cus_` and the 64 hex digits of two UUIDv4s
/// (the format `auth::api_key` checks). The secret is shown once; only its digest is stored.
pub fn new_api_key() -> (ApiKeyId, String) {
    let secret = format!(
        "{}{}{}",
        auth::api_key::SECRET_PREFIX,
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    (ApiKeyId::random(), secret)
}

/// Why an admin operation failed. Printed on stderr by the CLI.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An argument is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
}

/// The fields of a new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The user's id: the identity provider's (`auth0|…`, `user_…`, a Cognito `sub`), or
    /// `None` for a new random one.
    pub id: Option<UserId>,
    /// Tenant id.
    pub tenant: TenantId,
    /// Primary email address.
    pub email: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Handle.
    pub username: Option<String>,
    /// Primary phone in international form (`+14155550123`, `+44 20 7946 0958`).
    pub phone: Option<String>,
}

/// An id given on the command line (`--tenant`, `--user`, `--session`, `--id`): an opaque id
/// as `model::id` defines it (a provider's `auth0|…` or `user_…`, or a UUID), taken as given.
pub fn parse_id<T: std::str::FromStr<Err = model::IdError>>(
    what: &str,
    text: &str,
) -> Result<T, AdminError> {
    text.parse()
        .map_err(|e| AdminError::Invalid(format!("{what}: {e}, not {text:?}")))
}

/// A duration given on the command line (`--expires-in`): a whole number of seconds, or one
/// with a unit: `90d`, `12h`, `30m`, `45s`. At least a second, at most ten years.
pub fn parse_duration(what: &str, text: &str) -> Result<i64, AdminError> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last() {
        Some((at, unit)) if unit.is_ascii_alphabetic() => (&text[..at], unit),
        _ => (text, 's'),
    };
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 0,
    };
    digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|secs| (1..=10 * 365 * 86_400).contains(secs))
        .ok_or_else(|| {
            AdminError::Invalid(format!(
                "{what} must be a duration such as 90d, 12h, 30m or 3600 (seconds, at most ten years), not {text:?}"
            ))
        })
}

/// An API key id given on the command line (`--key`).
pub fn parse_key(text: &str) -> Result<ApiKeyId, AdminError> {
    ApiKeyId::parse(text).map_err(|e| AdminError::Invalid(format!("--key: {e}")))
}

/// The operations, on one table.
#[derive(Debug, Clone)]
pub struct Admin {
    store: DynamoStore,
}

impl Admin {
    /// Operations on `store`'s table.
    pub fn new(store: DynamoStore) -> Self {
        Self { store }
    }

    /// The store.
    pub fn store(&self) -> &DynamoStore {
        &self.store
    }

    /// Creates the table if missing and waits until it is active.
    pub async fn create_table(&self) -> Result<(), AdminError> {
        TableDefinition::new(self.store.table())
            .create_if_missing(self.store.client())
            .await?;
        Ok(())
    }

    async fn require_tenant(&self, tenant: TenantId) -> Result<Tenant, AdminError> {
        self.store
            .tenant(tenant)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no tenant {tenant}")))
    }

    async fn require_user(&self, tenant: TenantId, user: UserId) -> Result<User, AdminError> {
        self.store
            .user(tenant, user)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user {user} in tenant {tenant}")))
    }

    /// Creates an active tenant with id `id` (a new random UUIDv4 when `None`, the form
    /// `X-Domain` takes); returns its id.
    pub async fn create_tenant(
        &self,
        name: &str,
        id: Option<TenantId>,
    ) -> Result<TenantId, AdminError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AdminError::Invalid("--name must not be empty".into()));
        }
        let now = Timestamp::now();
        let tenant = Tenant {
            id: id.unwrap_or_else(TenantId::random),
            name: name.to_owned(),
            active: true,
            created_at: now,
            updated_at: now,
        };
        self.store.put_tenant(&tenant).await?;
        Ok(tenant.id)
    }

    /// Creates a user in an existing tenant; returns its id.
    pub async fn create_user(&self, new: &NewUser) -> Result<UserId, AdminError> {
        let tenant = new.tenant;
        self.require_tenant(tenant).await?;
        let email = new.email.trim();
        if !is_plausible_email(email) {
            return Err(AdminError::Invalid(format!(
                "--email is not an email address: {email:?}"
            )));
        }
        let phone = new.phone.as_deref().map(phone::parse).transpose()?;
        let now = Timestamp::now();
        let email_id = UserId::random().to_string();
        let mut user = blank_user(tenant, new.id.unwrap_or_else(UserId::random), now);
        user.first_name = new.first_name.clone();
        user.last_name = new.last_name.clone();
        user.username = new.username.clone();
        user.primary_email_address_id = Some(email_id.clone());
        user.email_addresses = vec![EmailAddress {
            id: email_id,
            email: email.to_owned(),
            verified: false,
            verified_at: None,
            verification_strategy: None,
        }];
        if let Some(phone) = phone {
            user.primary_phone_number_id = Some(phone.id.clone());
            user.phone_numbers = vec![phone];
        }
        self.store.put_user(&user).await?;
        Ok(user.id)
    }

    /// Deletes a user.
    pub async fn delete_user(&self, tenant: TenantId, user: UserId) -> Result<(), AdminError> {
        self.store
            .delete_user(tenant, user)
            .await
            .map_err(not_found_as("user"))
    }

    /// Creates a live session for an existing user, valid for `lifetime_secs`, with id `id`
    /// (the identity provider's session id, as its tokens carry it) or a new random one;
    /// returns its id.
    pub async fn create_session(
        &self,
        tenant: TenantId,
        user: UserId,
        id: Option<SessionId>,
        lifetime_secs: i64,
    ) -> Result<SessionId, AdminError> {
        let owner = self.require_user(tenant, user).await?;
        let now = Timestamp::now();
        let session = Session {
            id: id.unwrap_or_else(SessionId::random),
            user_id: user,
            user_generation: owner.generation,
            created_at: now,
            updated_at: now,
            expires_at: now.plus_seconds(lifetime_secs),
            revoked_at: None,
        };
        self.store.put_session(tenant, &session).await?;
        Ok(session.id)
    }

    /// Revokes a session.
    pub async fn revoke_session(
        &self,
        tenant: TenantId,
        session: SessionId,
    ) -> Result<(), AdminError> {
        self.store
            .revoke_session(tenant, session)
            .await
            .map_err(not_found_as("session"))
    }

    /// Creates an API key for an existing user; returns the key id and the secret (shown once).
    pub async fn create_api_key(
        &self,
        tenant: TenantId,
        user: UserId,
        expires_in_secs: Option<i64>,
    ) -> Result<(ApiKeyId, String), AdminError> {
        let owner = self.require_user(tenant, user).await?;
        let (key, secret) = new_api_key();
        let now = Timestamp::now();
        let record = ApiKey {
            key,
            user_id: user,
            user_generation: owner.generation,
            secret_sha256: auth::sha256_hex(secret.as_bytes()),
            created_at: now,
            expires_at: expires_in_secs.map(|secs| now.plus_seconds(secs)),
            revoked_at: None,
        };
        self.store.put_api_key(tenant, &record).await?;
        Ok((record.key, secret))
    }

    /// Disables a tenant: every credential of it is refused (401, 4014 with a token; 4016 with
    /// an API key), after at most a warm container's tenant-cache period.
    pub async fn disable_tenant(&self, tenant: TenantId) -> Result<(), AdminError> {
        self.store
            .set_tenant_active(tenant, false)
            .await
            .map_err(not_found_as("tenant"))
    }

    /// Enables a tenant again.
    pub async fn enable_tenant(&self, tenant: TenantId) -> Result<(), AdminError> {
        self.store
            .set_tenant_active(tenant, true)
            .await
            .map_err(not_found_as("tenant"))
    }

    /// Revokes an API key.
    pub async fn revoke_api_key(&self, tenant: TenantId, key: &ApiKeyId) -> Result<(), AdminError> {
        self.store
            .revoke_api_key(tenant, key)
            .await
            .map_err(not_found_as("API key"))
    }
}

fn not_found_as(what: &'static str) -> impl Fn(WriteError) -> AdminError {
    move |err| match err {
        WriteError::NotFound { key } => AdminError::NotFound(format!("no {what} at {key}")),
        WriteError::Store(err) => AdminError::Store(err),
    }
}

fn is_plausible_email(email: &str) -> bool {
    email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_api_keys_are_well_formed_and_new_each_time() {
        // That no other secret matches the digest is `auth`'s property test, for any secret.
        let (key, secret) = new_api_key();
        assert_eq!(ApiKeyId::parse(key.as_str()), Ok(key.clone()));
        let digest = auth::sha256_hex(secret.as_bytes());
        assert!(auth::ApiKeySecret::parse(&secret).unwrap().matches(&digest));
        let (other_key, other_secret) = new_api_key();
        assert_ne!((other_key, other_secret), (key, secret));
    }

    #[test]
    fn durations_with_and_without_units() {
        assert_eq!(parse_duration("--expires-in", "90d").unwrap(), 90 * 86_400);
        assert_eq!(parse_duration("--expires-in", "12h").unwrap(), 43_200);
        assert_eq!(parse_duration("--expires-in", "30m").unwrap(), 1_800);
        assert_eq!(parse_duration("--expires-in", "3600").unwrap(), 3_600);
        for bad in ["", "0", "-5d", "5y", "d", "99999d", "1.5h"] {
            assert!(parse_duration("--expires-in", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_taken_as_given_when_valid() {
        let user: UserId = parse_id("--user", "auth0|5f7c8ec7c33c6c004bbafe82").unwrap();
        assert_eq!(user.to_string(), "auth0|5f7c8ec7c33c6c004bbafe82");
        let err = parse_id::<UserId>("--user", "TENANT#x").unwrap_err();
        assert!(err.to_string().contains("--user"), "{err}");
        assert!(parse_id::<TenantId>("--tenant", "").is_err());
    }

    #[test]
    fn email_plausibility() {
        assert!(is_plausible_email("a@b.co"));
        for bad in ["", "a", "@b.co", "a@b", "a b@c.d", "a@.b", "a@b."] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
