//! JSON log lines for CloudWatch.
//!
//! One JSON object per line, fields flattened to the top level, no ANSI colours. `RUST_LOG`
//! filters (default `info`). Nothing logged by this project carries a token, cookie or secret:
//! handlers log reasons and ids, never header values.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

/// The production subscriber, writing to `writer` (tests capture with their own writer).
pub fn subscriber<W>(
    writer: W,
    filter: EnvFilter,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

/// Installs the production subscriber on stdout. Call once, first thing in `main`; a second
/// call is ignored.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = subscriber(std::io::stdout, filter).try_init();
}
