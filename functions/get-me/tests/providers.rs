//! Tokens shaped as real identity providers issue them (their documented claims and headers:
//! Cognito ID and access tokens, Auth0, Clerk), signed with test keys that a local JWKS
//! endpoint serves under each provider's own `kid`, against `/me` configured as the README's
//! provider table says. Each token is accepted by its own provider's configuration and refused
//! by every other; with one claim wrong it is refused in `/me`'s shape, the reason in the log.

use bootstrap::Config;
use bootstrap::RouteService;
use model::{SessionId, TenantId, UserId};
use serde_json::{Value, json};
use store::DynamoStore;
use testkit::{JwksServer, local_dynamo};

const COGNITO_ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E";
const COGNITO_CLIENT: &str = "3n4b5urk1ft4fl3mg5e62d9ado";
const AUTH0_ISSUER: &str = "https://acme.us.auth0.com/";
const AUTH0_API: &str = "https://api.acme.example";
const CLERK_ISSUER: &str = "https://clerk.acme.example";
const CLERK_APP: &str = "https://app.acme.example";

/// One provider: its JWKS `kid`, its configuration, and a token of its shape.
struct Provider {
    name: &'static str,
    kid: &'static str,
    typ: Option<&'static str>,
    vars: Vec<(&'static str, &'static str)>,
    claims: Value,
    tenant: TenantId,
    user: UserId,
    session: SessionId,
}

fn now() -> i64 {
    model::Timestamp::now().unix_seconds()
}

fn providers() -> Vec<Provider> {
    let now = now();
    let cognito_tenant = TenantId::random();
    let cognito_user = UserId::parse("7c9e6679-7425-40de-944b-e07fc1f90ae8").unwrap();
    let origin_jti = SessionId::parse("0a8b6e33-9f6c-4c3d-8e1f-2a3b4c5d6e7f").unwrap();
    let auth0_tenant = TenantId::random();
    let auth0_user = UserId::parse("auth0|5f7c8ec7c33c6c004bbafe82").unwrap();
    let auth0_session = SessionId::parse("XkPoU7hnlTiUPPAPvOBnQd9nJjPbuVsE").unwrap();
    let clerk_tenant = TenantId::parse("org_2NNEr9oHbiT3Fqw4aaO6kQtFHKk").unwrap();
    let clerk_user = UserId::parse("user_2NNEqL2nrIRdJ194ndJqAHwEfxC").unwrap();
    let clerk_session = SessionId::parse("sess_2NNEqhBVAyTg1FmQi1nhq9qjNQb").unwrap();
    let cognito = |token_use: &str| {
        json!({
            "sub": cognito_user, "iss": COGNITO_ISSUER, "origin_jti": origin_jti,
            "event_id": "d8b4f8a2-5f0e-4d8c-9b1a-6c3e2f1a0b9d", "token_use": token_use,
            "auth_time": now, "iat": now, "exp": now + 3600,
            "jti": "5b5e6f1c-2a3d-4e8f-9a0b-1c2d3e4f5a6b",
        })
    };
    let mut id_token = cognito("id");
    for (name, value) in [
        ("aud", json!(COGNITO_CLIENT)),
        ("cognito:username", json!("ada")),
        ("email", json!("ada@acme.example")),
        ("email_verified", json!(true)),
        ("custom:tenant_id", json!(cognito_tenant)),
    ] {
        id_token[name] = value;
    }
    let mut access_token = cognito("access");
    for (name, value) in [
        ("client_id", json!(COGNITO_CLIENT)),
        ("scope", json!("aws.cognito.signin.user.admin")),
        ("username", json!("ada")),
        // Added by a pre-token-generation trigger (V2, which reaches access tokens).
        ("tid", json!(cognito_tenant)),
    ] {
        access_token[name] = value;
    }
    vec![
        Provider {
            name: "Cognito ID token",
            kid: "Q2FzZTEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXI=",
            typ: None,
            vars: vec![
                ("JWT_ISSUER", COGNITO_ISSUER),
                ("JWT_AUDIENCE", COGNITO_CLIENT),
                ("JWT_TOKEN_USE", "id"),
                ("JWT_TENANT_CLAIM", "custom:tenant_id"),
                ("JWT_SESSION_CLAIM", "origin_jti"),
            ],
            claims: id_token,
            tenant: cognito_tenant,
            user: cognito_user,
            session: origin_jti,
        },
        Provider {
            name: "Cognito access token",
            kid: "Q2FzZTEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXI=",
            typ: None,
            vars: vec![
                ("JWT_ISSUER", COGNITO_ISSUER),
                ("JWT_CLIENT_ID", COGNITO_CLIENT),
                ("JWT_TOKEN_USE", "access"),
                ("JWT_SESSION_CLAIM", "origin_jti"),
            ],
            claims: access_token,
            tenant: cognito_tenant,
            user: cognito_user,
            session: origin_jti,
        },
        Provider {
            name: "Auth0 access token",
            kid: "NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg",
            typ: Some("JWT"),
            vars: vec![
                ("JWT_ISSUER", AUTH0_ISSUER),
                ("JWT_AUDIENCE", AUTH0_API),
                ("JWT_TENANT_CLAIM", "https://acme.example/tenant_id"),
            ],
            claims: json!({
                "iss": AUTH0_ISSUER, "sub": auth0_user,
                "aud": [AUTH0_API, "https://acme.us.auth0.com/userinfo"],
                "iat": now, "exp": now + 86_400, "scope": "openid profile email",
                "azp": "YzJmMDk3ZTc5Njc0", "sid": auth0_session,
                "https://acme.example/tenant_id": auth0_tenant,
            }),
            tenant: auth0_tenant,
            user: auth0_user,
            session: auth0_session,
        },
        Provider {
            name: "Clerk session token",
            kid: "ins_2NNEqIEq6dJ9y2hb9Ixs3m2CW7S",
            typ: Some("JWT"),
            vars: vec![
                ("JWT_ISSUER", CLERK_ISSUER),
                ("JWT_CLIENT_ID", CLERK_APP),
                ("JWT_TENANT_CLAIM", "org_id"),
            ],
            claims: json!({
                "azp": CLERK_APP, "exp": now + 60, "fva": [0, -1], "iat": now,
                "iss": CLERK_ISSUER, "nbf": now - 10, "sid": clerk_session, "sub": clerk_user,
                "org_id": clerk_tenant, "org_role": "org:admin", "org_slug": "acme",
            }),
            tenant: clerk_tenant,
            user: clerk_user,
            session: clerk_session,
        },
    ]
}

/// The dev RSA public key, published under `kid` only.
fn jwks_with_kid(kid: &str) -> String {
    let dev: Value = serde_json::from_str(devkit::DEV_JWKS).unwrap();
    let mut key = dev["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kty"] == "RSA")
        .unwrap()
        .clone();
    key["kid"] = json!(kid);
    json!({ "keys": [key] }).to_string()
}

fn sign(provider: &Provider, claims: &Value) -> String {
    devkit::TokenSigner::rs256(devkit::DEV_RS256_PRIVATE_KEY.as_bytes(), provider.kid)
        .unwrap()
        .sign_json(claims, provider.typ)
        .unwrap()
}

/// `/me` on `store` with the provider's configuration and its keys at `jwks_url`.
fn service(provider: &Provider, jwks_url: &str, store: &DynamoStore) -> RouteService {
    let mut vars = provider.vars.clone();
    vars.extend([("TABLE_NAME", store.table()), ("JWKS_URL", jwks_url)]);
    let verifier = Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("the provider's configuration")
    .token_verifier();
    get_me::service(
        testkit::deps(store.clone(), verifier),
        testkit::dev_route_settings(),
    )
}

async fn status(service: &RouteService, token: &str) -> (u16, Value) {
    let request = testkit::me_request(&[("authorization", &testkit::bearer(token))]);
    let answer = testkit::checked(
        testkit::call(service, request).await,
        "/me",
        "application/json",
    );
    (answer.status, answer.body)
}

/// The users and sessions the providers' sign-in flows would have written.
async fn signed_in(providers: &[Provider]) -> DynamoStore {
    let (admin, store) = local_dynamo().fresh_table().await;
    for p in providers {
        if admin.create_tenant(p.name, Some(p.tenant)).await.is_ok() {
            let user = accounts::NewUser {
                id: Some(p.user),
                tenant: p.tenant,
                email: "ada@acme.example".into(),
                first_name: Some("Ada".into()),
                last_name: None,
                username: None,
                phone: None,
            };
            let _ = admin.create_user(&user).await;
            admin
                .create_session(p.tenant, p.user, Some(p.session), 3600)
                .await
                .expect("the session the sign-in wrote");
        }
    }
    store
}

#[tokio::test]
async fn each_provider_s_token_counts_only_under_its_own_configuration() {
    let providers = providers();
    let store = signed_in(&providers).await;
    let mut servers = Vec::new();
    for p in &providers {
        servers.push(JwksServer::start(&jwks_with_kid(p.kid)).await);
    }
    let services: Vec<_> = providers
        .iter()
        .zip(&servers)
        .map(|(p, server)| service(p, server.url(), &store))
        .collect();
    for (i, configured) in providers.iter().enumerate() {
        for token_of in &providers {
            let (status, body) = status(&services[i], &sign(token_of, &token_of.claims)).await;
            if std::ptr::eq(configured, token_of) {
                assert_eq!(
                    status, 200,
                    "{} under its own configuration: {body}",
                    token_of.name
                );
                assert_eq!(body["data"]["id"], token_of.user.to_string());
                assert_eq!(body["session"]["id"], token_of.session.to_string());
            } else {
                assert_eq!(
                    status, 401,
                    "{} under {}: {body}",
                    token_of.name, configured.name
                );
            }
        }
    }
}

#[tokio::test]
async fn one_wrong_claim_is_a_401_with_the_reason_in_the_log_only() {
    let providers = providers();
    let store = signed_in(&providers).await;
    for p in &providers {
        let server = JwksServer::start(&jwks_with_kid(p.kid)).await;
        let service = service(p, server.url(), &store);
        let lookup = |name: &str| p.vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        let tenant_claim = lookup("JWT_TENANT_CLAIM").unwrap_or("tid");
        let session_claim = lookup("JWT_SESSION_CLAIM").unwrap_or("sid");
        let now = now();
        let mut cases: Vec<(&str, Value, &str)> = vec![
            (
                "issuer",
                json!({"iss": "https://evil.example"}),
                "wrong issuer",
            ),
            (
                "lifetime",
                json!({"iat": now, "exp": now + 30 * 86_400}),
                "lifetime over the maximum",
            ),
            (
                "tenant",
                json!({ tenant_claim: TenantId::random() }),
                "tenant unknown or disabled",
            ),
            (
                "session",
                json!({ session_claim: SessionId::random() }),
                "session not live",
            ),
        ];
        if lookup("JWT_AUDIENCE").is_some() {
            cases.push((
                "audience",
                json!({"aud": "https://other.example"}),
                "wrong audience",
            ));
        } else {
            cases.push((
                "client",
                json!({"client_id": "other", "azp": "other"}),
                "wrong audience",
            ));
        }
        if lookup("JWT_TOKEN_USE").is_some() {
            cases.push(("use", json!({"token_use": "refresh"}), "wrong token_use"));
        }
        let (logs, _guard) = testkit::capture_logs();
        for (case, change, reason) in &cases {
            let mut claims = p.claims.clone();
            for (name, value) in change.as_object().unwrap() {
                claims[name] = value.clone();
            }
            let (status, body) = status(&service, &sign(p, &claims)).await;
            assert_eq!(status, 401, "{}, wrong {case}: {body}", p.name);
            assert!(
                !body.to_string().contains(reason),
                "{}: the reason reached the body",
                p.name
            );
            assert!(
                logs.text().contains(reason),
                "{}, wrong {case}: no {reason:?} in the log",
                p.name
            );
        }
        let wrong_key =
            devkit::TokenSigner::rs256(devkit::DEV_RS256_PRIVATE_KEY.as_bytes(), "another-kid")
                .unwrap()
                .sign_json(&p.claims, p.typ)
                .unwrap();
        assert_eq!(
            status(&service, &wrong_key).await.0,
            401,
            "{}, wrong key",
            p.name
        );
        assert!(logs.text().contains("unknown kid"));
    }
}
