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
    let service = get_me::service(
        testkit::deps(store, dev_verifier()),
        testkit::dev_route_settings(),
    );
    let cookie = format!("__session={}", dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    let me = async || {
        let request = testkit::me_request(&[("cookie", &cookie)]);
        testkit::checked(
            testkit::call(&service, request).await,
            "/me",
            "application/json",
        )
    };

    let (logs, _guard) = testkit::capture_logs();
    let refusals = testkit::assert_faults_are_quick_503s(&proxy, "/me", me).await;
    for refused in &refusals {
        assert_eq!(refused.body["errors"][0]["code"], 5030);
    }
    // Each 503's metric line counts its failed DynamoDB request.
    let lines = logs.metric_lines();
    let failed: Vec<_> = lines.iter().filter(|l| l["Code"] == "5030").collect();
    assert_eq!(failed.len(), refusals.len());
    for line in failed {
        testkit::emf::check_metric_line(line, bootstrap::metrics::DEFAULT_NAMESPACE);
        assert!(
            line["DynamoDbFailures"].as_u64().is_some_and(|n| n >= 1),
            "{line}"
        );
    }
}
