//! Key heat on `/me`: 10,000 requests of 1,000 users of one tenant, by cookie and by bearer
//! token, through the counting proxy, which records the partition key of every item each
//! request reads. No partition key may take more than 1% of the tenant's reads, and the tenant
//! item is read at most once per container per tenant-cache period.

use std::time::{Duration, Instant};

use get_me::get_me;
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
    let started = Instant::now();
    for n in 0..REQUESTS {
        let member = population.member(n);
        let credential = if n % 2 == 0 {
            ("cookie", format!("__session={}", member.token))
        } else {
            ("authorization", testkit::bearer(&member.token))
        };
        let request = testkit::me_request(&[(credential.0, &credential.1)]);
        let response = get_me(&store, &verifier, request).await;
        assert_eq!(response.status(), 200, "request {n}");
    }
    let elapsed = started.elapsed();
    let heat = Heat::of(&proxy.partition_keys());
    let (hottest, reads) = heat.hottest();
    eprintln!(
        "{REQUESTS} requests in {elapsed:?}: {} item reads over {} partition keys; hottest \
         {hottest} with {reads} ({:.3}%); tenant item read {} times; ceiling {:.0} requests/s",
        heat.total,
        heat.reads.len(),
        heat.hottest_share() * 100.0,
        heat.tenant_item_reads(population.tenant),
        heat.ceiling_per_second(REQUESTS)
    );
    assert_eq!(proxy.requests(), REQUESTS, "one round trip per request");
    assert!(heat.total >= REQUESTS * 2);
    assert!(
        heat.hottest_share() <= 0.01,
        "{hottest} took {reads} of {}",
        heat.total
    );
    let periods = 1 + (elapsed.as_secs() / TENANT_CACHE.as_secs()) as usize;
    assert!(heat.tenant_item_reads(population.tenant) <= periods);
    assert!(heat.keys_all_under(population.tenant));
}
