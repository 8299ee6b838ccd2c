//! The admin CLI's writes (feature `admin`): puts, revocations, deletions and the table itself.
//! The functions never enable this feature, so their binaries carry no write.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use model::{
    ApiKey, ApiKeyId, Session, SessionId, Tenant, TenantId, Timestamp, User, UserId, UserSecrets,
};
use serde::Serialize;

use crate::dynamo::{Item, decode_keyed};
use crate::error::classify;
use crate::keys::{ItemKey, KIND, PK, TTL};
use crate::{DynamoStore, StoreError};

impl DynamoStore {
    async fn put<T: Serialize>(
        &self,
        key: &ItemKey,
        kind: &str,
        record: &T,
        expires: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut item: Item = serde_dynamo::to_item(record).map_err(|e| StoreError::Failed {
            operation: "PutItem",
            detail: format!("{key} does not serialise: {e}"),
        })?;
        item.extend(key.to_attributes());
        item.insert(KIND.to_owned(), AttributeValue::S(kind.to_owned()));
        if let Some(expires) = expires {
            item.insert(
                TTL.to_owned(),
                AttributeValue::N(expires.unix_seconds().to_string()),
            );
        }
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
        self.put(&ItemKey::tenant(tenant.id), "tenant", tenant, None)
            .await
    }

    /// Writes a user (overwriting).
    pub async fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.put(&ItemKey::user(user.tenant_id, user.id), "user", user, None)
            .await
    }

    /// Writes a user's sign-in secrets (overwriting), as their own item beside the user's.
    pub async fn put_user_secrets(
        &self,
        tenant_id: TenantId,
        secrets: &UserSecrets,
    ) -> Result<(), StoreError> {
        let key = ItemKey::user_secrets(tenant_id, secrets.user_id);
        self.put(&key, "user_secrets", secrets, None).await
    }

    /// Writes a session of `tenant_id` (overwriting), with its expiry as the item's [`TTL`], so
    /// DynamoDB removes it after it has expired.
    pub async fn put_session(
        &self,
        tenant_id: TenantId,
        session: &Session,
    ) -> Result<(), StoreError> {
        let key = ItemKey::session(tenant_id, session.id);
        self.put(&key, "session", session, Some(session.expires_at))
            .await
    }

    /// Writes an API key of `tenant_id` (overwriting), with its expiry, if it has one, as the
    /// item's [`TTL`].
    pub async fn put_api_key(
        &self,
        tenant_id: TenantId,
        api_key: &ApiKey,
    ) -> Result<(), StoreError> {
        let key = ItemKey::api_key(tenant_id, &api_key.key);
        self.put(&key, "api_key", api_key, api_key.expires_at).await
    }

    /// The tenant, if it exists.
    pub async fn tenant(&self, tenant_id: TenantId) -> Result<Option<Tenant>, StoreError> {
        let key = ItemKey::tenant(tenant_id);
        self.get(&key)
            .await?
            .map(|item| decode_keyed(&key, tenant_id, item))
            .transpose()
    }

    /// Marks a session revoked. [`StoreError::NotFound`] when it does not exist.
    pub async fn revoke_session(
        &self,
        tenant_id: TenantId,
        session_id: SessionId,
    ) -> Result<(), StoreError> {
        self.mark_revoked(&ItemKey::session(tenant_id, session_id), true)
            .await
    }

    /// Enables or disables a tenant: a disabled tenant's credentials are refused (after at most
    /// the tenant-cache period of a warm container). [`StoreError::NotFound`] when it does not
    /// exist.
    pub async fn set_tenant_active(
        &self,
        tenant_id: TenantId,
        active: bool,
    ) -> Result<(), StoreError> {
        let key = ItemKey::tenant(tenant_id);
        let result = self
            .client
            .update_item()
            .set_key(Some(key.to_attributes()))
            .table_name(&self.table)
            .update_expression("SET active = :active, updated_at = :now")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":active", AttributeValue::Bool(active))
            .expression_attribute_values(":now", AttributeValue::S(Timestamp::now().to_rfc3339()))
            .send()
            .await;
        if_it_existed("UpdateItem", &key, result)
    }

    /// Marks an API key revoked. [`StoreError::NotFound`] when it does not exist.
    pub async fn revoke_api_key(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<(), StoreError> {
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
            .set_key(Some(key.to_attributes()))
            .table_name(&self.table)
            .update_expression(expression)
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", now)
            .send()
            .await;
        if_it_existed("UpdateItem", key, result)
    }

    /// Deletes a user and the user's sign-in secrets. [`StoreError::NotFound`] when the user
    /// does not exist (secrets left without their user are deleted all the same). Its sessions
    /// and keys stay (they answer 404 "user gone" until they expire or are revoked).
    pub async fn delete_user(
        &self,
        tenant_id: TenantId,
        user_id: UserId,
    ) -> Result<(), StoreError> {
        let key = ItemKey::user(tenant_id, user_id);
        let result = self
            .client
            .delete_item()
            .set_key(Some(key.to_attributes()))
            .table_name(&self.table)
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        let deleted = if_it_existed("DeleteItem", &key, result);
        if matches!(deleted, Ok(()) | Err(StoreError::NotFound { .. })) {
            // Only once the user is gone: a failed delete leaves the user with its secrets.
            self.client
                .delete_item()
                .set_key(Some(
                    ItemKey::user_secrets(tenant_id, user_id).to_attributes(),
                ))
                .table_name(&self.table)
                .send()
                .await
                .map_err(|e| classify("DeleteItem", e))?;
        }
        deleted
    }
}

/// `Ok` when a conditional write (`attribute_exists(pk)`) succeeded; [`StoreError::NotFound`]
/// for `key` when its condition failed, as the item did not exist.
fn if_it_existed<O, E>(
    operation: &'static str,
    key: &ItemKey,
    result: Result<O, SdkError<E, HttpResponse>>,
) -> Result<(), StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(err)
            if err.as_service_error().and_then(ProvideErrorMetadata::code)
                == Some("ConditionalCheckFailedException") =>
        {
            Err(StoreError::NotFound {
                key: key.to_string(),
            })
        }
        Err(err) => Err(classify(operation, err)),
    }
}
