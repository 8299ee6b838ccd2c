//! An in-memory store behind the same read traits as [`store::DynamoStore`], for handler unit
//! tests that run without any server. It keeps records by the same
//! [`ItemKey`]s, so a lookup under another tenant misses here as it does in DynamoDB.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use model::{ApiKey, ApiKeyId, Session, Tenant, TenantId, User, UserId};

use store::keys::ItemKey;
use store::{
    ApiKeyContext, ApiKeyContextSource, SessionContext, SessionContextSource, SessionLookup,
    StoreError, UserSource,
};

/// One stored record.
#[derive(Debug, Clone)]
enum Record {
    Tenant(Tenant),
    User(Box<User>),
    Session(Session),
    ApiKey(ApiKey),
}

/// Records in a map, by item key; every read counts as one round trip.
#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<HashMap<ItemKey, Record>>,
    reads: Mutex<usize>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<ItemKey, Record>> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count_read(&self) {
        *self.reads.lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }

    /// Round trips made so far.
    pub fn reads(&self) -> usize {
        *self.reads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a tenant (overwriting).
    pub fn put_tenant(&self, tenant: Tenant) {
        self.records()
            .insert(ItemKey::tenant(tenant.id), Record::Tenant(tenant));
    }

    /// Stores a user (overwriting).
    pub fn put_user(&self, user: User) {
        self.records().insert(
            ItemKey::user(user.tenant_id, user.id),
            Record::User(Box::new(user)),
        );
    }

    /// Stores a session of `tenant_id` (overwriting).
    pub fn put_session(&self, tenant_id: TenantId, session: Session) {
        self.records().insert(
            ItemKey::session(tenant_id, session.id),
            Record::Session(session),
        );
    }

    /// Stores an API key of `tenant_id` (overwriting).
    pub fn put_api_key(&self, tenant_id: TenantId, api_key: ApiKey) {
        self.records().insert(
            ItemKey::api_key(tenant_id, &api_key.key),
            Record::ApiKey(api_key),
        );
    }

    /// Removes the item at `key`, if any.
    pub fn remove(&self, key: &ItemKey) {
        self.records().remove(key);
    }

    fn tenant(&self, id: TenantId) -> Option<Tenant> {
        match self.records().get(&ItemKey::tenant(id)) {
            Some(Record::Tenant(tenant)) => Some(tenant.clone()),
            _ => None,
        }
    }

    fn find_user(&self, tenant_id: TenantId, id: UserId) -> Option<User> {
        match self.records().get(&ItemKey::user(tenant_id, id)) {
            Some(Record::User(user)) => Some(User::clone(user)),
            _ => None,
        }
    }
}

impl SessionContextSource for MemoryStore {
    async fn session_context(&self, lookup: SessionLookup) -> Result<SessionContext, StoreError> {
        self.count_read();
        let tenant_id = lookup.tenant_id;
        let session = match self
            .records()
            .get(&ItemKey::session(tenant_id, lookup.session_id))
        {
            Some(Record::Session(session)) => Some(session.clone()),
            _ => None,
        };
        Ok(SessionContext {
            tenant: self.tenant(tenant_id),
            session,
            user: self.find_user(tenant_id, lookup.user_id),
        })
    }
}

impl ApiKeyContextSource for MemoryStore {
    async fn api_key_context(
        &self,
        tenant_id: TenantId,
        key_id: &ApiKeyId,
    ) -> Result<ApiKeyContext, StoreError> {
        self.count_read();
        let api_key = match self.records().get(&ItemKey::api_key(tenant_id, key_id)) {
            Some(Record::ApiKey(key)) => Some(key.clone()),
            _ => None,
        };
        Ok(ApiKeyContext {
            tenant: self.tenant(tenant_id),
            api_key,
        })
    }
}

impl UserSource for MemoryStore {
    async fn user(&self, tenant_id: TenantId, user_id: UserId) -> Result<Option<User>, StoreError> {
        self.count_read();
        Ok(self.find_user(tenant_id, user_id))
    }
}
