use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A JWKS endpoint on loopback, for the `JWKS_URL` tests: it serves whatever document (and
/// status) it is given, and counts the requests. Plain HTTP/1.1, one request per connection.
#[derive(Clone)]
pub struct JwksServer {
    url: String,
    state: Arc<Mutex<(u16, String, usize)>>,
}

impl JwksServer {
    /// Starts serving `document` with status 200, on the current runtime.
    pub async fn start(document: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the JWKS server");
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().expect("address")
        );
        let state = Arc::new(Mutex::new((200, document.to_owned(), 0)));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let (status, body) = {
                    let mut state = shared.lock().expect("state");
                    state.2 += 1;
                    (state.0, state.1.clone())
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
        });
        Self { url, state }
    }

    /// The document's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Serves `document` from now on.
    pub fn serve(&self, status: u16, document: &str) {
        let mut state = self.state.lock().expect("state");
        state.0 = status;
        state.1 = document.to_owned();
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.state.lock().expect("state").2
    }
}

/// The dev JWKS with only the key `kid`.
pub fn dev_jwks_with_only(kid: &str) -> String {
    let all: serde_json::Value = serde_json::from_str(crate::DEV_JWKS).expect("dev JWKS");
    let keys: Vec<serde_json::Value> = all["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|k| k["kid"] == kid)
        .cloned()
        .collect();
    serde_json::json!({ "keys": keys }).to_string()
}
