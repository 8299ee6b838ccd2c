//! Store faults, injected by a proxy between the SDK and dynalite: connections refused,
//! requests that hang, HTTP 500s and throttling. `/me` answers 503 with `Retry-After` in its
//! own shape, within the SDK's budget, and the first request after recovery answers 200.

use devkit::demo::{ADA_ID, ADA_SESSION_ID, TENANT_ID};
use store::DynamoStore;
use testkit::{CountingProxy, dev_token, dev_verifier, local_dynamo};

#[tokio::test]
async fn every_fault_is_a_quick_503_and_recovery_is_immediate() {
    let (_, seeded) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store = DynamoStore::new(proxy.client(), seeded.table());
    let service = get_me::service(testkit::deps(store, dev_verifier()), testkit::dev_cors());
    let cookie = format!("__session={}", dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let me = async || {
        let request = testkit::me_request(&[("cookie", &cookie)]);
        testkit::checked(
            testkit::call(&service, request).await,
            "/me",
            "application/json",
        )
    };

    let refusals = testkit::assert_faults_are_quick_503s(&proxy, "/me", me).await;
    for refused in refusals {
        assert_eq!(refused.body["errors"][0]["code"], 5030);
    }
}
