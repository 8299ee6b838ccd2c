//! `GET /me` end to end: the handler, the real AWS SDK, and dynalite (started by testkit).
//! Every body is validated against openapi.yaml; every response must carry the security
//! headers.

use accounts::TableWrites;
use auth::{ProviderKeys, TokenVerifier};
use aws_sdk_dynamodb::types::AttributeValue;
use bootstrap::RouteService;
use devkit::demo::{
    ADA_ID, ADA_REVOKED_SESSION_ID, ADA_SESSION_ID, GRACE_ID, GRACE_SESSION_ID, TENANT_ID,
};
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use model::{Session, SessionId, TenantId, Timestamp};
use serde_json::{Value, json};
use store::DynamoStore;
use testkit::{Answer, dev_token, dev_verifier, local_dynamo};

use testkit::challenges::{EXPIRED_TOKEN, INVALID_REQUEST, INVALID_TOKEN, NO_TOKEN};

/// The route as `main` serves it, on dependencies built once per test as `main` builds them
/// once per container.
struct Service(RouteService);

impl Service {
    fn new(store: DynamoStore, verifier: TokenVerifier<ProviderKeys>) -> Self {
        Self(get_me::service(
            testkit::deps(store, verifier),
            testkit::dev_route_settings(),
        ))
    }

    async fn handle(&self, request: Request) -> Response<Body> {
        testkit::call(&self.0, request).await
    }
}

async fn service() -> (Service, accounts::Admin, DynamoStore) {
    let (admin, store) = local_dynamo().seeded_table().await;
    let service = Service::new(store.clone(), dev_verifier());
    (service, admin, store)
}

async fn call(service: &Service, request: Request) -> Answer {
    testkit::checked(service.handle(request).await, "/me", "application/json")
}

fn get(headers: &[(&str, &[u8])]) -> Request {
    request(Method::GET, headers)
}

fn request(method: Method, headers: &[(&str, &[u8])]) -> Request {
    testkit::request(method, "/me", headers)
}

fn cookie(token: &str) -> Vec<u8> {
    format!("theme=dark; __session={token}").into_bytes()
}

fn bearer(token: &str) -> Vec<u8> {
    testkit::bearer(token).into_bytes()
}

#[tokio::test]
async fn every_get_me_event_answers_as_named() {
    let (service, _, _) = service().await;
    let expected = [
        ("get-me.json", 200, None),
        ("get-me-bearer.json", 200, None),
        ("get-me-no-cookie.json", 401, Some(4010)),
        ("get-me-expired.json", 401, Some(4012)),
        ("get-me-revoked-session.json", 401, Some(4013)),
        ("get-me-bad-signature.json", 401, Some(4011)),
        ("get-me-ambiguous-cookies.json", 400, Some(4000)),
        ("get-me-post.json", 405, Some(4050)),
        ("get-me-unknown-tenant.json", 401, Some(4014)),
        ("get-me-deactivated-user.json", 401, Some(4018)),
        ("get-me-deleted-user.json", 404, Some(4040)),
    ];
    let answers = testkit::answer_events("get-me", "/me", "application/json", &expected, |r| {
        service.handle(r)
    })
    .await;
    assert_eq!(
        answers["get-me.json"].body["data"]["id"],
        ADA_ID.to_string()
    );
    assert_eq!(
        answers["get-me-bearer.json"].body["data"]["id"],
        GRACE_ID.to_string()
    );
}

#[tokio::test]
async fn the_cookie_gives_the_full_seed_000_document() {
    let (service, _, _) = service().await;
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let answer = call(&service, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!(answer.status, 200);
    let body = &answer.body;
    assert_eq!(body["status"], 200);
    assert_eq!(
        body["session"],
        json!({"id": ADA_SESSION_ID, "created_at": "2024-06-01T12:00:00Z", "updated_at": "2024-06-01T12:00:00Z"})
    );
    let data = &body["data"];
    let ada = devkit::demo::ada();
    assert_eq!(data["id"], ADA_ID.to_string());
    assert_eq!(data["first_name"], "Ada");
    assert_eq!(data["last_name"], "Lovelace");
    assert_eq!(data["username"], "ada");
    assert_eq!(data["availability"], "busy");
    assert_eq!(data["has_profile_picture"], true);
    assert_eq!(
        data["profile_picture_url"],
        "https://images.example.com/avatars/ada.png"
    );
    assert_eq!(data["primary_email_address"]["email"], "ada@acme.example");
    assert_eq!(data["primary_email_address"]["is_primary"], true);
    assert_eq!(
        data["primary_email_address"]["verified_at"],
        "2024-01-15T09:31:12Z"
    );
    assert_eq!(
        data["primary_phone_number"],
        json!({"id": ada.phone_numbers[0].id, "phone_number": "+14155550123", "country_code": "1", "verified": true, "verified_at": "2024-01-16T10:00:00Z"})
    );
    assert_eq!(data["email_addresses"].as_array().map(Vec::len), Some(2));
    assert_eq!(data["user_email_addresses"], data["email_addresses"]);
    assert_eq!(data["second_factor_policy"], "optional");
    assert_eq!(data["social_connections"][0]["provider"], "x_oauth");
    assert_eq!(
        data["user_authenticator"],
        json!({"id": ada.authenticators[0].id, "created_at": "2024-02-01T08:00:00Z"})
    );
    assert_eq!(data["backup_codes"], json!([]));
    assert_eq!(data["backup_codes_generated"], true);
    assert_eq!(
        data["public_metadata"],
        json!({"plan": "enterprise", "beta_features": ["new-dashboard"], "seats": 25, "referrer": null})
    );
    assert_eq!(data["segments"][0]["name"], "Early adopters");
    assert_eq!(data["segments"][0]["type"], "user");
    let text = body.to_string();
    assert!(
        !text.contains("JBSWY3DPEHPK3PXP")
            && !text.contains("otpauth")
            && !text.contains("totp_secret")
    );
}

#[tokio::test]
async fn bearer_works_for_both_algorithms_and_wins_over_the_cookie() {
    let (service, _, _) = service().await;
    let rs256 = devkit::dev_signer(devkit::DevKey::Rs256).unwrap();
    let grace = devkit::mint_token(
        &rs256,
        devkit::DEV_ISSUER,
        None,
        TENANT_ID,
        GRACE_ID,
        GRACE_SESSION_ID,
        600,
    )
    .unwrap();
    let ada = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let answer = call(
        &service,
        get(&[
            ("authorization", &bearer(&grace)),
            ("cookie", &cookie(&ada)),
        ]),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["data"]["id"], GRACE_ID.to_string());
    assert_eq!(
        answer.body["data"]["primary_phone_number"]["country_code"],
        "44"
    );
    assert_eq!(answer.body["data"]["user_authenticator"], Value::Null);
    assert_eq!(answer.body["data"]["authenticators"], json!([]));
    assert_eq!(answer.body["data"]["backup_codes_generated"], false);
}

#[tokio::test]
async fn a_revoked_session_is_refused_while_its_token_is_unexpired() {
    let (service, admin, _) = service().await;
    let session = admin
        .create_session(TENANT_ID, GRACE_ID, None, 3600)
        .await
        .unwrap();
    let token = dev_token(TENANT_ID, GRACE_ID, session);
    assert_eq!(
        call(&service, get(&[("cookie", &cookie(&token))]))
            .await
            .status,
        200
    );
    admin.revoke_session(TENANT_ID, session).await.unwrap();
    let answer = call(&service, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!((answer.status, answer.code()), (401, 4013));
    assert_eq!(answer.headers["www-authenticate"], INVALID_TOKEN);
}

#[tokio::test]
async fn dead_unknown_or_foreign_sessions_are_refused() {
    let (service, _, store) = service().await;
    let now = Timestamp::now();
    let expired = Session {
        id: SessionId::random(),
        user_id: ADA_ID,
        user_generation: Some(devkit::demo::ADA_GENERATION),
        created_at: now.plus_seconds(-7200),
        updated_at: now.plus_seconds(-7200),
        expires_at: now.plus_seconds(-60),
        revoked_at: None,
    };
    store.put_session(TENANT_ID, &expired).await.unwrap();
    let cases = [
        ("expired session", dev_token(TENANT_ID, ADA_ID, expired.id)),
        (
            "unknown session",
            dev_token(TENANT_ID, ADA_ID, SessionId::random()),
        ),
        (
            "another user's session",
            dev_token(TENANT_ID, GRACE_ID, ADA_SESSION_ID),
        ),
        (
            "revoked demo session",
            dev_token(TENANT_ID, ADA_ID, ADA_REVOKED_SESSION_ID),
        ),
    ];
    for (case, token) in cases {
        let answer = call(&service, get(&[("cookie", &cookie(&token))])).await;
        assert_eq!((answer.status, answer.code()), (401, 4013), "{case}");
    }
}

#[tokio::test]
async fn unknown_or_disabled_tenants_are_refused() {
    let (service, admin, store) = service().await;
    let other = admin.create_tenant("Other", None).await.unwrap();
    let answer = call(
        &service,
        get(&[(
            "cookie",
            &cookie(&dev_token(TenantId::random(), ADA_ID, ADA_SESSION_ID)),
        )]),
    )
    .await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4014),
        "unknown tenant"
    );
    // The demo ids under another tenant's key: nothing there, whatever the token claims.
    let answer = call(
        &service,
        get(&[("cookie", &cookie(&dev_token(other, ADA_ID, ADA_SESSION_ID)))]),
    )
    .await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4013),
        "cross-tenant ids"
    );
    let mut tenant = store.tenant(TENANT_ID).await.unwrap().unwrap();
    tenant.active = false;
    store.put_tenant(&tenant).await.unwrap();
    let answer = call(
        &service,
        get(&[(
            "cookie",
            &cookie(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)),
        )]),
    )
    .await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4014),
        "disabled tenant"
    );
}

#[tokio::test]
async fn a_user_deleted_and_created_again_does_not_inherit_the_old_sessions() {
    let (service, admin, store) = service().await;
    let token = dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID);
    admin.delete_user(TENANT_ID, GRACE_ID).await.unwrap();
    // Created again as `admin user create` would, with a new generation, and in the same
    // instant as the first life, so that no timestamp tells the two apart.
    let again = model::User {
        generation: Some(model::Generation(uuid::Uuid::new_v4())),
        ..devkit::demo::grace()
    };
    store.put_user(&again).await.unwrap();
    let answer = call(&service, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!((answer.status, answer.code()), (401, 4013));
    let fresh = admin
        .create_session(TENANT_ID, GRACE_ID, None, 3600)
        .await
        .unwrap();
    let answer = call(
        &service,
        get(&[("cookie", &cookie(&dev_token(TENANT_ID, GRACE_ID, fresh)))]),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

/// A container remembers a tenant for its cache period: a tenant disabled meanwhile is served
/// by it until then (the README's documented bound), while a store without the cache (a new
/// container, or the period over) refuses at once.
#[tokio::test]
async fn a_disabled_tenant_is_served_only_from_a_container_s_tenant_cache() {
    let (fresh, admin, store) = service().await;
    let cached = Service::new(
        store
            .clone()
            .with_tenant_cache(std::time::Duration::from_secs(300)),
        dev_verifier(),
    );
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    assert_eq!(
        call(&cached, get(&[("cookie", &cookie(&token))]))
            .await
            .status,
        200
    );
    admin.disable_tenant(TENANT_ID).await.unwrap();
    let answer = call(&cached, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!(answer.status, 200, "within the cache period");
    let answer = call(&fresh, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4014),
        "without the cache"
    );
}

#[tokio::test]
async fn a_deleted_user_is_404() {
    let (service, admin, _) = service().await;
    let token = dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID);
    admin.delete_user(TENANT_ID, GRACE_ID).await.unwrap();
    let answer = call(&service, get(&[("cookie", &cookie(&token))])).await;
    assert_eq!((answer.status, answer.code()), (404, 4040));
}

#[tokio::test]
async fn credential_errors() {
    let (service, _, _) = service().await;
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let expired = testkit::dev_token_with_ttl(TENANT_ID, ADA_ID, ADA_SESSION_ID, -60);
    let wrong_issuer = devkit::mint_token(
        &testkit::dev_signer(),
        "https://evil.example",
        None,
        TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        60,
    )
    .unwrap();
    let cases: Vec<(&str, Headers, u16, i64, &str)> = vec![
        ("nothing", vec![], 401, 4010, NO_TOKEN),
        (
            "other cookies only",
            vec![("cookie", b"a=1; b=2".to_vec())],
            401,
            4010,
            NO_TOKEN,
        ),
        (
            "basic auth is no session token",
            vec![("authorization", b"Basic dXNlcjpwYXNz".to_vec())],
            401,
            4010,
            NO_TOKEN,
        ),
        (
            "empty bearer",
            vec![("authorization", b"Bearer ".to_vec())],
            401,
            4010,
            NO_TOKEN,
        ),
        (
            "bare Bearer",
            vec![("authorization", b"Bearer".to_vec())],
            401,
            4010,
            NO_TOKEN,
        ),
        (
            "garbage token",
            vec![("cookie", cookie("not-a-jwt"))],
            401,
            4011,
            INVALID_TOKEN,
        ),
        (
            "bearer outside the token syntax",
            vec![("authorization", b"Bearer a,b;c".to_vec())],
            401,
            4011,
            INVALID_TOKEN,
        ),
        (
            "non-ASCII bearer",
            vec![("authorization", b"Bearer \xc3\xa9\xc3\xa9".to_vec())],
            401,
            4011,
            INVALID_TOKEN,
        ),
        (
            "expired token",
            vec![("cookie", cookie(&expired))],
            401,
            4012,
            EXPIRED_TOKEN,
        ),
        (
            "wrong issuer",
            vec![("cookie", cookie(&wrong_issuer))],
            401,
            4011,
            INVALID_TOKEN,
        ),
        (
            "two authorization headers",
            vec![
                ("authorization", bearer(&token)),
                ("authorization", bearer(&token)),
            ],
            400,
            4000,
            INVALID_REQUEST,
        ),
        (
            "two different session cookies",
            vec![(
                "cookie",
                format!("__session={token}; __session=x.y.z").into_bytes(),
            )],
            400,
            4000,
            INVALID_REQUEST,
        ),
    ];
    for (case, headers, status, code, challenge) in cases {
        let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_slice())).collect();
        let answer = call(&service, get(&headers)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{case}: {}",
            answer.body
        );
        assert_eq!(answer.headers["www-authenticate"], challenge, "{case}");
    }
    // An empty bearer or another scheme leaves the cookie to count.
    for authorization in [&b"Bearer "[..], b"Basic dXNlcjpwYXNz"] {
        let answer = call(
            &service,
            get(&[
                ("authorization", authorization),
                ("cookie", &cookie(&token)),
            ]),
        )
        .await;
        assert_eq!(answer.status, 200, "{authorization:?}: {}", answer.body);
    }
}

#[tokio::test]
async fn head_is_get_without_a_body_and_other_methods_are_405() {
    let (service, _, _) = service().await;
    let token = cookie(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    testkit::cors_and_methods::assert_methods(
        "/me",
        "application/json",
        &[("cookie", &token)],
        |r| service.handle(r),
    )
    .await;
}

#[tokio::test]
async fn the_cors_policy_is_the_dev_origins() {
    let (service, _, _) = service().await;
    let token = cookie(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    testkit::cors_and_methods::assert_cors_policy("/me", &[("cookie", &token)], |r| {
        service.handle(r)
    })
    .await;
}

#[tokio::test]
async fn a_malformed_user_item_is_a_logged_500_without_internals() {
    let (service, _, store) = service().await;
    let (logs, _guard) = testkit::capture_logs();
    store
        .client()
        .put_item()
        .table_name(store.table())
        .item(
            "pk",
            AttributeValue::S(format!("TENANT#{TENANT_ID}#USER#{ADA_ID}")),
        )
        .item("sk", AttributeValue::S("USER".into()))
        .item("id", AttributeValue::S(ADA_ID.to_string()))
        .item("tenant_id", AttributeValue::S(TENANT_ID.to_string()))
        .item("created_at", AttributeValue::N("12".into()))
        .send()
        .await
        .unwrap();
    let answer = call(
        &service,
        get(&[(
            "cookie",
            &cookie(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)),
        )]),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (500, 5000));
    assert_eq!(answer.body["errors"][0]["message"], "Internal error.");
    let logged = logs.text();
    assert!(
        logged.contains(&format!("TENANT#{TENANT_ID}#USER#{ADA_ID}/USER")),
        "the log names the key: {logged}"
    );
}

#[tokio::test]
async fn an_unreachable_store_is_a_quick_503_with_retry_after() {
    let service = Service::new(testkit::unreachable_store(), dev_verifier());
    let started = std::time::Instant::now();
    let answer = call(
        &service,
        get(&[(
            "cookie",
            &cookie(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)),
        )]),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (503, 5030));
    assert_eq!(answer.headers["retry-after"], "1");
    // Not a timing assertion on the product: a guard against the SDK's default (no timeout).
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn hostile_headers_get_4xx_never_5xx() {
    let (service, _, _) = service().await;
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let huge = "a".repeat(200_000);
    let many_cookies: String = (0..5000).map(|i| format!("c{i}=v; ")).collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cookie", format!("__session={huge}").into_bytes()),
        (
            "cookie",
            format!("{many_cookies}__session={token}x").into_bytes(),
        ),
        ("cookie", b"__session=\"quoted\"".to_vec()),
        ("cookie", b"__session=a.b.c; __session=a.b.c".to_vec()),
        (
            "cookie",
            b"\x80\x81\x82=\xff; __session=\xfe.\xfd.\xfc".to_vec(),
        ),
        (
            "cookie",
            format!("__session={}", token.replace('.', "..")).into_bytes(),
        ),
        ("authorization", format!("Bearer {huge}").into_bytes()),
        (
            "authorization",
            format!("Bearer {token}.{token}").into_bytes(),
        ),
        (
            "authorization",
            b"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.".to_vec(),
        ),
        ("authorization", b"Bearer e30.e30.e30".to_vec()),
        (
            "authorization",
            format!("Bearer {}", "eyJ".repeat(3000)).into_bytes(),
        ),
        ("authorization", b"\t\t".to_vec()),
    ];
    let (logs, _guard) = testkit::capture_logs();
    for (name, value) in &cases {
        let answer = call(&service, get(&[(name, value)])).await;
        assert!(
            (400..500).contains(&answer.status),
            "{name}: {} {}",
            answer.status,
            answer.body
        );
    }
    let logged = logs.text();
    assert!(!logged.contains(&token), "a token reached the logs");
    assert!(
        !logged.contains("aaaaaaaaaa"),
        "header contents reached the logs"
    );
    for line in testkit::access_lines(&logs.lines(), "GET /me", cases.len()) {
        assert!(
            line["status"]
                .as_u64()
                .is_some_and(|s| (400..500).contains(&s))
        );
    }
}

#[tokio::test]
async fn one_access_log_line_per_request_without_the_token() {
    let (service, _, _) = service().await;
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let (logs, _guard) = testkit::capture_logs();
    assert_eq!(
        call(&service, get(&[("cookie", &cookie(&token))]))
            .await
            .status,
        200
    );
    let access = testkit::access_lines(&logs.lines(), "GET /me", 1);
    assert_eq!(access[0]["status"], 200);
    assert_eq!(access[0]["tenant_id"], TENANT_ID.to_string());
    assert!(!logs.text().contains(&token));
}

/// Header pairs of a crafted request.
type Headers<'a> = Vec<(&'a str, Vec<u8>)>;
