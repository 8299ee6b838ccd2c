use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with the next connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// Relay to the server (and count).
    None = 0,
    /// Close every connection at once, as a dead host behind a load balancer does.
    Refuse = 1,
    /// Accept and never answer.
    Hang = 2,
    /// Answer every request with DynamoDB's HTTP 500 `InternalServerError`.
    ServerError = 3,
    /// Answer every request with HTTP 400 `ProvisionedThroughputExceededException`.
    Throttle = 4,
}

/// A TCP proxy on loopback in front of the DynamoDB server. It counts the DynamoDB requests
/// (HTTP requests carrying `X-Amz-Target`) passing through it, so round trips are measured on
/// the wire, records the `X-Amzn-Trace-Id` headers of those it relays and the partition keys
/// their bodies name, and can inject faults. It runs on the current runtime until the test
/// ends.
#[derive(Debug, Clone)]
pub struct CountingProxy {
    endpoint: String,
    requests: Arc<AtomicUsize>,
    fault: Arc<AtomicU8>,
    trace_ids: Arc<Mutex<Vec<String>>>,
    partition_keys: Arc<Mutex<Vec<String>>>,
}

/// What the proxy's connections report to it.
#[derive(Debug, Clone)]
struct Tally {
    requests: Arc<AtomicUsize>,
    trace_ids: Arc<Mutex<Vec<String>>>,
    partition_keys: Arc<Mutex<Vec<String>>>,
}

impl CountingProxy {
    /// Starts a proxy to `upstream` (`http://host:port`), relaying.
    pub async fn start(upstream: &str) -> Self {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let tally = Tally {
            requests: Arc::new(AtomicUsize::new(0)),
            trace_ids: Arc::new(Mutex::new(Vec::new())),
            partition_keys: Arc::new(Mutex::new(Vec::new())),
        };
        let fault = Arc::new(AtomicU8::new(Fault::None as u8));
        let (connections, mode) = (tally.clone(), fault.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, tally, mode) = (upstream.clone(), connections.clone(), mode.clone());
                tokio::spawn(async move { serve(client, &upstream, tally, mode).await });
            }
        });
        Self {
            endpoint,
            requests: tally.requests,
            fault,
            trace_ids: tally.trace_ids,
            partition_keys: tally.partition_keys,
        }
    }

    /// The proxy's endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// DynamoDB requests seen so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The `X-Amzn-Trace-Id` values of the requests relayed so far, in order (a request without
    /// one adds nothing).
    pub fn trace_ids(&self) -> Vec<String> {
        self.trace_ids
            .lock()
            .map(|ids| ids.clone())
            .unwrap_or_default()
    }

    /// The partition key of every item the relayed requests named (`"pk":{"S":…}` in their
    /// bodies), in order: what each request read, as DynamoDB sees it.
    pub fn partition_keys(&self) -> Vec<String> {
        self.partition_keys
            .lock()
            .map(|keys| keys.clone())
            .unwrap_or_default()
    }

    /// Injects `fault` into the next connections and requests (`Fault::None` to recover).
    pub fn inject(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }

    /// A DynamoDB client (production configuration) that talks through this proxy.
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            store::client::ClientSettings::read(|name| std::env::var(name).ok())
                .config()
                .expect("the DynamoDB client configuration")
                .endpoint_url(&self.endpoint)
                .build(),
        )
    }
}

/// Injects every fault into `proxy` in turn and sends one request through `answer` under it:
/// each must be a 503 (code 5030) with `Retry-After: 1`, answered well within the SDK's budget
/// (a guard against a hang; the time is printed), and the first request after recovery a 200.
/// Returns the 503 answers, for the route's own checks of its shape.
pub async fn assert_faults_are_quick_503s(
    proxy: &CountingProxy,
    route: &str,
    answer: impl AsyncFn() -> crate::Answer,
) -> Vec<crate::Answer> {
    // The budget that bounds every faulty request; the SDK enforces it, not this test.
    assert!(store::client::OPERATION_TIMEOUT < std::time::Duration::from_secs(3));
    let mut refusals = Vec::new();
    for fault in [
        Fault::Refuse,
        Fault::Hang,
        Fault::ServerError,
        Fault::Throttle,
    ] {
        proxy.inject(fault);
        let started = std::time::Instant::now();
        let refused = answer().await;
        let elapsed = started.elapsed();
        assert_eq!(
            (refused.status, refused.code()),
            (503, 5030),
            "{route}, {fault:?}"
        );
        assert_eq!(refused.headers["retry-after"], "1");
        assert!(
            elapsed < std::time::Duration::from_secs(10),
            "{route}, {fault:?} took {elapsed:?}"
        );
        eprintln!("{fault:?}: {route} answered 503 in {elapsed:?}");
        refusals.push(refused);

        proxy.inject(Fault::None);
        assert_eq!(answer().await.status, 200, "{route} after {fault:?}");
    }
    refusals
}

fn current(mode: &AtomicU8) -> Fault {
    match mode.load(Ordering::SeqCst) {
        1 => Fault::Refuse,
        2 => Fault::Hang,
        3 => Fault::ServerError,
        4 => Fault::Throttle,
        _ => Fault::None,
    }
}

async fn serve(mut client: TcpStream, upstream: &str, tally: Tally, mode: Arc<AtomicU8>) {
    match current(&mode) {
        Fault::Refuse => {}
        Fault::Hang => {
            // Hold the connection open without answering until the client gives up.
            let mut sink = [0u8; 4096];
            while let Ok(n) = client.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        }
        Fault::ServerError | Fault::Throttle => answer_errors(client, &tally.requests, &mode).await,
        Fault::None => {
            if let Ok(server) = TcpStream::connect(upstream).await {
                relay(client, server, tally, mode).await;
            }
        }
    }
}

/// Answers each request on the connection with the injected DynamoDB error.
async fn answer_errors(mut client: TcpStream, counter: &AtomicUsize, mode: &AtomicU8) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match client.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        counter.fetch_add(count_requests(&buffer[..read]), Ordering::SeqCst);
        let (status, kind) = match current(mode) {
            Fault::Throttle => ("400 Bad Request", "ProvisionedThroughputExceededException"),
            _ => ("500 Internal Server Error", "InternalServerError"),
        };
        let body = format!(
            "{{\"__type\":\"com.amazonaws.dynamodb.v20120810#{kind}\",\"message\":\"injected by the test proxy\"}}"
        );
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if client.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

const NEEDLE: &[u8] = b"x-amz-target:";
const TRACE_HEADER: &str = "x-amzn-trace-id:";

fn count_requests(bytes: &[u8]) -> usize {
    bytes
        .to_ascii_lowercase()
        .windows(NEEDLE.len())
        .filter(|w| *w == NEEDLE)
        .count()
}

/// Bytes of a request stream seen in chunks, handed on in whole lines, so a header split
/// between two reads is counted and read once, whole.
#[derive(Default)]
struct LineBuffer {
    partial: Vec<u8>,
}

impl LineBuffer {
    /// A request body (JSON, no line breaks) waits here until the next request's first line;
    /// past this the waiting bytes are dropped, as no header line is that long.
    const LIMIT: usize = 256 * 1024;

    /// Adds `chunk` and returns the lines it completes (line breaks included).
    fn complete_lines(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.partial.extend_from_slice(chunk);
        let Some(last_break) = self.partial.iter().rposition(|b| *b == b'\n') else {
            if self.partial.len() > Self::LIMIT {
                self.partial.clear();
            }
            return Vec::new();
        };
        let rest = self.partial.split_off(last_break + 1);
        std::mem::replace(&mut self.partial, rest)
    }
}

/// Finds `"pk":{"S":"…"}` in a byte stream seen in chunks (a match split between two chunks
/// is found once, whole). Ids never hold `"` or `\\`, so the value needs no unescaping.
#[derive(Default)]
struct KeyScanner {
    tail: Vec<u8>,
}

impl KeyScanner {
    const NEEDLE: &'static [u8] = br#""pk":{"S":""#;
    /// Longer than any key this project writes, so a partial match is never dropped.
    const LONGEST_KEY: usize = 512;

    fn scan(&mut self, chunk: &[u8]) -> Vec<String> {
        self.tail.extend_from_slice(chunk);
        let mut found = Vec::new();
        let mut at = 0;
        let mut keep_from = self.tail.len().saturating_sub(Self::NEEDLE.len());
        while let Some(offset) = self.tail[at..]
            .windows(Self::NEEDLE.len())
            .position(|w| w == Self::NEEDLE)
        {
            let start = at + offset + Self::NEEDLE.len();
            match self.tail[start..].iter().position(|b| *b == b'"') {
                Some(end) => {
                    found
                        .push(String::from_utf8_lossy(&self.tail[start..start + end]).into_owned());
                    at = start + end;
                    keep_from = keep_from.max(at);
                }
                None => {
                    // The value goes on in the next chunk: keep it from the needle on.
                    keep_from = (start - Self::NEEDLE.len()).min(keep_from);
                    if self.tail.len() - start > Self::LONGEST_KEY {
                        keep_from = self.tail.len();
                    }
                    break;
                }
            }
        }
        self.tail.drain(..keep_from.min(self.tail.len()));
        found
    }
}

/// The `X-Amzn-Trace-Id` values among whole header `lines`.
fn trace_ids(lines: &[u8]) -> impl Iterator<Item = String> + '_ {
    lines.split(|b| *b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
        let name = line.get(..TRACE_HEADER.len())?;
        name.eq_ignore_ascii_case(TRACE_HEADER)
            .then(|| line[TRACE_HEADER.len()..].trim().to_owned())
    })
}

/// Relays until either side closes, or a fault is injected: then the connection is dropped, so
/// the client's next attempt opens a new one and meets the fault (pooled keep-alive
/// connections included).
async fn relay(client: TcpStream, server: TcpStream, tally: Tally, mode: Arc<AtomicU8>) {
    // Forward each chunk at once: Nagle's algorithm would hold small writes for a delayed ACK.
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async move {
        let mut buffer = vec![0u8; 16 * 1024];
        let mut lines = LineBuffer::default();
        let mut keys = KeyScanner::default();
        loop {
            let read = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if current(&mode) != Fault::None {
                break;
            }
            let whole = lines.complete_lines(&buffer[..read]);
            tally
                .requests
                .fetch_add(count_requests(&whole), Ordering::SeqCst);
            if let Ok(mut seen) = tally.trace_ids.lock() {
                seen.extend(trace_ids(&whole));
            }
            if let Ok(mut seen) = tally.partition_keys.lock() {
                seen.extend(keys.scan(&buffer[..read]));
            }
            if server_write.write_all(&buffer[..read]).await.is_err() {
                break;
            }
        }
    };
    let downstream = async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &[u8] = b"POST / HTTP/1.1\r\nx-amz-target: DynamoDB_20120810.GetItem\r\n\
        X-Amzn-Trace-Id: Root=1-5759e988-000000000000000000000001;Sampled=0\r\n\
        content-length: 2\r\n\r\n{}";

    /// Feeds `stream` in chunks of `size` bytes; the requests counted and the trace ids read.
    fn read_in_chunks(stream: &[u8], size: usize) -> (usize, Vec<String>) {
        let mut lines = LineBuffer::default();
        let (mut requests, mut ids) = (0, Vec::new());
        for chunk in stream.chunks(size) {
            let whole = lines.complete_lines(chunk);
            requests += count_requests(&whole);
            ids.extend(trace_ids(&whole));
        }
        (requests, ids)
    }

    #[test]
    fn partition_keys_split_between_reads_are_found_once_whole() {
        let body = br#"{"RequestItems":{"t":{"Keys":[{"sk":{"S":"USER"},"pk":{"S":"TENANT#a#USER#auth0|1"}},{"pk":{"S":"TENANT#a"},"sk":{"S":"TENANT"}}],"ConsistentRead":true}}}"#;
        let stream = [&body[..], &body[..]].concat();
        for size in 1..=stream.len() {
            let mut scanner = KeyScanner::default();
            let keys: Vec<String> = stream.chunks(size).flat_map(|c| scanner.scan(c)).collect();
            assert_eq!(
                keys,
                [
                    "TENANT#a#USER#auth0|1",
                    "TENANT#a",
                    "TENANT#a#USER#auth0|1",
                    "TENANT#a"
                ],
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn headers_split_between_reads_are_counted_and_read_once_whole() {
        let stream = [REQUEST, REQUEST].concat();
        for size in 1..=stream.len() {
            let (requests, ids) = read_in_chunks(&stream, size);
            assert_eq!(requests, 2, "chunks of {size}");
            assert_eq!(
                ids,
                vec!["Root=1-5759e988-000000000000000000000001;Sampled=0"; 2],
                "chunks of {size}"
            );
        }
    }
}
