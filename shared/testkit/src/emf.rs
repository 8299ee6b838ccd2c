//! The check every metric line must pass: CloudWatch's embedded metric format
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>)
//! and this project's bound on dimensions.

use std::collections::BTreeSet;

use serde_json::Value;

/// The dimension keys a metric line may use.
pub const DIMENSIONS: [&str; 3] = ["Route", "StatusClass", "Code"];

/// The units the functions use.
const UNITS: [&str; 2] = ["Count", "Milliseconds"];

/// The metric names the functions emit, and the unit of each.
pub const METRICS: [(&str, &str); 10] = [
    ("Requests", "Count"),
    ("Latency", "Milliseconds"),
    ("ColdStart", "Count"),
    ("Unauthorized", "Count"),
    ("DynamoDbLatency", "Milliseconds"),
    ("DynamoDbFailures", "Count"),
    ("JwksFetches", "Count"),
    ("JwksFetchFailures", "Count"),
    ("TokenCacheHits", "Count"),
    ("TokenCacheMisses", "Count"),
];

/// Checks `line` against the format and the bounds; returns its `(dimension, value)` pairs.
/// Panics, naming the line, on the first thing wrong.
pub fn check_metric_line(line: &Value, namespace: &str) -> BTreeSet<(String, String)> {
    let aws = &line["_aws"];
    assert!(
        aws["Timestamp"].is_u64(),
        "Timestamp, epoch milliseconds: {line}"
    );
    let directives = aws["CloudWatchMetrics"]
        .as_array()
        .expect("CloudWatchMetrics");
    assert!(!directives.is_empty(), "{line}");
    let mut dimensions = BTreeSet::new();
    for directive in directives {
        assert_eq!(directive["Namespace"], namespace, "{line}");
        let sets = directive["Dimensions"].as_array().expect("Dimensions");
        assert!(!sets.is_empty() && sets.len() <= 30, "{line}");
        for set in sets {
            let keys = set.as_array().expect("a dimension set");
            assert!((1..=30).contains(&keys.len()), "{line}");
            for key in keys {
                let key = key.as_str().expect("a dimension name");
                assert!(
                    DIMENSIONS.contains(&key),
                    "unbounded dimension {key}: {line}"
                );
                let value = line[key].as_str().expect("a dimension's value is a string");
                assert!(!value.is_empty() && value.len() <= 1024, "{line}");
                dimensions.insert((key.to_owned(), value.to_owned()));
            }
        }
        let metrics = directive["Metrics"].as_array().expect("Metrics");
        assert!(!metrics.is_empty() && metrics.len() <= 100, "{line}");
        for metric in metrics {
            let name = metric["Name"].as_str().expect("Name");
            let unit = metric["Unit"].as_str().expect("Unit");
            assert!(UNITS.contains(&unit), "{line}");
            assert!(
                METRICS.contains(&(name, unit)),
                "unknown metric {name} ({unit}): {line}"
            );
            let value = &line[name];
            assert!(
                value.is_number() && value.as_f64().is_some_and(|v| v >= 0.0),
                "metric {name} has no value: {line}"
            );
        }
    }
    dimensions
}

/// The metric lines of `logs`: one per request, each of `route` in the default namespace and
/// passing [`check_metric_line`].
pub fn checked_metric_lines(
    logs: &crate::CapturedLogs,
    route: &str,
    requests: usize,
) -> Vec<Value> {
    let lines = logs.metric_lines();
    assert_eq!(lines.len(), requests, "one metric line per request");
    for line in &lines {
        check_metric_line(line, bootstrap::metrics::DEFAULT_NAMESPACE);
        assert_eq!(line["Route"], route, "{line}");
    }
    lines
}
