//! What a browser and an HTTP client meet on either route, driven the same way for both: the
//! CORS policy of the dev origins (`devkit::DEV_ALLOWED_ORIGINS`), preflights good and hostile,
//! HEAD as GET without a body, and 405 with `Allow: GET, HEAD` for every other method.

use std::future::Future;

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

use crate::request;

/// A listed dev origin.
pub const LISTED_ORIGIN: &str = "http://app.example.test:3000";

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn body_text(response: &Response<Body>) -> String {
    match response.body() {
        Body::Text(text) => text.clone(),
        Body::Binary(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Body::Empty => String::new(),
        _ => String::new(),
    }
}

fn assert_listed_origin_may_read(response: &Response<Body>) {
    assert_eq!(
        header(response, "access-control-allow-origin"),
        Some(LISTED_ORIGIN)
    );
    assert_eq!(
        header(response, "access-control-allow-credentials"),
        Some("true")
    );
}

/// Checks the CORS policy on `path` through `handle` (the route's handler with the dev
/// policy). `credentials` are headers that make a GET succeed; `content_type` is the route's.
pub async fn assert_cors_policy<F, Fut>(
    path: &str,
    content_type: &str,
    credentials: &[(&str, &[u8])],
    handle: F,
) where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    let preflight = |origin: &[u8], method: &[u8], headers: Option<&[u8]>| {
        let mut pairs: Vec<(&str, &[u8])> = vec![
            ("origin", origin),
            ("access-control-request-method", method),
        ];
        if let Some(headers) = headers {
            pairs.push(("access-control-request-headers", headers));
        }
        request(Method::OPTIONS, path, &pairs)
    };

    // Granted: a listed origin, GET, the headers kitsu sends plus the API's own.
    let granted = handle(preflight(
        LISTED_ORIGIN.as_bytes(),
        b"GET",
        Some(b"accept,authorization,content-type,x-api-key,x-api-secret,x-domain"),
    ))
    .await;
    assert_eq!(granted.status(), 204, "{path}: {}", body_text(&granted));
    assert_listed_origin_may_read(&granted);
    assert_eq!(
        header(&granted, "access-control-allow-methods"),
        Some("GET, HEAD")
    );
    assert_eq!(header(&granted, "access-control-max-age"), Some("600"));
    assert!(header(&granted, "x-request-id").is_some());
    assert_eq!(body_text(&granted), "");

    // Refused, whatever is odd about it: 403 in the route's shape, no CORS header, no echo.
    let huge_origin = format!("https://{}.example", "a".repeat(16_000));
    let many_headers = (0..500)
        .map(|i| format!("x-h{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let refusals: Vec<(&str, Request)> = vec![
        (
            "unlisted origin",
            preflight(b"https://evil.example", b"GET", None),
        ),
        ("null origin", preflight(b"null", b"GET", None)),
        (
            "huge origin",
            preflight(huge_origin.as_bytes(), b"GET", None),
        ),
        (
            "listed origin as a prefix",
            preflight(b"http://app.example.test:3000.evil.example", b"GET", None),
        ),
        (
            "DELETE",
            preflight(LISTED_ORIGIN.as_bytes(), b"DELETE", None),
        ),
        (
            "odd method",
            preflight(LISTED_ORIGIN.as_bytes(), b"PROPFIND", None),
        ),
        (
            "binary method",
            preflight(LISTED_ORIGIN.as_bytes(), b"\xff\xfe", None),
        ),
        (
            "unknown header",
            preflight(LISTED_ORIGIN.as_bytes(), b"GET", Some(b"x-custom")),
        ),
        (
            "500 unknown headers",
            preflight(
                LISTED_ORIGIN.as_bytes(),
                b"GET",
                Some(many_headers.as_bytes()),
            ),
        ),
        (
            "binary header list",
            preflight(LISTED_ORIGIN.as_bytes(), b"GET", Some(b"accept,\xff")),
        ),
        (
            "two origins",
            request(
                Method::OPTIONS,
                path,
                &[
                    ("origin", LISTED_ORIGIN.as_bytes()),
                    ("origin", LISTED_ORIGIN.as_bytes()),
                    ("access-control-request-method", b"GET"),
                ],
            ),
        ),
    ];
    for (case, preflight) in refusals {
        let refused = handle(preflight).await;
        let body = body_text(&refused);
        assert_eq!(refused.status(), 403, "{path} {case}: {body}");
        assert_eq!(header(&refused, "content-type"), Some(content_type));
        assert!(body.contains("4030"), "{path} {case}: {body}");
        for name in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
        ] {
            assert!(header(&refused, name).is_none(), "{path} {case}: {name}");
        }
        assert!(
            !body.contains("evil"),
            "{path} {case}: the origin is echoed"
        );
        let vary = header(&refused, "vary").unwrap_or_default();
        assert!(
            vary.split(", ").any(|name| name == "Origin"),
            "{path} {case}: Vary {vary:?}"
        );
    }

    // A GET from the listed origin may be read; from another it may not, and is not echoed.
    let mut listed: Vec<(&str, &[u8])> = credentials.to_vec();
    listed.push(("origin", LISTED_ORIGIN.as_bytes()));
    let answer = handle(request(Method::GET, path, &listed)).await;
    assert_eq!(answer.status(), 200, "{path}: {}", body_text(&answer));
    assert_listed_origin_may_read(&answer);
    assert_eq!(
        header(&answer, "access-control-expose-headers"),
        Some("retry-after, www-authenticate, x-request-id")
    );
    assert_eq!(header(&answer, "vary"), Some("Origin"));
    let mut unlisted: Vec<(&str, &[u8])> = credentials.to_vec();
    unlisted.push(("origin", b"https://evil.example"));
    let answer = handle(request(Method::GET, path, &unlisted)).await;
    assert_eq!(answer.status(), 200);
    assert!(header(&answer, "access-control-allow-origin").is_none());
    assert_eq!(header(&answer, "vary"), Some("Origin"));
}

/// Checks the methods of `path` through `handle`: HEAD answers as GET (same status and headers)
/// with no body, with and without `credentials`; every other method, and an OPTIONS that is not
/// a preflight, is 405 in the route's shape (`content_type`) with `Allow: GET, HEAD`.
pub async fn assert_methods<F, Fut>(
    path: &str,
    content_type: &str,
    credentials: &[(&str, &[u8])],
    handle: F,
) where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Response<Body>>,
{
    for headers in [credentials, &[]] {
        let get = handle(request(Method::GET, path, headers)).await;
        let head = handle(request(Method::HEAD, path, headers)).await;
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(body_text(&head), "", "HEAD {path} has no body");
        assert!(!body_text(&get).is_empty());
        for name in [
            "content-type",
            "cache-control",
            "x-content-type-options",
            "www-authenticate",
            "vary",
        ] {
            assert_eq!(
                header(&head, name),
                header(&get, name),
                "HEAD {path}: {name}"
            );
        }
        assert!(header(&head, "x-request-id").is_some());
    }
    let mut odd: Vec<Method> = vec![
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    odd.push(Method::from_bytes(b"PROPFIND").expect("a method"));
    for method in odd {
        let answer = crate::checked(
            handle(request(method.clone(), path, credentials)).await,
            path,
            content_type,
        );
        assert_eq!(
            (answer.status, answer.code()),
            (405, 4050),
            "{method} {path}"
        );
        assert_eq!(answer.headers["allow"], "GET, HEAD");
    }
}
