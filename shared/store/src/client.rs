//! The DynamoDB client: built once per container, with timeouts and retries chosen so that a
//! dead store costs a request at most about [`OPERATION_TIMEOUT`].
//!
//! | setting | value | why |
//! |---|---|---|
//! | connect timeout | 500 ms | a refused or black-holed connection fails fast |
//! | attempt timeout | 700 ms | a single GetItem/BatchGetItem answers in single-digit ms |
//! | operation timeout | 2 s | all attempts together; well under the function timeout |
//! | retries | standard mode, 3 attempts, 25 ms initial backoff | rides out a blip, not an outage |
//!
//! The endpoint comes from the SDK's own configuration, so `AWS_ENDPOINT_URL_DYNAMODB`
//! points it at a local server.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// Timeout of one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(700);
/// Timeout of a whole operation, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts per operation, the first included.
pub const MAX_ATTEMPTS: u32 = 3;

/// The SDK configuration from the environment, with this crate's timeouts and retries.
pub async fn sdk_config() -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(25));
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(retries)
        .load()
        .await
}

/// A DynamoDB client from the environment (see [`sdk_config`]).
pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config().await)
}
