//! Hostile tokens (`testkit::hostile`) against `/users/me`: every one must be refused with 401 in
//! the route's own shape, never 2xx, never 5xx, and none may reach the logs: under an explicit
//! policy, and under the default configuration read from the environment.

use devkit::demo::TENANT_ID;
use get_users_me::get_users_me;
use lambda_http::Request;
use testkit::hostile;

fn request(token: &str) -> Request {
    testkit::users_me_request(
        "",
        &[
            ("x-domain", &TENANT_ID.to_string()),
            ("authorization", &testkit::bearer(token)),
        ],
    )
}

#[tokio::test]
async fn every_hostile_token_is_a_401() {
    refused_by(hostile::verifier()).await;
}

#[tokio::test]
async fn every_hostile_token_is_a_401_under_the_default_configuration() {
    refused_by(hostile::default_verifier()).await;
}

async fn refused_by(verifier: auth::TokenVerifier<auth::ProviderKeys>) {
    let (_, store) = testkit::local_dynamo().seeded_table().await;

    // The control: the same construction, untampered, is accepted.
    let good = hostile::es256(&hostile::claims());
    assert_eq!(
        get_users_me(&store, &verifier, request(&good))
            .await
            .status(),
        200
    );

    let tokens = hostile::tokens();
    assert!(tokens.len() >= 25);
    let (logs, _guard) = testkit::capture_logs();
    for (case, token) in &tokens {
        let answer = testkit::checked(
            get_users_me(&store, &verifier, request(token)).await,
            "/users/me",
            "application/vnd.api+json",
        );
        assert_eq!(answer.status, 401, "{case}: {}", answer.body);
    }
    let logged = logs.text();
    for (case, token) in &tokens {
        let signature = token.rsplit('.').next().unwrap_or("");
        if signature.len() > 16 {
            assert!(
                !logged.contains(signature),
                "{case}: the token reached the logs"
            );
        }
    }
}
