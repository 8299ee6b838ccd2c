//! Key heat on `/users/me`: 10,000 requests of 1,000 users of one tenant, by bearer token and
//! by API key, through the counting proxy, which records the partition key of every item each
//! request reads. No partition key may take more than 1% of the tenant's reads, and the tenant
//! item is read at most once per container per tenant-cache period. A flood of made-up tenants
//! and keys gets 401s and reads nothing of the real tenant.

use std::time::{Duration, Instant};

use get_users_me::get_users_me;
use model::{ApiKeyId, TenantId};
use store::DynamoStore;
use testkit::key_heat::{Heat, Population};
use testkit::{CountingProxy, dev_verifier, local_dynamo};

const REQUESTS: usize = 10_000;
const USERS: usize = 1_000;
const TENANT_CACHE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn no_key_of_a_busy_tenant_takes_more_than_one_percent_of_its_reads() {
    let (_, seeded) = local_dynamo().fresh_table().await;
    let population = Population::write(&seeded, USERS).await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let store =
        DynamoStore::new(proxy.client().await, seeded.table()).with_tenant_cache(TENANT_CACHE);
    let verifier = dev_verifier();
    let tenant = population.tenant.to_string();
    let started = Instant::now();
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
        let response = get_users_me(
            &store,
            &verifier,
            testkit::users_me_request(query, &headers),
        )
        .await;
        assert_eq!(response.status(), 200, "request {n}");
    }
    let elapsed = started.elapsed();
    let heat = Heat::of(&proxy.partition_keys());
    let (hottest, reads) = heat.hottest();
    eprintln!(
        "{REQUESTS} requests in {elapsed:?}: {} item reads over {} partition keys; hottest {hottest} \
         with {reads} ({:.3}%); tenant item read {} times; ceiling {:.0} requests/s",
        heat.total,
        heat.reads.len(),
        heat.hottest_share() * 100.0,
        heat.tenant_item_reads(population.tenant),
        heat.ceiling_per_second(REQUESTS)
    );
    assert!(heat.total >= REQUESTS * 2, "every request read its items");
    assert!(
        heat.hottest_share() <= 0.01,
        "{hottest} took {reads} of {} reads",
        heat.total
    );
    let periods = 1 + (elapsed.as_secs() / TENANT_CACHE.as_secs()) as usize;
    assert!(
        heat.tenant_item_reads(population.tenant) <= periods,
        "the tenant item was read {} times in {elapsed:?}",
        heat.tenant_item_reads(population.tenant)
    );
    assert!(heat.keys_all_under(population.tenant));

    // A flood of made-up tenants and keys: 401s, and no read of the real tenant's items.
    let (before, round_trips) = (proxy.partition_keys().len(), proxy.requests());
    for _ in 0..500 {
        let (domain, key) = (TenantId::random().to_string(), ApiKeyId::random());
        let headers = [
            ("x-domain", domain.as_str()),
            ("x-api-key", key.as_str()),
            ("x-api-secret", &population.members[0].secret),
        ];
        let response =
            get_users_me(&store, &verifier, testkit::users_me_request("", &headers)).await;
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
