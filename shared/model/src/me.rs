use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    Authenticator, Availability, EmailAddress, PhoneNumber, SecondFactorPolicy, Segment, Session,
    SessionId, SocialConnection, Timestamp, User, UserId,
};

/// The body of a successful `GET /me` (seed 000): `{status, message, data, session}`.
///
/// Field names, nesting and order follow seed 000. Where the seed prints a placeholder, this
/// document decides: `has_profile_picture` is a boolean; absent optional values are `null`;
/// lists are `[]` when empty, never `null`. Secrets are left out by construction: the
/// authenticator views carry only `id` and `created_at`, and `backup_codes` is always `[]`
/// (`backup_codes_generated` tells whether codes exist).
#[derive(Debug, Serialize)]
pub struct MeDocument<'a> {
    /// The HTTP status, 200.
    pub status: u16,
    /// A short text.
    pub message: &'static str,
    /// The user.
    pub data: MeUser<'a>,
    /// The session the request was authenticated with.
    pub session: SessionView<'a>,
}

impl<'a> MeDocument<'a> {
    /// Builds the document for `user`, authenticated through `session`.
    pub fn new(user: &'a User, session: &'a Session) -> Self {
        Self {
            status: 200,
            message: "OK",
            data: MeUser::new(user),
            session: SessionView {
                id: &session.id,
                created_at: session.created_at,
                updated_at: session.updated_at,
            },
        }
    }
}

/// Seed 000's `session` object.
#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    id: &'a SessionId,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// Seed 000's `data` object: the user as `GET /me` shows it.
#[derive(Debug, Serialize)]
pub struct MeUser<'a> {
    id: &'a UserId,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    username: Option<&'a str>,
    availability: Availability,
    has_profile_picture: bool,
    profile_picture_url: Option<&'a str>,
    primary_email_address_id: Option<&'a str>,
    primary_phone_number_id: Option<&'a str>,
    primary_email_address: Option<EmailAddressView<'a>>,
    primary_phone_number: Option<&'a PhoneNumber>,
    second_factor_policy: SecondFactorPolicy,
    user_email_addresses: Vec<EmailAddressView<'a>>,
    user_phone_numbers: &'a [PhoneNumber],
    email_addresses: Vec<EmailAddressView<'a>>,
    phone_numbers: &'a [PhoneNumber],
    social_connections: &'a [SocialConnection],
    user_authenticator: Option<&'a Authenticator>,
    authenticators: &'a [Authenticator],
    backup_codes_generated: bool,
    backup_codes: [&'a str; 0],
    has_password: bool,
    has_passkeys: bool,
    public_metadata: &'a Map<String, Value>,
    segments: &'a [Segment],
}

impl<'a> MeUser<'a> {
    /// The view of `user`.
    pub fn new(user: &'a User) -> Self {
        let emails: Vec<_> = user
            .email_addresses
            .iter()
            .map(|e| EmailAddressView::new(e, user.primary_email_address_id.as_deref()))
            .collect();
        Self {
            id: &user.id,
            first_name: user.first_name.as_deref(),
            last_name: user.last_name.as_deref(),
            username: user.username.as_deref(),
            availability: user.availability,
            has_profile_picture: user.profile_picture_url.is_some(),
            profile_picture_url: user.profile_picture_url.as_deref(),
            primary_email_address_id: user.primary_email().map(|e| e.id.as_str()),
            primary_phone_number_id: user.primary_phone().map(|p| p.id.as_str()),
            primary_email_address: user
                .primary_email()
                .map(|e| EmailAddressView::new(e, Some(&e.id))),
            primary_phone_number: user.primary_phone(),
            second_factor_policy: user.second_factor_policy,
            user_email_addresses: emails.clone(),
            user_phone_numbers: &user.phone_numbers,
            email_addresses: emails,
            phone_numbers: &user.phone_numbers,
            social_connections: &user.social_connections,
            user_authenticator: user.authenticators.first(),
            authenticators: &user.authenticators,
            backup_codes_generated: user.backup_codes_generated,
            backup_codes: [],
            has_password: user.has_password,
            has_passkeys: user.has_passkeys,
            public_metadata: &user.public_metadata,
            segments: &user.segments,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
struct EmailAddressView<'a> {
    id: &'a str,
    email: &'a str,
    is_primary: bool,
    verified: bool,
    verified_at: Option<Timestamp>,
    verification_strategy: Option<&'a str>,
}

impl<'a> EmailAddressView<'a> {
    fn new(email: &'a EmailAddress, primary_id: Option<&str>) -> Self {
        Self {
            id: &email.id,
            email: &email.email,
            is_primary: primary_id == Some(email.id.as_str()),
            verified: email.verified,
            verified_at: email.verified_at,
            verification_strategy: email.verification_strategy.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Authenticator;
    use serde_json::json;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_unix_seconds(s)
    }

    fn user() -> User {
        serde_json::from_value(json!({
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "first_name": "Ada", "last_name": "Lovelace",
            "primary_email_address_id": "e2",
            "email_addresses": [
                {"id": "e1", "email": "old@example.com", "verified": false},
                {"id": "e2", "email": "ada@example.com", "verified": true,
                 "verified_at": "2020-01-02T03:04:05Z", "verification_strategy": "otp"}
            ],
            // An item written before the secrets moved to their own item still carries
            // them here: they are dropped when the item is decoded.
            "authenticators": [{"id": "a1", "created_at": "2020-01-01T00:00:00Z",
                                "totp_secret": "JBSWY3DPEHPK3PXP", "otp_url": "otpauth://totp/x"}],
            "backup_codes_generated": true,
            "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    fn session() -> Session {
        Session {
            id: "9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b".parse().unwrap(),
            user_id: "7c9e6679-7425-40de-944b-e07fc1f90ae7".parse().unwrap(),
            user_generation: None,
            created_at: ts(1_566_656_122),
            updated_at: ts(1_566_656_123),
            expires_at: ts(4_000_000_000),
            revoked_at: None,
        }
    }

    #[test]
    fn never_serves_mfa_secrets_or_backup_codes() {
        let (u, s) = (user(), session());
        let body = serde_json::to_string(&MeDocument::new(&u, &s)).unwrap();
        assert!(!body.contains("JBSWY3DPEHPK3PXP"));
        assert!(!body.contains("otpauth"));
        assert!(!body.contains("totp_secret") && !body.contains("otp_url"));
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["data"]["backup_codes"], json!([]));
        assert_eq!(v["data"]["backup_codes_generated"], json!(true));
        assert_eq!(
            v["data"]["authenticators"],
            json!([{"id": "a1", "created_at": "2020-01-01T00:00:00Z"}])
        );
        assert_eq!(
            v["data"]["user_authenticator"],
            json!({"id": "a1", "created_at": "2020-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn primary_email_is_flagged_and_session_in_rfc3339() {
        let (u, s) = (user(), session());
        let v = serde_json::to_value(MeDocument::new(&u, &s)).unwrap();
        assert_eq!(v["status"], json!(200));
        assert_eq!(
            v["data"]["primary_email_address"]["email"],
            json!("ada@example.com")
        );
        assert_eq!(
            v["data"]["primary_email_address"]["is_primary"],
            json!(true)
        );
        assert_eq!(v["data"]["email_addresses"][0]["is_primary"], json!(false));
        assert_eq!(
            v["data"]["email_addresses"],
            v["data"]["user_email_addresses"]
        );
        assert_eq!(v["data"]["primary_phone_number"], Value::Null);
        assert_eq!(v["data"]["phone_numbers"], json!([]));
        assert_eq!(v["data"]["has_profile_picture"], json!(false));
        assert_eq!(
            v["session"],
            json!({"id": "9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b", "created_at": "2019-08-24T14:15:22Z", "updated_at": "2019-08-24T14:15:23Z"})
        );
    }

    #[test]
    fn dangling_primary_ids_are_served_as_null() {
        let mut u = user();
        u.primary_email_address_id = Some("missing".into());
        u.authenticators = vec![Authenticator {
            id: "a".into(),
            created_at: ts(0),
        }];
        let s = session();
        let v = serde_json::to_value(MeDocument::new(&u, &s)).unwrap();
        assert_eq!(v["data"]["primary_email_address_id"], Value::Null);
        assert_eq!(v["data"]["primary_email_address"], Value::Null);
    }
}
