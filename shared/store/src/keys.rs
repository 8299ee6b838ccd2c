//! Item keys (see the crate documentation for the design).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use model::{ApiKeyId, SessionId, TenantId, UserId};

/// Partition key attribute name.
pub const PK: &str = "pk";
/// Sort key attribute name.
pub const SK: &str = "sk";

/// The primary key of one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
}

impl ItemKey {
    /// The tenant item.
    pub fn tenant(tenant_id: TenantId) -> Self {
        Self {
            pk: partition(tenant_id),
            sk: "TENANT".to_owned(),
        }
    }

    /// A user item: a partition of its own under the tenant.
    pub fn user(tenant_id: TenantId, user_id: UserId) -> Self {
        Self {
            pk: format!("{}#USER#{user_id}", partition(tenant_id)),
            sk: "USER".to_owned(),
        }
    }

    /// A session item: a partition of its own under the tenant.
    pub fn session(tenant_id: TenantId, session_id: SessionId) -> Self {
        Self {
            pk: format!("{}#SESSION#{session_id}", partition(tenant_id)),
            sk: "SESSION".to_owned(),
        }
    }

    /// An API-key item: a partition of its own under the tenant.
    pub fn api_key(tenant_id: TenantId, key_id: &ApiKeyId) -> Self {
        Self {
            pk: format!("{}#APIKEY#{key_id}", partition(tenant_id)),
            sk: "APIKEY".to_owned(),
        }
    }

    /// The key as DynamoDB attributes.
    pub fn to_attributes(&self) -> HashMap<String, AttributeValue> {
        HashMap::from([
            (PK.to_owned(), AttributeValue::S(self.pk.clone())),
            (SK.to_owned(), AttributeValue::S(self.sk.clone())),
        ])
    }
}

impl std::fmt::Display for ItemKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.pk, self.sk)
    }
}

fn partition(tenant_id: TenantId) -> String {
    format!("TENANT#{tenant_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_under_its_tenant_and_each_user_session_and_key_is_a_partition() {
        let t: TenantId = "0f8fad5b-d9cb-469f-a165-70867728950e".parse().unwrap();
        let u: UserId = "7c9e6679-7425-40de-944b-e07fc1f90ae7".parse().unwrap();
        let s: SessionId = "9b2f7c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b".parse().unwrap();
        let k = ApiKeyId::parse("cuk_5f1d0c2a9e8b4c7d8a6f3e2d1c0b9a87").unwrap();
        for key in [
            ItemKey::tenant(t),
            ItemKey::user(t, u),
            ItemKey::session(t, s),
            ItemKey::api_key(t, &k),
        ] {
            assert!(key.pk.starts_with(&format!("TENANT#{t}")), "{key}");
        }
        assert_eq!(
            ItemKey::user(t, u).to_string(),
            format!("TENANT#{t}#USER#{u}/USER")
        );
        assert_eq!(
            ItemKey::session(t, s).to_string(),
            format!("TENANT#{t}#SESSION#{s}/SESSION")
        );
        assert_eq!(
            ItemKey::api_key(t, &k).to_string(),
            format!("TENANT#{t}#APIKEY#{k}/APIKEY")
        );
        // Ids never hold `#`, so no two kinds of item, and no two tenants, share a key.
        let other: TenantId = "0f8fad5b".parse().unwrap();
        assert_ne!(ItemKey::tenant(other).pk, ItemKey::user(t, u).pk);
    }
}
