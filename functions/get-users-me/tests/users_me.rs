//! `GET /users/me` end to end: the handler, the real AWS SDK, and dynalite (started by testkit).
//! Every body is validated against openapi.yaml; every response must carry the security headers
//! and the JSON:API media type.

use accounts::TableWrites;
use devkit::demo::{
    ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, GRACE_ID, GRACE_SESSION_ID, TENANT_ID,
};
use std::sync::LazyLock;

use bootstrap::RouteService;
use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use model::{TenantId, UserId};
use serde_json::{Value, json};
use store::{DynamoStore, UserSource};
use testkit::{Answer, CountingProxy, dev_token, dev_verifier, local_dynamo};

use testkit::challenges::{EXPIRED_TOKEN, INVALID_REQUEST, INVALID_TOKEN, NO_TOKEN};

/// The demo tenant, as `X-Domain` carries it.
static TENANT: LazyLock<String> = LazyLock::new(|| TENANT_ID.to_string());

/// The route as `main` serves it, on dependencies built once per test as `main` builds them
/// once per container.
struct Service(RouteService);

impl Service {
    fn new(store: DynamoStore) -> Self {
        Self(get_users_me::service(
            testkit::deps(store, dev_verifier()),
            testkit::dev_route_settings(),
        ))
    }

    async fn handle(&self, request: Request) -> Response<Body> {
        testkit::call(&self.0, request).await
    }
}

async fn seeded() -> (Service, accounts::Admin, DynamoStore) {
    let (admin, store) = local_dynamo().seeded_table().await;
    (Service::new(store.clone()), admin, store)
}

async fn call(service: &Service, request: Request) -> Answer {
    testkit::checked(
        service.handle(request).await,
        "/users/me",
        "application/vnd.api+json",
    )
}

fn request(method: Method, query: &str, headers: &[(&str, &str)]) -> Request {
    let path = if query.is_empty() {
        "/users/me".to_owned()
    } else {
        format!("/users/me?{query}")
    };
    let headers: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    testkit::request(method, &path, &headers)
}

/// A request error case: name, query, headers, code, expected `source`.
type BadRequestCase<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, i64, Value);

/// A credential case: name, extra headers, code.
type CredentialCase<'a> = (&'a str, Vec<(&'a str, String)>, i64);

fn get(query: &str, headers: &[(&str, &str)]) -> Request {
    request(Method::GET, query, headers)
}

fn bearer(token: &str) -> String {
    testkit::bearer(token)
}

#[tokio::test]
async fn every_get_users_me_event_answers_as_named() {
    let (service, _, _) = seeded().await;
    let expected = [
        ("get-users-me-jwt.json", 200, None),
        ("get-users-me-api-key.json", 200, None),
        ("get-users-me-include-profile.json", 200, None),
        ("get-users-me-sparse-fields.json", 200, None),
        ("get-users-me-no-domain.json", 400, Some(4001)),
        ("get-users-me-wrong-secret.json", 401, Some(4016)),
        ("get-users-me-other-tenant.json", 401, Some(4015)),
        ("get-users-me-unknown-include.json", 400, Some(4003)),
        ("get-users-me-bad-domain.json", 400, Some(4002)),
        ("get-users-me-no-credential.json", 401, Some(4010)),
        ("get-users-me-two-credentials.json", 400, Some(4000)),
        ("get-users-me-incomplete-key.json", 401, Some(4017)),
        ("get-users-me-not-acceptable.json", 406, Some(4060)),
        ("get-users-me-post.json", 405, Some(4050)),
        ("get-users-me-bad-signature.json", 401, Some(4011)),
        ("get-users-me-expired.json", 401, Some(4012)),
        ("get-users-me-revoked-session.json", 401, Some(4013)),
        ("get-users-me-unknown-tenant.json", 401, Some(4014)),
        ("get-users-me-deactivated-user.json", 401, Some(4018)),
        ("get-users-me-deleted-user.json", 404, Some(4040)),
    ];
    let answers = testkit::answer_events(
        "get-users-me",
        "/users/me",
        "application/vnd.api+json",
        &expected,
        |r| service.handle(r),
    )
    .await;
    for (file, answer) in answers.iter().filter(|(_, a)| a.status == 200) {
        assert_eq!(answer.body["data"]["id"], ADA_ID.to_string(), "{file}");
    }
    assert!(answers["get-users-me-include-profile.json"].body["included"].is_array());
    let sparse = call(
        &service,
        testkit::event_request("get-users-me-sparse-fields.json"),
    )
    .await;
    assert_eq!(
        sparse.body["data"]["attributes"],
        json!({"email": "ada@acme.example"})
    );
    assert_eq!(
        sparse.body["included"][0]["attributes"],
        json!({"first_name": "Ada", "last_name": "Lovelace"})
    );
}

#[tokio::test]
async fn the_document_is_seed_004_with_and_without_include() {
    let (service, _, _) = seeded().await;
    let headers = [
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let plain = call(&service, get("", &headers)).await;
    assert_eq!(plain.status, 200);
    let expected_data = json!({
        "type": "users",
        "id": ADA_ID,
        "attributes": {
            "email": "ada@acme.example",
            "factory_password": false,
            "active": true,
            "last_login_date": "2024-06-01 12:00:00",
            "reachable": true,
            "created_at": "2024-01-15 09:30:00",
            "updated_at": "2024-06-01 12:00:00",
            "archived_at": null,
            "auth_provider": "trisk_credentials"
        },
        "relationships": {"profile": {"data": {"type": "users_profile", "id": ADA_ID}}}
    });
    assert_eq!(plain.body, json!({ "data": expected_data }));
    // Byte order of the attributes follows the seed.
    let text = serde_json::to_string(&plain.body).unwrap();
    assert!(
        text.starts_with(r#"{"data":{"type":"users","id":""#),
        "{text}"
    );

    let included = call(&service, get("include=profile", &headers)).await;
    let profile = json!({
        "type": "users_profile",
        "id": ADA_ID,
        "attributes": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "avatar": "https://images.example.com/avatars/ada.png",
            "phone_code": "1",
            "phone_number": "4155550123",
            "position": "Head of Analytics",
            "created_at": "2024-01-15 09:30:00",
            "updated_at": "2024-06-01 12:00:00"
        }
    });
    assert_eq!(
        included.body["data"]["relationships"]["profile"]["data"],
        profile
    );
    assert_eq!(included.body["included"], json!([profile]));
    assert_eq!(
        included.body["data"]["attributes"],
        expected_data["attributes"]
    );
}

#[tokio::test]
async fn request_errors_name_the_header_or_parameter() {
    let (service, _, _) = seeded().await;
    let key = [("x-api-key", API_KEY), ("x-api-secret", API_SECRET)];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        key.iter().chain(extra).copied().collect()
    };
    let cases: Vec<BadRequestCase> = vec![
        (
            "no X-Domain",
            "",
            with(&[]),
            4001,
            json!({"header": "X-Domain"}),
        ),
        (
            "X-Domain not a UUID",
            "",
            with(&[("x-domain", "acme")]),
            4002,
            json!({"header": "X-Domain"}),
        ),
        (
            "X-Domain version 1",
            "",
            with(&[("x-domain", "0f8fad5b-d9cb-169f-a165-70867728950e")]),
            4002,
            json!({"header": "X-Domain"}),
        ),
        (
            "unknown include",
            "include=friends",
            with(&[("x-domain", TENANT.as_str())]),
            4003,
            json!({"parameter": "include"}),
        ),
        (
            "unknown user field",
            "fields[users]=password",
            with(&[("x-domain", TENANT.as_str())]),
            4003,
            json!({"parameter": "fields[users]"}),
        ),
        (
            "unknown profile field",
            "fields[users_profile]=ssn",
            with(&[("x-domain", TENANT.as_str())]),
            4003,
            json!({"parameter": "fields[users_profile]"}),
        ),
        (
            "unknown type",
            "fields[accounts]=id",
            with(&[("x-domain", TENANT.as_str())]),
            4003,
            json!({"parameter": "fields[accounts]"}),
        ),
        (
            "unsupported parameter",
            "page[size]=10",
            with(&[("x-domain", TENANT.as_str())]),
            4003,
            json!({"parameter": "page[size]"}),
        ),
        (
            "both credentials",
            "",
            with(&[
                ("x-domain", TENANT.as_str()),
                ("authorization", "Bearer a.b.c"),
            ]),
            4000,
            json!({"header": "Authorization"}),
        ),
    ];
    for (case, query, headers, code, source) in cases {
        let answer = call(&service, get(query, &headers)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, code),
            "{case}: {}",
            answer.body
        );
        assert_eq!(answer.body["source"], source, "{case}");
        assert_eq!(answer.body["title"], "Bad Request");
        assert_eq!(
            answer.body["errors"],
            json!([{
                "status": "400",
                "code": code.to_string(),
                "title": "Bad Request",
                "detail": answer.body["detail"],
                "source": source,
            }]),
            "{case}: the JSON:API errors array repeats the error"
        );
        assert_eq!(
            answer.headers["www-authenticate"], INVALID_REQUEST,
            "{case}"
        );
    }
}

#[tokio::test]
async fn credential_errors_are_401_in_the_seed_shape() {
    let (service, admin, _) = seeded().await;
    let (key, secret) = admin
        .create_api_key(TENANT_ID, GRACE_ID, None)
        .await
        .unwrap();
    admin.revoke_api_key(TENANT_ID, &key).await.unwrap();
    let ada = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let expired = testkit::dev_token_with_ttl(TENANT_ID, ADA_ID, ADA_SESSION_ID, -60);
    let unknown_key = model::ApiKeyId::random();
    let cases: Vec<CredentialCase> = vec![
        ("nothing", vec![], 4010),
        (
            "key without secret",
            vec![("x-api-key", API_KEY.into())],
            4017,
        ),
        (
            "secret without key",
            vec![("x-api-secret", API_SECRET.into())],
            4017,
        ),
        (
            "wrong secret",
            vec![
                ("x-api-key", API_KEY.into()),
                ("x-api-secret", format!("cus_{}", "e".repeat(64))),
            ],
            4016,
        ),
        (
            "unknown key",
            vec![
                ("x-api-key", unknown_key.to_string()),
                ("x-api-secret", API_SECRET.into()),
            ],
            4016,
        ),
        (
            "malformed key",
            vec![
                ("x-api-key", "AKIA123".into()),
                ("x-api-secret", API_SECRET.into()),
            ],
            4016,
        ),
        (
            "revoked key",
            vec![
                ("x-api-key", key.to_string()),
                ("x-api-secret", secret.clone()),
            ],
            4016,
        ),
        (
            "garbage token",
            vec![("authorization", "Bearer nope".into())],
            4011,
        ),
        (
            "basic auth is no credential",
            vec![("authorization", "Basic dXNlcjpwYXNz".into())],
            4010,
        ),
        (
            "empty bearer",
            vec![("authorization", "Bearer ".into())],
            4010,
        ),
        (
            "bearer outside the token syntax",
            vec![("authorization", "Bearer a;b".into())],
            4011,
        ),
        (
            "expired token",
            vec![("authorization", bearer(&expired))],
            4012,
        ),
    ];
    for (case, extra, code) in cases {
        let mut headers: Vec<(&str, &str)> = vec![("x-domain", TENANT.as_str())];
        headers.extend(extra.iter().map(|(n, v)| (*n, v.as_str())));
        let answer = call(&service, get("", &headers)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, code),
            "{case}: {}",
            answer.body
        );
        assert_eq!(answer.body["title"], "Unauthorized");
        // A token was sent in the 4011 and 4012 cases only; API keys get no error attribute.
        let challenge = match code {
            4011 => INVALID_TOKEN,
            4012 => EXPIRED_TOKEN,
            _ => NO_TOKEN,
        };
        assert_eq!(answer.headers["www-authenticate"], challenge, "{case}");
        let entry = &answer.body["errors"][0];
        assert_eq!(entry["status"], "401", "{case}");
        assert_eq!(entry["code"], code.to_string(), "{case}");
        assert_eq!(entry["detail"], answer.body["detail"], "{case}");
    }
    // A revoked session is refused while its token is unexpired.
    let session = admin
        .create_session(TENANT_ID, ADA_ID, None, 3600)
        .await
        .unwrap();
    let token = dev_token(TENANT_ID, ADA_ID, session);
    assert_eq!(
        call(
            &service,
            get(
                "",
                &[
                    ("x-domain", TENANT.as_str()),
                    ("authorization", &bearer(&token))
                ]
            )
        )
        .await
        .status,
        200
    );
    admin.revoke_session(TENANT_ID, session).await.unwrap();
    let answer = call(
        &service,
        get(
            "",
            &[
                ("x-domain", TENANT.as_str()),
                ("authorization", &bearer(&token)),
            ],
        ),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (401, 4013));
    assert_eq!(
        call(
            &service,
            get(
                "",
                &[
                    ("x-domain", TENANT.as_str()),
                    ("authorization", &bearer(&ada))
                ]
            )
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
async fn expired_keys_and_disabled_tenants_are_refused_and_enabled_ones_served() {
    let (service, admin, _) = seeded().await;
    let (expired, secret) = admin
        .create_api_key(TENANT_ID, GRACE_ID, Some(-60))
        .await
        .unwrap();
    let key_headers = |key: &str, secret: &str| {
        vec![
            ("x-domain".to_owned(), TENANT.clone()),
            ("x-api-key".to_owned(), key.to_owned()),
            ("x-api-secret".to_owned(), secret.to_owned()),
        ]
    };
    let send = async |headers: Vec<(String, String)>| {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        call(&service, get("", &headers)).await
    };
    let answer = send(key_headers(expired.as_str(), &secret)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4016),
        "an expired key"
    );
    admin.disable_tenant(TENANT_ID).await.unwrap();
    let answer = send(key_headers(API_KEY, API_SECRET)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, 4016),
        "a disabled tenant"
    );
    admin.enable_tenant(TENANT_ID).await.unwrap();
    assert_eq!(send(key_headers(API_KEY, API_SECRET)).await.status, 200);
}

#[tokio::test]
async fn unknown_or_disabled_tenants_are_401_and_gone_users_404() {
    let (service, admin, store) = seeded().await;
    let key = [("x-api-key", API_KEY), ("x-api-secret", API_SECRET)];
    let unknown = TenantId::random().to_string();
    let answer = call(
        &service,
        get("", &[&[("x-domain", unknown.as_str())][..], &key].concat()),
    )
    .await;
    // With an API key, an unknown tenant answers as an unknown key: no tenant oracle.
    assert_eq!((answer.status, answer.code()), (401, 4016));
    let wrong_key = call(
        &service,
        get(
            "",
            &[
                ("x-domain", TENANT.as_str()),
                ("x-api-key", "cuk_00000000000000000000000000000000"),
                ("x-api-secret", API_SECRET),
            ],
        ),
    )
    .await;
    assert_eq!(answer.body, {
        let mut same = wrong_key.body.clone();
        same["code"] = answer.body["code"].clone();
        same
    });

    admin.delete_user(TENANT_ID, ADA_ID).await.unwrap();
    let answer = call(
        &service,
        get("", &[&[("x-domain", TENANT.as_str())][..], &key].concat()),
    )
    .await;
    assert_eq!(
        (answer.status, answer.code(), answer.body["title"].clone()),
        (404, 4040, json!("Not Found"))
    );

    let mut tenant = store.tenant(TENANT_ID).await.unwrap().unwrap();
    tenant.active = false;
    store.put_tenant(&tenant).await.unwrap();
    let answer = call(
        &service,
        get("", &[&[("x-domain", TENANT.as_str())][..], &key].concat()),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (401, 4016));
    // A verified bearer token of the disabled tenant is told so.
    let bearer = bearer(&dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID));
    let answer = call(
        &service,
        get(
            "",
            &[("x-domain", TENANT.as_str()), ("authorization", &bearer)],
        ),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (401, 4014));
}

#[tokio::test]
async fn methods_and_media_types() {
    let (service, _, _) = seeded().await;
    let headers = [
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let credentials: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    testkit::cors_and_methods::assert_methods(
        "/users/me",
        "application/vnd.api+json",
        &credentials,
        |r| service.handle(r),
    )
    .await;
    testkit::cors_and_methods::assert_cors_policy("/users/me", &credentials, |r| service.handle(r))
        .await;
    for (accept, status) in [
        ("application/vnd.api+json", 200),
        ("application/json", 200),
        ("*/*", 200),
        (
            "application/vnd.api+json; profile=\"https://example.com/profile\"",
            200,
        ),
        (
            "application/vnd.api+json; ext=\"https://jsonapi.org/ext/atomic\"",
            406,
        ),
        ("application/vnd.api+json; charset=utf-8", 406),
        (
            "application/vnd.api+json; charset=utf-8, application/vnd.api+json",
            200,
        ),
    ] {
        let answer = call(
            &service,
            get("", &[&headers[..], &[("accept", accept)]].concat()),
        )
        .await;
        assert_eq!(answer.status, status, "{accept}");
        if status == 406 {
            assert_eq!(answer.code(), 4060);
        }
    }
}

#[tokio::test]
async fn a_500_carries_the_request_id_and_no_internals() {
    let (service, _, store) = seeded().await;
    store
        .client()
        .put_item()
        .table_name(store.table())
        .item(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!(
                "TENANT#{TENANT_ID}#APIKEY#{API_KEY}"
            )),
        )
        .item(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S("APIKEY".into()),
        )
        .item("key", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .send()
        .await
        .unwrap();
    let answer = call(
        &service,
        get(
            "",
            &[
                ("x-domain", TENANT.as_str()),
                ("x-api-key", API_KEY),
                ("x-api-secret", API_SECRET),
            ],
        ),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (500, 5000));
    assert_eq!(answer.body["type"], "errors");
    assert_eq!(
        answer.body["id"],
        answer.headers["x-request-id"].to_str().unwrap()
    );
    assert_eq!(
        answer.body["meta"],
        json!({"request_id": answer.body["id"]})
    );
    assert_eq!(answer.body["source"], json!({}), "a 500 points at nothing");
    assert_eq!(answer.body["links"], json!([]));
    let text = answer.body.to_string();
    assert!(
        !text.contains("APIKEY#") && !text.contains("TENANT#") && !text.contains("serde"),
        "{text}"
    );
}

#[tokio::test]
async fn an_unreachable_store_is_a_503_with_retry_after() {
    let service = Service::new(testkit::unreachable_store());
    let answer = call(
        &service,
        get(
            "",
            &[
                ("x-domain", TENANT.as_str()),
                ("x-api-key", API_KEY),
                ("x-api-secret", API_SECRET),
            ],
        ),
    )
    .await;
    assert_eq!((answer.status, answer.code()), (503, 5030));
    assert_eq!(answer.headers["retry-after"], "1");
    assert_eq!(answer.body["title"], "Service Unavailable");
}

/// Every credential against every tenant's X-Domain: 200 with its own user only for its own
/// tenant, 401 everywhere else.
#[tokio::test]
async fn cross_tenant_matrix() {
    let (service, admin, _) = seeded().await;
    struct Credential {
        name: String,
        tenant: TenantId,
        user: UserId,
        headers: Vec<(&'static str, String)>,
    }
    let mut tenants = vec![TENANT_ID];
    let mut credentials = vec![
        Credential {
            name: "ada token".into(),
            tenant: TENANT_ID,
            user: ADA_ID,
            headers: vec![(
                "authorization",
                bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)),
            )],
        },
        Credential {
            name: "grace token".into(),
            tenant: TENANT_ID,
            user: GRACE_ID,
            headers: vec![(
                "authorization",
                bearer(&dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID)),
            )],
        },
        Credential {
            name: "demo key".into(),
            tenant: TENANT_ID,
            user: ADA_ID,
            headers: vec![
                ("x-api-key", API_KEY.into()),
                ("x-api-secret", API_SECRET.into()),
            ],
        },
    ];
    for name in ["Beta", "Gamma"] {
        let tenant = admin.create_tenant(name, None).await.unwrap();
        let new_user = accounts::NewUser {
            id: None,
            tenant,
            email: format!("someone@{name}.example"),
            first_name: None,
            last_name: None,
            username: None,
            phone: None,
        };
        let user = admin.create_user(&new_user).await.unwrap();
        let session = admin
            .create_session(tenant, user, None, 3600)
            .await
            .unwrap();
        let (key, secret) = admin.create_api_key(tenant, user, None).await.unwrap();
        credentials.push(Credential {
            name: format!("{name} token"),
            tenant,
            user,
            headers: vec![("authorization", bearer(&dev_token(tenant, user, session)))],
        });
        credentials.push(Credential {
            name: format!("{name} key"),
            tenant,
            user,
            headers: vec![("x-api-key", key.to_string()), ("x-api-secret", secret)],
        });
        tenants.push(tenant);
    }
    let mut cells = 0;
    for credential in &credentials {
        for tenant in &tenants {
            let domain = tenant.to_string();
            let mut headers: Vec<(&str, &str)> = vec![("x-domain", domain.as_str())];
            headers.extend(credential.headers.iter().map(|(n, v)| (*n, v.as_str())));
            let answer = call(&service, get("", &headers)).await;
            if *tenant == credential.tenant {
                assert_eq!(
                    answer.status, 200,
                    "{} at its own tenant: {}",
                    credential.name, answer.body
                );
                assert_eq!(
                    answer.body["data"]["id"],
                    credential.user.to_string(),
                    "{}",
                    credential.name
                );
            } else {
                assert_eq!(
                    answer.status, 401,
                    "{} at tenant {tenant}: {}",
                    credential.name, answer.body
                );
            }
            cells += 1;
        }
    }
    assert_eq!(cells, 7 * 3);
}

/// An item that does not map, in an attribute the route does not even render, is a corrupt
/// item (500, the key logged), as on `/me`: the route reads the user item whole.
#[tokio::test]
async fn an_unmappable_user_attribute_is_a_corrupt_item() {
    let (whole, _, store) = seeded().await;
    let key_headers = [
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let healthy = call(&whole, get("include=profile", &key_headers)).await;
    assert_eq!(healthy.status, 200);
    let unmappable = [(
        "segments",
        aws_sdk_dynamodb::types::AttributeValue::N("12".into()),
    )];
    testkit::set_user_attributes(&store, TENANT_ID, ADA_ID, &unmappable).await;
    let corrupt = call(&whole, get("include=profile", &key_headers)).await;
    assert_eq!((corrupt.status, corrupt.code()), (500, 5000));
}

/// Round trips counted on the wire by a proxy between the SDK and dynalite: one per bearer
/// request; two per accepted API key (key, then its user, read only once the secret matched);
/// one per refused API key, the same whether the key id exists, was seen before or is made up.
#[tokio::test]
async fn one_round_trip_for_a_token_two_for_an_api_key_one_for_a_refused_key() {
    let (_, admin, store) = seeded().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let service = Service::new(DynamoStore::new(proxy.client(), store.table()));
    let authorization = bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let token = vec![
        ("x-domain", TENANT.as_str()),
        ("authorization", authorization.as_str()),
    ];
    let key = vec![
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let wrong = format!("cus_{}", "e".repeat(64));
    let wrong_secret = vec![
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", wrong.as_str()),
    ];
    let made_up_key = model::ApiKeyId::random().to_string();
    let made_up = vec![
        ("x-domain", TENANT.as_str()),
        ("x-api-key", made_up_key.as_str()),
        ("x-api-secret", API_SECRET),
    ];
    let cases = [
        ("token", &token, 200, 1),
        ("token again", &token, 200, 1),
        ("api key", &key, 200, 2),
        ("api key again", &key, 200, 2),
        ("api key, include", &key, 200, 2),
        ("seen key, wrong secret", &wrong_secret, 401, 1),
        ("made-up key", &made_up, 401, 1),
    ];
    for (name, headers, status, expected) in cases {
        let query = if name.ends_with("include") {
            "include=profile"
        } else {
            ""
        };
        let before = proxy.requests();
        let answer = call(&service, get(query, headers)).await;
        assert_eq!(answer.status, status, "{name}");
        assert_eq!(proxy.requests() - before, expected, "{name}");
    }
    // Revocation still counts at once: the key item is read on every request.
    admin
        .revoke_api_key(TENANT_ID, &model::ApiKeyId::parse(API_KEY).unwrap())
        .await
        .unwrap();
    let answer = call(&service, get("", &key)).await;
    assert_eq!((answer.status, answer.code()), (401, 4016));
}

/// A user deleted and created again under the same id, at the very same instant (so no
/// timestamp can tell the two lives apart), inherits neither the old session nor the old API
/// key: each carries the generation of the life it was made for. New credentials work.
#[tokio::test]
async fn a_user_created_again_in_the_same_instant_inherits_no_credential() {
    let (service, admin, store) = seeded().await;
    let new_user = accounts::NewUser {
        id: Some(UserId::random()),
        tenant: TENANT_ID,
        email: "twice@example.com".into(),
        first_name: None,
        last_name: None,
        username: None,
        phone: None,
    };
    let user = admin.create_user(&new_user).await.unwrap();
    // A fresh session and API key of `user`, as request headers.
    let credentials = async || {
        let session = admin
            .create_session(TENANT_ID, user, None, 3600)
            .await
            .unwrap();
        let (key, secret) = admin.create_api_key(TENANT_ID, user, None).await.unwrap();
        [
            (
                vec![(
                    "authorization",
                    bearer(&dev_token(TENANT_ID, user, session)),
                )],
                4013,
            ),
            (
                vec![("x-api-key", key.to_string()), ("x-api-secret", secret)],
                4016,
            ),
        ]
    };
    let answer = async |headers: &[(&str, String)]| {
        let mut with_domain: Vec<(&str, &str)> = vec![("x-domain", TENANT.as_str())];
        with_domain.extend(headers.iter().map(|(n, v)| (*n, v.as_str())));
        call(&service, get("", &with_domain)).await
    };
    let first_life = admin.store().user(TENANT_ID, user).await.unwrap().unwrap();
    let old = credentials().await;
    for (headers, _) in &old {
        assert_eq!(answer(headers).await.status, 200, "before the delete");
    }

    admin.delete_user(TENANT_ID, user).await.unwrap();
    admin.create_user(&new_user).await.unwrap();
    let mut second_life = admin.store().user(TENANT_ID, user).await.unwrap().unwrap();
    assert_ne!(second_life.generation, first_life.generation);
    // The same instant as the first life, to the precision of what is stored.
    second_life.created_at = first_life.created_at;
    second_life.updated_at = first_life.updated_at;
    store.put_user(&second_life).await.unwrap();

    for (headers, code) in &old {
        let refused = answer(headers).await;
        assert_eq!(
            (refused.status, refused.code()),
            (401, *code),
            "{}",
            refused.body
        );
    }
    for (headers, _) in &credentials().await {
        let accepted = answer(headers).await;
        assert_eq!(accepted.status, 200, "{}", accepted.body);
    }
}

/// A user item without `active` fails closed (401, 4018), and a user item whose stored `id` or
/// `tenant_id` names another user than its key is a corrupt item (500), never served as stored.
#[tokio::test]
async fn an_item_without_active_or_with_foreign_ids_is_not_served() {
    let (service, _, store) = seeded().await;
    let key_headers = [
        ("x-domain", TENANT.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let token = bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let token_headers = [("x-domain", TENANT.as_str()), ("authorization", &token)];
    store
        .client()
        .update_item()
        .table_name(store.table())
        .set_key(Some(
            store::keys::ItemKey::user(TENANT_ID, ADA_ID).to_attributes(),
        ))
        .update_expression("REMOVE active")
        .send()
        .await
        .unwrap();
    for headers in [&key_headers[..], &token_headers[..]] {
        let answer = call(&service, get("", headers)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, 4018),
            "{}",
            answer.body
        );
    }

    let other_tenant = devkit::demo::OTHER_TENANT_ID.to_string();
    for (attribute, value) in [("id", GRACE_ID.to_string()), ("tenant_id", other_tenant)] {
        let (service, _, store) = seeded().await;
        testkit::set_user_attributes(
            &store,
            TENANT_ID,
            ADA_ID,
            &[(attribute, aws_sdk_dynamodb::types::AttributeValue::S(value))],
        )
        .await;
        for headers in [&key_headers[..], &token_headers[..]] {
            let answer = call(&service, get("", headers)).await;
            assert_eq!(
                (answer.status, answer.code()),
                (500, 5000),
                "{attribute}: {}",
                answer.body
            );
        }
    }
}
