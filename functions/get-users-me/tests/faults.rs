//! Store faults, injected by a proxy between the SDK and dynalite: connections refused,
//! requests that hang, HTTP 500s and throttling. Both routes answer 503 with `Retry-After` in
//! their own shape, within the SDK's budget, and the first request after recovery answers 200.

use std::time::{Duration, Instant};

use admin::demo::{ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use get_me::MeService;
use get_users_me::UsersMeService;
use lambda_http::{Body, Request};
use store::DynamoStore;
use testkit::{CountingProxy, Fault, dev_token, dev_verifier, local_dynamo};

fn me_request(token: &str) -> Request {
    lambda_http::http::Request::builder()
        .uri("https://api.example.com/me")
        .header("cookie", format!("__session={token}"))
        .body(Body::Empty)
        .unwrap()
}

fn users_me_request(headers: &[(&str, &str)]) -> Request {
    let mut builder = lambda_http::http::Request::builder().uri("https://api.example.com/users/me");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::Empty).unwrap()
}

#[tokio::test]
async fn every_fault_is_a_quick_503_and_recovery_is_immediate() {
    let (_, seeded) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store = DynamoStore::new(proxy.client().await, seeded.table());
    let me = MeService::new(store.clone(), dev_verifier());
    let users_me = UsersMeService::new(store, dev_verifier());
    let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let bearer = format!("Bearer {token}");
    let jwt_headers = [("x-domain", TENANT_ID), ("authorization", bearer.as_str())];
    let key_headers = [
        ("x-domain", TENANT_ID),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];

    // The budget that bounds every faulty request; the SDK enforces it, not this test.
    assert!(store::client::OPERATION_TIMEOUT < Duration::from_secs(3));

    for fault in [
        Fault::Refuse,
        Fault::Hang,
        Fault::ServerError,
        Fault::Throttle,
    ] {
        proxy.inject(fault);
        let started = Instant::now();
        let answer = testkit::checked(
            me.handle(me_request(&token)).await,
            "/me",
            "application/json",
        );
        let me_elapsed = started.elapsed();
        assert_eq!(
            (answer.status, answer.code()),
            (503, 5030),
            "{fault:?} on /me"
        );
        assert_eq!(answer.headers["retry-after"], "1");
        for headers in [&jwt_headers[..], &key_headers[..]] {
            let answer = testkit::checked(
                users_me.handle(users_me_request(headers)).await,
                "/users/me",
                "application/vnd.api+json",
            );
            assert_eq!(
                (answer.status, answer.code()),
                (503, 5030),
                "{fault:?} on /users/me"
            );
            assert_eq!(answer.headers["retry-after"], "1");
            assert_eq!(answer.body["title"], "Service Unavailable");
        }
        // A guard against a hang, far above the 2 s budget; the measured time is printed.
        assert!(
            me_elapsed < Duration::from_secs(10),
            "{fault:?} took {me_elapsed:?}"
        );
        eprintln!("{fault:?}: /me answered 503 in {me_elapsed:?}");

        proxy.inject(Fault::None);
        let answer = testkit::checked(
            me.handle(me_request(&token)).await,
            "/me",
            "application/json",
        );
        assert_eq!(answer.status, 200, "/me after {fault:?}");
        for headers in [&jwt_headers[..], &key_headers[..]] {
            let answer = testkit::checked(
                users_me.handle(users_me_request(headers)).await,
                "/users/me",
                "application/vnd.api+json",
            );
            assert_eq!(answer.status, 200, "/users/me after {fault:?}");
        }
    }
}
