//! Properties of the credential parsers, over generated input (a bounded number of cases:
//! proptest's default 256, or PROPTEST_CASES).

use auth::{ApiKeySecret, CredentialError, session_token};
use http::{HeaderMap, HeaderValue};
use model::ApiKeyId;
use proptest::prelude::*;

fn headers(name: &'static str, values: &[Vec<u8>]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for value in values {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            map.append(name, value);
        }
    }
    map
}

/// Characters of a compact JWS.
fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}"
}

proptest! {
    #[test]
    fn any_cookie_or_authorization_bytes_get_an_answer(
        cookies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..4),
        authorization in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..3),
    ) {
        let mut map = headers("cookie", &cookies);
        for (name, value) in headers("authorization", &authorization).iter() {
            map.append(name, value.clone());
        }
        // Never a panic; malformed input is an error value.
        let _ = session_token(&map);
    }

    #[test]
    fn the_session_cookie_is_found_among_any_other_cookies(
        before in proptest::collection::vec("[a-z]{1,8}=[a-z0-9]{0,8}", 0..5),
        after in proptest::collection::vec("[a-z]{1,8}=[a-z0-9]{0,8}", 0..5),
        value in token(),
    ) {
        let mut parts = before.clone();
        parts.push(format!("__session={value}"));
        parts.extend(after);
        let map = headers("cookie", &[parts.join("; ").into_bytes()]);
        prop_assert_eq!(session_token(&map).unwrap().map(|t| t.expose().to_owned()), Some(value));
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_scheme_case(value in token(), scheme in "[bB][eE][aA][rR][eE][rR]") {
        let map = headers("authorization", &[format!("{scheme} {value}").into_bytes()]);
        prop_assert_eq!(session_token(&map).unwrap().map(|t| t.expose().to_owned()), Some(value));
    }

    #[test]
    fn other_schemes_are_never_taken_for_bearer(scheme in "[A-Za-z]{1,10}", rest in "[ -~]{0,40}") {
        prop_assume!(!scheme.eq_ignore_ascii_case("bearer"));
        let map = headers("authorization", &[format!("{scheme} {rest}").into_bytes()]);
        prop_assert_eq!(session_token(&map), Ok(None));
        let mut with_cookie = map.clone();
        with_cookie.insert("cookie", HeaderValue::from_static("__session=c"));
        prop_assert_eq!(session_token(&with_cookie).unwrap().map(|t| t.expose().to_owned()), Some("c".to_owned()));
    }

    #[test]
    fn a_bearer_token_outside_the_syntax_is_an_invalid_token(
        head in "[A-Za-z0-9._~+/-]{0,20}",
        bad in prop::sample::select(vec![
            "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", ",", ":", ";", "<", ">", "?", "@",
            "[", "\\", "]", "^", "`", "{", "|", "}", "\u{e9}", "\u{20ac}",
        ]),
        tail in "[A-Za-z0-9._~+/-]{0,20}",
    ) {
        let value = format!("Bearer {head}{bad}{tail}");
        let map = headers("authorization", &[value.clone().into_bytes()]);
        prop_assert!(matches!(session_token(&map), Err(CredentialError::InvalidToken(_))), "{value:?}");
    }

    #[test]
    fn api_key_parsers_accept_exactly_the_format(
        prefix in prop::sample::select(vec!["cuk_", "cus_", "cuk", "CUK_", "cus-", "", "xcuk_"]),
        body in prop_oneof![
            "[0-9a-f]{32}", "[0-9a-f]{64}", "[0-9a-f]{31}", "[0-9a-f]{33}", "[0-9a-f]{63}",
            "[0-9a-f]{65}", "[0-9a-fA-F]{32}", "[0-9a-fA-F]{64}", "[0-9a-g]{32}", "[0-9a-g]{64}",
            "\\PC{0,70}",
        ],
    ) {
        let text = format!("{prefix}{body}");
        let lower_hex = |digits: usize| body.len() == digits
            && body.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let key = ApiKeyId::parse(&text);
        prop_assert_eq!(key.is_ok(), prefix == "cuk_" && lower_hex(32), "{:?}", text);
        if let Ok(key) = key {
            prop_assert_eq!(key.as_str(), text.as_str());
        }
        let secret = ApiKeySecret::parse(&text);
        prop_assert_eq!(secret.is_ok(), prefix == "cus_" && lower_hex(64), "{:?}", text);
        if let Ok(secret) = secret {
            prop_assert!(secret.matches(&auth::sha256_hex(text.as_bytes())));
        }
    }

    #[test]
    fn a_secret_with_one_changed_digit_is_refused(hex in "[0-9a-f]{64}", position in 4usize..68, digit in "[0-9a-f]") {
        let secret = format!("cus_{hex}");
        let digest = auth::sha256_hex(secret.as_bytes());
        let mut changed = secret.clone();
        changed.replace_range(position..position + 1, &digit);
        let parsed = ApiKeySecret::parse(&changed).unwrap();
        prop_assert_eq!(parsed.matches(&digest), changed == secret);
    }
}
