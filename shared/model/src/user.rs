use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::{serde_as, skip_serializing_none};

use crate::json_text::JsonText;

use crate::{Generation, TenantId, Timestamp, UserId};

/// A user as stored: everything both routes' documents are built from.
///
/// Lists default to empty and optional fields to absent, so an item written with fewer
/// attributes still reads; the identifying fields and timestamps are required.
///
/// As stored, the collections (email addresses, phone numbers, social connections,
/// authenticators, segments, public metadata) are each one JSON-text attribute
/// ([`crate::json_text`]: they are rendered whole, never read one by one, and native lists
/// and maps cost an SDK map entry per scalar on every read); unset optional fields and empty
/// collections are left out of the item instead of stored as `NULL` or `[]`. Items holding
/// native lists and maps still read.
#[skip_serializing_none]
#[serde_as]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user id, a UUIDv4.
    pub id: UserId,
    /// The tenant the user belongs to.
    pub tenant_id: TenantId,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Unique handle, when the tenant uses them.
    pub username: Option<String>,
    /// Presence.
    #[serde(default)]
    pub availability: Availability,
    /// The profile picture, when there is one (`GET /users/me` calls it `avatar`).
    pub profile_picture_url: Option<String>,
    /// The id of the primary entry of `email_addresses`.
    pub primary_email_address_id: Option<String>,
    /// The id of the primary entry of `phone_numbers`.
    pub primary_phone_number_id: Option<String>,
    /// Every email address of the user.
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_addresses: Vec<EmailAddress>,
    /// Every phone number of the user.
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<PhoneNumber>,
    /// Whether a second factor is asked for at sign-in.
    #[serde(default)]
    pub second_factor_policy: SecondFactorPolicy,
    /// Linked OAuth accounts.
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social_connections: Vec<SocialConnection>,
    /// TOTP authenticators: identity and age only (their secrets are an item the admin writes apart).
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authenticators: Vec<Authenticator>,
    /// Whether the user has unused backup codes (their digests are an item the admin writes apart).
    #[serde(default)]
    pub backup_codes_generated: bool,
    /// Whether the user can sign in with a password.
    #[serde(default)]
    pub has_password: bool,
    /// Whether the user has registered passkeys.
    #[serde(default)]
    pub has_passkeys: bool,
    /// Free-form metadata the tenant shows to the user.
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub public_metadata: Map<String, Value>,
    /// Segments the user belongs to.
    #[serde_as(as = "JsonText")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    /// Job title or similar (`GET /users/me`'s `position`).
    pub position: Option<String>,
    /// Whether the account is active (`GET /users/me`). An item without it reads as inactive
    /// (fail closed): its credentials are refused.
    #[serde(default)]
    pub active: bool,
    /// Whether the user still has the password from the registration email.
    #[serde(default)]
    pub factory_password: bool,
    /// Whether the user may be contacted.
    #[serde(default = "default_true")]
    pub reachable: bool,
    /// The last sign-in.
    pub last_login_date: Option<Timestamp>,
    /// When the user was archived.
    pub archived_at: Option<Timestamp>,
    /// How the user signs in (`trisk_credentials`, `google`, …).
    #[serde(default = "default_auth_provider")]
    pub auth_provider: String,
    /// This life of the user id ([`Generation`]); absent on items written before generations.
    pub generation: Option<Generation>,
    /// When the user was created.
    pub created_at: Timestamp,
    /// When the user last changed.
    pub updated_at: Timestamp,
}

fn default_true() -> bool {
    true
}

/// `auth_provider` of a user item without one.
pub const DEFAULT_AUTH_PROVIDER: &str = "trisk_credentials";

fn default_auth_provider() -> String {
    DEFAULT_AUTH_PROVIDER.to_owned()
}

impl User {
    /// The primary email address, when the user has one.
    pub fn primary_email(&self) -> Option<&EmailAddress> {
        let id = self.primary_email_address_id.as_deref()?;
        self.email_addresses.iter().find(|e| e.id == id)
    }

    /// The primary phone number, when the user has one.
    pub fn primary_phone(&self) -> Option<&PhoneNumber> {
        let id = self.primary_phone_number_id.as_deref()?;
        self.phone_numbers.iter().find(|p| p.id == id)
    }
}

/// A user's presence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    /// Reachable now (the default).
    #[default]
    Available,
    /// Signed in but busy.
    Busy,
    /// Away.
    Away,
}

/// Whether sign-in asks for a second factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorPolicy {
    /// Never (the default, and the value seed 000 shows).
    #[default]
    None,
    /// When the user has set up a second factor.
    Optional,
    /// Always.
    Required,
}

/// An email address of a user.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailAddress {
    /// The address id.
    pub id: String,
    /// The address.
    pub email: String,
    /// Whether it was verified.
    #[serde(default)]
    pub verified: bool,
    /// When it was verified.
    pub verified_at: Option<Timestamp>,
    /// How it was verified (`otp`, `link`, `oauth`, …).
    pub verification_strategy: Option<String>,
}

/// A phone number of a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    /// The number id.
    pub id: String,
    /// The number in E.164 form (`+14155550123`).
    pub phone_number: String,
    /// The international calling code without `+` (`1`), seed 004's `phone_code`.
    pub country_code: String,
    /// Whether it was verified.
    #[serde(default)]
    pub verified: bool,
    /// When it was verified (`null` when not: `GET /me` serves this record as it is).
    pub verified_at: Option<Timestamp>,
}

impl PhoneNumber {
    /// The number without `+` and calling code (`4155550123`), seed 004's `phone_number`.
    pub fn national_number(&self) -> &str {
        let digits = self.phone_number.trim_start_matches('+');
        digits
            .strip_prefix(self.country_code.as_str())
            .unwrap_or(digits)
    }
}

/// A linked OAuth account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialConnection {
    /// The connection id.
    pub id: String,
    /// The provider (`x_oauth`, `google_oauth`, …).
    pub provider: String,
    /// The email address the provider reported.
    pub email_address: Option<String>,
    /// The given name the provider reported.
    pub first_name: Option<String>,
    /// The family name the provider reported.
    pub last_name: Option<String>,
}

/// A TOTP authenticator as the user item holds it, and as `GET /me` serves it. Its secret and
/// provisioning URL are an item of their own, which no route reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Authenticator {
    /// The authenticator id.
    pub id: String,
    /// When it was set up.
    pub created_at: Timestamp,
}

/// A segment (audience) the user belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// The segment id.
    pub id: String,
    /// When the segment was created.
    pub created_at: Timestamp,
    /// When the segment last changed.
    pub updated_at: Timestamp,
    /// The deployment the segment belongs to.
    pub deployment_id: String,
    /// The segment's name.
    pub name: String,
    /// The segment kind (`user`).
    #[serde(rename = "type", default = "default_segment_type")]
    pub kind: String,
}

fn default_segment_type() -> String {
    "user".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_number_strips_plus_and_calling_code() {
        let phone = PhoneNumber {
            id: "p".into(),
            phone_number: "+14155550123".into(),
            country_code: "1".into(),
            verified: true,
            verified_at: None,
        };
        assert_eq!(phone.national_number(), "4155550123");
    }

    #[test]
    fn a_minimal_item_reads_with_defaults_and_writes_back_only_what_is_set() {
        let user: User = serde_json::from_value(serde_json::json!({
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"
        }))
        .unwrap();
        assert!(user.email_addresses.is_empty());
        assert!(!user.active, "an item without `active` fails closed");
        assert!(user.reachable);
        assert_eq!(user.availability, Availability::Available);
        assert_eq!(user.auth_provider, "trisk_credentials");
        assert!(user.primary_email().is_none());
        assert_eq!((&user.first_name, user.generation), (&None, None));
        // Written back, unset optional fields and empty collections are left out.
        let item = serde_json::to_value(&user).unwrap();
        let written: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            written,
            [
                "id",
                "tenant_id",
                "availability",
                "second_factor_policy",
                "backup_codes_generated",
                "has_password",
                "has_passkeys",
                "active",
                "factory_password",
                "reachable",
                "auth_provider",
                "created_at",
                "updated_at"
            ]
        );
    }

    #[test]
    fn an_item_of_the_layout_before_the_secrets_moved_still_reads_without_them() {
        let user: User = serde_json::from_value(serde_json::json!({
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "authenticators": [{"id": "a1", "created_at": "2020-01-01T00:00:00Z",
                                "totp_secret": "JBSWY3DPEHPK3PXP", "otp_url": "otpauth://totp/x"}],
            "backup_code_digests": ["d1"],
            "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(
            user.authenticators,
            vec![Authenticator {
                id: "a1".into(),
                created_at: Timestamp::from_unix_seconds(1_577_836_800),
            }]
        );
        // The flag is what the user item says; old digests in it are not read.
        assert!(!user.backup_codes_generated);
        assert!(!format!("{user:?}").contains("JBSWY3DPEHPK3PXP"));
    }

    #[test]
    fn a_user_whose_ids_hold_the_key_separator_is_refused() {
        let result = serde_json::from_value::<User>(serde_json::json!({
            "id": "u#1", "tenant_id": "t",
            "created_at": "2020-01-01T00:00:00Z", "updated_at": "2020-01-01T00:00:00Z"
        }));
        assert!(result.is_err());
    }

    #[test]
    fn a_user_without_timestamps_is_refused() {
        let result = serde_json::from_value::<User>(serde_json::json!({
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e"
        }));
        assert!(result.is_err());
    }
}
