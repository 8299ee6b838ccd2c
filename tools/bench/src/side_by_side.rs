//! `make bench`, part two: every path of the two functions beside the peer and the floor, in
//! one sitting, interleaved.
//!
//! - The floor: `bench-floor`, a `lambda_http` hello-world on a current-thread runtime, built
//!   with the same profile as the functions.
//! - The peer: the official runtime's `examples/http-dynamodb` (one `PutItem` per request, no
//!   authentication), built with this project's release profile. Its code is not in this
//!   repository, nor a recipe that builds it (the tool rules of this workplace forbid committing
//!   either); `BENCH_PEER=<its bootstrap>` (and `BENCH_PEER_ARM64=<its arm64 bootstrap>` for
//!   the size) names a build made beside the project, and without it the peer's rows are absent.
//!
//! Each subject runs in one warm process (as a warm Lambda container), warmed up first; then
//! `BENCH_ROUNDS` rounds (default 20) send `BENCH_ROUND_INVOCATIONS` (default 300) invocations
//! to each subject in turn, so that a slow moment of the machine hits every subject alike. Per
//! round: the p50 latency and the process's CPU time per invocation (all threads, from
//! `/proc`). Reported: the median over the rounds, the spread (lowest and highest round), and
//! the ratios of the medians to the peer's and the floor's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Running, cpu_time, median, millis, percentile, spawn, status_kib};

/// One thing measured: a binary, its environment and the event it answers 200 to.
pub struct Subject {
    /// The row's name.
    pub name: String,
    /// The bootstrap.
    pub binary: PathBuf,
    /// Its arm64 build, for the size column.
    pub arm64: Option<PathBuf>,
    /// Its environment.
    pub env: Vec<(String, String)>,
    /// The event of every invocation.
    pub event: String,
    /// DynamoDB requests per invocation (counted elsewhere, or known).
    pub dynamodb_requests: String,
}

/// What was measured of one subject.
pub struct Measured {
    name: String,
    p50: Vec<Duration>,
    cpu: Vec<Duration>,
    init: Option<Duration>,
    peak_rss_kib: Option<u64>,
    arm64_bytes: Option<u64>,
    dynamodb_requests: String,
    /// The process's user and system clock ticks over all rounds.
    ticks: Option<(u64, u64)>,
}

/// A process's user and system CPU time so far, in clock ticks (`/proc/<pid>/stat`, fields 14
/// and 15).
fn user_system_ticks(pid: u32) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = after_name.split_whitespace().skip(11);
    let user = fields.next()?.parse().ok()?;
    let system = fields.next()?.parse().ok()?;
    Some((user, system))
}

/// The peer's table: its code writes to `lambda_dyno_example`, keyed by `username`.
pub const PEER_TABLE: &str = "lambda_dyno_example";

/// The event the peer answers 200 to: a POST with an item as its JSON body.
pub fn peer_event(template: &str) -> Result<String, String> {
    let mut event: serde_json::Value =
        serde_json::from_str(template).map_err(|e| format!("event: {e}"))?;
    event["requestContext"]["http"]["method"] = "POST".into();
    event["body"] = serde_json::json!({
        "account_type": "standard", "age": "36", "username": "ada",
        "first_name": "Ada", "last_name": "Lovelace",
    })
    .to_string()
    .into();
    event["isBase64Encoded"] = false.into();
    Ok(event.to_string())
}

/// The peer's bootstrap, if `BENCH_PEER` names one.
pub fn peer_binary() -> Option<(PathBuf, Option<PathBuf>)> {
    let binary = PathBuf::from(std::env::var_os("BENCH_PEER")?);
    let arm64 = std::env::var_os("BENCH_PEER_ARM64").map(PathBuf::from);
    Some((binary, arm64))
}

async fn invoke(running: &mut Running, subject: &Subject) -> Result<Duration, String> {
    invoke_within(running, subject, Duration::from_secs(10)).await
}

/// Invokes `subject` once and waits up to `limit` for its answer, which must be a 200; the
/// latency.
pub(crate) async fn invoke_within(
    running: &mut Running,
    subject: &Subject,
    limit: Duration,
) -> Result<Duration, String> {
    let outcome = tokio::time::timeout(limit, running.api.invoke(subject.event.clone()))
        .await
        .map_err(|_| format!("{}: no answer within {limit:?}", subject.name))?
        .ok_or_else(|| format!("{}: the process stopped answering", subject.name))?;
    let status = serde_json::from_str::<serde_json::Value>(&outcome.body)
        .ok()
        .and_then(|v| v["statusCode"].as_u64());
    if outcome.failed || status != Some(200) {
        return Err(format!(
            "{}: answered {status:?}: {:.300}",
            subject.name, outcome.body
        ));
    }
    Ok(outcome.answered.duration_since(outcome.sent))
}

fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// Measures `subjects` side by side: `cold_starts` interleaved rounds of one fresh process per
/// subject for init, then one warm process each through `rounds` interleaved rounds of
/// `per_round` invocations.
pub async fn measure(
    subjects: &[Subject],
    cold_starts: usize,
    rounds: usize,
    per_round: usize,
) -> Result<Vec<Measured>, String> {
    let mut measured = Vec::new();
    let mut processes = Vec::new();
    let mut inits = vec![Vec::new(); subjects.len()];
    for _ in 0..cold_starts {
        for (subject, inits) in subjects.iter().zip(&mut inits) {
            let mut running = spawn(&subject.binary, &subject.env).await?;
            inits.push(running.init);
            invoke(&mut running, subject).await?;
            let _ = running.child.kill().await;
        }
    }
    for (subject, inits) in subjects.iter().zip(inits) {
        let mut running = spawn(&subject.binary, &subject.env).await?;
        for _ in 0..100 {
            invoke(&mut running, subject).await?;
        }
        processes.push(running);
        measured.push(Measured {
            name: subject.name.clone(),
            p50: Vec::new(),
            cpu: Vec::new(),
            init: median(inits),
            peak_rss_kib: None,
            arm64_bytes: subject.arm64.as_deref().and_then(file_size),
            dynamodb_requests: subject.dynamodb_requests.clone(),
            ticks: None,
        });
    }
    let ticks_before: Vec<_> = processes
        .iter()
        .map(|running| user_system_ticks(running.pid))
        .collect();
    for _ in 0..rounds {
        for ((subject, running), row) in subjects.iter().zip(&mut processes).zip(&mut measured) {
            let before = cpu_time(running.pid);
            let mut samples = Vec::with_capacity(per_round);
            for _ in 0..per_round {
                samples.push(invoke(running, subject).await?);
            }
            let after = cpu_time(running.pid);
            samples.sort_unstable();
            row.p50.push(percentile(&samples, 0.5));
            if let Some((before, after)) = before.zip(after) {
                row.cpu
                    .push(after.saturating_sub(before) / per_round.max(1) as u32);
            }
        }
    }
    for ((running, row), before) in processes.iter_mut().zip(&mut measured).zip(ticks_before) {
        row.ticks = before
            .zip(user_system_ticks(running.pid))
            .map(|((u0, s0), (u1, s1))| (u1.saturating_sub(u0), s1.saturating_sub(s0)));
        row.peak_rss_kib = status_kib(running.pid, "VmHWM:");
        let _ = running.child.kill().await;
    }
    Ok(measured)
}

/// `row`'s CPU over the peer's in each round (measured seconds apart, so that a slow
/// moment of the machine hits both): the median and the range over the rounds, or nothing.
fn per_round_ratios(row: &Measured, peer: &Measured) -> String {
    let mut ratios: Vec<f64> = row
        .cpu
        .iter()
        .zip(&peer.cpu)
        .filter(|(_, p)| !p.is_zero())
        .map(|(c, p)| c.as_secs_f64() / p.as_secs_f64())
        .collect();
    if ratios.is_empty() {
        return String::new();
    }
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    let median = if ratios.len().is_multiple_of(2) {
        (ratios[middle - 1] + ratios[middle]) / 2.0
    } else {
        ratios[middle]
    };
    format!(
        "{median:.3}, {:.3}–{:.3}",
        ratios[0],
        ratios[ratios.len() - 1]
    )
}

fn spread(samples: &[Duration], unit: fn(Duration) -> String) -> String {
    let (Some(low), Some(high)) = (samples.iter().min(), samples.iter().max()) else {
        return String::new();
    };
    format!("{}–{}", unit(*low), unit(*high))
}

fn micros(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

/// `value / base` with two decimals, or nothing when either is missing.
pub(crate) fn ratio(value: Option<f64>, base: Option<f64>) -> String {
    ratio_to(value, base, 2)
}

/// `value / base` with `decimals` decimals, or nothing when either is missing.
fn ratio_to(value: Option<f64>, base: Option<f64>, decimals: usize) -> String {
    match (value, base) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.decimals$}", v / b),
        _ => String::new(),
    }
}

/// Prints the side-by-side table: medians, spreads, and ratios to the peer and the floor.
pub fn print(rows: &[Measured], rounds: usize, per_round: usize, cold_starts: usize) {
    let median_of = |name: &str, pick: fn(&Measured) -> &Vec<Duration>| {
        rows.iter()
            .find(|r| r.name == name)
            .and_then(|r| median(pick(r).clone()))
            .map(|d| d.as_secs_f64())
    };
    let peer_p50 = median_of("peer", |r| &r.p50);
    let peer_cpu = median_of("peer", |r| &r.cpu);
    let floor_cpu = median_of("floor", |r| &r.cpu);
    let peer = rows.iter().find(|r| r.name == "peer");
    println!(
        "| path | warm p50 (ms), median | p50 spread | CPU / invocation (µs), median | CPU spread | DynamoDB requests | p50 ÷ peer | CPU ÷ peer | CPU ÷ peer round by round: median, lowest–highest | CPU ÷ floor | init (ms) | init ÷ peer | peak RSS (MiB) | RSS ÷ peer | arm64 size (MB) | size ÷ peer | kernel share of CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let p50 = median(row.p50.clone());
        let cpu = median(row.cpu.clone());
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
        let rss = row.peak_rss_kib.map(|k| k as f64);
        let size = row.arm64_bytes.map(|b| b as f64);
        let kernel_share = row
            .ticks
            .filter(|(user, system)| user + system > 0)
            .map(|(user, system)| {
                format!("{:.0} %", 100.0 * system as f64 / (user + system) as f64)
            })
            .unwrap_or_default();
        let per_round = peer
            .map(|peer| per_round_ratios(row, peer))
            .unwrap_or_default();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            p50.map(millis).unwrap_or_default(),
            spread(&row.p50, millis),
            cpu.map(micros).unwrap_or_default(),
            spread(&row.cpu, micros),
            row.dynamodb_requests,
            ratio(secs(p50), peer_p50),
            // Three decimals: some paths sit on the CPU target's line.
            ratio_to(secs(cpu), peer_cpu, 3),
            per_round,
            ratio(secs(cpu), floor_cpu),
            row.init.map(millis).unwrap_or_default(),
            ratio(secs(row.init), peer.and_then(|p| secs(p.init))),
            row.peak_rss_kib
                .map(|k| format!("{:.1}", k as f64 / 1024.0))
                .unwrap_or_default(),
            ratio(rss, peer.and_then(|p| p.peak_rss_kib.map(|k| k as f64))),
            row.arm64_bytes
                .map(|b| format!("{:.2}", b as f64 / 1e6))
                .unwrap_or_default(),
            ratio(size, peer.and_then(|p| p.arm64_bytes.map(|b| b as f64))),
            kernel_share,
        );
    }
    println!(
        "\n{rounds} rounds, each sending {per_round} invocations to every subject in turn (one warm \
         process per subject, warmed up by 100); median and spread (lowest–highest round) over the \
         rounds. Init: median of {cold_starts} fresh processes, one per subject in turn. Peak \
         RSS: VmHWM of the warm process after all rounds. Sizes: the stripped arm64 bootstraps. \
         Kernel share: the process's system time over all rounds as a share of its user and \
         system time (`/proc/<pid>/stat`, in clock ticks)."
    );
    if peer.is_none() {
        println!(
            "\nThe peer was not measured in this run (no `BENCH_PEER`): its ratios are empty."
        );
    }
}
