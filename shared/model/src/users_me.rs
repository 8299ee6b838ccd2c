use serde_json::{Map, Value};

use crate::{Timestamp, User};

/// JSON:API type of the user resource.
pub const USERS_TYPE: &str = "users";
/// JSON:API type of the profile resource.
pub const PROFILE_TYPE: &str = "users_profile";
/// The name of the relationship from a user to its profile.
pub const PROFILE_RELATIONSHIP: &str = "profile";
/// The attributes of `users`, in seed 004's order.
pub const USER_ATTRIBUTES: [&str; 9] = [
    "email",
    "factory_password",
    "active",
    "last_login_date",
    "reachable",
    "created_at",
    "updated_at",
    "archived_at",
    "auth_provider",
];
/// The attributes of `users_profile`, in seed 004's order.
pub const PROFILE_ATTRIBUTES: [&str; 8] = [
    "first_name",
    "last_name",
    "avatar",
    "phone_code",
    "phone_number",
    "position",
    "created_at",
    "updated_at",
];

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

fn date_time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_date_time_utc()))
}

fn text(t: Option<&str>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_owned()))
}

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
pub fn users_me_document(user: &User, selection: &UsersMeSelection) -> Value {
    let mut user_attributes = Map::new();
    for name in USER_ATTRIBUTES {
        if !selected(&selection.user_fields, name) {
            continue;
        }
        let value = match name {
            "email" => text(user.primary_email().map(|e| e.email.as_str())),
            "factory_password" => Value::Bool(user.factory_password),
            "active" => Value::Bool(user.active),
            "last_login_date" => date_time(user.last_login_date),
            "reachable" => Value::Bool(user.reachable),
            "created_at" => date_time(Some(user.created_at)),
            "updated_at" => date_time(Some(user.updated_at)),
            "archived_at" => date_time(user.archived_at),
            _ => Value::String(user.auth_provider.clone()),
        };
        user_attributes.insert(name.to_owned(), value);
    }

    let profile = profile_resource(user, selection);
    let mut data = Map::new();
    data.insert("type".into(), USERS_TYPE.into());
    data.insert("id".into(), user.id.to_string().into());
    data.insert("attributes".into(), Value::Object(user_attributes));
    if selected(&selection.user_fields, PROFILE_RELATIONSHIP) {
        let linkage = if selection.include_profile {
            profile.clone()
        } else {
            serde_json::json!({"type": PROFILE_TYPE, "id": user.id})
        };
        let mut relationships = Map::new();
        relationships.insert(
            PROFILE_RELATIONSHIP.into(),
            serde_json::json!({ "data": linkage }),
        );
        data.insert("relationships".into(), Value::Object(relationships));
    }

    let mut document = Map::new();
    document.insert("data".into(), Value::Object(data));
    if selection.include_profile {
        document.insert("included".into(), Value::Array(vec![profile]));
    }
    Value::Object(document)
}

fn profile_resource(user: &User, selection: &UsersMeSelection) -> Value {
    let phone = user.primary_phone();
    let mut attributes = Map::new();
    for name in PROFILE_ATTRIBUTES {
        if !selected(&selection.profile_fields, name) {
            continue;
        }
        let value = match name {
            "first_name" => text(user.first_name.as_deref()),
            "last_name" => text(user.last_name.as_deref()),
            "avatar" => text(user.profile_picture_url.as_deref()),
            "phone_code" => text(phone.map(|p| p.country_code.as_str())),
            "phone_number" => text(phone.map(|p| p.national_number())),
            "position" => text(user.position.as_deref()),
            "created_at" => date_time(Some(user.created_at)),
            _ => date_time(Some(user.updated_at)),
        };
        attributes.insert(name.to_owned(), value);
    }
    serde_json::json!({"type": PROFILE_TYPE, "id": user.id, "attributes": attributes})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
