//! Key heat: how a tenant's reads spread over DynamoDB partition keys. Each function's
//! `tests/key_heat.rs` drives many requests of one tenant's many users through a
//! [`crate::CountingProxy`], and [`Heat::of`] reads the partition keys the proxy saw.

use accounts::TableWrites;
use std::collections::HashMap;

use model::{ApiKey, ApiKeyId, Session, SessionId, Tenant, TenantId, Timestamp, UserId};
use store::DynamoStore;

/// One user of the population: its live session, a token for it, and its API key.
#[derive(Debug, Clone)]
pub struct Member {
    /// The user.
    pub user: UserId,
    /// Its live session.
    pub session: SessionId,
    /// A dev token for that session.
    pub token: String,
    /// Its API key.
    pub key: ApiKeyId,
    /// That key's secret.
    pub secret: String,
}

/// A new tenant and its users, written straight to a table.
#[derive(Debug, Clone)]
pub struct Population {
    /// The tenant.
    pub tenant: TenantId,
    /// Its users.
    pub members: Vec<Member>,
}

impl Population {
    /// Writes a new active tenant with `users` users, each with a live session and an API key.
    pub async fn write(store: &DynamoStore, users: usize) -> Self {
        let now = Timestamp::now();
        let tenant = TenantId::random();
        store
            .put_tenant(&Tenant {
                id: tenant,
                name: "Hot Tenant".into(),
                active: true,
                created_at: now,
                updated_at: now,
            })
            .await
            .expect("the tenant");
        let mut members = Vec::with_capacity(users);
        for _ in 0..users {
            let user = accounts::blank_user(tenant, UserId::random(), now);
            store.put_user(&user).await.expect("a user");
            let session = Session {
                id: SessionId::random(),
                user_id: user.id,
                user_generation: user.generation,
                created_at: now,
                updated_at: now,
                expires_at: now.plus_seconds(3600),
                revoked_at: None,
            };
            store
                .put_session(tenant, &session)
                .await
                .expect("a session");
            let (key, secret) = accounts::new_api_key();
            let record = ApiKey {
                key: key.clone(),
                user_id: user.id,
                user_generation: user.generation,
                secret_sha256: auth::sha256_hex(secret.as_bytes()),
                created_at: now,
                expires_at: None,
                revoked_at: None,
            };
            store
                .put_api_key(tenant, &record)
                .await
                .expect("an API key");
            members.push(Member {
                user: user.id,
                session: session.id,
                token: crate::dev_token(tenant, user.id, session.id),
                key,
                secret,
            });
        }
        Self { tenant, members }
    }

    /// The member the `n`th request comes from: a fixed pseudo-random sequence (xorshift), so
    /// some users are busier than others, as in real traffic.
    pub fn member(&self, n: usize) -> &Member {
        let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        &self.members[(x % self.members.len() as u64) as usize]
    }
}

/// The partition keys a run read, counted.
#[derive(Debug, Clone)]
pub struct Heat {
    /// Every item read, by partition key.
    pub reads: HashMap<String, usize>,
    /// Items read in all.
    pub total: usize,
}

impl Heat {
    /// The heat of `keys` (as [`crate::CountingProxy::partition_keys`] gives them).
    pub fn of(keys: &[String]) -> Self {
        let mut reads = HashMap::new();
        for key in keys {
            *reads.entry(key.clone()).or_insert(0) += 1;
        }
        Self {
            reads,
            total: keys.len(),
        }
    }

    /// The most read partition key and its reads.
    pub fn hottest(&self) -> (String, usize) {
        self.reads
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.clone(), *n))
            .unwrap_or_default()
    }

    /// The hottest key's share of all reads.
    pub fn hottest_share(&self) -> f64 {
        self.hottest().1 as f64 / self.total.max(1) as f64
    }

    /// Reads of `tenant`'s own item.
    pub fn tenant_item_reads(&self, tenant: TenantId) -> usize {
        self.reads
            .get(&store::keys::ItemKey::tenant(tenant).pk)
            .copied()
            .unwrap_or(0)
    }

    /// The requests a second this tenant could make before its hottest key meets DynamoDB's
    /// limit of 3,000 strongly consistent reads a second per partition, for `requests`
    /// requests that read as this run did.
    pub fn ceiling_per_second(&self, requests: usize) -> f64 {
        let per_request = self.hottest().1 as f64 / requests.max(1) as f64;
        3000.0 / per_request.max(f64::MIN_POSITIVE)
    }
}

impl Heat {
    /// Whether every key read is under `tenant`.
    pub fn keys_all_under(&self, tenant: TenantId) -> bool {
        let prefix = store::keys::ItemKey::tenant(tenant).pk;
        self.reads.keys().all(|pk| pk.starts_with(&prefix))
    }
}

/// Requests a key-heat run drives.
pub const REQUESTS: usize = 10_000;
/// Users of the busy tenant.
pub const USERS: usize = 1_000;
/// The tenant-cache period of the run's store (a container's).
pub const TENANT_CACHE: std::time::Duration = std::time::Duration::from_secs(60);

/// A busy tenant behind a counting proxy: [`USERS`] users written straight to a fresh table,
/// and a store that reads them through the proxy with a tenant cache of [`TENANT_CACHE`].
pub struct BusyTenant {
    /// The tenant and its users.
    pub population: Population,
    /// The proxy every read of `store` passes.
    pub proxy: crate::CountingProxy,
    /// The store, as one container's.
    pub store: DynamoStore,
    started: std::time::Instant,
}

impl BusyTenant {
    /// Writes the tenant and starts the proxy; the clock of the run starts now.
    pub async fn start() -> Self {
        let (_, seeded) = crate::local_dynamo().fresh_table().await;
        let population = Population::write(&seeded, USERS).await;
        let proxy = crate::CountingProxy::start(crate::local_dynamo().endpoint()).await;
        let store =
            DynamoStore::new(proxy.client(), seeded.table()).with_tenant_cache(TENANT_CACHE);
        Self {
            population,
            proxy,
            store,
            started: std::time::Instant::now(),
        }
    }

    /// Prints the run's figures (`make bench` collects the line) and checks them: every one
    /// of `requests` read at least two items, no partition key took more than 1% of the reads,
    /// the tenant item was read at most once per cache period, and every key read is the
    /// tenant's.
    pub fn assert_spread(&self, requests: usize) -> Heat {
        let elapsed = self.started.elapsed();
        let heat = Heat::of(&self.proxy.partition_keys());
        let (hottest, reads) = heat.hottest();
        let tenant_reads = heat.tenant_item_reads(self.population.tenant);
        eprintln!(
            "{requests} requests in {elapsed:?}: {} item reads over {} partition keys; hottest \
             {hottest} with {reads} ({:.3}%); tenant item read {tenant_reads} times; ceiling {:.0} \
             requests/s",
            heat.total,
            heat.reads.len(),
            heat.hottest_share() * 100.0,
            heat.ceiling_per_second(requests)
        );
        assert!(heat.total >= requests * 2, "every request read its items");
        assert!(
            heat.hottest_share() <= 0.01,
            "{hottest} took {reads} of {} reads",
            heat.total
        );
        let periods = 1 + (elapsed.as_secs() / TENANT_CACHE.as_secs()) as usize;
        assert!(
            tenant_reads <= periods,
            "the tenant item was read {tenant_reads} times in {elapsed:?}"
        );
        assert!(heat.keys_all_under(self.population.tenant));
        heat
    }
}
