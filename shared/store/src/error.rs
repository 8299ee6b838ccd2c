use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
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

/// Sorts an SDK error into [`StoreError::Unavailable`] (transport trouble, timeouts, a 5xx, or
/// an error code the SDK itself retries as throttling or transient) or [`StoreError::Failed`].
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
                || service.err().code().is_some_and(|code| {
                    THROTTLING_ERRORS.contains(&code) || TRANSIENT_ERRORS.contains(&code)
                })
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

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::error::ErrorMetadata;
    use aws_sdk_dynamodb::operation::get_item::GetItemError;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    fn service_error(status: u16, code: &str) -> StoreError {
        let err = GetItemError::generic(ErrorMetadata::builder().code(code).build());
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        sdk_error("GetItem", SdkError::service_error(err, raw))
    }

    #[test]
    fn what_the_sdk_retries_is_unavailable_and_the_rest_failed() {
        for (status, code) in [
            (400, "ProvisionedThroughputExceededException"),
            (400, "RequestLimitExceeded"),
            (400, "LimitExceededException"),
            (400, "ThrottlingException"),
            (400, "Throttling"),
            (400, "RequestTimeout"),
            (500, "InternalServerError"),
            (503, "ServiceUnavailable"),
        ] {
            assert!(service_error(status, code).is_unavailable(), "{code}");
        }
        for code in [
            "ResourceNotFoundException",
            "ValidationException",
            "AccessDeniedException",
        ] {
            let err = service_error(400, code);
            assert!(!err.is_unavailable(), "{code}");
            assert!(err.to_string().contains(code), "{err}");
        }
    }
}
