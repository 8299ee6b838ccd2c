//! Store faults, injected by a proxy between the SDK and dynalite: connections refused,
//! requests that hang, HTTP 500s and throttling. `/me` answers 503 with `Retry-After` in its
//! own shape, within the SDK's budget, and the first request after recovery answers 200.

use std::time::{Duration, Instant};

use devkit::demo::{ADA_ID, ADA_SESSION_ID, TENANT_ID};
use get_me::get_me;
use store::DynamoStore;
use testkit::{CountingProxy, Fault, dev_token, dev_verifier, local_dynamo};

#[tokio::test]
async fn every_fault_is_a_quick_503_and_recovery_is_immediate() {
    let (_, seeded) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store = DynamoStore::new(proxy.client().await, seeded.table());
    let verifier = dev_verifier();
    let cookie = format!("__session={}", dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let me = async || {
        let request = testkit::me_request(&[("cookie", &cookie)]);
        testkit::checked(
            get_me(&store, &verifier, request).await,
            "/me",
            "application/json",
        )
    };

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
        let answer = me().await;
        let elapsed = started.elapsed();
        assert_eq!((answer.status, answer.code()), (503, 5030), "{fault:?}");
        assert_eq!(answer.headers["retry-after"], "1");
        // A guard against a hang, far above the 2 s budget; the measured time is printed.
        assert!(
            elapsed < Duration::from_secs(10),
            "{fault:?} took {elapsed:?}"
        );
        eprintln!("{fault:?}: /me answered 503 in {elapsed:?}");

        proxy.inject(Fault::None);
        assert_eq!(me().await.status, 200, "after {fault:?}");
    }
}
