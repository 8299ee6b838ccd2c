use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

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
/// the wire, and it can inject faults. It runs on the current runtime until the test ends.
#[derive(Debug, Clone)]
pub struct CountingProxy {
    endpoint: String,
    requests: Arc<AtomicUsize>,
    fault: Arc<AtomicU8>,
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
        let requests = Arc::new(AtomicUsize::new(0));
        let fault = Arc::new(AtomicU8::new(Fault::None as u8));
        let (counter, mode) = (requests.clone(), fault.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (upstream, counter, mode) = (upstream.clone(), counter.clone(), mode.clone());
                tokio::spawn(async move { serve(client, &upstream, counter, mode).await });
            }
        });
        Self {
            endpoint,
            requests,
            fault,
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

    /// Injects `fault` into the next connections and requests (`Fault::None` to recover).
    pub fn inject(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }

    /// A DynamoDB client (production configuration) that talks through this proxy.
    pub async fn client(&self) -> aws_sdk_dynamodb::Client {
        let config = store::client::sdk_config().await;
        aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&config)
                .endpoint_url(&self.endpoint)
                .build(),
        )
    }
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

async fn serve(
    mut client: TcpStream,
    upstream: &str,
    counter: Arc<AtomicUsize>,
    mode: Arc<AtomicU8>,
) {
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
        Fault::ServerError | Fault::Throttle => answer_errors(client, &counter, &mode).await,
        Fault::None => {
            if let Ok(server) = TcpStream::connect(upstream).await {
                relay(client, server, counter, mode).await;
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

fn count_requests(bytes: &[u8]) -> usize {
    bytes
        .to_ascii_lowercase()
        .windows(NEEDLE.len())
        .filter(|w| *w == NEEDLE)
        .count()
}

/// Relays until either side closes, or a fault is injected: then the connection is dropped, so
/// the client's next attempt opens a new one and meets the fault (pooled keep-alive
/// connections included).
async fn relay(
    client: TcpStream,
    server: TcpStream,
    counter: Arc<AtomicUsize>,
    mode: Arc<AtomicU8>,
) {
    // Forward each chunk at once: Nagle's algorithm would hold small writes for a delayed ACK.
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async move {
        let mut buffer = vec![0u8; 16 * 1024];
        // The tail of the previous read (shorter than the needle, so never counted twice), so a
        // header split across two reads still counts.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let read = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if current(&mode) != Fault::None {
                break;
            }
            let mut window = std::mem::take(&mut carry);
            window.extend_from_slice(&buffer[..read]);
            counter.fetch_add(count_requests(&window), Ordering::SeqCst);
            carry = window[window.len().saturating_sub(NEEDLE.len() - 1)..].to_vec();
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
