use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use model::{ApiKey, Session, Tenant, Timestamp, User};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::classify;
use crate::keys::{ItemKey, KIND, PK, SK};
use crate::{ApiKeyContext, ApiKeyContextSource, SessionContext, SessionContextSource, StoreError};

type Item = HashMap<String, AttributeValue>;

/// How often `BatchGetItem` is repeated for keys DynamoDB left unprocessed before the store
/// counts as unavailable.
const UNPROCESSED_RETRIES: u32 = 3;

/// The store on a DynamoDB table (or a DynamoDB-compatible server).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
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

    async fn get(&self, key: &ItemKey) -> Result<Option<Item>, StoreError> {
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

    async fn put<T: Serialize>(
        &self,
        key: &ItemKey,
        kind: &str,
        record: &T,
    ) -> Result<(), StoreError> {
        let mut item: Item = serde_dynamo::to_item(record).map_err(|e| StoreError::Failed {
            operation: "PutItem",
            detail: format!("{key} does not serialise: {e}"),
        })?;
        item.extend(key.to_attributes());
        item.insert(KIND.to_owned(), AttributeValue::S(kind.to_owned()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| classify("PutItem", e))?;
        Ok(())
    }

    /// Writes a tenant (overwriting).
    pub async fn put_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        self.put(&ItemKey::tenant(&tenant.id), "tenant", tenant)
            .await
    }

    /// Writes a user (overwriting).
    pub async fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.put(&ItemKey::user(&user.tenant_id, &user.id), "user", user)
            .await
    }

    /// Writes a session of `tenant_id` (overwriting).
    pub async fn put_session(&self, tenant_id: &str, session: &Session) -> Result<(), StoreError> {
        self.put(
            &ItemKey::session(tenant_id, &session.id),
            "session",
            session,
        )
        .await
    }

    /// Writes an API key of `tenant_id` (overwriting).
    pub async fn put_api_key(&self, tenant_id: &str, api_key: &ApiKey) -> Result<(), StoreError> {
        self.put(
            &ItemKey::api_key(tenant_id, &api_key.key),
            "api_key",
            api_key,
        )
        .await
    }

    /// The tenant, if it exists.
    pub async fn tenant(&self, tenant_id: &str) -> Result<Option<Tenant>, StoreError> {
        let key = ItemKey::tenant(tenant_id);
        self.get(&key)
            .await?
            .map(|item| decode(&key, "tenant", item))
            .transpose()
    }

    /// Marks a session revoked. [`StoreError::NotFound`] when it does not exist.
    pub async fn revoke_session(
        &self,
        tenant_id: &str,
        session_id: &str,
    ) -> Result<(), StoreError> {
        self.mark_revoked(&ItemKey::session(tenant_id, session_id), true)
            .await
    }

    /// Marks an API key revoked. [`StoreError::NotFound`] when it does not exist.
    pub async fn revoke_api_key(&self, tenant_id: &str, key_id: &str) -> Result<(), StoreError> {
        self.mark_revoked(&ItemKey::api_key(tenant_id, key_id), false)
            .await
    }

    async fn mark_revoked(&self, key: &ItemKey, touch_updated_at: bool) -> Result<(), StoreError> {
        let now = AttributeValue::S(Timestamp::now().to_rfc3339());
        let expression = if touch_updated_at {
            "SET revoked_at = :now, updated_at = :now"
        } else {
            "SET revoked_at = :now"
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.to_attributes()))
            .update_expression(expression)
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", now)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::NotFound {
                    key: key.to_string(),
                })
            }
            Err(err) => Err(classify("UpdateItem", err)),
        }
    }

    /// Deletes a user. [`StoreError::NotFound`] when it does not exist. Its sessions and keys
    /// stay (they answer 404 "user gone" until they expire or are revoked).
    pub async fn delete_user(&self, tenant_id: &str, user_id: &str) -> Result<(), StoreError> {
        let key = ItemKey::user(tenant_id, user_id);
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.to_attributes()))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::NotFound {
                    key: key.to_string(),
                })
            }
            Err(err) => Err(classify("DeleteItem", err)),
        }
    }
}

/// Maps an item to its record; a mismatch names the key.
fn decode<T: DeserializeOwned>(
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
    async fn session_context(
        &self,
        tenant_id: &str,
        session_id: &str,
        user_id: &str,
    ) -> Result<SessionContext, StoreError> {
        let keys = [
            ItemKey::tenant(tenant_id),
            ItemKey::session(tenant_id, session_id),
            ItemKey::user(tenant_id, user_id),
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
        tenant_id: &str,
        key_id: &str,
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

    async fn user(&self, tenant_id: &str, user_id: &str) -> Result<Option<User>, StoreError> {
        let key = ItemKey::user(tenant_id, user_id);
        self.get(&key)
            .await?
            .map(|item| decode(&key, "user", item))
            .transpose()
    }
}
