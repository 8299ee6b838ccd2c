//! The request path's reads on DynamoDB: strongly consistent key lookups, mapped with
//! `serde_dynamo`.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use model::{ApiKeyId, TenantId, User, UserId};
use serde::de::DeserializeOwned;

use crate::error::classify;
use crate::keys::{ItemKey, SK};
use crate::{
    ApiKeyContext, ApiKeyContextSource, SessionContext, SessionContextSource, SessionLookup,
    StoreError, UserSource,
};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// How often `BatchGetItem` is repeated for keys DynamoDB left unprocessed before the store
/// counts as unavailable.
const UNPROCESSED_RETRIES: u32 = 3;

/// The store on a DynamoDB table (or a DynamoDB-compatible server).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    pub(crate) client: Client,
    pub(crate) table: String,
}

impl DynamoStore {
    /// A store on `table` through `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Fetches `keys` (all in one table) with strongly consistent reads, by sort key. Keys
    /// DynamoDB leaves unprocessed are asked again a few times, then the store is unavailable.
    async fn batch_get(&self, keys: &[ItemKey]) -> Result<HashMap<String, Item>, StoreError> {
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
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| classify("BatchGetItem", e))?;
            for item in output
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default()
            {
                if let Some(AttributeValue::S(sk)) = item.get(SK) {
                    found.insert(sk.clone(), item);
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

    pub(crate) async fn get(&self, key: &ItemKey) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.to_attributes()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify("GetItem", e))?;
        Ok(output.item)
    }
}

/// Maps an item to its record; a mismatch names the key.
pub(crate) fn decode<T: DeserializeOwned>(
    key: &ItemKey,
    record: &'static str,
    item: Item,
) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::CorruptItem {
        key: key.to_string(),
        record,
        detail: e.to_string(),
    })
}

fn take<T: DeserializeOwned>(
    found: &mut HashMap<String, Item>,
    key: &ItemKey,
    record: &'static str,
) -> Result<Option<T>, StoreError> {
    found
        .remove(&key.sk)
        .map(|item| decode(key, record, item))
        .transpose()
}

impl SessionContextSource for DynamoStore {
    async fn session_context(&self, lookup: SessionLookup) -> Result<SessionContext, StoreError> {
        let keys = [
            ItemKey::tenant(lookup.tenant_id),
            ItemKey::session(lookup.tenant_id, lookup.session_id),
            ItemKey::user(lookup.tenant_id, lookup.user_id),
        ];
        let mut found = self.batch_get(&keys).await?;
        Ok(SessionContext {
            tenant: take(&mut found, &keys[0], "tenant")?,
            session: take(&mut found, &keys[1], "session")?,
            user: take(&mut found, &keys[2], "user")?,
        })
    }
}

impl ApiKeyContextSource for DynamoStore {
    async fn api_key_context(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<ApiKeyContext, StoreError> {
        let keys = [
            ItemKey::tenant(tenant_id),
            ItemKey::api_key(tenant_id, key_id),
        ];
        let mut found = self.batch_get(&keys).await?;
        Ok(ApiKeyContext {
            tenant: take(&mut found, &keys[0], "tenant")?,
            api_key: take(&mut found, &keys[1], "api_key")?,
        })
    }
}

impl UserSource for DynamoStore {
    async fn user(&self, tenant_id: TenantId, user_id: UserId) -> Result<Option<User>, StoreError> {
        let key = ItemKey::user(tenant_id, user_id);
        self.get(&key)
            .await?
            .map(|item| decode(&key, "user", item))
            .transpose()
    }
}
