use serde::Serialize;
use serde_with::skip_serializing_none;

use crate::{DateTimeUtc, User, UserId};

/// JSON:API type of the user resource.
pub const USERS_TYPE: &str = "users";
/// JSON:API type of the profile resource.
pub const PROFILE_TYPE: &str = "users_profile";
/// The name of the relationship from a user to its profile.
pub const PROFILE_RELATIONSHIP: &str = "profile";

/// What a `GET /users/me` request asked to see: `include` and sparse fieldsets.
///
/// `None` fieldsets mean "every field". A `users` fieldset selects among
/// [`USER_ATTRIBUTES`] and the `profile` relationship; a `users_profile` fieldset among
/// [`PROFILE_ATTRIBUTES`]. Names outside those are refused when the request is parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsersMeSelection {
    /// `include=profile`.
    pub include_profile: bool,
    /// `fields[users]`.
    pub user_fields: Option<Vec<String>>,
    /// `fields[users_profile]`.
    pub profile_fields: Option<Vec<String>>,
}

fn selected(fields: &Option<Vec<String>>, name: &str) -> bool {
    fields
        .as_ref()
        .is_none_or(|list| list.iter().any(|f| f == name))
}

/// Declares a resource's attributes once: the struct serialised in seed 004's order, the
/// list of their names (what a sparse fieldset may name) and how each is derived from the
/// stored user. An attribute is one line here. An attribute a sparse fieldset leaves out is
/// `None`, and so absent; one it selects is its value, `null` included.
macro_rules! attributes {
    ($(#[$doc:meta])* $name:ident, $names:ident, |$user:ident| { $($field:ident: $ty:ty = $value:expr,)* }) => {
        $(#[$doc])*
        #[skip_serializing_none]
        #[derive(Debug, Serialize)]
        struct $name<'a> {
            $(
                $field: Option<$ty>,
            )*
        }

        #[doc = concat!("The attributes of the `", stringify!($name), "` struct, in seed 004's order.")]
        pub const $names: &[&str] = &[$(stringify!($field)),*];

        impl<'a> $name<'a> {
            fn of($user: &'a User, fields: &Option<Vec<String>>) -> Self {
                Self {
                    $($field: selected(fields, stringify!($field)).then(|| $value),)*
                }
            }
        }
    };
}

attributes!(
    /// The `users` resource's attributes.
    UserAttributes, USER_ATTRIBUTES, |user| {
        email: Option<&'a str> = user.primary_email().map(|e| e.email.as_str()),
        factory_password: bool = user.factory_password,
        active: bool = user.active,
        last_login_date: Option<DateTimeUtc> = user.last_login_date.map(|t| t.date_time_utc()),
        reachable: bool = user.reachable,
        created_at: DateTimeUtc = user.created_at.date_time_utc(),
        updated_at: DateTimeUtc = user.updated_at.date_time_utc(),
        archived_at: Option<DateTimeUtc> = user.archived_at.map(|t| t.date_time_utc()),
        auth_provider: &'a str = user.auth_provider.as_str(),
    }
);

attributes!(
    /// The `users_profile` resource's attributes.
    ProfileAttributes, PROFILE_ATTRIBUTES, |user| {
        first_name: Option<&'a str> = user.first_name.as_deref(),
        last_name: Option<&'a str> = user.last_name.as_deref(),
        avatar: Option<&'a str> = user.profile_picture_url.as_deref(),
        phone_code: Option<&'a str> = user.primary_phone().map(|p| p.country_code.as_str()),
        phone_number: Option<&'a str> = user.primary_phone().map(|p| p.national_number()),
        position: Option<&'a str> = user.position.as_deref(),
        created_at: DateTimeUtc = user.created_at.date_time_utc(),
        updated_at: DateTimeUtc = user.updated_at.date_time_utc(),
    }
);

/// The body of a successful `GET /users/me` (seed 004), a JSON:API document.
///
/// `data` is the `users` resource. Its `relationships.profile.data` is the `users_profile`
/// resource: with `include=profile` it carries the profile's attributes, exactly as the seed
/// shows, and the same resource is also in top-level `included` for standard JSON:API clients;
/// without it, only the identifier `{type, id}`. The profile's id is the user's id (as in the
/// seed). Timestamps are `YYYY-MM-DD HH:MM:SS` UTC; absent values are `null`.
///
/// Derived from the stored user so that both routes agree: `email` is the primary email,
/// `phone_code`/`phone_number` the primary phone's calling code and national number, `avatar`
/// the profile picture URL, the names the user's names.
#[skip_serializing_none]
#[derive(Debug, Serialize)]
pub struct UsersMeDocument<'a> {
    data: UserResource<'a>,
    included: Option<[ProfileResource<'a>; 1]>,
}

#[skip_serializing_none]
#[derive(Debug, Serialize)]
struct UserResource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: UserId,
    attributes: UserAttributes<'a>,
    relationships: Option<Relationships<'a>>,
}

#[derive(Debug, Serialize)]
struct Relationships<'a> {
    profile: Linkage<'a>,
}

#[derive(Debug, Serialize)]
struct Linkage<'a> {
    data: ProfileResource<'a>,
}

/// The profile: its identifier, with its attributes when included.
#[skip_serializing_none]
#[derive(Debug, Serialize)]
struct ProfileResource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: UserId,
    attributes: Option<ProfileAttributes<'a>>,
}

impl<'a> UsersMeDocument<'a> {
    /// The document of `user` as `selection` asks for it.
    pub fn new(user: &'a User, selection: &UsersMeSelection) -> Self {
        let profile = || ProfileResource {
            kind: PROFILE_TYPE,
            id: user.id,
            attributes: selection
                .include_profile
                .then(|| ProfileAttributes::of(user, &selection.profile_fields)),
        };
        let relationships =
            selected(&selection.user_fields, PROFILE_RELATIONSHIP).then(|| Relationships {
                profile: Linkage { data: profile() },
            });
        Self {
            data: UserResource {
                kind: USERS_TYPE,
                id: user.id,
                attributes: UserAttributes::of(user, &selection.user_fields),
                relationships,
            },
            included: selection.include_profile.then(|| [profile()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn users_me_document(user: &User, selection: &UsersMeSelection) -> Value {
        serde_json::to_value(UsersMeDocument::new(user, selection)).unwrap()
    }

    fn user() -> User {
        serde_json::from_value(json!({
            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "tenant_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "first_name": "Ada", "last_name": null,
            "primary_email_address_id": "e1", "primary_phone_number_id": "p1",
            "email_addresses": [{"id": "e1", "email": "ada@example.com"}],
            "phone_numbers": [{"id": "p1", "phone_number": "+14155550123", "country_code": "1"}],
            "last_login_date": "2024-06-01T12:00:00Z", "active": true,
            "created_at": "2016-01-01T12:00:00Z", "updated_at": "2016-01-02T12:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn without_include_the_profile_is_an_identifier() {
        let doc = users_me_document(&user(), &UsersMeSelection::default());
        assert_eq!(doc["data"]["type"], "users");
        assert_eq!(doc["data"]["attributes"]["email"], "ada@example.com");
        assert_eq!(
            doc["data"]["attributes"]["last_login_date"],
            "2024-06-01 12:00:00"
        );
        assert_eq!(doc["data"]["attributes"]["archived_at"], Value::Null);
        assert_eq!(
            doc["data"]["relationships"]["profile"]["data"],
            json!({"type": "users_profile", "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7"})
        );
        assert!(doc.get("included").is_none());
        let keys: Vec<&String> = doc["data"]["attributes"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, USER_ATTRIBUTES.iter().collect::<Vec<_>>());
    }

    #[test]
    fn include_puts_the_profile_in_relationships_and_included() {
        let selection = UsersMeSelection {
            include_profile: true,
            ..Default::default()
        };
        let doc = users_me_document(&user(), &selection);
        let profile = &doc["data"]["relationships"]["profile"]["data"];
        assert_eq!(profile["attributes"]["first_name"], "Ada");
        assert_eq!(profile["attributes"]["last_name"], Value::Null);
        assert_eq!(profile["attributes"]["phone_code"], "1");
        assert_eq!(profile["attributes"]["phone_number"], "4155550123");
        assert_eq!(profile["attributes"]["created_at"], "2016-01-01 12:00:00");
        assert_eq!(doc["included"], json!([profile.clone()]));
    }

    #[test]
    fn sparse_fieldsets_limit_both_resources() {
        let selection = UsersMeSelection {
            include_profile: true,
            user_fields: Some(vec!["email".into(), "profile".into()]),
            profile_fields: Some(vec!["avatar".into()]),
        };
        let doc = users_me_document(&user(), &selection);
        assert_eq!(
            doc["data"]["attributes"],
            json!({"email": "ada@example.com"})
        );
        assert_eq!(doc["included"][0]["attributes"], json!({"avatar": null}));
        let no_profile = UsersMeSelection {
            user_fields: Some(vec!["active".into()]),
            ..Default::default()
        };
        let doc = users_me_document(&user(), &no_profile);
        assert!(doc["data"].get("relationships").is_none());
        assert_eq!(doc["data"]["attributes"], json!({"active": true}));
    }
}
