//! Writes `events/*.json`: API Gateway HTTP API (payload 2.0) events, one per documented case,
//! for `cargo lambda invoke` and the tests (`testkit::answer_events` holds the expected answer
//! of each). Their tokens are signed with the dev keys and name the demo data's fixed ids
//! ([`devkit::demo`]), with an expiry of 2100-01-01, so they answer as named after `make dev`.
//!
//! Run from anywhere: `cargo run -p devkit --bin make-events`.

use std::path::PathBuf;

use devkit::demo::{
    ADA_ID, ADA_REVOKED_SESSION_ID, ADA_SESSION_ID, API_KEY, API_SECRET, CHARLES_ID,
    CHARLES_SESSION_ID, DELETED_USER_ID, DELETED_USER_SESSION_ID, DEMO_EXPIRY_UNIX, GRACE_ID,
    GRACE_SESSION_ID, OTHER_TENANT_ID, TENANT_ID,
};
use devkit::{DEV_ISSUER, DevError, DevKey, dev_signer, mint_token};
use model::{SessionId, Timestamp, UserId};
use serde_json::{Map, Value, json};

/// One event file's request.
struct Case<'a> {
    name: &'a str,
    method: &'a str,
    path: &'a str,
    headers: Vec<(&'a str, String)>,
    cookies: Vec<String>,
    query: &'a str,
}

impl<'a> Case<'a> {
    fn me(name: &'a str) -> Self {
        Self {
            name,
            method: "GET",
            path: "/me",
            headers: vec![],
            cookies: vec![],
            query: "",
        }
    }

    fn users_me(name: &'a str, headers: Vec<(&'a str, String)>) -> Self {
        Self {
            path: "/users/me",
            headers,
            ..Self::me(name)
        }
    }

    fn event(&self) -> Value {
        let mut headers = Map::new();
        for (name, value) in [
            ("accept", "application/json"),
            ("host", "abc123example.execute-api.us-east-1.amazonaws.com"),
            ("user-agent", "curl/8.5.0"),
            ("x-forwarded-for", "203.0.113.10"),
            ("x-forwarded-port", "443"),
            ("x-forwarded-proto", "https"),
        ] {
            headers.insert(name.into(), value.into());
        }
        for (name, value) in &self.headers {
            headers.insert((*name).into(), value.clone().into());
        }
        let route_key = format!("GET {}", self.path);
        let mut event = json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": self.path,
            "rawQueryString": self.query,
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123example",
                "domainName": "abc123example.execute-api.us-east-1.amazonaws.com",
                "domainPrefix": "abc123example",
                "http": {"method": self.method, "path": self.path, "protocol": "HTTP/1.1",
                         "sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0"},
                "requestId": format!("{}-event-request-id", self.name),
                "routeKey": route_key,
                "stage": "$default",
                "time": "22/Nov/2026:12:00:00 +0000",
                "timeEpoch": 1_795_348_800_000_i64,
            },
            "isBase64Encoded": false,
        });
        if !self.cookies.is_empty() {
            event["cookies"] = json!(self.cookies);
        }
        if !self.query.is_empty() {
            let parameters: Map<String, Value> = self
                .query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(name, value)| (name.to_owned(), value.into()))
                .collect();
            event["queryStringParameters"] = Value::Object(parameters);
        }
        event
    }
}

fn main() -> Result<(), DevError> {
    let es256 = dev_signer(DevKey::Es256)?;
    let rs256 = dev_signer(DevKey::Rs256)?;
    let until_2100 = DEMO_EXPIRY_UNIX - Timestamp::now().unix_seconds();
    let token = |signer, user: UserId, session: SessionId, ttl: i64| {
        mint_token(signer, DEV_ISSUER, None, TENANT_ID, user, session, ttl)
    };
    let ada = token(&es256, ADA_ID, ADA_SESSION_ID, until_2100)?;
    let grace_rs256 = token(&rs256, GRACE_ID, GRACE_SESSION_ID, until_2100)?;
    let expired = token(&es256, ADA_ID, ADA_SESSION_ID, -3600)?;
    let revoked = token(&es256, ADA_ID, ADA_REVOKED_SESSION_ID, until_2100)?;
    let deactivated = token(&es256, CHARLES_ID, CHARLES_SESSION_ID, until_2100)?;
    let deleted = token(&es256, DELETED_USER_ID, DELETED_USER_SESSION_ID, until_2100)?;
    let other_tenant_token = mint_token(
        &es256,
        DEV_ISSUER,
        None,
        OTHER_TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        until_2100,
    )?;
    let (signed, signature) = ada
        .rsplit_once('.')
        .ok_or_else(|| DevError::Invalid("a token without a signature".into()))?;
    let kept = &signature[..signature.len() - 4];
    let tampered = format!(
        "{signed}.{kept}{}",
        if signature.ends_with("AAAA") {
            "BBBB"
        } else {
            "AAAA"
        }
    );
    let session = |token: &str| format!("__session={token}");
    let me_with_session = |name, token: &str| Case {
        cookies: vec![session(token)],
        ..Case::me(name)
    };
    let json_api = || {
        vec![
            ("accept", "application/vnd.api+json".to_owned()),
            ("x-domain", TENANT_ID.to_string()),
        ]
    };
    // `more` goes after `base`, and `Case::event` keeps the last value of a header, so a
    // header of `more` replaces one of the same name in `base`.
    let with = |mut base: Vec<(&'static str, String)>, more: &[(&'static str, &str)]| {
        base.extend(more.iter().map(|(n, v)| (*n, (*v).to_owned())));
        base
    };
    let key_pair = [("x-api-key", API_KEY), ("x-api-secret", API_SECRET)];
    let bearer_users_me = |name, token: &str| {
        let authorization = format!("Bearer {token}");
        Case::users_me(name, with(json_api(), &[("authorization", &authorization)]))
    };
    let bearer_ada = format!("Bearer {ada}");
    let wrong_secret = format!("cus_{}", "f".repeat(64));
    let other_tenant = OTHER_TENANT_ID.to_string();

    let cases = [
        Case {
            cookies: vec!["theme=dark".into(), session(&ada)],
            ..Case::me("get-me")
        },
        Case {
            headers: vec![("authorization", format!("Bearer {grace_rs256}"))],
            ..Case::me("get-me-bearer")
        },
        Case {
            cookies: vec!["theme=dark".into()],
            ..Case::me("get-me-no-cookie")
        },
        me_with_session("get-me-expired", &expired),
        me_with_session("get-me-revoked-session", &revoked),
        Case {
            headers: vec![("authorization", format!("Bearer {tampered}"))],
            ..Case::me("get-me-bad-signature")
        },
        Case {
            cookies: vec![session(&ada), "__session=another.value.here".into()],
            ..Case::me("get-me-ambiguous-cookies")
        },
        Case {
            method: "POST",
            ..me_with_session("get-me-post", &ada)
        },
        me_with_session("get-me-unknown-tenant", &other_tenant_token),
        me_with_session("get-me-deactivated-user", &deactivated),
        me_with_session("get-me-deleted-user", &deleted),
        bearer_users_me("get-users-me-jwt", &ada),
        Case::users_me("get-users-me-api-key", with(json_api(), &key_pair)),
        Case {
            query: "include=profile",
            ..Case::users_me("get-users-me-include-profile", with(json_api(), &key_pair))
        },
        Case {
            query: "include=profile&fields%5Busers%5D=email,profile&fields%5Busers_profile%5D=first_name,last_name",
            ..Case::users_me("get-users-me-sparse-fields", with(json_api(), &key_pair))
        },
        Case::users_me(
            "get-users-me-no-domain",
            with(
                vec![("accept", "application/vnd.api+json".to_owned())],
                &key_pair,
            ),
        ),
        Case::users_me(
            "get-users-me-wrong-secret",
            with(
                json_api(),
                &[("x-api-key", API_KEY), ("x-api-secret", &wrong_secret)],
            ),
        ),
        Case::users_me(
            "get-users-me-other-tenant",
            with(
                json_api(),
                &[("x-domain", &other_tenant), ("authorization", &bearer_ada)],
            ),
        ),
        Case {
            query: "include=friends",
            ..Case::users_me("get-users-me-unknown-include", with(json_api(), &key_pair))
        },
        Case::users_me(
            "get-users-me-bad-domain",
            with(
                json_api(),
                &[("x-domain", "acme"), key_pair[0], key_pair[1]],
            ),
        ),
        Case::users_me("get-users-me-no-credential", json_api()),
        Case::users_me(
            "get-users-me-two-credentials",
            with(
                json_api(),
                &[("authorization", &bearer_ada), key_pair[0], key_pair[1]],
            ),
        ),
        Case::users_me(
            "get-users-me-incomplete-key",
            with(json_api(), &key_pair[..1]),
        ),
        Case::users_me(
            "get-users-me-not-acceptable",
            with(
                json_api(),
                &[
                    (
                        "accept",
                        r#"application/vnd.api+json; ext="https://jsonapi.org/ext/atomic""#,
                    ),
                    key_pair[0],
                    key_pair[1],
                ],
            ),
        ),
        Case {
            method: "POST",
            ..Case::users_me("get-users-me-post", with(json_api(), &key_pair))
        },
        bearer_users_me("get-users-me-bad-signature", &tampered),
        bearer_users_me("get-users-me-expired", &expired),
        bearer_users_me("get-users-me-revoked-session", &revoked),
        bearer_users_me("get-users-me-deactivated-user", &deactivated),
        bearer_users_me("get-users-me-deleted-user", &deleted),
        Case::users_me(
            "get-users-me-unknown-tenant",
            with(
                json_api(),
                &[
                    ("x-domain", &other_tenant),
                    ("authorization", &format!("Bearer {other_tenant_token}")),
                ],
            ),
        ),
    ];
    let events = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../events");
    for case in &cases {
        let path = events.join(format!("{}.json", case.name));
        let text = serde_json::to_string_pretty(&case.event())
            .map_err(|e| DevError::Invalid(e.to_string()))?;
        std::fs::write(&path, text + "\n")
            .map_err(|e| DevError::Invalid(format!("{}: {e}", path.display())))?;
    }
    println!("wrote {} events to {}", cases.len(), events.display());
    Ok(())
}
