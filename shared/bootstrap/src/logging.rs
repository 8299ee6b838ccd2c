//! JSON log lines for CloudWatch.
//!
//! One JSON object per line, fields flattened to the top level, no ANSI colours. `RUST_LOG`
//! filters (default `info`). Nothing logged by this project carries a token, cookie or secret:
//! handlers log reasons and ids, never header values.
//!
//! Whatever `RUST_LOG` says, the crates in [`CAPPED_TARGETS`] log at `info` at most: below
//! it, `lambda_runtime` logs the raw invocation event (cookies, bearer tokens, `X-API-SECRET`)
//! and the AWS SDK logs DynamoDB response bodies (secret digests, MFA secrets). The cap is a
//! second filter that must also let a line through, so no `RUST_LOG` directive can lift it.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The dependency crates whose lines are capped at `info`.
pub const CAPPED_TARGETS: [&str; 17] = [
    "lambda_runtime",
    "lambda_runtime_api_client",
    "lambda_http",
    "aws_config",
    "aws_credential_types",
    "aws_runtime",
    "aws_sdk_dynamodb",
    "aws_sigv4",
    "aws_smithy_http_client",
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_types",
    "h2",
    "hyper",
    "hyper_util",
    "rustls",
    "tower",
];

/// Every target at any level, but [`CAPPED_TARGETS`] at `info` at most.
fn dependency_caps() -> Targets {
    CAPPED_TARGETS.iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |targets, crate_name| targets.with_target(*crate_name, LevelFilter::INFO),
    )
}

/// The production subscriber, writing to `writer` (tests capture with their own writer).
pub fn subscriber<W>(
    writer: W,
    filter: EnvFilter,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let lines = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(filter)
        .with_filter(dependency_caps());
    tracing_subscriber::registry().with(lines)
}

/// Installs the production subscriber on stdout. Call once, first thing in `main`; a second
/// call is ignored.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = subscriber(std::io::stdout, filter).try_init();
}
