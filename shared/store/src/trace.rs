//! The invocation's X-Ray trace id on every DynamoDB request, without the process environment.
//!
//! Lambda hands each invocation a trace id (`Lambda-Runtime-Trace-Id`). The SDK's own
//! recursion-detection interceptor copies it into the `X-Amzn-Trace-Id` header of its requests,
//! but only from the `_X_AMZN_TRACE_ID` environment variable, which `lambda_runtime` sets with
//! `setenv` before every invocation: under glibc that keeps every value for the life of the
//! process (see `bootstrap::poll_loop`). The poll loop that replaces it runs each invocation
//! [`within_invocation`] instead, and [`TraceHeader`], registered on the client by
//! [`crate::client::ClientSettings::config`], writes the header from there. A team that turns on X-Ray
//! active tracing gets its DynamoDB calls in the trace, and DynamoDB's recursion detection sees
//! the same header as with the SDK's default.

use std::future::Future;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;

/// The header the SDK's recursion detection writes, and X-Ray reads.
pub const TRACE_HEADER: &str = "x-amzn-trace-id";

tokio::task_local! {
    /// The trace id of the invocation the current task serves.
    static INVOCATION_TRACE_ID: Option<String>;
}

/// Runs `work` (one invocation) with `trace_id` as the trace id of the DynamoDB requests it
/// makes. Requests made outside such a scope (the admin CLI, tests) carry no trace header.
pub async fn within_invocation<F: Future>(trace_id: Option<String>, work: F) -> F::Output {
    INVOCATION_TRACE_ID.scope(trace_id, work).await
}

/// The current invocation's trace id, if the task runs one that has a trace id.
fn current_trace_id() -> Option<String> {
    INVOCATION_TRACE_ID
        .try_with(|trace_id| trace_id.clone())
        .ok()
        .flatten()
}

/// Sets `X-Amzn-Trace-Id` on each DynamoDB request to the invocation's trace id, unless the
/// request has one (the SDK's recursion detection, when `_X_AMZN_TRACE_ID` is set after all).
/// A trace id that is not a valid header value is left out, as it could not have come from
/// Lambda.
#[derive(Debug, Default, Clone, Copy)]
pub struct TraceHeader;

impl Intercept for TraceHeader {
    fn name(&self) -> &'static str {
        "TraceHeader"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if request.headers().contains_key(TRACE_HEADER) {
            return Ok(());
        }
        if let Some(trace_id) = current_trace_id() {
            // An invalid value is dropped, never sent or logged.
            let _ = request.headers_mut().try_insert(TRACE_HEADER, trace_id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_trace_id_is_seen_inside_the_invocation_only() {
        assert_eq!(current_trace_id(), None);
        let inside = within_invocation(
            Some("Root=1-5759e988-bd862e3fe1be46a994272793".into()),
            async { current_trace_id() },
        )
        .await;
        assert_eq!(
            inside.as_deref(),
            Some("Root=1-5759e988-bd862e3fe1be46a994272793")
        );
        assert_eq!(
            within_invocation(None, async { current_trace_id() }).await,
            None
        );
        assert_eq!(current_trace_id(), None);
    }
}
