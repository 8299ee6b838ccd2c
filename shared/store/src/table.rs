//! The table's definition: the one place the key schema is written down in Rust. The admin
//! CLI creates it with this; `template.yaml` declares the same schema for AWS.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
};

use crate::StoreError;
use crate::error::classify;
use crate::keys::{PK, SK};

/// The table: `pk` (string, HASH) and `sk` (string, RANGE), on-demand billing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDefinition {
    /// The table name.
    pub name: String,
}

impl TableDefinition {
    /// The definition of table `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }

    /// The key schema as `(attribute, key type)` pairs, HASH first.
    pub fn key_schema() -> [(&'static str, &'static str); 2] {
        [(PK, "HASH"), (SK, "RANGE")]
    }

    /// Creates the table if it does not exist, and waits until it is ACTIVE (at most 60 s).
    pub async fn create_if_missing(&self, client: &Client) -> Result<(), StoreError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
        };
        let request = client
            .create_table()
            .table_name(&self.name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(PK).map_err(builder_error)?)
            .attribute_definitions(attribute(SK).map_err(builder_error)?)
            .key_schema(key(PK, KeyType::Hash).map_err(builder_error)?)
            .key_schema(key(SK, KeyType::Range).map_err(builder_error)?);
        match request.send().await {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) => {}
            Err(err) => return Err(classify("CreateTable", err)),
        }
        for _ in 0..600 {
            let described = client.describe_table().table_name(&self.name).send().await;
            let status = described
                .map_err(|e| classify("DescribeTable", e))?
                .table
                .and_then(|t| t.table_status);
            if status == Some(TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(StoreError::Failed {
            operation: "DescribeTable",
            detail: format!("table {} did not become ACTIVE", self.name),
        })
    }
}

fn builder_error(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Failed {
        operation: "CreateTable",
        detail: err.to_string(),
    }
}
