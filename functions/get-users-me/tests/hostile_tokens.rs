//! Hostile tokens (`testkit::hostile`) against `/users/me`: every one must be refused with 401 in
//! the route's own shape, never 2xx, never 5xx, and none may reach the logs: under an explicit
//! policy, and under the default configuration read from the environment.

use devkit::demo::TENANT_ID;
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
    let service = get_users_me::service(
        testkit::deps(store, verifier),
        testkit::dev_route_settings(),
    );
    hostile::assert_all_refused("/users/me", "application/vnd.api+json", async |token| {
        testkit::call(&service, request(token)).await
    })
    .await;
}
