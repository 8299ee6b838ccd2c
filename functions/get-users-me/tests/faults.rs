//! Store faults, injected by a proxy between the SDK and dynalite: connections refused,
//! requests that hang, HTTP 500s and throttling. `/users/me` answers 503 with `Retry-After` in
//! its own shape, for a bearer token and an API key, within the SDK's budget, and the first
//! request after recovery answers 200.

use std::time::{Duration, Instant};

use devkit::demo::{ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use get_users_me::get_users_me;
use store::DynamoStore;
use testkit::{CountingProxy, Fault, dev_token, dev_verifier, local_dynamo};

#[tokio::test]
async fn every_fault_is_a_quick_503_and_recovery_is_immediate() {
    let (_, seeded) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store = DynamoStore::new(proxy.client().await, seeded.table());
    let verifier = dev_verifier();
    let tenant = TENANT_ID.to_string();
    let bearer = testkit::bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let jwt_headers = [("x-domain", tenant.as_str()), ("authorization", &bearer)];
    let key_headers = [
        ("x-domain", tenant.as_str()),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let users_me = async |headers: &[(&str, &str)]| {
        let request = testkit::users_me_request("", headers);
        testkit::checked(
            get_users_me(&store, &verifier, request).await,
            "/users/me",
            "application/vnd.api+json",
        )
    };

    assert!(store::client::OPERATION_TIMEOUT < Duration::from_secs(3));

    for fault in [
        Fault::Refuse,
        Fault::Hang,
        Fault::ServerError,
        Fault::Throttle,
    ] {
        for headers in [&jwt_headers[..], &key_headers[..]] {
            proxy.inject(fault);
            let started = Instant::now();
            let answer = users_me(headers).await;
            let elapsed = started.elapsed();
            assert_eq!((answer.status, answer.code()), (503, 5030), "{fault:?}");
            assert_eq!(answer.headers["retry-after"], "1");
            assert_eq!(answer.body["title"], "Service Unavailable");
            assert!(
                elapsed < Duration::from_secs(10),
                "{fault:?} took {elapsed:?}"
            );
            eprintln!("{fault:?}: /users/me answered 503 in {elapsed:?}");

            proxy.inject(Fault::None);
            assert_eq!(users_me(headers).await.status, 200, "after {fault:?}");
        }
    }
}
