//! The one CORS policy of the API, answered by the functions themselves, deployed and in
//! `make dev` alike (the HTTP API routes every method to them and has no CORS configuration of
//! its own; cargo-lambda's permissive layer is switched off in the workspace Cargo.toml).
//!
//! The origins are exactly the `ALLOWED_ORIGINS` list ([`CorsPolicy::parse`], which refuses a
//! wildcard, `null` or an origin not written as a browser sends it); tower-http's
//! [`CorsLayer`] ([`CorsPolicy::layer`]) answers preflights and adds the CORS headers: a listed
//! origin may read responses with credentials, GET and HEAD only, with the request headers of
//! `ALLOWED_HEADERS`; an origin that is not listed is never echoed, and every response
//! varies on `Origin`.

use std::time::Duration;

use http::header::{ORIGIN, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::http::X_REQUEST_ID;

/// Request headers a listed origin may send: those the standard clients send on a GET
/// (JSON:API clients set `Accept` and `Content-Type` on every request) and the API's own.
pub(crate) const ALLOWED_HEADERS: [&str; 8] = [
    "accept",
    "accept-language",
    "authorization",
    "content-language",
    "content-type",
    "x-api-key",
    "x-api-secret",
    "x-domain",
];
/// Response headers a listed origin's JavaScript may read.
pub(crate) const EXPOSED_HEADERS: [HeaderName; 3] = [RETRY_AFTER, WWW_AUTHENTICATE, X_REQUEST_ID];
/// How long a browser may cache a preflight's grant.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(600);

/// The browser origins allowed to call the API with credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: Vec<HeaderValue>,
}

/// An `ALLOWED_ORIGINS` entry that is not an origin this policy can allow; the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin:?} {problem}")]
pub struct OriginError {
    /// The entry, at most 100 characters of it.
    pub origin: String,
    /// What is wrong.
    pub problem: &'static str,
}

impl CorsPolicy {
    /// The policy of a comma-separated list of origins (`ALLOWED_ORIGINS`); blanks around
    /// entries and empty entries are ignored, so an empty list allows no browser origin.
    ///
    /// Each entry must be an origin exactly as a browser sends it: `scheme://host[:port]`,
    /// lower case, no path, no trailing slash, no default port. The scheme is `https`, or
    /// `http` for a loopback or development host (`localhost`, `*.localhost`, `127.0.0.1`,
    /// `[::1]`, `*.test`). A wildcard or `null` is refused: credentials are allowed.
    pub fn parse(list: &str) -> Result<Self, OriginError> {
        let mut origins: Vec<HeaderValue> = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let value = parse_origin(entry)?;
            if !origins.contains(&value) {
                origins.push(value);
            }
        }
        Ok(Self { origins })
    }

    /// The listed origins.
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        self.origins.iter().filter_map(|o| o.to_str().ok())
    }

    /// The CORS layer of this policy.
    pub fn layer(&self) -> CorsLayer {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(self.origins.iter().cloned()))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::HEAD])
            .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
            .expose_headers(EXPOSED_HEADERS)
            .max_age(MAX_AGE)
            .vary([ORIGIN])
    }
}

fn parse_origin(entry: &str) -> Result<HeaderValue, OriginError> {
    let refuse = |problem| OriginError {
        origin: entry.chars().take(100).collect(),
        problem,
    };
    if entry.contains('*') {
        return Err(refuse(
            "is a wildcard: list each origin, since credentials are allowed",
        ));
    }
    if entry == "null" {
        return Err(refuse(
            "is the opaque origin of sandboxed pages and files, which any page can send",
        ));
    }
    let url =
        url::Url::parse(entry).map_err(|_| refuse("is not a URL like https://app.example.com"))?;
    let host = url.host_str().ok_or_else(|| refuse("has no host"))?;
    if host.ends_with('.') {
        return Err(refuse("ends its host with a dot"));
    }
    if let Some(url::Host::Domain(domain)) = url.host()
        && !domain.split('.').all(is_dns_label)
    {
        return Err(refuse(
            "has a host name that is not DNS labels of a-z, 0-9 and inner hyphens",
        ));
    }
    if url.port() == Some(0) {
        return Err(refuse("has port 0"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_dev_host(host) => {}
        "http" => {
            return Err(refuse(
                "uses http: only https, or http for localhost, *.localhost, 127.0.0.1, [::1] and *.test",
            ));
        }
        _ => return Err(refuse("must use https")),
    }
    let serialized = url.origin().ascii_serialization();
    if serialized != entry {
        return Err(refuse(
            "is not written as a browser sends it: scheme://host[:port], lower case, no path, no trailing slash, no default port",
        ));
    }
    HeaderValue::from_str(entry).map_err(|_| refuse("is not a valid header value"))
}

fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_dev_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
        || host.ends_with(".localhost")
        || host.ends_with(".test")
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "https://app.example.com";

    fn policy() -> CorsPolicy {
        CorsPolicy::parse(" https://app.example.com, http://app.example.test:3000 ,").unwrap()
    }

    #[test]
    fn origins_are_taken_exactly_as_browsers_send_them() {
        let parsed = policy();
        assert_eq!(
            parsed.origins().collect::<Vec<_>>(),
            [APP, "http://app.example.test:3000"]
        );
        assert_eq!(CorsPolicy::parse("").unwrap().origins().count(), 0);
        for good in [
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:5173",
            "http://web.localhost",
            "https://xn--bcher-kva.example",
            "https://10.0.0.1",
        ] {
            assert!(CorsPolicy::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn wildcards_and_malformed_origins_are_refused_by_name() {
        for (bad, says) in [
            ("*", "wildcard"),
            ("https://*.example.com", "wildcard"),
            ("null", "opaque"),
            ("app.example.com", "not a URL"),
            ("http://app.example.com", "uses http"),
            ("ftp://app.example.com", "https"),
            ("https://app.example.com/", "as a browser sends it"),
            ("https://app.example.com/path", "as a browser sends it"),
            ("https://App.Example.com", "as a browser sends it"),
            ("https://app.example.com:443", "as a browser sends it"),
            ("https://user@app.example.com", "as a browser sends it"),
            ("https://app.example.com?q", "as a browser sends it"),
            ("https://app.example.com.", "with a dot"),
            ("https://app_1.example.com", "DNS labels"),
        ] {
            let err = CorsPolicy::parse(&format!("{APP},{bad}")).unwrap_err();
            assert!(err.to_string().contains(bad), "{err} names {bad}");
            assert!(err.problem.contains(says), "{bad}: {err}");
        }
    }
}
