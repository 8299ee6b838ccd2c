//! `make bench`, part one: the release bootstraps measured as Lambda runs them.
//!
//! For each function it starts a minimal Runtime API on loopback ([`testkit::runtime_api`]), spawns the
//! release bootstrap with production-like configuration (keys from a JWKS endpoint on loopback,
//! DynamoDB on dynalite, `RUST_LOG=info` with the log lines discarded), and measures:
//!
//! - init: from spawning the process to its first poll of `…/invocation/next`, the median of
//!   `BENCH_COLD_STARTS` (default 20) fresh processes;
//! - first invocation: latency of each fresh process's first event (includes the JWKS fetch
//!   and the first DynamoDB connection), the median over the same processes;
//! - warm: p50 and p99 over `BENCH_INVOCATIONS` (default 1,000) invocations per case, in one
//!   process, after one discarded warm-up invocation;
//! - the function's CPU time per warm invocation (all its threads, from `/proc`);
//! - DynamoDB requests per invocation, counted on the wire by a counting proxy in front of
//!   dynalite, in a process of its own (`COUNTED_INVOCATIONS` per case), so that the proxy's hop
//!   is not in the latencies;
//! - peak RSS (`VmHWM`) of the warm process after all its cases.
//!
//! The DynamoDB endpoint override is plain HTTP, so the client trusts the same compiled-in
//! roots as on AWS (store's TLS trust) and init is the production path.
//!
//! Then it times the same DynamoDB requests sent straight to the server, without the SDK or a
//! function ([`store_alone`]): the floor under the warm latencies.
//!
//! It prints markdown tables on stdout. Usage: `bench <directory of the bootstraps>`;
//! `bench --instructions <directory>` prints only the instruction counts ([`instructions`]).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod instructions;
mod side_by_side;
mod store_alone;

use testkit::runtime_api::RuntimeApi;
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
    cpu: Option<Duration>,
    round_trips: f64,
    peak_rss_kib: Option<u64>,
    /// How much the resident set grew from the first warm invocation to the last.
    rss_growth_kib: Option<i64>,
}

/// What every process is started against.
struct Setup {
    directory: PathBuf,
    table: String,
    proxy: CountingProxy,
    jwks: JwksServer,
}

/// A bootstrap process that has finished its init.
struct Running {
    child: tokio::process::Child,
    api: RuntimeApi,
    pid: u32,
    init: Duration,
}

fn millis(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// A `/proc/<pid>/status` figure in KiB: `VmHWM:` (peak RSS) or `VmRSS:`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time the process (all its threads) has used so far, from `/proc/<pid>/task/*/schedstat`.
fn cpu_time(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let schedstat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn median(mut samples: Vec<Duration>) -> Option<Duration> {
    samples.sort_unstable();
    (!samples.is_empty()).then(|| percentile(&samples, 0.5))
}

fn log_sink() -> Stdio {
    if std::env::var_os("BENCH_SHOW_LOGS").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    }
}

/// Invocations per case whose DynamoDB requests the proxy counts.
const COUNTED_INVOCATIONS: usize = 50;

/// The production-like environment of `function`, with DynamoDB at `endpoint`.
fn function_env(setup: &Setup, function: &str, endpoint: &str) -> Vec<(String, String)> {
    let mut env = lambda_env(function);
    for (name, value) in [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.to_owned()),
        ("TABLE_NAME", setup.table.clone()),
        ("JWT_ISSUER", devkit::DEV_ISSUER.to_owned()),
        ("JWT_AUDIENCE", devkit::DEV_AUDIENCE.to_owned()),
        (
            "JWT_MAX_LIFETIME_SECS",
            devkit::DEV_MAX_LIFETIME_SECS.to_string(),
        ),
        ("JWKS_URL", setup.jwks.url().to_owned()),
        ("ALLOWED_ORIGINS", devkit::DEV_ALLOWED_ORIGINS.to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ] {
        env.push((name.to_owned(), value));
    }
    env
}

/// What Lambda sets for every function, and the SDK's region and (dummy) credentials.
fn lambda_env(function: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_FUNCTION_NAME", function),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "bench"),
        ("AWS_SECRET_ACCESS_KEY", "bench"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

/// Spawns `function`'s bootstrap with production-like configuration, DynamoDB at `endpoint`,
/// and waits for its first poll of the Runtime API.
async fn start(setup: &Setup, function: &str, endpoint: &str) -> Result<Running, String> {
    let bootstrap = setup.directory.join(function);
    spawn(&bootstrap, &function_env(setup, function, endpoint)).await
}

/// Spawns `binary` with exactly `env` and the Runtime API's address, and waits for its first
/// poll of the Runtime API.
async fn spawn(binary: &std::path::Path, env: &[(String, String)]) -> Result<Running, String> {
    spawn_wrapped(&[], binary, env, Duration::from_secs(10)).await
}

/// [`spawn`], run through `wrapper` (a program and its arguments, such as valgrind's) when it is
/// not empty, waiting up to `first_poll` for the first poll.
async fn spawn_wrapped(
    wrapper: &[String],
    binary: &std::path::Path,
    env: &[(String, String)],
    first_poll: Duration,
) -> Result<Running, String> {
    let mut api = RuntimeApi::start().await.map_err(|e| e.to_string())?;
    let spawned = Instant::now();
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = tokio::process::Command::new(program);
            command.args(args).arg(binary);
            command
        }
        None => tokio::process::Command::new(binary),
    };
    let child = command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .envs(env.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(log_sink())
        .stderr(log_sink())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let pid = child.id().unwrap_or(0);
    let first_poll = tokio::time::timeout(first_poll, api.next_poll())
        .await
        .map_err(|_| format!("{} never polled the Runtime API", binary.display()))?
        .ok_or("the Runtime API stopped")?;
    Ok(Running {
        child,
        api,
        pid,
        init: first_poll.duration_since(spawned),
    })
}

fn event(case: &Case) -> Result<String, String> {
    let path = testkit::workspace_root().join("events").join(case.event);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Invokes once; the latency if the function answered 200.
async fn invoke(api: &mut RuntimeApi, case: &Case, event: &str) -> Result<Duration, String> {
    let outcome = tokio::time::timeout(Duration::from_secs(10), api.invoke(event.to_owned()))
        .await
        .map_err(|_| format!("{} {}: no answer within 10 s", case.function, case.name))?
        .ok_or("the function stopped answering")?;
    let status = serde_json::from_str::<serde_json::Value>(&outcome.body)
        .ok()
        .and_then(|v| v["statusCode"].as_u64());
    if outcome.failed || status != Some(200) {
        return Err(format!(
            "{} {}: answered {status:?}: {:.300}",
            case.function, case.name, outcome.body
        ));
    }
    Ok(outcome.answered.duration_since(outcome.sent))
}

/// DynamoDB requests per invocation of each case, counted by the proxy in a process of their own.
async fn count_round_trips(
    setup: &Setup,
    function: &str,
    cases: &[&Case],
) -> Result<Vec<f64>, String> {
    let mut running = start(setup, function, setup.proxy.endpoint()).await?;
    let mut counts = Vec::new();
    for case in cases {
        let event = event(case)?;
        invoke(&mut running.api, case, &event).await?;
        let requests_before = setup.proxy.requests();
        for _ in 0..COUNTED_INVOCATIONS {
            invoke(&mut running.api, case, &event).await?;
        }
        counts.push((setup.proxy.requests() - requests_before) as f64 / COUNTED_INVOCATIONS as f64);
    }
    let _ = running.child.kill().await;
    Ok(counts)
}

async fn measure_function(
    setup: &Setup,
    function: &'static str,
    cold_starts: usize,
    invocations: usize,
) -> Result<Vec<Row>, String> {
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.function == function).collect();
    let first_case = cases.first().ok_or("no cases")?;
    let first_event = event(first_case)?;

    let round_trips = count_round_trips(setup, function, &cases).await?;
    let store = local_dynamo().endpoint();
    let (mut inits, mut firsts) = (Vec::new(), Vec::new());
    for _ in 0..cold_starts {
        let mut running = start(setup, function, store).await?;
        inits.push(running.init);
        firsts.push(invoke(&mut running.api, first_case, &first_event).await?);
        let _ = running.child.kill().await;
    }

    let mut running = start(setup, function, store).await?;
    let mut rows = Vec::new();
    let mut rss_at_start = None;
    for (index, case) in cases.iter().enumerate() {
        let event = event(case)?;
        invoke(&mut running.api, case, &event).await?;
        rss_at_start = rss_at_start.or_else(|| status_kib(running.pid, "VmRSS:"));
        let cpu_before = cpu_time(running.pid);
        let mut samples = Vec::with_capacity(invocations);
        for _ in 0..invocations {
            samples.push(invoke(&mut running.api, case, &event).await?);
        }
        let cpu = cpu_before
            .zip(cpu_time(running.pid))
            .map(|(before, after)| after.saturating_sub(before) / invocations.max(1) as u32);
        samples.sort_unstable();
        let first_row = index == 0;
        rows.push(Row {
            function,
            case: case.name,
            init: if first_row {
                median(inits.clone())
            } else {
                None
            },
            first: if first_row {
                median(firsts.clone())
            } else {
                None
            },
            p50: percentile(&samples, 0.50),
            p99: percentile(&samples, 0.99),
            cpu,
            round_trips: round_trips[index],
            peak_rss_kib: None,
            rss_growth_kib: None,
        });
    }
    if let Some(last) = rows.last_mut() {
        last.peak_rss_kib = status_kib(running.pid, "VmHWM:");
        last.rss_growth_kib = rss_at_start
            .zip(status_kib(running.pid, "VmRSS:"))
            .map(|(start, end)| end as i64 - start as i64);
    }
    let _ = running.child.kill().await;
    Ok(rows)
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let count_instructions = args.first().is_some_and(|a| a == "--instructions");
    if count_instructions {
        args.remove(0);
    }
    let directory = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| testkit::workspace_root().join("target/release"));
    let invocations = setting("BENCH_INVOCATIONS", 1000);
    let cold_starts = setting("BENCH_COLD_STARTS", 20);
    let (_, store) = local_dynamo().seeded_table().await;
    let setup = Setup {
        directory,
        table: store.table().to_owned(),
        proxy: CountingProxy::start(local_dynamo().endpoint()).await,
        jwks: JwksServer::start(devkit::DEV_JWKS).await,
    };
    if count_instructions {
        count_instructions_only(&setup).await;
        return;
    }

    let mut rows = Vec::new();
    for function in ["get-me", "get-users-me"] {
        match measure_function(&setup, function, cold_starts, invocations).await {
            Ok(measured) => rows.extend(measured),
            Err(why) => {
                eprintln!("bench: {why}");
                std::process::exit(1);
            }
        }
    }
    println!(
        "| function | case | init (ms) | first invocation (ms) | warm p50 (ms) | warm p99 (ms) | function CPU / invocation (µs) | DynamoDB requests / invocation | peak RSS (MiB) | RSS growth, all warm invocations (KiB) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} |",
            row.function,
            row.case,
            row.init.map(millis).unwrap_or_default(),
            row.first.map(millis).unwrap_or_default(),
            millis(row.p50),
            millis(row.p99),
            row.cpu
                .map(|c| format!("{:.0}", c.as_secs_f64() * 1e6))
                .unwrap_or_default(),
            row.round_trips,
            row.peak_rss_kib
                .map(|k| format!("{:.1}", k as f64 / 1024.0))
                .unwrap_or_default(),
            row.rss_growth_kib
                .map(|k| k.to_string())
                .unwrap_or_default(),
        );
    }
    println!(
        "\nInit and first invocation: median of {cold_starts} fresh processes per function. Warm: \
         {invocations} invocations per case in one process, after one warm-up; RSS growth is \
         VmRSS after the last of them less VmRSS after the first warm-up, each invocation with a \
         trace id of its own, as Lambda sends. DynamoDB requests: counted by a proxy in front of \
         the server over {COUNTED_INVOCATIONS} invocations per case, in a process of their own; \
         the latencies are measured without the proxy."
    );

    let alone =
        match store_alone::measure(local_dynamo().endpoint(), &setup.table, invocations).await {
            Ok(rows) => rows,
            Err(why) => {
                eprintln!("bench: the store alone: {why}");
                std::process::exit(1);
            }
        };
    println!(
        "\nThe same DynamoDB requests sent straight to the server (hand-written HTTP/1.1 on one \
         keep-alive connection, no SDK, no proxy), {invocations} each after 100 unmeasured:\n"
    );
    println!("| request | server p50 (ms) | server p99 (ms) |");
    println!("|---|---|---|");
    for row in alone {
        println!(
            "| {} | {} | {} |",
            row.request,
            millis(row.p50),
            millis(row.p99)
        );
    }

    let rounds = setting("BENCH_ROUNDS", 20);
    let per_round = setting("BENCH_ROUND_INVOCATIONS", 300);
    let requests: Vec<String> = rows
        .iter()
        .map(|row| format!("{:.2}", row.round_trips))
        .collect();
    let subjects = match side_by_side_subjects(&setup, &requests).await {
        Ok(subjects) => subjects,
        Err(why) => {
            eprintln!("bench: side by side: {why}");
            std::process::exit(1);
        }
    };
    match side_by_side::measure(&subjects, cold_starts, rounds, per_round).await {
        Ok(measured) => {
            println!("\n#### Side by side with the peer and the floor\n");
            side_by_side::print(&measured, rounds, per_round, cold_starts);
        }
        Err(why) => {
            eprintln!("bench: side by side: {why}");
            std::process::exit(1);
        }
    }
}

/// `bench --instructions`: only the instruction counts of every subject ([`instructions`]).
async fn count_instructions_only(setup: &Setup) {
    let invocations = setting("BENCH_INSTRUCTION_INVOCATIONS", 100);
    let unknown = vec![String::new(); CASES.len()];
    let counted = match side_by_side_subjects(setup, &unknown).await {
        Ok(subjects) => instructions::measure(&subjects, invocations).await,
        Err(why) => Err(why),
    };
    match counted {
        Ok(counted) => instructions::print(&counted, invocations),
        Err(why) => {
            eprintln!("bench --instructions: {why}");
            std::process::exit(1);
        }
    }
}

/// The path a case's function serves.
fn route(case: &Case) -> &'static str {
    if case.function == "get-me" {
        "/me"
    } else {
        "/users/me"
    }
}

/// The floor, the peer (when `BENCH_PEER` names it) and every case of the two functions, with
/// `requests`, the DynamoDB requests per invocation of each case as counted.
async fn side_by_side_subjects(
    setup: &Setup,
    requests: &[String],
) -> Result<Vec<side_by_side::Subject>, String> {
    let store = local_dynamo().endpoint();
    let arm64 = std::env::var_os("BENCH_ARM64_DIR").map(PathBuf::from);
    let template = event(&CASES[0])?;
    let mut subjects = vec![side_by_side::Subject {
        name: "floor".into(),
        binary: setup.directory.join("bench-floor"),
        arm64: arm64.as_ref().map(|d| d.join("bench-floor")),
        env: lambda_env("bench-floor"),
        event: template.clone(),
        dynamodb_requests: "0".into(),
    }];
    if let Some((binary, peer_arm64)) = side_by_side::peer_binary() {
        local_dynamo()
            .create_keyed_table(side_by_side::PEER_TABLE, "username")
            .await;
        let mut env = lambda_env("http-dynamodb");
        env.push(("AWS_ENDPOINT_URL_DYNAMODB".into(), store.to_owned()));
        env.push(("RUST_LOG".into(), "info".into()));
        subjects.push(side_by_side::Subject {
            name: "peer".into(),
            binary,
            arm64: peer_arm64,
            env,
            event: side_by_side::peer_event(&template)?,
            dynamodb_requests: "1".into(),
        });
    }
    for (case, requests) in CASES.iter().zip(requests) {
        subjects.push(side_by_side::Subject {
            name: format!("{} {}", route(case), case.name),
            binary: setup.directory.join(case.function),
            arm64: arm64.as_ref().map(|d| d.join(case.function)),
            env: function_env(setup, case.function, store),
            event: event(case)?,
            dynamodb_requests: requests.clone(),
        });
    }
    // A variant of the functions (another build of the same code, BENCH_VARIANT_DIR, named
    // BENCH_VARIANT), measured in the same rounds: a paired comparison.
    if let Some(directory) = std::env::var_os("BENCH_VARIANT_DIR").map(PathBuf::from) {
        let variant = std::env::var("BENCH_VARIANT").unwrap_or_else(|_| "variant".into());
        for (case, requests) in CASES.iter().zip(requests) {
            subjects.push(side_by_side::Subject {
                name: format!("{} {} ({variant})", route(case), case.name),
                binary: directory.join(case.function),
                arm64: None,
                env: function_env(setup, case.function, store),
                event: event(case)?,
                dynamodb_requests: requests.clone(),
            });
        }
    }
    Ok(subjects)
}
