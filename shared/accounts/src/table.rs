//! The table's definition: the one place the key schema is written down in Rust. The admin CLI
//! creates it with this; `template.yaml` declares the same schema for AWS.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

use store::StoreError;
use store::keys::{PK, SK};
use store::sdk_error;

/// Item kind attribute name: every item has one (`tenant`, `user`, …) for people browsing the
/// table; no route reads it.
pub const KIND: &str = "kind";
/// The table's time-to-live attribute: epoch seconds after which DynamoDB deletes the item
/// (sessions and expiring API keys carry their expiry there). An expired item that DynamoDB
/// has not deleted yet is still refused: the routes check the expiry themselves.
pub const TTL: &str = "ttl";

/// How long [`TableDefinition::create_if_missing`] waits for the table to become ACTIVE.
pub const TABLE_ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

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

    /// Creates the table if it does not exist, and waits until it is ACTIVE (at most
    /// [`TABLE_ACTIVE_TIMEOUT`]).
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
            Err(err) => return Err(sdk_error("CreateTable", err)),
        }
        // The SDK's waiter: DescribeTable until the table is ACTIVE. Its first poll is at once
        // (a local server's tables are ACTIVE at once), then every 20 s or more, as on AWS.
        client
            .wait_until_table_exists()
            .table_name(&self.name)
            .wait(TABLE_ACTIVE_TIMEOUT)
            .await
            .map_err(|err| StoreError::Failed {
                operation: "DescribeTable",
                detail: format!(
                    "table {} did not become ACTIVE: {}",
                    self.name,
                    aws_sdk_dynamodb::error::DisplayErrorContext(err)
                ),
            })?;
        self.enable_time_to_live(client).await
    }

    /// Turns on DynamoDB's time to live on [`TTL`] (idempotent). A local server without the
    /// operation (dynalite has none) keeps expired items, which the routes refuse anyway.
    async fn enable_time_to_live(&self, client: &Client) -> Result<(), StoreError> {
        let specification = TimeToLiveSpecification::builder()
            .attribute_name(TTL)
            .enabled(true)
            .build()
            .map_err(builder_error)?;
        let result = client
            .update_time_to_live()
            .table_name(&self.name)
            .time_to_live_specification(specification)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error().and_then(ProvideErrorMetadata::code) {
                // Already enabled (AWS answers a repeat with a ValidationException).
                Some("ValidationException") => Ok(()),
                Some("UnknownOperationException") => Ok(()),
                _ => Err(sdk_error("UpdateTimeToLive", err)),
            },
        }
    }
}

fn builder_error(err: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Failed {
        operation: "CreateTable",
        detail: err.to_string(),
    }
}
