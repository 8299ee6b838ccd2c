//! Dev-only material, in one place: the committed dev signing keys and their JWKS, the dev
//! issuer, minting tokens with them ([`TokenSigner`], [`mint_token`]), the demo data of
//! `admin seed` ([`demo`]), and the generator of `events/` (`cargo run -p devkit --bin
//! make-events`). The admin CLI, the tests (through `testkit`) and the events generator all use
//! it; no function depends on it, so nothing here reaches a deployed binary.

pub mod demo;
pub mod signing;

pub use signing::{SigningError, TokenClaims, TokenSigner};

use model::{SessionId, TenantId, UserId};
use store::StoreError;

/// The dev-only ES256 private key (see `dev/keys/README.md`).
pub const DEV_ES256_PRIVATE_KEY: &str = include_str!("../../../dev/keys/dev-es256-private.pem");
/// `kid` of [`DEV_ES256_PRIVATE_KEY`].
pub const DEV_ES256_KID: &str = "dev-es256";
/// The dev-only RS256 private key.
pub const DEV_RS256_PRIVATE_KEY: &str = include_str!("../../../dev/keys/dev-rs256-private.pem");
/// `kid` of [`DEV_RS256_PRIVATE_KEY`].
pub const DEV_RS256_KID: &str = "dev-rs256";
/// A P-256 key that is in no JWKS: tokens it signs under a trusted `kid` are forgeries.
pub const TEST_FOREIGN_ES256_PRIVATE_KEY: &str =
    include_str!("../../../dev/keys/test-foreign-es256-private.pem");
/// The JWKS of both dev keys (the local configuration's `JWT_PUBLIC_KEYS`).
pub const DEV_JWKS: &str = include_str!("../../../dev/keys/dev-jwks.json");
/// The issuer of the local configuration.
pub const DEV_ISSUER: &str = "https://dev.current-user.invalid";
/// The audience of the local configuration (`JWT_AUDIENCE`); dev tokens carry it.
pub const DEV_AUDIENCE: &str = "https://api.current-user.invalid";
/// The browser origins of the local configuration (`ALLOWED_ORIGINS`): a page served on one of
/// them may call `make dev` with credentials. `app.example.test` and `api.example.test` are two
/// origins of one site, as `app.example.com` and `api.example.com` are in production.
pub const DEV_ALLOWED_ORIGINS: &str = "http://app.example.test:3000,http://localhost:3000";
/// The longest token lifetime of the local configuration (`JWT_MAX_LIFETIME_SECS`): 100 years,
/// as the committed demo tokens and `events/` are valid until 2100. Dev-only: deployed
/// functions default to 24 hours.
pub const DEV_MAX_LIFETIME_SECS: u64 = 100 * 365 * 24 * 3600;

/// Why a dev operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A token could not be signed.
    #[error(transparent)]
    Signing(#[from] SigningError),
    /// A value is not acceptable.
    #[error("{0}")]
    Invalid(String),
}

/// Which dev key signs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevKey {
    /// `dev-es256`.
    Es256,
    /// `dev-rs256`.
    Rs256,
}

/// The token policy for `issuer` and `audience`, every other setting at the functions'
/// default.
pub fn dev_policy(issuer: &str, audience: &str) -> auth::VerifierSettings {
    auth::VerifierSettings {
        issuer: issuer.to_owned(),
        audience: Some(vec![audience.to_owned()]),
        client_ids: None,
        token_use: None,
        tenant_claim: auth::token::DEFAULT_TENANT_CLAIM.to_owned(),
        session_claim: auth::token::DEFAULT_SESSION_CLAIM.to_owned(),
        max_lifetime_secs: auth::token::DEFAULT_MAX_LIFETIME_SECS,
        leeway_secs: auth::token::DEFAULT_LEEWAY_SECS,
    }
}

/// A signer with a committed dev-only key.
pub fn dev_signer(key: DevKey) -> Result<TokenSigner, DevError> {
    Ok(match key {
        DevKey::Es256 => TokenSigner::es256(DEV_ES256_PRIVATE_KEY.as_bytes(), DEV_ES256_KID)?,
        DevKey::Rs256 => TokenSigner::rs256(DEV_RS256_PRIVATE_KEY.as_bytes(), DEV_RS256_KID)?,
    })
}

/// A session token for `tenant`/`user`/`session`, valid for `ttl_secs` (negative: expired),
/// for `audience` (`None`: [`DEV_AUDIENCE`]), with the tenant and session under `tid` and `sid`.
pub fn mint_token(
    signer: &TokenSigner,
    issuer: &str,
    audience: Option<&str>,
    tenant: TenantId,
    user: UserId,
    session: SessionId,
    ttl_secs: i64,
) -> Result<String, DevError> {
    let mut claims = TokenClaims::for_session(issuer, tenant, user, session, ttl_secs);
    claims.aud = Some(audience.unwrap_or(DEV_AUDIENCE).to_owned());
    Ok(signer.sign(&claims)?)
}
