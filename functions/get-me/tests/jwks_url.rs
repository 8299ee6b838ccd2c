//! `JWKS_URL` end to end: the route verifies tokens with keys fetched from a JWKS server the
//! test starts on loopback, through the production configuration and HTTPS-capable fetcher.

use admin::DevKey;
use admin::demo::{ADA_ID, ADA_SESSION_ID, TENANT_ID};
use gateway::FunctionConfig;
use get_me::MeService;
use lambda_http::Body;
use testkit::{JwksServer, dev_jwks_with_only, local_dynamo};

fn config(url: &str, table: &str) -> FunctionConfig {
    let vars = [
        ("TABLE_NAME", table.to_owned()),
        ("JWT_ISSUER", admin::DEV_ISSUER.to_owned()),
        ("JWKS_URL", url.to_owned()),
        ("JWKS_MIN_REFRESH_SECS", "0".to_owned()),
    ];
    FunctionConfig::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("configuration")
}

fn token(key: DevKey) -> String {
    let signer = admin::dev_signer(key).unwrap();
    admin::mint_token(
        &signer,
        admin::DEV_ISSUER,
        None,
        TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        600,
    )
    .unwrap()
}

async fn status(service: &MeService, token: &str) -> (u16, Option<i64>) {
    let request = lambda_http::http::Request::builder()
        .uri("https://api.example.com/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::Empty)
        .unwrap();
    let answer = testkit::checked(service.handle(request).await, "/me", "application/json");
    let code = (answer.status != 200).then(|| answer.code());
    (answer.status, code)
}

#[tokio::test]
async fn keys_are_fetched_on_first_use_and_follow_rotation() {
    let (_, store) = local_dynamo().seeded_table().await;
    let server = JwksServer::start(&dev_jwks_with_only("dev-es256")).await;
    let config = config(server.url(), store.table());
    let service = MeService::new(store, config.token_verifier());
    assert_eq!(server.requests(), 0, "nothing is fetched at init");

    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    assert_eq!(server.requests(), 1, "cached after the first fetch");

    // Rotation: the provider now publishes only the RSA key.
    server.serve(200, &dev_jwks_with_only("dev-rs256"));
    assert_eq!(
        status(&service, &token(DevKey::Rs256)).await,
        (200, None),
        "the new kid is fetched"
    );
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (401, Some(4011)),
        "the removed key is refused"
    );
}

#[tokio::test]
async fn a_failed_fetch_is_a_503_not_a_500() {
    let (_, store) = local_dynamo().seeded_table().await;
    let server = JwksServer::start("").await;
    server.serve(500, "oops");
    let config = config(server.url(), store.table());
    let service = MeService::new(store, config.token_verifier());
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (503, Some(5030))
    );
    server.serve(200, "not json");
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (503, Some(5030))
    );
    server.serve(200, testkit::DEV_JWKS);
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (200, None),
        "recovers once the provider answers"
    );
}

#[tokio::test]
async fn a_flood_of_unknown_kids_fetches_at_most_once_per_interval() {
    let (_, store) = local_dynamo().seeded_table().await;
    let server = JwksServer::start(testkit::DEV_JWKS).await;
    let vars = [
        ("TABLE_NAME", store.table().to_owned()),
        ("JWT_ISSUER", admin::DEV_ISSUER.to_owned()),
        ("JWKS_URL", server.url().to_owned()),
    ];
    let config = FunctionConfig::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    let service = MeService::new(store, config.token_verifier());
    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    let forged = auth::TokenSigner::es256(
        include_bytes!("../../../dev/keys/test-foreign-es256-private.pem"),
        "attacker-kid",
    )
    .unwrap();
    for i in 0..50 {
        let mut claims = auth::TokenClaims::for_session(
            admin::DEV_ISSUER,
            TENANT_ID.parse().unwrap(),
            ADA_ID.parse().unwrap(),
            ADA_SESSION_ID.parse().unwrap(),
            60,
        );
        claims.iat += i;
        assert_eq!(
            status(&service, &forged.sign(&claims).unwrap()).await,
            (401, Some(4011))
        );
    }
    assert!(
        server.requests() <= 2,
        "{} fetches for 50 unknown kids within the 5 s interval",
        server.requests()
    );
}
