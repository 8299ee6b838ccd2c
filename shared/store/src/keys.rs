//! Item keys (see the crate documentation for the design).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// Partition key attribute name.
pub const PK: &str = "pk";
/// Sort key attribute name.
pub const SK: &str = "sk";
/// Item kind attribute name.
pub const KIND: &str = "kind";

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
    pub fn tenant(tenant_id: &str) -> Self {
        Self {
            pk: partition(tenant_id),
            sk: "TENANT".to_owned(),
        }
    }

    /// A user item.
    pub fn user(tenant_id: &str, user_id: &str) -> Self {
        Self {
            pk: partition(tenant_id),
            sk: format!("USER#{user_id}"),
        }
    }

    /// A session item.
    pub fn session(tenant_id: &str, session_id: &str) -> Self {
        Self {
            pk: partition(tenant_id),
            sk: format!("SESSION#{session_id}"),
        }
    }

    /// An API-key item.
    pub fn api_key(tenant_id: &str, key_id: &str) -> Self {
        Self {
            pk: partition(tenant_id),
            sk: format!("APIKEY#{key_id}"),
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

fn partition(tenant_id: &str) -> String {
    format!("TENANT#{tenant_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_under_its_tenant() {
        let t = "0f8fad5b-d9cb-469f-a165-70867728950e";
        for key in [
            ItemKey::tenant(t),
            ItemKey::user(t, "u"),
            ItemKey::session(t, "s"),
            ItemKey::api_key(t, "k"),
        ] {
            assert_eq!(key.pk, format!("TENANT#{t}"));
        }
        assert_eq!(ItemKey::user(t, "u").sk, "USER#u");
        assert_eq!(
            ItemKey::session(t, "s").to_string(),
            format!("TENANT#{t}/SESSION#s")
        );
    }
}
