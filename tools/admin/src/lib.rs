//! The operator's tool: creates the table, seeds demo data, and manages tenants, users,
//! sessions and API keys in any table (local server or AWS), and mints dev tokens.
//!
//! [`Admin`] holds the operations; `main.rs` is the command line around them. The tests use
//! the same operations to set up their data, so what they exercise is what operators run.

pub mod demo;
pub mod phone;

use auth::{TokenClaims, TokenSigner};
use model::{ApiKey, EmailAddress, Session, Tenant, Timestamp, User};
use store::{DynamoStore, StoreError, TableDefinition};
use uuid::Uuid;

/// The dev-only ES256 private key (see `dev/keys/README.md`); `token` signs with it.
pub const DEV_ES256_PRIVATE_KEY: &str = include_str!("../../../dev/keys/dev-es256-private.pem");
/// `kid` of [`DEV_ES256_PRIVATE_KEY`].
pub const DEV_ES256_KID: &str = "dev-es256";
/// The dev-only RS256 private key.
pub const DEV_RS256_PRIVATE_KEY: &str = include_str!("../../../dev/keys/dev-rs256-private.pem");
/// `kid` of [`DEV_RS256_PRIVATE_KEY`].
pub const DEV_RS256_KID: &str = "dev-rs256";
/// The issuer of the local configuration.
pub const DEV_ISSUER: &str = "https://dev.current-user.invalid";
/// Lifetime of sessions created by `session create`: 30 days.
pub const SESSION_LIFETIME_SECS: i64 = 30 * 24 * 3600;

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
    /// A token could not be signed.
    #[error(transparent)]
    Signing(#[from] auth::SigningError),
}

/// The fields of a new user.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    /// Tenant id.
    pub tenant: String,
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

/// A UUIDv4 given on the command line, normalised to lower-case hyphenated form.
pub fn parse_id(what: &str, text: &str) -> Result<String, AdminError> {
    Uuid::parse_str(text)
        .ok()
        .filter(|id| id.get_version_num() == 4)
        .map(|id| id.to_string())
        .ok_or_else(|| AdminError::Invalid(format!("{what} must be a UUIDv4, not {text:?}")))
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

    async fn require_tenant(&self, tenant: &str) -> Result<Tenant, AdminError> {
        self.store
            .tenant(tenant)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no tenant {tenant}")))
    }

    async fn require_user(&self, tenant: &str, user: &str) -> Result<User, AdminError> {
        use store::ApiKeyContextSource;
        self.store
            .user(tenant, user)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user {user} in tenant {tenant}")))
    }

    /// Creates an active tenant; returns its id.
    pub async fn create_tenant(&self, name: &str) -> Result<String, AdminError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AdminError::Invalid("--name must not be empty".into()));
        }
        let now = Timestamp::now();
        let tenant = Tenant {
            id: Uuid::new_v4().to_string(),
            name: name.to_owned(),
            active: true,
            created_at: now,
            updated_at: now,
        };
        self.store.put_tenant(&tenant).await?;
        Ok(tenant.id)
    }

    /// Creates a user in an existing tenant; returns its id.
    pub async fn create_user(&self, new: &NewUser) -> Result<String, AdminError> {
        let tenant = parse_id("--tenant", &new.tenant)?;
        self.require_tenant(&tenant).await?;
        let email = new.email.trim();
        if !is_plausible_email(email) {
            return Err(AdminError::Invalid(format!(
                "--email is not an email address: {email:?}"
            )));
        }
        let phone = new.phone.as_deref().map(phone::parse).transpose()?;
        let now = Timestamp::now();
        let email_id = Uuid::new_v4().to_string();
        let mut user = demo::blank_user(&tenant, &Uuid::new_v4().to_string(), now);
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
    pub async fn delete_user(&self, tenant: &str, user: &str) -> Result<(), AdminError> {
        let (tenant, user) = (parse_id("--tenant", tenant)?, parse_id("--user", user)?);
        self.store
            .delete_user(&tenant, &user)
            .await
            .map_err(not_found_as("user"))
    }

    /// Creates a live session for an existing user, valid for `lifetime_secs`; returns its id.
    pub async fn create_session(
        &self,
        tenant: &str,
        user: &str,
        lifetime_secs: i64,
    ) -> Result<String, AdminError> {
        let (tenant, user) = (parse_id("--tenant", tenant)?, parse_id("--user", user)?);
        self.require_user(&tenant, &user).await?;
        let now = Timestamp::now();
        let session = Session {
            id: Uuid::new_v4().to_string(),
            user_id: user,
            created_at: now,
            updated_at: now,
            expires_at: now.plus_seconds(lifetime_secs),
            revoked_at: None,
        };
        self.store.put_session(&tenant, &session).await?;
        Ok(session.id)
    }

    /// Revokes a session.
    pub async fn revoke_session(&self, tenant: &str, session: &str) -> Result<(), AdminError> {
        let (tenant, session) = (
            parse_id("--tenant", tenant)?,
            parse_id("--session", session)?,
        );
        self.store
            .revoke_session(&tenant, &session)
            .await
            .map_err(not_found_as("session"))
    }

    /// Creates an API key for an existing user; returns the key id and the secret (shown once).
    pub async fn create_api_key(
        &self,
        tenant: &str,
        user: &str,
    ) -> Result<(String, String), AdminError> {
        let (tenant, user) = (parse_id("--tenant", tenant)?, parse_id("--user", user)?);
        self.require_user(&tenant, &user).await?;
        let (key, secret) = auth::api_key::generate();
        let record = ApiKey {
            key: key.to_string(),
            user_id: user,
            secret_sha256: secret.digest(),
            created_at: Timestamp::now(),
            expires_at: None,
            revoked_at: None,
        };
        self.store.put_api_key(&tenant, &record).await?;
        Ok((record.key, secret.expose().to_owned()))
    }

    /// Revokes an API key.
    pub async fn revoke_api_key(&self, tenant: &str, key: &str) -> Result<(), AdminError> {
        let tenant = parse_id("--tenant", tenant)?;
        let key =
            auth::ApiKeyId::parse(key).map_err(|e| AdminError::Invalid(format!("--key: {e}")))?;
        self.store
            .revoke_api_key(&tenant, key.as_str())
            .await
            .map_err(not_found_as("API key"))
    }

    /// Writes the demo data (idempotent: fixed ids, overwritten on every run).
    pub async fn seed(
        &self,
        signer: &TokenSigner,
        issuer: &str,
    ) -> Result<demo::SeedSummary, AdminError> {
        demo::seed(&self.store, signer, issuer).await
    }
}

fn not_found_as(what: &'static str) -> impl Fn(StoreError) -> AdminError {
    move |err| match err {
        StoreError::NotFound { key } => AdminError::NotFound(format!("no {what} at {key}")),
        other => AdminError::Store(other),
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

/// Which dev key signs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevKey {
    /// `dev-es256`.
    Es256,
    /// `dev-rs256`.
    Rs256,
}

/// A signer with a committed dev-only key.
pub fn dev_signer(key: DevKey) -> Result<TokenSigner, AdminError> {
    Ok(match key {
        DevKey::Es256 => TokenSigner::es256(DEV_ES256_PRIVATE_KEY.as_bytes(), DEV_ES256_KID)?,
        DevKey::Rs256 => TokenSigner::rs256(DEV_RS256_PRIVATE_KEY.as_bytes(), DEV_RS256_KID)?,
    })
}

/// A session token for `tenant`/`user`/`session`, valid for `ttl_secs` (negative: expired).
pub fn mint_token(
    signer: &TokenSigner,
    issuer: &str,
    audience: Option<&str>,
    tenant: &str,
    user: &str,
    session: &str,
    ttl_secs: i64,
) -> Result<String, AdminError> {
    let id = |what, text| {
        parse_id(what, text)
            .and_then(|s| Uuid::parse_str(&s).map_err(|e| AdminError::Invalid(e.to_string())))
    };
    let mut claims = TokenClaims::for_session(
        issuer,
        id("--tenant", tenant)?,
        id("--user", user)?,
        id("--session", session)?,
        ttl_secs,
    );
    claims.aud = audience.map(str::to_owned);
    Ok(signer.sign(&claims)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_must_be_uuid_v4() {
        assert_eq!(
            parse_id("x", "7C9E6679-7425-40DE-944B-E07FC1F90AE7").unwrap(),
            "7c9e6679-7425-40de-944b-e07fc1f90ae7"
        );
        assert!(parse_id("x", "not-a-uuid").is_err());
        assert!(parse_id("x", "7c9e6679-7425-10de-944b-e07fc1f90ae7").is_err()); // v1
    }

    #[test]
    fn email_plausibility() {
        assert!(is_plausible_email("a@b.co"));
        for bad in ["", "a", "@b.co", "a@b", "a b@c.d", "a@.b", "a@b."] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
