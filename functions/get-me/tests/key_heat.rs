//! Key heat on `/me`: 10,000 requests of 1,000 users of one tenant, by cookie and by bearer
//! token, through the counting proxy, which records the partition key of every item each
//! request reads. No partition key may take more than 1% of the tenant's reads, and the tenant
//! item is read at most once per container per tenant-cache period.

use testkit::dev_verifier;
use testkit::key_heat::{BusyTenant, REQUESTS};

#[tokio::test]
async fn no_key_of_a_busy_tenant_takes_more_than_one_percent_of_its_reads() {
    let busy = BusyTenant::start().await;
    let deps = testkit::deps(busy.store.clone(), dev_verifier());
    let service = get_me::service(deps, testkit::dev_route_settings());
    for n in 0..REQUESTS {
        let member = busy.population.member(n);
        let credential = if n % 2 == 0 {
            ("cookie", format!("__session={}", member.token))
        } else {
            ("authorization", testkit::bearer(&member.token))
        };
        let request = testkit::me_request(&[(credential.0, &credential.1)]);
        let response = testkit::call(&service, request).await;
        assert_eq!(response.status(), 200, "request {n}");
    }
    busy.assert_spread(REQUESTS);
    assert_eq!(
        busy.proxy.requests(),
        REQUESTS,
        "one round trip per request"
    );
}
