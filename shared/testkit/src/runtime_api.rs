//! A minimal Lambda Runtime API on loopback, served by hyper: `GET …/invocation/next` hands out
//! queued events, `POST …/invocation/{id}/response` and `…/error` report back, `POST
//! …/init/error` reports a failed init. Enough for `lambda_runtime`. Every invocation carries a
//! trace id of its own, as Lambda's do.
//!
//! [`Bootstrap`] runs a function's real binary under one, against the test's DynamoDB server.

use std::convert::Infallible;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, body::Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};

/// What the function did with one invocation, and when.
#[derive(Debug)]
pub struct Outcome {
    /// When the event was written to the function.
    pub sent: Instant,
    /// When the function's answer arrived.
    pub answered: Instant,
    /// Whether the function reported an error instead of a response.
    pub failed: bool,
    /// The answer's body (the API Gateway response document).
    pub body: String,
    /// The trace id the invocation was handed (`Lambda-Runtime-Trace-Id`).
    pub trace_id: String,
}

/// The emulator's handle.
pub struct RuntimeApi {
    /// `host:port` for `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    events: mpsc::Sender<String>,
    outcomes: mpsc::Receiver<Outcome>,
    polls: mpsc::Receiver<Instant>,
}

struct Shared {
    events: Mutex<mpsc::Receiver<String>>,
    outcomes: mpsc::Sender<Outcome>,
    polls: mpsc::Sender<Instant>,
    /// When the invocation in progress was handed out, and its trace id.
    sent: Mutex<Option<(Instant, String)>>,
    invocations: AtomicU64,
}

impl RuntimeApi {
    /// Starts listening on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?.to_string();
        let (events_tx, events_rx) = mpsc::channel(1);
        let (outcomes_tx, outcomes_rx) = mpsc::channel(1);
        let (polls_tx, polls_rx) = mpsc::channel(16);
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            outcomes: outcomes_tx,
            polls: polls_tx,
            sent: Mutex::new(None),
            invocations: AtomicU64::new(0),
        });
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                // One write per response and no Nagle delay: a split write would wait for a
                // delayed ACK.
                let _ = socket.set_nodelay(true);
                let shared = shared.clone();
                let service = service_fn(move |request| answer(shared.clone(), request));
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(socket), service));
            }
        });
        Ok(Self {
            address,
            events: events_tx,
            outcomes: outcomes_rx,
            polls: polls_rx,
        })
    }

    /// Waits for the function's next poll; returns when it arrived.
    pub async fn next_poll(&mut self) -> Option<Instant> {
        self.polls.recv().await
    }

    /// Invokes the function with `event` and waits for its answer.
    pub async fn invoke(&mut self, event: String) -> Option<Outcome> {
        self.events.send(event).await.ok()?;
        self.outcomes.recv().await
    }
}

/// A function's bootstrap process, running under a [`RuntimeApi`] of its own.
pub struct Bootstrap {
    child: tokio::process::Child,
    api: RuntimeApi,
    log_file: Option<std::path::PathBuf>,
}

impl Bootstrap {
    /// Spawns `binary` with the Lambda environment, `TABLE_NAME=table`, the dev issuer and the
    /// dev JWKS inline, and the SDK pointed at [`crate::local_dynamo`]; waits (up to 30 s) for
    /// its first poll of the Runtime API.
    pub async fn spawn(binary: &Path, table: &str) -> Self {
        Self::spawn_through(binary, table, crate::local_dynamo().endpoint()).await
    }

    /// [`Bootstrap::spawn`] with the SDK pointed at `dynamodb_endpoint` (a proxy in front of
    /// [`crate::local_dynamo`], say).
    pub async fn spawn_through(binary: &Path, table: &str, dynamodb_endpoint: &str) -> Self {
        Self::start(binary, table, dynamodb_endpoint, None).await
    }

    /// [`Bootstrap::spawn`] with `RUST_LOG=rust_log` and the process's stdout and stderr kept
    /// (see [`Bootstrap::logs`]).
    pub async fn spawn_logging(binary: &Path, table: &str, rust_log: &str) -> Self {
        Self::start(
            binary,
            table,
            crate::local_dynamo().endpoint(),
            Some(rust_log),
        )
        .await
    }

    /// Everything the process wrote so far, when it was spawned with
    /// [`Bootstrap::spawn_logging`].
    pub fn logs(&self) -> String {
        self.log_file
            .as_ref()
            .map(|path| std::fs::read_to_string(path).unwrap_or_default())
            .unwrap_or_default()
    }

    async fn start(
        binary: &Path,
        table: &str,
        dynamodb_endpoint: &str,
        rust_log: Option<&str>,
    ) -> Self {
        let api = RuntimeApi::start().await.expect("start the Runtime API");
        let log_file = rust_log.map(|_| {
            std::env::temp_dir().join(format!("bootstrap-{}.log", uuid::Uuid::new_v4().simple()))
        });
        let output = |path: &Option<std::path::PathBuf>| match path {
            Some(path) => Stdio::from(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .expect("the log file"),
            ),
            None => Stdio::inherit(),
        };
        let child = tokio::process::Command::new(binary)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &api.address)
            .env("AWS_LAMBDA_FUNCTION_NAME", "test")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
            .env("TABLE_NAME", table)
            .env("JWT_ISSUER", devkit::DEV_ISSUER)
            .env("JWT_AUDIENCE", devkit::DEV_AUDIENCE)
            .env(
                "JWT_MAX_LIFETIME_SECS",
                devkit::DEV_MAX_LIFETIME_SECS.to_string(),
            )
            .env("JWT_PUBLIC_KEYS", devkit::DEV_JWKS)
            .env("RUST_LOG", rust_log.unwrap_or("warn"))
            .stdin(Stdio::null())
            .stdout(output(&log_file))
            .stderr(output(&log_file))
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        let mut bootstrap = Self {
            child,
            api,
            log_file,
        };
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            bootstrap.api.next_poll(),
        )
        .await
        .expect("the bootstrap polls the Runtime API within 30 s")
        .expect("the Runtime API runs");
        bootstrap
    }

    /// Sends `event` and waits (up to 30 s) for the answer.
    pub async fn invoke(&mut self, event: &str) -> Outcome {
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            self.api.invoke(event.to_owned()),
        )
        .await
        .expect("the bootstrap answers within 30 s")
        .expect("the bootstrap is still running")
    }

    /// The process's resident set size now, in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

fn accepted() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::ACCEPTED;
    response
}

/// Answers one Runtime API request. A `next` poll waits for the test's next event; if the
/// runtime gives up on the connection meanwhile, hyper drops this future before an event is
/// taken, so no event goes to a connection that is gone.
async fn answer(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if path.ends_with("/invocation/next") {
        // Only the first poll (the end of init) is waited for; later ones must not block.
        let _ = shared.polls.try_send(Instant::now());
        let event = shared.events.lock().await.recv().await;
        let Some(event) = event else {
            let mut gone = Response::new(Full::new(Bytes::new()));
            *gone.status_mut() = StatusCode::GONE;
            return Ok(gone);
        };
        let invocation = shared.invocations.fetch_add(1, Ordering::Relaxed) + 1;
        let deadline = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() + 6_000)
            .unwrap_or(0);
        // A trace id of its own per invocation, as Lambda sends: a runtime that stores each one
        // (glibc's setenv does) grows with every invocation.
        let trace_id = format!("Root=1-5759e988-{invocation:024x};Sampled=0");
        let response = Response::builder()
            .header("content-type", "application/json")
            .header(
                "lambda-runtime-aws-request-id",
                format!("invocation-{invocation}"),
            )
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header("lambda-runtime-trace-id", trace_id.as_str())
            .body(Full::new(Bytes::from(event)))
            .expect("a valid response");
        *shared.sent.lock().await = Some((Instant::now(), trace_id));
        return Ok(response);
    }
    let answered = Instant::now();
    let outcome = if path.contains("/invocation/") {
        let (sent, trace_id) = shared
            .sent
            .lock()
            .await
            .take()
            .unwrap_or((answered, String::new()));
        Outcome {
            sent,
            answered,
            failed: path.ends_with("/error"),
            body: String::from_utf8_lossy(&body).into_owned(),
            trace_id,
        }
    } else {
        // init/error: report it as a failed outcome so the harness stops waiting.
        Outcome {
            sent: answered,
            answered,
            failed: true,
            body: String::from_utf8_lossy(&body).into_owned(),
            trace_id: String::new(),
        }
    };
    let _ = shared.outcomes.send(outcome).await;
    Ok(accepted())
}

impl Drop for Bootstrap {
    /// Removes the log file of [`Bootstrap::spawn_logging`], if any.
    fn drop(&mut self) {
        if let Some(path) = &self.log_file {
            let _ = std::fs::remove_file(path);
        }
    }
}
