//! Properties of the `/users/me` request parsers over generated input (a bounded number of
//! cases: proptest's default 256, or PROPTEST_CASES).

use get_users_me::UsersMeError;
use get_users_me::request::{accepts_json_api, selection, tenant_domain};
use lambda_http::http::{HeaderMap, HeaderValue};
use model::{PROFILE_ATTRIBUTES, USER_ATTRIBUTES};
use proptest::prelude::*;

fn header(name: &'static str, value: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(value) {
        map.insert(name, value);
    }
    map
}

proptest! {
    #[test]
    fn x_domain_accepts_exactly_hyphenated_uuid_v4(bytes in proptest::collection::vec(any::<u8>(), 0..60)) {
        match tenant_domain(&header("x-domain", &bytes)) {
            Ok(id) => {
                let parsed = uuid::Uuid::parse_str(&id.to_string()).unwrap();
                prop_assert_eq!(parsed.get_version_num(), 4);
                prop_assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
                prop_assert_eq!(id.to_string(), String::from_utf8_lossy(&bytes).to_lowercase());
            }
            Err(e) => prop_assert!(matches!(e, UsersMeError::InvalidDomain | UsersMeError::MissingDomain)),
        }
    }

    #[test]
    fn every_uuid_v4_is_accepted(random in any::<[u8; 16]>(), upper in any::<bool>()) {
        let id = uuid::Builder::from_random_bytes(random).into_uuid().to_string();
        let sent = if upper { id.to_uppercase() } else { id.clone() };
        prop_assert_eq!(tenant_domain(&header("x-domain", sent.as_bytes())).unwrap().to_string(), id);
    }

    #[test]
    fn any_query_string_gets_an_answer_and_only_known_fields_pass(query in "[ -~]{0,120}") {
        if let Ok(chosen) = selection(Some(&query)) {
            for field in chosen.user_fields.iter().flatten() {
                prop_assert!(USER_ATTRIBUTES.contains(&field.as_str()) || field == "profile");
            }
            for field in chosen.profile_fields.iter().flatten() {
                prop_assert!(PROFILE_ATTRIBUTES.contains(&field.as_str()));
            }
        }
    }

    #[test]
    fn known_fields_in_any_order_are_accepted(
        users in proptest::sample::subsequence(USER_ATTRIBUTES.to_vec(), 0..=9),
        profile in proptest::sample::subsequence(PROFILE_ATTRIBUTES.to_vec(), 0..=8),
        include in any::<bool>(),
    ) {
        let query = format!(
            "fields[users]={}&fields[users_profile]={}{}",
            users.join(","),
            profile.join(","),
            if include { "&include=profile" } else { "" }
        );
        let chosen = selection(Some(&query)).unwrap();
        prop_assert_eq!(chosen.include_profile, include);
        prop_assert_eq!(chosen.user_fields.unwrap().len(), users.len());
        prop_assert_eq!(chosen.profile_fields.unwrap().len(), profile.len());
    }

    #[test]
    fn any_accept_header_gets_an_answer(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = accepts_json_api(&header("accept", &bytes));
    }
}

/// Near-miss UUIDs: every hex digit, version and variant random, in either case.
fn uuid_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        "[0-9a-fA-F-]{30,40}",
        "\\{?[0-9a-f]{32}\\}?",
    ]
}

/// Field lists from known names, near misses, blanks and empty entries.
fn field_list(names: &'static [&'static str]) -> impl Strategy<Value = String> {
    let mut words: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    words.extend(
        [
            "",
            " email",
            "avatar ",
            "Email",
            "bogus",
            "profile",
            "first_name",
        ]
        .map(String::from),
    );
    proptest::collection::vec(proptest::sample::select(words), 0..4).prop_map(|w| w.join(","))
}

proptest! {
    /// openapi.yaml's X-Domain pattern and the server agree on every value.
    #[test]
    fn x_domain_is_accepted_exactly_when_openapi_says_so(value in uuid_like()) {
        let documented = testkit::OpenApi::load().parameter("get", "/users/me", "X-Domain");
        let accepted = tenant_domain(&header("x-domain", value.as_bytes())).is_ok();
        prop_assert_eq!(accepted, documented.is_valid(&serde_json::json!(value)), "{}", value);
    }

    /// openapi.yaml's fieldset patterns and include values and the server agree.
    #[test]
    fn fields_and_include_are_accepted_exactly_when_openapi_says_so(
        users in field_list(USER_ATTRIBUTES),
        profile in field_list(PROFILE_ATTRIBUTES),
        include in proptest::sample::select(vec!["", "profile", "profile,profile", " profile", "friends"]),
    ) {
        let api = testkit::OpenApi::load();
        for (name, value) in [("fields[users]", users.as_str()), ("fields[users_profile]", profile.as_str()), ("include", include)] {
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair(name, value).finish();
            let accepted = selection(Some(&query)).is_ok();
            let documented = api.parameter("get", "/users/me", name).is_valid(&serde_json::json!(value));
            prop_assert_eq!(accepted, documented, "{}={:?}", name, value);
        }
    }
}
