use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy on loopback in front of the DynamoDB server that counts the DynamoDB requests
/// (HTTP requests carrying `X-Amz-Target`) passing through it: round trips, measured on the
/// wire. It runs on the current runtime until the test ends.
#[derive(Debug, Clone)]
pub struct CountingProxy {
    endpoint: String,
    requests: Arc<AtomicUsize>,
}

impl CountingProxy {
    /// Starts a proxy to `upstream` (`http://host:port`).
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
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        relay(client, server, counter).await;
                    }
                });
            }
        });
        Self { endpoint, requests }
    }

    /// The proxy's endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// DynamoDB requests seen so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
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

async fn relay(client: TcpStream, server: TcpStream, counter: Arc<AtomicUsize>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = async move {
        const NEEDLE: &[u8] = b"x-amz-target:";
        let mut buffer = vec![0u8; 16 * 1024];
        // The last bytes of the previous read, so a header split across reads still counts.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let read = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut window = std::mem::take(&mut carry);
            window.extend_from_slice(&buffer[..read]);
            let lower = window.to_ascii_lowercase();
            let found = lower.windows(NEEDLE.len()).filter(|w| *w == NEEDLE).count();
            counter.fetch_add(found, Ordering::SeqCst);
            let keep = NEEDLE.len() - 1;
            carry = window[window.len().saturating_sub(keep)..].to_vec();
            // Do not count the carried bytes twice: they cannot hold a whole needle.
            if server_write.write_all(&buffer[..read]).await.is_err() {
                break;
            }
        }
    };
    let downstream = async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
    };
    tokio::join!(upstream, downstream);
}
