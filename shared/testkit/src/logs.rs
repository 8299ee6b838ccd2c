use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

/// Log lines captured from this thread (the JSON format of `bootstrap::logging`).
#[derive(Clone, Default)]
pub struct CapturedLogs {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl CapturedLogs {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().expect("log buffer")).into_owned()
    }

    /// Every line, parsed as JSON: log lines and metric lines.
    pub fn all_lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).expect("every line is JSON"))
            .collect()
    }

    /// The log lines (every line but the metric lines).
    pub fn lines(&self) -> Vec<serde_json::Value> {
        let all = self.all_lines().into_iter();
        all.filter(|line| line.get("_aws").is_none()).collect()
    }

    /// The metric lines (CloudWatch embedded metric format: those with `_aws`).
    pub fn metric_lines(&self) -> Vec<serde_json::Value> {
        let all = self.all_lines().into_iter();
        all.filter(|line| line.get("_aws").is_some()).collect()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer
            .lock()
            .expect("log buffer")
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Captures what this thread logs, through the production subscriber, until the guard drops.
/// Use with a current-thread runtime (the `#[tokio::test]` default).
pub fn capture_logs() -> (CapturedLogs, tracing::subscriber::DefaultGuard) {
    let logs = CapturedLogs::default();
    let filter = bootstrap::logging::filter(Some("trace"));
    let subscriber = bootstrap::logging::subscriber(logs.clone(), filter);
    (logs, tracing::subscriber::set_default(subscriber))
}
