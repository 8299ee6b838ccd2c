//! The one CORS policy of the API, answered by the functions themselves, deployed and in
//! `make dev` alike (the HTTP API routes every method to them and has no CORS configuration of
//! its own; cargo-lambda's permissive layer is switched off in the workspace Cargo.toml).
//!
//! - Origins: exactly the `ALLOWED_ORIGINS` list ([`CorsPolicy::parse`]), compared byte for
//!   byte with the request's `Origin`; never a wildcard, since credentials are allowed.
//! - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is allowed when
//!   the origin is listed, the method is GET or HEAD and every requested header is in
//!   [`ALLOWED_HEADERS`]: 204 with the grant, cached by the browser for [`MAX_AGE_SECS`].
//!   Anything else is refused ([`PreflightRefusal`]: 403 in the route's error shape, with no
//!   CORS grant, so the browser blocks the request, and the same `Vary` as a grant).
//! - Every other response to a listed origin carries `Access-Control-Allow-Origin` (that
//!   origin), `-Allow-Credentials: true` and `-Expose-Headers` ([`EXPOSED_HEADERS`]); every
//!   response carries `Vary: Origin`. An origin that is not listed is never echoed.

use std::fmt;

use lambda_http::http::Method;
use lambda_http::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HeaderMap, HeaderValue, ORIGIN,
    VARY,
};

/// Request headers a listed origin may send, as the grant lists them (lower case): those the standard clients send on a
/// GET (JSON:API clients set `Accept` and `Content-Type` on every request) and the API's own.
pub const ALLOWED_HEADERS: &str = "accept, accept-language, authorization, content-language, content-type, x-api-key, x-api-secret, x-domain";
/// Response headers a listed origin's JavaScript may read.
pub const EXPOSED_HEADERS: &str = "retry-after, www-authenticate, x-request-id";
/// The methods a preflight may ask for.
pub const ALLOWED_METHODS: &str = "GET, HEAD";
/// How long a browser may cache a preflight's grant, in seconds.
pub const MAX_AGE_SECS: &str = "600";
/// What every response varies on.
const VARY_ON: &str = "Origin";
/// What a preflight's answer varies on.
pub(crate) const PREFLIGHT_VARY_ON: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

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

/// Why a preflight was refused; for the log line only, never shown with the request's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreflightRefusal {
    /// The `Origin` is not listed (or is `null`, or appears twice).
    Origin,
    /// The requested method is not GET or HEAD.
    Method,
    /// A requested header is not in [`ALLOWED_HEADERS`].
    Header,
}

impl fmt::Display for PreflightRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PreflightRefusal::Origin => "preflight refused: origin not allowed",
            PreflightRefusal::Method => "preflight refused: method not allowed",
            PreflightRefusal::Header => "preflight refused: request header not allowed",
        })
    }
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

    /// Whether `request` is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && headers.contains_key(ORIGIN)
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The listed origin the request comes from, if it is listed (exactly one `Origin` header).
    fn listed_origin(&self, headers: &HeaderMap) -> Option<&HeaderValue> {
        let mut values = headers.get_all(ORIGIN).iter();
        let origin = values.next()?;
        if values.next().is_some() {
            return None;
        }
        self.origins.iter().find(|listed| *listed == origin)
    }

    /// The grant of a preflight, as headers for a 204, or why it is refused.
    pub fn preflight(&self, headers: &HeaderMap) -> Result<HeaderMap, PreflightRefusal> {
        let origin = self
            .listed_origin(headers)
            .ok_or(PreflightRefusal::Origin)?
            .clone();
        let mut methods = headers.get_all(ACCESS_CONTROL_REQUEST_METHOD).iter();
        let method = methods.next().map(HeaderValue::as_bytes);
        if !matches!(method, Some(b"GET" | b"HEAD")) || methods.next().is_some() {
            return Err(PreflightRefusal::Method);
        }
        for value in headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS) {
            let text = value.to_str().map_err(|_| PreflightRefusal::Header)?;
            let allowed = text
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .all(|name| {
                    ALLOWED_HEADERS
                        .split(", ")
                        .any(|a| a.eq_ignore_ascii_case(name))
                });
            if !allowed {
                return Err(PreflightRefusal::Header);
            }
        }
        let mut grant = HeaderMap::new();
        allow_origin(&mut grant, origin);
        grant.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOWED_METHODS),
        );
        grant.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOWED_HEADERS),
        );
        grant.insert(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE_SECS),
        );
        grant.insert(VARY, HeaderValue::from_static(PREFLIGHT_VARY_ON));
        Ok(grant)
    }

    /// Adds the CORS headers of a response (not a preflight's) to `response_headers`, for the
    /// request whose headers are `request_headers`.
    pub fn decorate(&self, request_headers: &HeaderMap, response_headers: &mut HeaderMap) {
        response_headers.insert(VARY, HeaderValue::from_static(VARY_ON));
        if let Some(origin) = self.listed_origin(request_headers) {
            allow_origin(response_headers, origin.clone());
            response_headers.insert(
                ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
        }
    }
}

/// Lets `origin` read the response, with credentials.
fn allow_origin(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
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
    let host = match url.host() {
        Some(url::Host::Domain(domain)) if !domain.split('.').all(is_dns_label) => {
            return Err(refuse(
                "has a host name that is not DNS labels of a-z, 0-9 and inner hyphens",
            ));
        }
        Some(url::Host::Domain(domain)) => domain.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        None => return Err(refuse("has no host")),
    };
    if host.ends_with('.') {
        return Err(refuse("ends its host with a dot"));
    }
    if url.port() == Some(0) {
        return Err(refuse("has port 0"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_dev_host(&host) => {}
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

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

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
        ] {
            let err = CorsPolicy::parse(&format!("{APP},{bad}")).unwrap_err();
            assert!(err.to_string().contains(bad), "{err} names {bad}");
            assert!(err.problem.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn a_listed_origin_gets_the_grant() {
        let grant = policy()
            .preflight(&headers(&[
                ("origin", APP),
                ("access-control-request-method", "GET"),
                (
                    "access-control-request-headers",
                    "accept,content-type, Authorization,x-domain",
                ),
            ]))
            .unwrap();
        assert_eq!(grant["access-control-allow-origin"], APP);
        assert_eq!(grant["access-control-allow-credentials"], "true");
        assert_eq!(grant["access-control-allow-methods"], "GET, HEAD");
        assert_eq!(grant["access-control-max-age"], MAX_AGE_SECS);
        assert_eq!(
            grant["access-control-allow-headers"],
            "accept, accept-language, authorization, content-language, content-type, x-api-key, x-api-secret, x-domain"
        );
    }

    #[test]
    fn anything_else_is_refused_without_an_echo() {
        let policy = policy();
        let huge = format!("https://{}.example.com", "a".repeat(8000));
        let unknown_headers = (0..200)
            .map(|i| format!("x-h{i}"))
            .collect::<Vec<_>>()
            .join(",");
        for (pairs, why) in [
            (
                vec![("origin", "https://evil.example")],
                PreflightRefusal::Origin,
            ),
            (vec![("origin", "null")], PreflightRefusal::Origin),
            (vec![("origin", huge.as_str())], PreflightRefusal::Origin),
            (
                vec![("origin", "https://app.example.com.evil.example")],
                PreflightRefusal::Origin,
            ),
            (
                vec![("origin", "https://APP.example.com")],
                PreflightRefusal::Origin,
            ),
            (
                vec![("origin", APP), ("origin", APP)],
                PreflightRefusal::Origin,
            ),
            (
                vec![("origin", APP), ("access-control-request-method", "DELETE")],
                PreflightRefusal::Method,
            ),
            (
                vec![("origin", APP), ("access-control-request-method", "get")],
                PreflightRefusal::Method,
            ),
            (
                vec![
                    ("origin", APP),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", "x-custom"),
                ],
                PreflightRefusal::Header,
            ),
            (
                vec![
                    ("origin", APP),
                    ("access-control-request-method", "GET"),
                    ("access-control-request-headers", unknown_headers.as_str()),
                ],
                PreflightRefusal::Header,
            ),
        ] {
            let mut map = headers(&pairs);
            if !map.contains_key("access-control-request-method") {
                map.insert(
                    "access-control-request-method",
                    HeaderValue::from_static("GET"),
                );
            }
            assert_eq!(policy.preflight(&map), Err(why), "{pairs:?}");
        }
    }

    #[test]
    fn responses_name_only_a_listed_origin() {
        let policy = policy();
        let mut listed = HeaderMap::new();
        policy.decorate(&headers(&[("origin", APP)]), &mut listed);
        assert_eq!(listed["access-control-allow-origin"], APP);
        assert_eq!(listed["access-control-allow-credentials"], "true");
        assert_eq!(listed["access-control-expose-headers"], EXPOSED_HEADERS);
        assert_eq!(listed["vary"], "Origin");
        let mut other = HeaderMap::new();
        policy.decorate(&headers(&[("origin", "https://evil.example")]), &mut other);
        assert_eq!(other.len(), 1, "only Vary: {other:?}");
        assert_eq!(other["vary"], "Origin");
    }
}
