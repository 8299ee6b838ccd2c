//! The functions' metrics, as CloudWatch embedded metric format (EMF) lines: one JSON object
//! per response on stdout, beside the log lines, from which CloudWatch Logs extracts the
//! metrics. Nothing is sent on the request path and no permission beyond the logs' is needed.
//!
//! Every line is in the configured namespace (`METRICS_NAMESPACE`, default
//! [`DEFAULT_NAMESPACE`]) and carries three directives:
//!
//! | dimensions | metrics |
//! |---|---|
//! | `Route`, `StatusClass`; `Route`; and `Route`, `Code` on an error response (the refusals by error code) | `Requests` (Count) |
//! | `Route` | `Latency` (of every response but a 4xx) and, when the request reached DynamoDB, `DynamoDbLatency` (Milliseconds); `ColdStart`, `Unauthorized`, `DynamoDbFailures`, `JwksFetches`, `JwksFetchFailures`, `TokenCacheHits`, `TokenCacheMisses` (Count, each only when not zero) |
//!
//! The dimension values are bounded: the two routes, `2xx`/`3xx`/`4xx`/`5xx`, and the error
//! codes of openapi.yaml. No tenant, user, key or request id is a dimension; the request id is
//! a property of the line (`RequestId`), so CloudWatch Logs Insights joins it to the access line.
//! A refused request writes the same line as a good one, with its code.
//!
//! The lines go through `tracing` under the target [`TARGET`], which the subscriber writes
//! verbatim, whatever `RUST_LOG` says (`crate::logging`).

use std::collections::BTreeMap;
use std::time::Duration;

use http::StatusCode;
use serde::Serialize;
use serde_with::skip_serializing_none;
use telemetry::Tally;
use time::OffsetDateTime;

/// The `tracing` target of the metric lines.
pub const TARGET: &str = "metrics";
/// The namespace when `METRICS_NAMESPACE` is not set.
pub const DEFAULT_NAMESPACE: &str = "CurrentUserApi";

/// What one response's metric line says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Observation<'a> {
    /// The route (`GET /me`).
    pub route: &'static str,
    /// The response's status.
    pub status: StatusCode,
    /// The error code, on an error response.
    pub code: Option<u16>,
    /// The request id.
    pub request_id: &'a str,
    /// From the request's arrival to the response.
    pub latency: Duration,
    /// The first response of this container.
    pub cold_start: bool,
    /// What the request path did.
    pub tally: Tally,
}

/// One EMF document: the metadata, then the dimensions, properties and metric values at the
/// top level (PascalCase). A counter is written only when it is not zero, which keeps the line
/// short; CloudWatch reads a missing data point of a sum as nothing counted.
#[skip_serializing_none]
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricLine<'a> {
    #[serde(rename = "_aws")]
    aws: Metadata<'a>,
    route: &'static str,
    status_class: &'static str,
    code: Option<String>,
    request_id: &'a str,
    requests: u32,
    latency: Option<f64>,
    dynamo_db_latency: Option<f64>,
    #[serde(flatten)]
    counters: BTreeMap<&'static str, u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata<'a> {
    timestamp: i128,
    cloud_watch_metrics: Vec<Directive<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive<'a> {
    namespace: &'a str,
    dimensions: &'static [&'static [&'static str]],
    metrics: Vec<Metric>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metric {
    name: &'static str,
    unit: &'static str,
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Writes the metric line of one response in `namespace`.
pub(crate) fn emit(namespace: &str, observed: &Observation<'_>) {
    let tally = observed.tally;
    let unauthorized = observed.status == StatusCode::UNAUTHORIZED;
    let counters: BTreeMap<&'static str, u32> = [
        ("ColdStart", u32::from(observed.cold_start)),
        ("Unauthorized", u32::from(unauthorized)),
        ("DynamoDbFailures", tally.dynamodb_failures),
        ("JwksFetches", tally.jwks_fetches),
        ("JwksFetchFailures", tally.jwks_fetch_failures),
        ("TokenCacheHits", tally.token_cache_hits),
        ("TokenCacheMisses", tally.token_cache_misses),
    ]
    .into_iter()
    .filter(|(_, value)| *value > 0)
    .collect();
    let dynamodb_latency = (tally.dynamodb_requests > 0).then(|| millis(tally.dynamodb_time));
    let milliseconds = |name| Metric {
        name,
        unit: "Milliseconds",
    };
    // A refusal (4xx) is counted, not timed: a flood of quick refusals would otherwise pull the
    // percentiles of what callers are served down.
    let latency = (!observed.status.is_client_error()).then(|| millis(observed.latency));
    let mut per_route = Vec::new();
    if latency.is_some() {
        per_route.push(milliseconds("Latency"));
    }
    if dynamodb_latency.is_some() {
        per_route.push(milliseconds("DynamoDbLatency"));
    }
    per_route.extend(counters.keys().map(|name| Metric {
        name,
        unit: "Count",
    }));
    let requests_by: &[&[&str]] = match observed.code {
        None => &[&["Route", "StatusClass"], &["Route"]],
        Some(_) => &[&["Route", "StatusClass"], &["Route"], &["Route", "Code"]],
    };
    let mut directives = vec![Directive {
        namespace,
        dimensions: requests_by,
        metrics: vec![Metric {
            name: "Requests",
            unit: "Count",
        }],
    }];
    if !per_route.is_empty() {
        directives.push(Directive {
            namespace,
            dimensions: &[&["Route"]],
            metrics: per_route,
        });
    }
    let line = MetricLine {
        aws: Metadata {
            timestamp: OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000,
            cloud_watch_metrics: directives,
        },
        route: observed.route,
        status_class: status_class(observed.status),
        code: observed.code.map(|code| code.to_string()),
        request_id: observed.request_id,
        requests: 1,
        latency,
        dynamo_db_latency: dynamodb_latency,
        counters,
    };
    match serde_json::to_string(&line) {
        Ok(json) => tracing::info!(target: TARGET, "{json}"),
        Err(e) => tracing::error!(error = %e, "the metric line did not serialise"),
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() / 100 {
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        _ => "5xx",
    }
}
