//! The metric lines of `/users/me` (CloudWatch embedded metric format), captured through the
//! production subscriber: every line passes the format check with bounded dimensions, says
//! what the request did, and a flood of refused requests adds no dimension value and no more
//! log volume than good requests: two lines per request, no more bytes, whatever was sent.

use std::collections::BTreeSet;

use devkit::demo::{ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use serde_json::Value;
use testkit::emf::check_metric_line;
use testkit::{bearer, dev_token, dev_verifier, local_dynamo, users_me_request};

const NAMESPACE: &str = bootstrap::metrics::DEFAULT_NAMESPACE;

#[tokio::test]
async fn each_response_has_one_metric_line_that_says_what_it_did() {
    let (service, tenant, token) = demo().await;
    let (with_token, with_key) = (with_token(&tenant, &token), with_key(&tenant));
    let (logs, _guard) = testkit::capture_logs();
    for headers in [&with_token[..], &with_token, &with_key, &[]] {
        testkit::call(&service, users_me_request("", headers)).await;
    }
    let lines = logs.metric_lines();
    assert_eq!(lines.len(), 4, "one metric line per response");
    for line in &lines {
        check_metric_line(line, NAMESPACE);
        assert_eq!(line["Route"], "GET /users/me");
        assert_eq!(line["Requests"], 1);
    }
    let [first, second, key, missing] = &lines[..] else {
        unreachable!("four lines, checked above")
    };
    // The container's first response is its cold start; the token is verified once, then
    // found in the verified-token cache.
    let cold = lines
        .iter()
        .map(|l| counter(l, "ColdStart"))
        .collect::<Vec<_>>();
    assert_eq!(cold, [1, 0, 0, 0]);
    let cache = |l: &Value| (counter(l, "TokenCacheMisses"), counter(l, "TokenCacheHits"));
    assert_eq!(
        [cache(first), cache(second), cache(key)],
        [(1, 0), (0, 1), (0, 0)]
    );
    for good in [first, second, key] {
        assert_eq!(good["StatusClass"], "2xx", "{good}");
        assert!(good.get("Code").is_none(), "{good}");
        let dynamodb = good["DynamoDbLatency"].as_f64();
        assert!(dynamodb.is_some_and(|ms| ms > 0.0), "{good}");
        assert_eq!(counter(good, "DynamoDbFailures"), 0);
        assert_eq!(counter(good, "Unauthorized"), 0);
        let latency = good["Latency"].as_f64();
        assert!(latency.is_some_and(|ms| ms > 0.0), "{good}");
    }
    // No X-Domain: refused before any read, with its code as a dimension.
    assert_eq!(
        (&missing["StatusClass"], &missing["Code"]),
        (&"4xx".into(), &"4001".into())
    );
    // A refusal is counted, not timed.
    assert!(missing.get("DynamoDbLatency").is_none(), "{missing}");
    assert!(missing.get("Latency").is_none(), "{missing}");
    assert_eq!(missing["Requests"], 1);
    let access = testkit::access_lines(&logs.lines(), "GET /users/me", 4);
    for (access, metric) in access.iter().zip(&lines) {
        assert_eq!(
            access["request_id"], metric["RequestId"],
            "the request id joins them"
        );
    }
}

#[tokio::test]
async fn a_flood_of_refusals_adds_no_dimension_value_and_no_log_volume() {
    let (service, tenant, token) = demo().await;

    let (good_logs, guard) = testkit::capture_logs();
    let rounds = 50;
    for _ in 0..rounds {
        for headers in [with_key(&tenant), with_token(&tenant, &token)] {
            let response = testkit::call(&service, users_me_request("", &headers)).await;
            assert_eq!(response.status(), 200);
        }
    }
    drop(guard);

    let (flood_logs, _guard) = testkit::capture_logs();
    for round in 0..rounds {
        // A made-up key, a made-up token and a made-up tenant each time.
        let key = format!("cuk_{:032x}", round);
        let secret = format!("cus_{:064x}", round);
        let other = model::TenantId::random().to_string();
        let forged = bearer(&format!(
            "eyJhbGciOiJFUzI1NiJ9.e30.{}",
            "A".repeat(100 * round)
        ));
        for headers in [
            vec![
                ("x-domain", tenant.as_str()),
                ("x-api-key", key.as_str()),
                ("x-api-secret", secret.as_str()),
            ],
            vec![
                ("x-domain", tenant.as_str()),
                ("authorization", forged.as_str()),
            ],
            vec![
                ("x-domain", other.as_str()),
                ("authorization", token.as_str()),
            ],
        ] {
            let response = testkit::call(&service, users_me_request("", &headers)).await;
            assert_eq!(response.status(), 401);
        }
    }
    let refused = 3 * rounds;

    let flood_lines = flood_logs.metric_lines();
    assert_eq!(flood_lines.len(), refused);
    let mut dimensions = BTreeSet::new();
    for line in &flood_lines {
        dimensions.extend(check_metric_line(line, NAMESPACE));
        assert_eq!(line["Unauthorized"], 1, "{line}");
    }
    let expected: BTreeSet<(String, String)> = [
        ("Route", "GET /users/me"),
        ("StatusClass", "4xx"),
        ("Code", "4016"),
        ("Code", "4011"),
        ("Code", "4015"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(
        dimensions, expected,
        "a flood names only the codes it earned"
    );
    eprintln!(
        "GOOD {}",
        good_logs
            .text()
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "FLOOD {}",
        flood_logs
            .text()
            .lines()
            .take(9)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        flood_logs.text().lines().count(),
        2 * refused,
        "a log line and a metric line each"
    );
    let good_bytes = good_logs.text().len() / (2 * rounds);
    let refused_bytes = flood_logs.text().len() / refused;
    // A refusal adds its code, its reason and the Unauthorized count; it has no user id, and
    // is counted, not timed. What it sent is never written, so a long forged token costs what
    // a short one does.
    eprintln!("log bytes per request: refused {refused_bytes}, good {good_bytes}");
    assert!(
        refused_bytes <= good_bytes,
        "a refused request logs {refused_bytes} bytes, a good one {good_bytes}"
    );
}

/// `/users/me` over the demo data, the demo tenant as `X-Domain` carries it, and Ada's bearer
/// token.
async fn demo() -> (bootstrap::RouteService, String, String) {
    let (_, store) = local_dynamo().seeded_table().await;
    let service = get_users_me::service(
        testkit::deps(store, dev_verifier()),
        testkit::dev_route_settings(),
    );
    let token = bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
    (service, TENANT_ID.to_string(), token)
}

fn with_token<'a>(tenant: &'a str, token: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![("x-domain", tenant), ("authorization", token)]
}

fn with_key(tenant: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("x-domain", tenant),
        ("x-api-key", API_KEY),
        ("x-api-secret", API_SECRET),
    ]
}

/// Counter `name` of a metric line: a counter left out counts zero.
fn counter(line: &Value, name: &str) -> u64 {
    match line.get(name) {
        None => 0,
        Some(value) => value.as_u64().expect("a counter is a whole number"),
    }
}
