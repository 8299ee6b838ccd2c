//! What a browser and an HTTP client meet on either route, driven the same way for both: the
//! CORS policy of the dev origins (`devkit::DEV_ALLOWED_ORIGINS`), preflights good and hostile,
//! HEAD as GET without a body, and 405 with `Allow: GET, HEAD` for every other method.

use std::future::Future;

use lambda_http::http::{HeaderValue, Method};
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

/// Checks the CORS policy on `path` through `handle` (the route's service with the dev
/// policy). `credentials` are headers that make a GET succeed.
pub async fn assert_cors_policy<F, Fut>(path: &str, credentials: &[(&str, &[u8])], handle: F)
where
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
    assert!(
        granted.status().is_success(),
        "{path}: {}",
        body_text(&granted)
    );
    assert_listed_origin_may_read(&granted);
    assert_eq!(
        header(&granted, "access-control-allow-methods"),
        Some("GET,HEAD")
    );
    assert_eq!(
        header(&granted, "access-control-allow-headers"),
        Some(
            "accept,accept-language,authorization,content-language,content-type,x-api-key,x-api-secret,x-domain"
        )
    );
    assert_eq!(header(&granted, "access-control-max-age"), Some("600"));
    assert!(header(&granted, "x-request-id").is_some());
    assert_eq!(body_text(&granted), "");

    // Refused, whatever is odd about it, as tower-http's CORS layer answers: never a 5xx, never
    // an unlisted origin echoed; a listed origin is told what it may do, which is not what it
    // asked, so the browser blocks the request.
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
    ];
    for (case, preflight) in refusals {
        let asked_method = preflight
            .headers()
            .get("access-control-request-method")
            .cloned();
        let asked_headers = preflight
            .headers()
            .get("access-control-request-headers")
            .cloned();
        let refused = handle(preflight).await;
        let body = body_text(&refused);
        assert!(!refused.status().is_server_error(), "{path} {case}: {body}");
        assert!(
            !body.contains("evil"),
            "{path} {case}: the origin is echoed"
        );
        let granted_origin = header(&refused, "access-control-allow-origin");
        assert!(
            granted_origin.is_none_or(|o| o == LISTED_ORIGIN),
            "{path} {case}: {granted_origin:?} echoed"
        );
        if granted_origin.is_some() {
            let listed = |name: &str, asked: Option<HeaderValue>| {
                let granted = header(&refused, name).unwrap_or_default();
                asked.is_some_and(|asked| {
                    asked.as_bytes().split(|b| *b == b',').all(|one| {
                        let one = String::from_utf8_lossy(one.trim_ascii());
                        granted.split(',').any(|g| g.eq_ignore_ascii_case(&one))
                    })
                })
            };
            assert!(
                !(listed("access-control-allow-methods", asked_method)
                    && (asked_headers.is_none()
                        || listed("access-control-allow-headers", asked_headers))),
                "{path} {case}: what was asked is granted"
            );
        }
        let vary = header(&refused, "vary").unwrap_or_default();
        assert!(
            vary.split(',')
                .any(|name| name.trim().eq_ignore_ascii_case("origin")),
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
        Some("retry-after,www-authenticate,x-request-id")
    );
    assert_eq!(header(&answer, "vary"), Some("origin"));
    let mut unlisted: Vec<(&str, &[u8])> = credentials.to_vec();
    unlisted.push(("origin", b"https://evil.example"));
    let answer = handle(request(Method::GET, path, &unlisted)).await;
    assert_eq!(answer.status(), 200);
    assert!(header(&answer, "access-control-allow-origin").is_none());
    assert_eq!(header(&answer, "vary"), Some("origin"));
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
