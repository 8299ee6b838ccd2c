//! Fetching the JWKS document over HTTPS, for [`crate::CachedKeySource`].
//!
//! The HTTP client is built on the first fetch, not at init. It trusts the Mozilla root
//! program's CAs compiled into the binary (`webpki-roots`), the roots a public identity provider
//! (Cognito, Auth0, Clerk, …) chains to: no CA files are read, so the first fetch does not pay
//! for loading the system store, and the function behaves the same whatever
//! the image's certificate layout. A fetch has a 2 s timeout, must answer 200, and may be at
//! most 256 KiB.

use std::time::Duration;

use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::JwksFetcher;

/// Timeout of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(2);
/// Largest accepted document.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// Fetches one JWKS URL.
#[derive(Debug)]
pub struct HttpsJwksFetcher {
    uri: Uri,
    client: OnceLock<HttpsClient>,
}

/// Checks a `JWKS_URL`: an absolute `https://` URL, or `http://` on a loopback host (for local
/// runs and tests; a JWKS over plain HTTP elsewhere would let anyone on the path swap the keys).
/// Loopback is as [`store::client::is_loopback_host`] says: `localhost` or a loopback IP
/// address, so `http://127.attacker.example/` is not.
pub fn parse_jwks_url(text: &str) -> Result<Uri, String> {
    let uri: Uri = text.parse().map_err(|_| format!("not a URL: {text:?}"))?;
    let host = uri.host().ok_or("the URL has no host")?;
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if store::client::is_loopback_host(host) => Ok(uri),
        _ => Err("must be an https:// URL (http:// only for a loopback host)".into()),
    }
}

impl HttpsJwksFetcher {
    /// A fetcher for `uri` (see [`parse_jwks_url`]). Builds nothing yet.
    pub fn new(uri: Uri) -> Self {
        Self {
            uri,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> &HttpsClient {
        self.client.get_or_init(|| {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_http1()
                .build();
            Client::builder(TokioExecutor::new()).build(connector)
        })
    }
}

impl JwksFetcher for HttpsJwksFetcher {
    async fn fetch(&self) -> Result<String, String> {
        let client = self.client();
        let fetch = async {
            let response = client
                .get(self.uri.clone())
                .await
                .map_err(|e| format!("request failed: {e}"))?;
            if response.status() != hyper::StatusCode::OK {
                return Err(format!("answered {}", response.status()));
            }
            let body = Limited::new(response.into_body(), MAX_JWKS_BYTES)
                .collect()
                .await
                .map_err(|e| format!("body not read: {e}"))?
                .to_bytes();
            String::from_utf8(body.to_vec()).map_err(|_| "body is not UTF-8".to_owned())
        };
        tokio::time::timeout(FETCH_TIMEOUT, fetch)
            .await
            .map_err(|_| "timed out".to_owned())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        assert!(parse_jwks_url("https://idp.example.com/.well-known/jwks.json").is_ok());
        assert!(parse_jwks_url("http://127.0.0.1:8080/jwks").is_ok());
        assert!(parse_jwks_url("http://localhost/jwks").is_ok());
        assert!(parse_jwks_url("http://[::1]:8080/jwks").is_ok());
        assert!(parse_jwks_url("http://127.8.9.10/jwks").is_ok());
        for bad in [
            "http://127.attacker.example/jwks",
            "http://localhost.attacker.example/jwks",
            "http://[::2]/jwks",
            "http://idp.example.com/jwks",
            "ftp://x/jwks",
            "/jwks",
            "not a url",
            "https:///x",
        ] {
            assert!(parse_jwks_url(bad).is_err(), "{bad}");
        }
    }
}
