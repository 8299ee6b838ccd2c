//! `JWKS_URL` end to end: the route verifies tokens with keys fetched from a JWKS server the
//! test starts on loopback, through the production configuration and HTTPS-capable fetcher.

use bootstrap::Config;
use devkit::DEV_JWKS;
use devkit::DevKey;
use devkit::demo::{ADA_ID, ADA_SESSION_ID, TENANT_ID};
use testkit::{JwksServer, dev_jwks_with_only, local_dynamo};

/// The route's dependencies, as `main` builds them from the configuration.
type Service = bootstrap::RouteService;

fn config(url: &str, table: &str) -> Config {
    let vars = [
        ("TABLE_NAME", table.to_owned()),
        ("JWT_ISSUER", devkit::DEV_ISSUER.to_owned()),
        ("JWT_AUDIENCE", devkit::DEV_AUDIENCE.to_owned()),
        ("JWKS_URL", url.to_owned()),
        ("JWKS_MIN_REFRESH_SECS", "0".to_owned()),
    ];
    Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("configuration")
}

fn token(key: DevKey) -> String {
    let signer = devkit::dev_signer(key).unwrap();
    devkit::mint_token(
        &signer,
        devkit::DEV_ISSUER,
        None,
        TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        600,
    )
    .unwrap()
}

async fn status(service: &Service, token: &str) -> (u16, Option<i64>) {
    let request = testkit::me_request(&[("authorization", &testkit::bearer(token))]);
    let answer = testkit::checked(
        testkit::call(service, request).await,
        "/me",
        "application/json",
    );
    let code = (answer.status != 200).then(|| answer.code());
    (answer.status, code)
}

#[tokio::test]
async fn keys_are_fetched_on_first_use_and_follow_rotation() {
    let (_, store) = local_dynamo().seeded_table().await;
    let server = JwksServer::start(&dev_jwks_with_only("dev-es256")).await;
    let config = config(server.url(), store.table());
    let service = get_me::service(
        testkit::deps(store, config.token_verifier()),
        testkit::dev_route_settings(),
    );
    assert_eq!(server.requests(), 0, "nothing is fetched at init");

    let (logs, guard) = testkit::capture_logs();
    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    assert_eq!(server.requests(), 1, "cached after the first fetch");
    // The metric lines count the one fetch, on the request that made it.
    let lines = testkit::emf::checked_metric_lines(&logs, "GET /me", 2);
    assert_eq!(lines[0]["JwksFetches"], 1);
    assert!(lines[0].get("JwksFetchFailures").is_none() && lines[1].get("JwksFetches").is_none());
    drop(guard);

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
    let service = get_me::service(
        testkit::deps(store, config.token_verifier()),
        testkit::dev_route_settings(),
    );
    let (logs, _guard) = testkit::capture_logs();
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (503, Some(5030))
    );
    // The failed fetch is in the request's metric line.
    let lines = testkit::emf::checked_metric_lines(&logs, "GET /me", 1);
    assert_eq!(
        (&lines[0]["JwksFetches"], &lines[0]["JwksFetchFailures"]),
        (&1.into(), &1.into())
    );
    assert_eq!(lines[0]["Code"], "5030");
    server.serve(200, "not json");
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (503, Some(5030))
    );
    server.serve(200, DEV_JWKS);
    assert_eq!(
        status(&service, &token(DevKey::Es256)).await,
        (200, None),
        "recovers once the provider answers"
    );
}

#[tokio::test]
async fn a_flood_of_unknown_kids_fetches_at_most_once_per_interval() {
    let (_, store) = local_dynamo().seeded_table().await;
    let server = JwksServer::start(DEV_JWKS).await;
    let vars = [
        ("TABLE_NAME", store.table().to_owned()),
        ("JWT_ISSUER", devkit::DEV_ISSUER.to_owned()),
        ("JWT_AUDIENCE", devkit::DEV_AUDIENCE.to_owned()),
        ("JWKS_URL", server.url().to_owned()),
    ];
    let config = Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap();
    let service = get_me::service(
        testkit::deps(store, config.token_verifier()),
        testkit::dev_route_settings(),
    );
    assert_eq!(status(&service, &token(DevKey::Es256)).await, (200, None));
    let forged = devkit::TokenSigner::es256(
        devkit::TEST_FOREIGN_ES256_PRIVATE_KEY.as_bytes(),
        "attacker-kid",
    )
    .unwrap();
    for i in 0..50 {
        let mut claims = devkit::TokenClaims::for_session(
            devkit::DEV_ISSUER,
            TENANT_ID,
            ADA_ID,
            ADA_SESSION_ID,
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
