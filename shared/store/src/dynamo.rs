//! The request path's reads on DynamoDB: strongly consistent key lookups, mapped with
//! `serde_dynamo`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use cached::{Cached, LruTtlCache};
use model::{ApiKey, ApiKeyId, Session, Tenant, TenantId, User, UserId};
use serde::de::DeserializeOwned;

use crate::error::sdk_error;
use crate::keys::{ItemKey, PK, SK};
use crate::{
    ApiKeyContext, ApiKeyContextSource, SessionContext, SessionContextSource, SessionLookup,
    StoreError, UserSource,
};

type Item = HashMap<String, AttributeValue>;

/// How often `BatchGetItem` is repeated for keys DynamoDB left unprocessed before the store
/// counts as unavailable.
const UNPROCESSED_RETRIES: u32 = 3;

/// How many tenants a container remembers (see [`DynamoStore::with_tenant_cache`]).
const TENANT_CACHE_ENTRIES: usize = 1024;

/// Tenants read recently, by id (`None`: no such tenant), each for the cache period.
type TenantEntries = LruTtlCache<TenantId, Option<Tenant>>;

/// The store on a DynamoDB table (or a DynamoDB-compatible server).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    tenants: Option<Arc<Mutex<TenantEntries>>>,
}

impl DynamoStore {
    /// A store on `table` through `client`, reading the tenant item on every request.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            tenants: None,
        }
    }

    /// This store, remembering each tenant it reads (found or not, up to
    /// `TENANT_CACHE_ENTRIES` of them) for `ttl`: the tenant item is then read at most once
    /// per container per `ttl`, whatever the tenant's traffic, and a tenant disabled meanwhile
    /// is still served for at most `ttl`. Sessions and API keys are read on every request.
    pub fn with_tenant_cache(mut self, ttl: Duration) -> Self {
        let cache = LruTtlCache::new(TENANT_CACHE_ENTRIES, ttl);
        self.tenants = (!ttl.is_zero()).then(|| Arc::new(Mutex::new(cache)));
        self
    }

    /// The tenant cache, if there is one. It is never left half-updated, so a poisoned lock is
    /// still usable.
    fn tenants(&self) -> Option<MutexGuard<'_, TenantEntries>> {
        let tenants = self.tenants.as_ref()?;
        Some(tenants.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// `keys` and the tenant item, read in one round trip; the tenant comes from the cache
    /// when it holds it. Returns the tenant and the other items found.
    async fn with_tenant(
        &self,
        tenant_id: TenantId,
        mut keys: Vec<ItemKey>,
    ) -> Result<(Option<Tenant>, HashMap<ItemKey, Item>), StoreError> {
        let cached = self
            .tenants()
            .and_then(|mut tenants| tenants.cache_get(&tenant_id).cloned());
        let tenant_key = ItemKey::tenant(tenant_id);
        if cached.is_none() {
            keys.push(tenant_key.clone());
        }
        let mut found = self.batch_get(&keys).await?;
        let tenant = match cached {
            Some(tenant) => tenant,
            None => {
                let tenant = take(&mut found, &tenant_key, tenant_id)?;
                if let Some(mut tenants) = self.tenants() {
                    tenants.cache_set(tenant_id, tenant.clone());
                }
                tenant
            }
        };
        Ok((tenant, found))
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Fetches `keys` (all in one table) with strongly consistent reads, by key. Keys
    /// DynamoDB leaves unprocessed are asked again a few times, then the store is unavailable.
    async fn batch_get(&self, keys: &[ItemKey]) -> Result<HashMap<ItemKey, Item>, StoreError> {
        let mut found = HashMap::with_capacity(keys.len());
        let mut pending: Vec<Item> = keys.iter().map(ItemKey::to_attributes).collect();
        for attempt in 0..=UNPROCESSED_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(10 << attempt)).await;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .map_err(|e| StoreError::Failed {
                    operation: "BatchGetItem",
                    detail: e.to_string(),
                })?;
            let sent = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send();
            let output = counted(sent)
                .await
                .map_err(|e| sdk_error("BatchGetItem", e))?;
            for item in output
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default()
            {
                if let (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) =
                    (item.get(PK), item.get(SK))
                {
                    let key = ItemKey {
                        pk: pk.clone(),
                        sk: sk.clone(),
                    };
                    found.insert(key, item);
                }
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                return Ok(found);
            }
        }
        Err(StoreError::Unavailable {
            operation: "BatchGetItem",
            detail: format!(
                "{} keys still unprocessed after {UNPROCESSED_RETRIES} retries",
                pending.len()
            ),
        })
    }

    async fn get(&self, key: &ItemKey) -> Result<Option<Item>, StoreError> {
        let sent = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.to_attributes()))
            .consistent_read(true)
            .send();
        let output = counted(sent).await.map_err(|e| sdk_error("GetItem", e))?;
        Ok(output.item)
    }
}

/// The outcome of one DynamoDB request, counted in the invocation's tally (`telemetry`).
async fn counted<T, E>(request: impl Future<Output = Result<T, E>>) -> Result<T, E> {
    let started = Instant::now();
    let outcome = request.await;
    telemetry::add(|tally| {
        tally.dynamodb_requests += 1;
        tally.dynamodb_failures += u32::from(outcome.is_err());
        tally.dynamodb_time += started.elapsed();
    });
    outcome
}

/// Maps an item read under `key` to its record. A mismatch names the key and the attribute,
/// never a value (serde's own messages quote what they could not read, so only the path is
/// kept, and the name of a missing field); a record whose own ids (`id`, `tenant_id`, `key`)
/// name another item than `key` is corrupt too, never served as stored.
fn decode<T: StoredRecord>(
    key: &ItemKey,
    tenant_id: TenantId,
    item: Item,
) -> Result<T, StoreError> {
    let item = serde_dynamo::Item::from(item);
    let deserializer = serde_dynamo::Deserializer::from_attribute_value(
        serde_dynamo::AttributeValue::M(item.into()),
    );
    let record: Result<T, _> = serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let message = err.inner().to_string();
        let detail = match message.strip_prefix("missing field ") {
            Some(field) if is_attribute_path(field) => format!("attribute {field} is missing"),
            _ => match err.path().to_string() {
                path if path != "." && is_attribute_path(&path) => {
                    format!("attribute {path} does not map")
                }
                _ => "an attribute does not map".to_owned(),
            },
        };
        StoreError::CorruptItem {
            key: key.to_string(),
            record: T::NAME,
            detail,
        }
    });
    match record {
        Ok(record) if record.own_key(tenant_id) != *key => Err(StoreError::CorruptItem {
            key: key.to_string(),
            record: T::NAME,
            detail: "its ids name another item than its key".to_owned(),
        }),
        other => other,
    }
}

/// Whether `path` is made of the names and indices a record's schema has (never a stored
/// value): letters, digits, `_`, `.`, `[`, `]` and backquotes, at most 100 bytes.
fn is_attribute_path(path: &str) -> bool {
    path.len() <= 100
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.[]`".contains(&b))
}

/// A record as the request path reads it: its name for errors, and the key its own ids name,
/// which must be the key it was read under.
trait StoredRecord: DeserializeOwned {
    /// The record's name in errors.
    const NAME: &'static str;
    /// The key of the item this record says it is, under `tenant_id`.
    fn own_key(&self, tenant_id: TenantId) -> ItemKey;
}

impl StoredRecord for Tenant {
    const NAME: &'static str = "tenant";
    fn own_key(&self, _: TenantId) -> ItemKey {
        ItemKey::tenant(self.id)
    }
}

impl StoredRecord for User {
    const NAME: &'static str = "user";
    fn own_key(&self, _: TenantId) -> ItemKey {
        ItemKey::user(self.tenant_id, self.id)
    }
}

impl StoredRecord for Session {
    const NAME: &'static str = "session";
    fn own_key(&self, tenant_id: TenantId) -> ItemKey {
        ItemKey::session(tenant_id, self.id)
    }
}

impl StoredRecord for ApiKey {
    const NAME: &'static str = "api_key";
    fn own_key(&self, tenant_id: TenantId) -> ItemKey {
        ItemKey::api_key(tenant_id, &self.key)
    }
}

fn take<T: StoredRecord>(
    found: &mut HashMap<ItemKey, Item>,
    key: &ItemKey,
    tenant_id: TenantId,
) -> Result<Option<T>, StoreError> {
    found
        .remove(key)
        .map(|item| decode(key, tenant_id, item))
        .transpose()
}

impl SessionContextSource for DynamoStore {
    async fn session_context(&self, lookup: SessionLookup) -> Result<SessionContext, StoreError> {
        let session = ItemKey::session(lookup.tenant_id, lookup.session_id);
        let user = ItemKey::user(lookup.tenant_id, lookup.user_id);
        let (tenant, mut found) = self
            .with_tenant(lookup.tenant_id, vec![session.clone(), user.clone()])
            .await?;
        Ok(SessionContext {
            tenant,
            session: take(&mut found, &session, lookup.tenant_id)?,
            user: take(&mut found, &user, lookup.tenant_id)?,
        })
    }
}

impl ApiKeyContextSource for DynamoStore {
    async fn api_key_context(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<ApiKeyContext, StoreError> {
        let key = ItemKey::api_key(tenant_id, key_id);
        let (tenant, mut found) = self.with_tenant(tenant_id, vec![key.clone()]).await?;
        Ok(ApiKeyContext {
            tenant,
            api_key: take(&mut found, &key, tenant_id)?,
        })
    }
}

impl UserSource for DynamoStore {
    async fn user(&self, tenant_id: TenantId, user_id: UserId) -> Result<Option<User>, StoreError> {
        let key = ItemKey::user(tenant_id, user_id);
        self.get(&key)
            .await?
            .map(|item| decode(&key, tenant_id, item))
            .transpose()
    }
}
