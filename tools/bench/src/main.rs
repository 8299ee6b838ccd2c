//! `make bench`, part one: the release bootstraps measured as Lambda runs them.
//!
//! For each function it starts a minimal Runtime API on loopback ([`runtime_api`]), spawns the
//! release bootstrap with production-like configuration (keys from a JWKS endpoint on loopback,
//! DynamoDB through a counting proxy in front of dynalite, `RUST_LOG=info` with the log lines
//! discarded), and measures:
//!
//! - init: from spawning the process to its first poll of `…/invocation/next`;
//! - first invocation: latency of the first event (includes the JWKS fetch and the first
//!   DynamoDB connection);
//! - warm: p50 and p99 over `BENCH_INVOCATIONS` (default 1,000) invocations per case;
//! - DynamoDB requests per invocation, counted on the wire by the proxy;
//! - peak RSS (`VmHWM`) of the process after all its cases.
//!
//! It prints one markdown table on stdout. Usage: `bench <directory of the bootstraps>`.

mod runtime_api;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use runtime_api::RuntimeApi;
use testkit::{CountingProxy, JwksServer, local_dynamo};

/// One kind of request: a file of `events/` that answers 200.
struct Case {
    function: &'static str,
    name: &'static str,
    event: &'static str,
}

const CASES: &[Case] = &[
    Case {
        function: "get-me",
        name: "cookie (ES256)",
        event: "get-me.json",
    },
    Case {
        function: "get-me",
        name: "bearer (RS256)",
        event: "get-me-bearer.json",
    },
    Case {
        function: "get-users-me",
        name: "bearer (ES256)",
        event: "get-users-me-jwt.json",
    },
    Case {
        function: "get-users-me",
        name: "API key",
        event: "get-users-me-api-key.json",
    },
    Case {
        function: "get-users-me",
        name: "API key, include=profile",
        event: "get-users-me-include-profile.json",
    },
];

/// One row of the table.
struct Row {
    function: &'static str,
    case: &'static str,
    init: Option<Duration>,
    first: Option<Duration>,
    p50: Duration,
    p99: Duration,
    round_trips: f64,
    peak_rss_kib: Option<u64>,
}

fn millis(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn measure_function(
    bootstrap: &Path,
    function: &'static str,
    table: &str,
    proxy: &CountingProxy,
    jwks: &JwksServer,
    invocations: usize,
) -> Result<Vec<Row>, String> {
    let mut api = RuntimeApi::start().await.map_err(|e| e.to_string())?;
    let spawned = Instant::now();
    let mut child = tokio::process::Command::new(bootstrap)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .env("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint())
        .env("TABLE_NAME", table)
        .env("JWT_ISSUER", "https://dev.current-user.invalid")
        .env("JWKS_URL", jwks.url())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(if std::env::var_os("BENCH_SHOW_LOGS").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .stderr(if std::env::var_os("BENCH_SHOW_LOGS").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", bootstrap.display()))?;
    let pid = child.id().unwrap_or(0);
    let first_poll = tokio::time::timeout(Duration::from_secs(10), api.next_poll())
        .await
        .map_err(|_| format!("{function} never polled the Runtime API"))?
        .ok_or("the Runtime API stopped")?;
    let init = first_poll.duration_since(spawned);

    let mut rows = Vec::new();
    for (index, case) in CASES.iter().filter(|c| c.function == function).enumerate() {
        let path = testkit::workspace_root().join("events").join(case.event);
        let event =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut first = None;
        let mut samples = Vec::with_capacity(invocations);
        let before = proxy.requests();
        for i in 0..=invocations {
            let outcome = api
                .invoke(event.clone())
                .await
                .ok_or("the function stopped answering")?;
            let status = serde_json::from_str::<serde_json::Value>(&outcome.body)
                .ok()
                .and_then(|v| v["statusCode"].as_u64());
            if outcome.failed || status != Some(200) {
                return Err(format!(
                    "{function} {}: answered {status:?}: {:.300}",
                    case.name, outcome.body
                ));
            }
            let latency = outcome.answered.duration_since(outcome.sent);
            if i == 0 {
                first = Some(latency);
            } else {
                samples.push(latency);
            }
        }
        let round_trips = (proxy.requests() - before) as f64 / (invocations + 1) as f64;
        samples.sort_unstable();
        rows.push(Row {
            function,
            case: case.name,
            init: (index == 0).then_some(init),
            first: if index == 0 { first } else { None },
            p50: percentile(&samples, 0.50),
            p99: percentile(&samples, 0.99),
            round_trips,
            peak_rss_kib: None,
        });
    }
    if let Some(last) = rows.last_mut() {
        last.peak_rss_kib = peak_rss_kib(pid);
    }
    let _ = child.kill().await;
    Ok(rows)
}

#[tokio::main]
async fn main() {
    let directory = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| testkit::workspace_root().join("target/release"));
    let invocations: usize = std::env::var("BENCH_INVOCATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let (_, store) = local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(local_dynamo().endpoint()).await;
    let jwks = JwksServer::start(testkit::DEV_JWKS).await;

    let mut rows = Vec::new();
    for function in ["get-me", "get-users-me"] {
        match measure_function(
            &directory.join(function),
            function,
            store.table(),
            &proxy,
            &jwks,
            invocations,
        )
        .await
        {
            Ok(measured) => rows.extend(measured),
            Err(why) => {
                eprintln!("bench: {why}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "| function | case | init (ms) | first invocation (ms) | warm p50 (ms) | warm p99 (ms) | DynamoDB requests / invocation | peak RSS (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            row.function,
            row.case,
            row.init.map(millis).unwrap_or_default(),
            row.first.map(millis).unwrap_or_default(),
            millis(row.p50),
            millis(row.p99),
            row.round_trips,
            row.peak_rss_kib
                .map(|k| format!("{:.1}", k as f64 / 1024.0))
                .unwrap_or_default(),
        );
    }
    println!(
        "\n{invocations} warm invocations per case; init and first invocation are per process."
    );
}
