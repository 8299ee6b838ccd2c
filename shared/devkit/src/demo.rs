//! The demo data of `admin seed`: fixed ids, so the committed `events/` files and the README's
//! curl lines match every fresh seed. Re-running `seed` overwrites the same items (and so
//! un-revokes the demo sessions).
//!
//! One tenant ("Acme Demo"), two users with full profiles and a live session each, a third,
//! revoked session of the first user (for the revoked-session example), and one API key of
//! the first user with a fixed, dev-only secret. For the examples of the two other refusals a
//! session can meet: a deactivated user with a live session, and a live session whose user
//! item is gone (deleted). The first user also has sign-in secrets (a TOTP
//! secret, backup-code digests), written as her item of secrets, which no route reads.

use accounts::TableWrites;
use accounts::{TotpSecret, UserSecrets, blank_user};
use auth::ApiKeySecret;
use model::{
    ApiKey, ApiKeyId, Authenticator, Availability, EmailAddress, Generation, PhoneNumber,
    SecondFactorPolicy, Segment, Session, SessionId, SocialConnection, Tenant, TenantId, Timestamp,
    User, UserId,
};
use serde::Serialize;
use serde_json::json;
use store::DynamoStore;

use crate::{DevError, TokenSigner, mint_token};

/// The demo tenant.
pub const TENANT_ID: TenantId = TenantId::from_static("0f8fad5b-d9cb-469f-a165-70867728950e");
/// The first demo user, Ada.
pub const ADA_ID: UserId = UserId::from_static("7c9e6679-7425-40de-944b-e07fc1f90ae7");
/// Ada's live session.
pub const ADA_SESSION_ID: SessionId =
    SessionId::from_static("9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b");
/// Ada's revoked session.
pub const ADA_REVOKED_SESSION_ID: SessionId =
    SessionId::from_static("5d6e7f80-9a1b-4c2d-9e3f-4a5b6c7d8e9f");
/// The second demo user, Grace.
pub const GRACE_ID: UserId = UserId::from_static("16fd2706-8baf-433b-82eb-8c7fada847da");
/// Grace's live session.
pub const GRACE_SESSION_ID: SessionId =
    SessionId::from_static("c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f");
/// Charles, a deactivated user (`active: false`).
pub const CHARLES_ID: UserId = UserId::from_static("2c5ea4c0-4067-4a2b-9f1e-6b8d7a0c3e51");
/// Charles's live session.
pub const CHARLES_SESSION_ID: SessionId =
    SessionId::from_static("8e4f2a1b-6c3d-4e5f-9a0b-1c2d3e4f5a6b");
/// A user id with no user item: its user was deleted after signing in.
pub const DELETED_USER_ID: UserId = UserId::from_static("e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9");
/// The deleted user's session, still live.
pub const DELETED_USER_SESSION_ID: SessionId =
    SessionId::from_static("4a3b2c1d-0e9f-4a8b-8c7d-6e5f4a3b2c1d");
/// Ada's generation (this life of her id), on her user item, sessions and API key.
pub const ADA_GENERATION: Generation =
    Generation(uuid::uuid!("a7d0c1e2-3f4a-4b5c-8d6e-7f8091a2b3c4"));
/// Grace's generation.
pub const GRACE_GENERATION: Generation =
    Generation(uuid::uuid!("b8e1d2f3-4a5b-4c6d-9e7f-8091a2b3c4d5"));
/// The demo API key (Ada's).
pub const API_KEY: &str = "cuk_5f1d0c2a9e8b4c7d8a6f3e2d1c0b9a87";
/// The demo API secret. Dev-only: anyone can read it here.
pub const API_SECRET: &str = "cus_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// A second tenant, which holds nothing: the cross-tenant examples of `events/` name it.
pub const OTHER_TENANT_ID: TenantId = TenantId::from_static("3b241101-e2bb-4255-8caf-4136c566a962");
/// The demo sessions and tokens expire at 2100-01-01T00:00:00Z.
pub const DEMO_EXPIRY_UNIX: i64 = 4_102_444_800;

/// What `seed --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedSummary {
    /// The demo tenant.
    pub tenant_id: TenantId,
    /// The demo users, each with its live session and a token for it.
    pub users: Vec<SeededUser>,
    /// The demo API key.
    pub api_key: SeededApiKey,
}

/// One seeded user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeededUser {
    /// User id.
    pub id: UserId,
    /// Primary email.
    pub email: String,
    /// The live session.
    pub session_id: SessionId,
    /// A token for that session, valid until 2100.
    pub token: String,
}

/// The seeded API key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeededApiKey {
    /// `X-API-KEY`.
    pub key: String,
    /// `X-API-SECRET`.
    pub secret: String,
}

fn at(text: &str) -> Timestamp {
    // The literals below are valid RFC 3339; the fallback is never taken.
    Timestamp::parse(text).unwrap_or_else(|_| Timestamp::from_unix_seconds(0))
}

/// Ada: every seed-000 list filled, a TOTP authenticator and backup codes (their secrets in
/// [`ada_secrets`]).
pub fn ada() -> User {
    let mut user = blank_user(TENANT_ID, ADA_ID, at("2024-01-15T09:30:00Z"));
    user.generation = Some(ADA_GENERATION);
    user.first_name = Some("Ada".into());
    user.last_name = Some("Lovelace".into());
    user.username = Some("ada".into());
    user.availability = Availability::Busy;
    user.profile_picture_url = Some("https://images.example.com/avatars/ada.png".into());
    user.primary_email_address_id = Some("1b4e28ba-2fa1-41d2-883f-0016d3cca427".into());
    user.primary_phone_number_id = Some("6ecd8c99-4036-403d-bf84-cf8400f67836".into());
    user.email_addresses = vec![
        EmailAddress {
            id: "1b4e28ba-2fa1-41d2-883f-0016d3cca427".into(),
            email: "ada@acme.example".into(),
            verified: true,
            verified_at: Some(at("2024-01-15T09:31:12Z")),
            verification_strategy: Some("otp".into()),
        },
        EmailAddress {
            id: "3f333df6-90a4-4fda-8dd3-9485d27cee36".into(),
            email: "ada.lovelace@personal.example".into(),
            verified: false,
            verified_at: None,
            verification_strategy: None,
        },
    ];
    user.phone_numbers = vec![PhoneNumber {
        id: "6ecd8c99-4036-403d-bf84-cf8400f67836".into(),
        phone_number: "+14155550123".into(),
        country_code: "1".into(),
        verified: true,
        verified_at: Some(at("2024-01-16T10:00:00Z")),
    }];
    user.second_factor_policy = SecondFactorPolicy::Optional;
    user.social_connections = vec![SocialConnection {
        id: "a8098c1a-f86e-41d5-9ad4-7b7f0a2b1c3d".into(),
        provider: "x_oauth".into(),
        email_address: Some("ada@acme.example".into()),
        first_name: Some("Ada".into()),
        last_name: Some("Lovelace".into()),
    }];
    user.authenticators = vec![Authenticator {
        id: ADA_AUTHENTICATOR_ID.into(),
        created_at: at("2024-02-01T08:00:00Z"),
    }];
    user.backup_codes_generated = true;
    user.has_password = true;
    user.has_passkeys = false;
    if let serde_json::Value::Object(map) = json!({"plan": "enterprise", "beta_features": ["new-dashboard"], "seats": 25, "referrer": null})
    {
        user.public_metadata = map;
    }
    user.segments = vec![Segment {
        id: "b7a4c9e2-1d3f-4a5b-8c6d-9e0f1a2b3c4d".into(),
        created_at: at("2023-12-01T00:00:00Z"),
        updated_at: at("2024-01-10T12:00:00Z"),
        deployment_id: "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6".into(),
        name: "Early adopters".into(),
        kind: "user".into(),
    }];
    user.position = Some("Head of Analytics".into());
    user.factory_password = false;
    user.reachable = true;
    user.last_login_date = Some(at("2024-06-01T12:00:00Z"));
    user.auth_provider = "trisk_credentials".into();
    user.updated_at = at("2024-06-01T12:00:00Z");
    user
}

/// The id of Ada's TOTP authenticator.
const ADA_AUTHENTICATOR_ID: &str = "e4eaaaf2-d142-41c6-9f2b-2bd5f1a0b3c4";

/// Ada's sign-in secrets (her item of their own): the TOTP secret of her authenticator and
/// the digests of her two backup codes.
pub fn ada_secrets() -> UserSecrets {
    UserSecrets {
        user_id: ADA_ID,
        totp: vec![TotpSecret {
            authenticator_id: ADA_AUTHENTICATOR_ID.into(),
            secret: "JBSWY3DPEHPK3PXP".into(),
            otp_url: Some(
                "otpauth://totp/Acme:ada@acme.example?secret=JBSWY3DPEHPK3PXP&issuer=Acme".into(),
            ),
        }],
        backup_code_digests: ["demo-backup-1", "demo-backup-2"]
            .iter()
            .map(|c| auth::sha256_hex(c.as_bytes()))
            .collect(),
    }
}

/// Grace: a second full profile, archived-style flags differ from Ada's.
pub fn grace() -> User {
    let mut user = blank_user(TENANT_ID, GRACE_ID, at("2024-03-02T14:00:00Z"));
    user.generation = Some(GRACE_GENERATION);
    user.first_name = Some("Grace".into());
    user.last_name = Some("Hopper".into());
    user.username = Some("grace".into());
    user.availability = Availability::Available;
    user.primary_email_address_id = Some("c9bf9e57-1685-4c89-bafb-ff5af830be8a".into());
    user.primary_phone_number_id = Some("9a7b3c2d-5e6f-4a1b-8c9d-0e1f2a3b4c5d".into());
    user.email_addresses = vec![EmailAddress {
        id: "c9bf9e57-1685-4c89-bafb-ff5af830be8a".into(),
        email: "grace@acme.example".into(),
        verified: true,
        verified_at: Some(at("2024-03-02T14:05:00Z")),
        verification_strategy: Some("link".into()),
    }];
    user.phone_numbers = vec![PhoneNumber {
        id: "9a7b3c2d-5e6f-4a1b-8c9d-0e1f2a3b4c5d".into(),
        phone_number: "+442079460958".into(),
        country_code: "44".into(),
        verified: false,
        verified_at: None,
    }];
    user.social_connections = vec![SocialConnection {
        id: "f47ac10b-58cc-4372-a567-0e02b2c3d479".into(),
        provider: "google_oauth".into(),
        email_address: Some("grace.hopper@gmail.example".into()),
        first_name: Some("Grace".into()),
        last_name: None,
    }];
    user.has_password = false;
    user.has_passkeys = true;
    user.position = Some("Rear Admiral".into());
    user.factory_password = true;
    user.reachable = false;
    user.auth_provider = "google".into();
    user
}

/// Charles: a name and an email address, deactivated.
pub fn charles() -> User {
    let mut user = blank_user(TENANT_ID, CHARLES_ID, at("2024-02-10T11:00:00Z"));
    user.generation = Some(Generation(uuid::uuid!(
        "c9f2e3a4-5b6c-4d7e-8f90-b1c2d3e4f5a6"
    )));
    user.first_name = Some("Charles".into());
    user.last_name = Some("Babbage".into());
    user.primary_email_address_id = Some("5b1e7d2c-3f4a-4c6b-9d8e-7f6a5b4c3d2e".into());
    user.email_addresses = vec![EmailAddress {
        id: "5b1e7d2c-3f4a-4c6b-9d8e-7f6a5b4c3d2e".into(),
        email: "charles@acme.example".into(),
        verified: true,
        verified_at: Some(at("2024-02-10T11:02:00Z")),
        verification_strategy: Some("link".into()),
    }];
    user.active = false;
    user
}

fn session(id: SessionId, user: &User, created: &str, revoked: bool) -> Session {
    let created = at(created);
    Session {
        id,
        user_id: user.id,
        user_generation: user.generation,
        created_at: created,
        updated_at: created,
        expires_at: Timestamp::from_unix_seconds(DEMO_EXPIRY_UNIX),
        revoked_at: revoked.then_some(created),
    }
}

/// Every demo record, as `seed` writes them (the tenant's sessions and key under it).
#[derive(Debug, Clone)]
pub struct DemoRecords {
    /// The demo tenant.
    pub tenant: Tenant,
    /// Ada and Grace, then Charles (deactivated).
    pub users: Vec<User>,
    /// Ada's sign-in secrets (Grace has none).
    pub user_secrets: Vec<UserSecrets>,
    /// Ada's and Grace's live sessions, Ada's revoked one, Charles's, and the live session of
    /// the deleted user.
    pub sessions: Vec<Session>,
    /// Ada's API key.
    pub api_key: ApiKey,
}

/// The demo records.
pub fn records() -> Result<DemoRecords, DevError> {
    let created = at("2024-01-01T00:00:00Z");
    // The demo secret must be of the documented format, as a minted one is.
    ApiKeySecret::parse(API_SECRET).map_err(|e| DevError::Invalid(e.to_string()))?;
    let key = ApiKeyId::parse(API_KEY).map_err(|e| DevError::Invalid(e.to_string()))?;
    let (ada, grace, charles) = (ada(), grace(), charles());
    Ok(DemoRecords {
        tenant: Tenant {
            id: TENANT_ID,
            name: "Acme Demo".into(),
            active: true,
            created_at: created,
            updated_at: created,
        },
        user_secrets: vec![ada_secrets()],
        sessions: vec![
            session(ADA_SESSION_ID, &ada, "2024-06-01T12:00:00Z", false),
            session(GRACE_SESSION_ID, &grace, "2024-06-02T08:15:00Z", false),
            session(ADA_REVOKED_SESSION_ID, &ada, "2024-05-01T00:00:00Z", true),
            session(CHARLES_SESSION_ID, &charles, "2024-06-03T09:00:00Z", false),
            Session {
                user_id: DELETED_USER_ID,
                user_generation: None,
                ..session(DELETED_USER_SESSION_ID, &ada, "2024-06-04T10:00:00Z", false)
            },
        ],
        api_key: ApiKey {
            key,
            user_id: ADA_ID,
            user_generation: ada.generation,
            secret_sha256: auth::sha256_hex(API_SECRET.as_bytes()),
            created_at: at("2024-06-01T12:00:00Z"),
            expires_at: None,
            revoked_at: None,
        },
        users: vec![ada, grace, charles],
    })
}

/// Writes the demo data and returns what `seed` prints.
pub async fn seed(
    store: &DynamoStore,
    signer: &TokenSigner,
    issuer: &str,
) -> Result<SeedSummary, DevError> {
    let records = records()?;
    store.put_tenant(&records.tenant).await?;
    for user in &records.users {
        store.put_user(user).await?;
    }
    for secrets in &records.user_secrets {
        store.put_user_secrets(TENANT_ID, secrets).await?;
    }
    for session in &records.sessions {
        store.put_session(TENANT_ID, session).await?;
    }
    store.put_api_key(TENANT_ID, &records.api_key).await?;
    let now = Timestamp::now().unix_seconds();
    let mut seeded = Vec::new();
    for (user, session_id) in records.users.iter().zip([ADA_SESSION_ID, GRACE_SESSION_ID]) {
        seeded.push(SeededUser {
            token: mint_token(
                signer,
                issuer,
                None,
                TENANT_ID,
                user.id,
                session_id,
                DEMO_EXPIRY_UNIX - now,
            )?,
            email: user
                .primary_email()
                .map(|e| e.email.clone())
                .unwrap_or_default(),
            id: user.id,
            session_id,
        });
    }
    Ok(SeedSummary {
        tenant_id: TENANT_ID,
        users: seeded,
        api_key: SeededApiKey {
            key: API_KEY.into(),
            secret: API_SECRET.into(),
        },
    })
}
