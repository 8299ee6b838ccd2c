//! JSON log lines for CloudWatch.
//!
//! One JSON object per line, fields flattened to the top level, no ANSI colours. `RUST_LOG`
//! filters (default `info`): a level, or comma-separated `target=level` directives such as
//! `info,auth=debug` ([`Targets`]'s syntax; see [`filter`]). Span and field directives
//! (`crate[span]=debug`) are not supported; a `RUST_LOG` that does not parse means `info`.
//! (`Targets` instead of `EnvFilter` keeps the regex engine out of the functions' binaries, see
//! BENCHMARKS.md.) Nothing logged by this project carries a token, cookie or secret:
//! handlers log reasons and ids, never header values.
//!
//! Whatever `RUST_LOG` says, every crate but the project's own ([`OWN_TARGETS`]) logs at `info`
//! at most: below it, `lambda_runtime` logs the raw invocation event (cookies, bearer tokens,
//! `X-API-SECRET`) and the AWS SDK logs DynamoDB response bodies (secret digests, MFA secrets),
//! and a dependency added later is capped without a list to remember. The cap is a
//! second filter that must also let a line through, so no `RUST_LOG` directive can lift it.

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use crate::metrics;

/// The project's own crates, the only targets `RUST_LOG` may lift below `info`.
pub const OWN_TARGETS: [&str; 6] = [
    "auth",
    "bootstrap",
    "get_me",
    "get_users_me",
    "model",
    "store",
];

/// Every target at `info` at most, but [`OWN_TARGETS`] at any level; the metric lines are not
/// log lines.
fn dependency_caps() -> Targets {
    OWN_TARGETS
        .iter()
        .fold(
            Targets::new().with_default(LevelFilter::INFO),
            |targets, crate_name| targets.with_target(*crate_name, LevelFilter::TRACE),
        )
        .with_target(metrics::TARGET, LevelFilter::OFF)
}

/// The production subscriber, writing to `writer` (tests capture with their own writer): the
/// JSON log lines, and the metric lines ([`crate::metrics`]) as they are, whatever `filter` says.
pub fn subscriber<W>(writer: W, filter: Targets) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'a> MakeWriter<'a> + Clone + Send + Sync + 'static,
{
    let metric_lines = tracing_subscriber::fmt::layer()
        .event_format(MessageOnly)
        .with_writer(writer.clone())
        .with_filter(Targets::new().with_target(metrics::TARGET, LevelFilter::INFO));
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
    tracing_subscriber::registry()
        .with(lines)
        .with(metric_lines)
}

/// Writes an event's message alone, as it is: a metric line is its own JSON document.
struct MessageOnly;

impl<S, N> FormatEvent<S, N> for MessageOnly
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut message = Message(&mut writer, Ok(()));
        event.record(&mut message);
        message.1?;
        writeln!(writer)
    }
}

/// Writes the `message` field of an event.
struct Message<'w, 'a>(&'w mut Writer<'a>, fmt::Result);

impl Visit for Message<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            self.1 = write!(self.0, "{value:?}");
        }
    }
}

/// Installs the production subscriber on stdout with `filter` (the configuration's
/// `RUST_LOG`). Call once, at init; a second call is ignored.
pub(crate) fn init(filter: Targets) {
    let _ = subscriber(std::io::stdout, filter).try_init();
}

/// The filter `rust_log` (the value of `RUST_LOG`) describes: `info` when it is unset, blank,
/// does not parse or names spans or fields (`[`, `{`); targets it does not name log at its
/// bare level, else at `info` (so `auth=debug` keeps the access lines).
pub fn filter(rust_log: Option<&str>) -> Targets {
    let info = || Targets::new().with_default(LevelFilter::INFO);
    let Some(directives) = rust_log
        .map(str::trim)
        .filter(|d| !d.is_empty() && !d.contains(['[', '{']))
    else {
        return info();
    };
    match directives.parse::<Targets>() {
        Ok(targets) if targets.default_level().is_some() => targets,
        Ok(targets) => targets.with_default(LevelFilter::INFO),
        Err(_) => info(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_directives_set_levels_per_target() {
        let targets = filter(Some("warn,auth=debug"));
        assert!(targets.would_enable("auth::token", &Level::DEBUG));
        assert!(!targets.would_enable("auth::token", &Level::TRACE));
        assert!(targets.would_enable("store", &Level::WARN));
        assert!(!targets.would_enable("store", &Level::INFO));
    }

    #[test]
    fn targets_not_named_log_at_info() {
        let targets = filter(Some("auth=trace"));
        assert!(targets.would_enable("auth", &Level::TRACE));
        assert!(targets.would_enable("get_me", &Level::INFO));
        assert!(!targets.would_enable("get_me", &Level::DEBUG));
    }

    #[test]
    fn unset_blank_or_unparsable_rust_log_means_info() {
        for rust_log in [
            None,
            Some(""),
            Some("  "),
            Some("auth=loud"),
            Some("auth[span]=debug"),
        ] {
            let targets = filter(rust_log);
            assert!(targets.would_enable("auth", &Level::INFO), "{rust_log:?}");
            assert!(!targets.would_enable("auth", &Level::DEBUG), "{rust_log:?}");
        }
    }
}
