//! Store faults, injected by a proxy between the SDK and dynalite: connections refused,
//! requests that hang, HTTP 500s and throttling. `/users/me` answers 503 with `Retry-After` in
//! its own shape, for a bearer token and an API key, within the SDK's budget, and the first
//! request after recovery answers 200.

use devkit::demo::{ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use store::DynamoStore;
use testkit::{CountingProxy, dev_token, dev_verifier, local_dynamo};

#[tokio::test]
async fn every_fault_is_a_quick_503_and_recovery_is_immediate() {
    let (_, seeded) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store = DynamoStore::new(proxy.client(), seeded.table());
    let deps = testkit::deps(store, dev_verifier());
    let service = get_users_me::service(deps, testkit::dev_route_settings());
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
            testkit::call(&service, request).await,
            "/users/me",
            "application/vnd.api+json",
        )
    };

    for (credential, headers) in [("bearer", &jwt_headers[..]), ("API key", &key_headers[..])] {
        let route = format!("/users/me, {credential}");
        let refusals =
            testkit::assert_faults_are_quick_503s(&proxy, &route, async || users_me(headers).await)
                .await;
        for refused in refusals {
            assert_eq!(refused.body["title"], "Service Unavailable");
        }
    }
}
