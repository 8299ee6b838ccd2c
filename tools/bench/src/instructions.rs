//! `bench --instructions`: the instructions each subject executes per warm invocation, counted
//! by valgrind's callgrind.
//!
//! CPU time on a shared machine moves between runs far more than instruction counts do
//! (BENCHMARKS.md, "Instructions per warm invocation"), so a small lever shows in a paired
//! comparison (the same subjects, `BENCH_VARIANT_DIR` for the other build). They count user
//! space only: the kernel's share (system calls, loopback TCP) is in the CPU time of
//! `make bench`, not here.
//!
//! Each subject runs in one process under `valgrind --tool=callgrind`, is warmed up by
//! `WARM_UP` invocations, then callgrind's counters are zeroed, `BENCH_INSTRUCTION_INVOCATIONS`
//! (default 100) invocations are sent, and the counters are dumped: the dump's total divided by
//! the invocations is the figure. With `BENCH_CALLGRIND_DIR` the dumps are kept there, for
//! `callgrind_annotate`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::side_by_side::{Subject, invoke_within, ratio};
use crate::{Running, spawn_wrapped};

/// Invocations before the counters are zeroed: the caches filled, the connections open.
const WARM_UP: usize = 20;

/// What was counted of one subject.
pub struct Counted {
    name: String,
    instructions_per_invocation: f64,
}

/// Runs `callgrind_control` with `args` against `pid`.
async fn callgrind_control(args: &[&str], pid: u32) -> Result<(), String> {
    let status = tokio::process::Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .map_err(|e| format!("callgrind_control: {e} (is valgrind installed?)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("callgrind_control {args:?} {pid}: {status}"))
    }
}

/// The `totals:` (or `summary:`) figure of a callgrind dump: instructions executed.
fn total_instructions(dump: &Path) -> Result<u64, String> {
    let text = std::fs::read_to_string(dump).map_err(|e| format!("{}: {e}", dump.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|figures| figures.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| format!("{}: no totals line", dump.display()))
}

async fn invoke(running: &mut Running, subject: &Subject) -> Result<(), String> {
    invoke_within(running, subject, Duration::from_secs(60))
        .await
        .map(|_| ())
}

/// Counts one subject's instructions per warm invocation, its dump written under `directory`.
async fn count(subject: &Subject, directory: &Path, invocations: usize) -> Result<f64, String> {
    let slug: String = subject
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out = directory.join(format!("callgrind.{slug}"));
    let wrapper = [
        "valgrind".to_owned(),
        "--tool=callgrind".to_owned(),
        "--quiet".to_owned(),
        format!("--callgrind-out-file={}", out.display()),
    ];
    let mut running = spawn_wrapped(
        &wrapper,
        &subject.binary,
        &subject.env,
        Duration::from_secs(120),
    )
    .await?;
    for _ in 0..WARM_UP {
        invoke(&mut running, subject).await?;
    }
    callgrind_control(&["--zero"], running.pid).await?;
    for _ in 0..invocations {
        invoke(&mut running, subject).await?;
    }
    callgrind_control(&["--dump"], running.pid).await?;
    let _ = running.child.kill().await;
    // The dump is `<out>.1` (the first one asked for); the final one at exit never comes,
    // the process is killed.
    let dump = PathBuf::from(format!("{}.1", out.display()));
    let total = total_instructions(&dump)?;
    let _ = std::fs::remove_file(&out);
    Ok(total as f64 / invocations.max(1) as f64)
}

/// Counts every subject in turn.
pub async fn measure(subjects: &[Subject], invocations: usize) -> Result<Vec<Counted>, String> {
    let kept = std::env::var_os("BENCH_CALLGRIND_DIR").map(PathBuf::from);
    let scratch = std::env::temp_dir().join(format!("bench-callgrind-{}", std::process::id()));
    let directory = kept.clone().unwrap_or(scratch);
    std::fs::create_dir_all(&directory).map_err(|e| format!("{}: {e}", directory.display()))?;
    let mut counted = Vec::new();
    for subject in subjects {
        let instructions_per_invocation = count(subject, &directory, invocations).await?;
        counted.push(Counted {
            name: subject.name.clone(),
            instructions_per_invocation,
        });
    }
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&directory);
    }
    Ok(counted)
}

/// Prints the table: instructions per warm invocation and the ratios to the peer and the floor.
pub fn print(rows: &[Counted], invocations: usize) {
    let of = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .map(|r| r.instructions_per_invocation)
    };
    let (peer, floor) = (of("peer"), of("floor"));
    println!("| path | instructions / invocation (thousands) | ÷ peer | ÷ floor |");
    println!("|---|---|---|---|");
    for row in rows {
        let n = row.instructions_per_invocation;
        println!(
            "| {} | {:.1} | {} | {} |",
            row.name,
            n / 1e3,
            ratio(Some(n), peer),
            ratio(Some(n), floor)
        );
    }
    println!(
        "\nUser-space instructions per warm invocation (callgrind), {invocations} invocations per \
         subject after {WARM_UP} unmeasured, one process each."
    );
}
