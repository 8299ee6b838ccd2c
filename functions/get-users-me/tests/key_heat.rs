//! Key heat on `/users/me`: 10,000 requests of 1,000 users of one tenant, by bearer token and
//! by API key, through the counting proxy, which records the partition key of every item each
//! request reads. No partition key may take more than 1% of the tenant's reads, and the tenant
//! item is read at most once per container per tenant-cache period. A flood of made-up tenants
//! and keys gets 401s and reads nothing of the real tenant.

use model::{ApiKeyId, TenantId};
use testkit::dev_verifier;
use testkit::key_heat::{BusyTenant, REQUESTS};

#[tokio::test]
async fn no_key_of_a_busy_tenant_takes_more_than_one_percent_of_its_reads() {
    let busy = BusyTenant::start().await;
    let (store, proxy, population) = (&busy.store, &busy.proxy, &busy.population);
    let deps = testkit::deps(store.clone(), dev_verifier());
    let service = get_users_me::service(deps, testkit::dev_route_settings());
    let tenant = population.tenant.to_string();
    for n in 0..REQUESTS {
        let member = population.member(n);
        let bearer = testkit::bearer(&member.token);
        let headers: Vec<(&str, &str)> = if n % 2 == 0 {
            vec![("x-domain", &tenant), ("authorization", &bearer)]
        } else {
            vec![
                ("x-domain", &tenant),
                ("x-api-key", member.key.as_str()),
                ("x-api-secret", &member.secret),
            ]
        };
        let query = if n % 3 == 0 { "include=profile" } else { "" };
        let request = testkit::users_me_request(query, &headers);
        let response = testkit::call(&service, request).await;
        assert_eq!(response.status(), 200, "request {n}");
    }
    busy.assert_spread(REQUESTS);

    // A flood of made-up tenants and keys: 401s, and no read of the real tenant's items.
    let (before, round_trips) = (proxy.partition_keys().len(), proxy.requests());
    for _ in 0..500 {
        let (domain, key) = (TenantId::random().to_string(), ApiKeyId::random());
        let headers = [
            ("x-domain", domain.as_str()),
            ("x-api-key", key.as_str()),
            ("x-api-secret", &population.members[0].secret),
        ];
        let response = testkit::call(&service, testkit::users_me_request("", &headers)).await;
        assert_eq!(response.status(), 401);
    }
    let flood = &proxy.partition_keys()[before..];
    assert_eq!(proxy.requests() - round_trips, 500, "one read request each");
    assert!(flood.len() <= 2 * 500, "of two items at most");
    assert!(
        !flood
            .iter()
            .any(|pk| pk.starts_with(&format!("TENANT#{tenant}"))),
        "the flood read a key of the real tenant"
    );
}
