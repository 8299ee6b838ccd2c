use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, body::Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// What the server answers, and how often it was asked.
struct Served {
    status: StatusCode,
    document: String,
    requests: usize,
}

/// A JWKS endpoint on loopback (hyper), for the `JWKS_URL` tests: it serves whatever document
/// (and status) it is given, and counts the requests.
#[derive(Clone)]
pub struct JwksServer {
    url: String,
    state: Arc<Mutex<Served>>,
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
        let state = Arc::new(Mutex::new(Served {
            status: StatusCode::OK,
            document: document.to_owned(),
            requests: 0,
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let state = shared.clone();
                let service = service_fn(move |_: Request<Incoming>| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(answer(&state)) }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(socket), service));
            }
        });
        Self { url, state }
    }

    /// The document's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Serves `document` with `status` from now on.
    pub fn serve(&self, status: u16, document: &str) {
        let mut state = self.state.lock().expect("state");
        state.status = StatusCode::from_u16(status).expect("a status code");
        state.document = document.to_owned();
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.state.lock().expect("state").requests
    }
}

fn answer(state: &Mutex<Served>) -> Response<Full<Bytes>> {
    let mut state = state.lock().expect("state");
    state.requests += 1;
    let mut response = Response::new(Full::new(Bytes::from(state.document.clone())));
    *response.status_mut() = state.status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The dev JWKS with only the key `kid`.
pub fn dev_jwks_with_only(kid: &str) -> String {
    let all: serde_json::Value = serde_json::from_str(devkit::DEV_JWKS).expect("dev JWKS");
    let keys: Vec<serde_json::Value> = all["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter(|k| k["kid"] == kid)
        .cloned()
        .collect();
    serde_json::json!({ "keys": keys }).to_string()
}
