use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A store operation that failed. The texts are for logs; no response carries them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store did not answer in time, refused the connection, throttled, or failed on its
    /// side: worth retrying later (503).
    #[error("the store is unavailable ({operation}): {detail}")]
    Unavailable {
        /// The DynamoDB operation.
        operation: &'static str,
        /// What the SDK reported.
        detail: String,
    },
    /// An item exists but does not map to its record (500, logged with the key).
    #[error("item {key} does not map to a {record}: {detail}")]
    CorruptItem {
        /// The item's key.
        key: String,
        /// The record it should map to.
        record: &'static str,
        /// What serde_dynamo reported.
        detail: String,
    },
    /// Any other failure, such as a missing table or bad credentials (500).
    #[error("the store request failed ({operation}): {detail}")]
    Failed {
        /// The DynamoDB operation.
        operation: &'static str,
        /// What the SDK reported.
        detail: String,
    },
}

impl StoreError {
    /// Whether a later retry may succeed (answered with 503 and `Retry-After`).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

const RETRYABLE_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
    "Throttling",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
];

/// Sorts an SDK error into [`StoreError::Unavailable`] (transport trouble, timeouts,
/// throttling, 5xx) or [`StoreError::Failed`].
pub fn sdk_error<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let unavailable = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error()
                || service
                    .err()
                    .code()
                    .is_some_and(|code| RETRYABLE_CODES.contains(&code))
        }
        _ => false,
    };
    let detail = match &err {
        SdkError::ServiceError(service) => format!(
            "{} (HTTP {}): {}",
            service.err().code().unwrap_or("unknown error"),
            service.raw().status().as_u16(),
            service.err().message().unwrap_or("")
        ),
        other => DisplayErrorContext(other).to_string(),
    };
    if unavailable {
        StoreError::Unavailable { operation, detail }
    } else {
        StoreError::Failed { operation, detail }
    }
}
