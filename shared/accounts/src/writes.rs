//! The admin CLI's writes: puts, revocations and deletions, as [`TableWrites`] on the store.
//! They live here, not in `store`, so the functions' binaries carry no write.

use std::collections::HashMap;

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use model::{ApiKey, ApiKeyId, Session, SessionId, Tenant, TenantId, Timestamp, User, UserId};
use serde::Serialize;
use store::keys::{ItemKey, PK};
use store::{DynamoStore, StoreError, sdk_error};

use crate::UserSecrets;
use crate::table::{KIND, TTL};

/// A conditional write that did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The item does not exist.
    #[error("no such item: {key}")]
    NotFound {
        /// The item's key.
        key: String,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The writes of the admin CLI (and of the tests and `make dev`'s seed) on the functions'
/// table. Every put overwrites; a conditional write answers [`WriteError::NotFound`] when its
/// item does not exist.
#[allow(async_fn_in_trait)] // called on a concrete store, never through `dyn` or across threads
pub trait TableWrites {
    /// Writes a tenant.
    async fn put_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// Writes a user.
    async fn put_user(&self, user: &User) -> Result<(), StoreError>;
    /// Writes a user's sign-in secrets, as their own item beside the user's.
    async fn put_user_secrets(
        &self,
        tenant_id: TenantId,
        secrets: &UserSecrets,
    ) -> Result<(), StoreError>;
    /// Writes a session of `tenant_id`, with its expiry as the item's [`TTL`], so DynamoDB
    /// removes it after it has expired.
    async fn put_session(&self, tenant_id: TenantId, session: &Session) -> Result<(), StoreError>;
    /// Writes an API key of `tenant_id`, with its expiry, if it has one, as the item's [`TTL`].
    async fn put_api_key(&self, tenant_id: TenantId, api_key: &ApiKey) -> Result<(), StoreError>;
    /// The tenant, if it exists.
    async fn tenant(&self, tenant_id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// Marks a session revoked.
    async fn revoke_session(
        &self,
        tenant_id: TenantId,
        session_id: SessionId,
    ) -> Result<(), WriteError>;
    /// Enables or disables a tenant: a disabled tenant's credentials are refused (after at
    /// most the tenant-cache period of a warm container).
    async fn set_tenant_active(&self, tenant_id: TenantId, active: bool) -> Result<(), WriteError>;
    /// Marks an API key revoked.
    async fn revoke_api_key(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<(), WriteError>;
    /// Deletes a user and then the user's sign-in secrets ([`WriteError::NotFound`] when the
    /// user does not exist; secrets left without their user are deleted all the same; a failed
    /// delete leaves both). Its sessions and keys stay: they answer 404 "user gone" until
    /// they expire or are revoked.
    async fn delete_user(&self, tenant_id: TenantId, user_id: UserId) -> Result<(), WriteError>;
}

impl TableWrites for DynamoStore {
    async fn put_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        put(self, &ItemKey::tenant(tenant.id), "tenant", tenant, None).await
    }

    async fn put_user(&self, user: &User) -> Result<(), StoreError> {
        let key = ItemKey::user(user.tenant_id, user.id);
        put(self, &key, "user", user, None).await
    }

    async fn put_user_secrets(
        &self,
        tenant_id: TenantId,
        secrets: &UserSecrets,
    ) -> Result<(), StoreError> {
        let key = crate::records::user_secrets_key(tenant_id, secrets.user_id);
        put(self, &key, "user_secrets", secrets, None).await
    }

    async fn put_session(&self, tenant_id: TenantId, session: &Session) -> Result<(), StoreError> {
        let key = ItemKey::session(tenant_id, session.id);
        put(self, &key, "session", session, Some(session.expires_at)).await
    }

    async fn put_api_key(&self, tenant_id: TenantId, api_key: &ApiKey) -> Result<(), StoreError> {
        let key = ItemKey::api_key(tenant_id, &api_key.key);
        put(self, &key, "api_key", api_key, api_key.expires_at).await
    }

    async fn tenant(&self, tenant_id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let key = ItemKey::tenant(tenant_id);
        let output = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key.to_attributes()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        output
            .item
            .map(|item| {
                serde_dynamo::from_item(item).map_err(|e| StoreError::CorruptItem {
                    key: key.to_string(),
                    record: "tenant",
                    detail: e.to_string(),
                })
            })
            .transpose()
    }

    async fn revoke_session(
        &self,
        tenant_id: TenantId,
        session_id: SessionId,
    ) -> Result<(), WriteError> {
        let key = ItemKey::session(tenant_id, session_id);
        let now = AttributeValue::S(Timestamp::now().to_string());
        update_existing(
            self,
            &key,
            "SET revoked_at = :now, updated_at = :now",
            [(":now", now)],
        )
        .await
    }

    async fn set_tenant_active(&self, tenant_id: TenantId, active: bool) -> Result<(), WriteError> {
        let values = [
            (":active", AttributeValue::Bool(active)),
            (":now", AttributeValue::S(Timestamp::now().to_string())),
        ];
        let expression = "SET active = :active, updated_at = :now";
        update_existing(self, &ItemKey::tenant(tenant_id), expression, values).await
    }

    async fn revoke_api_key(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<(), WriteError> {
        let key = ItemKey::api_key(tenant_id, key_id);
        let now = AttributeValue::S(Timestamp::now().to_string());
        update_existing(self, &key, "SET revoked_at = :now", [(":now", now)]).await
    }

    async fn delete_user(&self, tenant_id: TenantId, user_id: UserId) -> Result<(), WriteError> {
        let key = ItemKey::user(tenant_id, user_id);
        let result = self
            .client()
            .delete_item()
            .set_key(Some(key.to_attributes()))
            .table_name(self.table())
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        let deleted = if_it_existed("DeleteItem", &key, result);
        if matches!(deleted, Ok(()) | Err(WriteError::NotFound { .. })) {
            // Only once the user is gone: a failed delete leaves the user with its secrets.
            self.client()
                .delete_item()
                .set_key(Some(
                    crate::records::user_secrets_key(tenant_id, user_id).to_attributes(),
                ))
                .table_name(self.table())
                .send()
                .await
                .map_err(|e| sdk_error("DeleteItem", e))?;
        }
        deleted
    }
}

/// Puts `record` as the item `key` of `kind`, with `expires` as its [`TTL`].
async fn put<T: Serialize>(
    store: &DynamoStore,
    key: &ItemKey,
    kind: &str,
    record: &T,
    expires: Option<Timestamp>,
) -> Result<(), StoreError> {
    let mut item: HashMap<String, AttributeValue> =
        serde_dynamo::to_item(record).map_err(|e| StoreError::Failed {
            operation: "PutItem",
            detail: format!("{key} does not serialise: {e}"),
        })?;
    item.extend(key.to_attributes());
    item.insert(KIND.to_owned(), AttributeValue::S(kind.to_owned()));
    if let Some(expires) = expires {
        let seconds = AttributeValue::N(expires.unix_seconds().to_string());
        item.insert(TTL.to_owned(), seconds);
    }
    store
        .client()
        .put_item()
        .table_name(store.table())
        .set_item(Some(item))
        .send()
        .await
        .map_err(|e| sdk_error("PutItem", e))?;
    Ok(())
}

/// Applies `expression` with `values` to the item `key`, if it exists.
async fn update_existing<const N: usize>(
    store: &DynamoStore,
    key: &ItemKey,
    expression: &str,
    values: [(&str, AttributeValue); N],
) -> Result<(), WriteError> {
    let mut update = store
        .client()
        .update_item()
        .set_key(Some(key.to_attributes()))
        .table_name(store.table())
        .update_expression(expression)
        .condition_expression("attribute_exists(#pk)")
        .expression_attribute_names("#pk", PK);
    for (name, value) in values {
        update = update.expression_attribute_values(name, value);
    }
    if_it_existed("UpdateItem", key, update.send().await)
}

/// `Ok` when a conditional write (`attribute_exists(pk)`) succeeded; [`WriteError::NotFound`]
/// for `key` when its condition failed, as the item did not exist.
fn if_it_existed<O, E>(
    operation: &'static str,
    key: &ItemKey,
    result: Result<O, SdkError<E, HttpResponse>>,
) -> Result<(), WriteError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(err)
            if err.as_service_error().and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            Err(WriteError::NotFound {
                key: key.to_string(),
            })
        }
        Err(err) => Err(sdk_error(operation, err).into()),
    }
}
