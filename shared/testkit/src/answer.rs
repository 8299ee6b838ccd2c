use lambda_http::http::HeaderMap;
use lambda_http::{Body, Response};
use serde_json::Value;

use crate::OpenApi;

/// A response as a test sees it, after the checks every response must pass.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, parsed.
    pub body: Value,
}

impl Answer {
    /// The error code: `errors[0].code` (`/me`) or `code` (`/users/me`).
    pub fn code(&self) -> i64 {
        self.body["code"]
            .as_i64()
            .or_else(|| self.body["errors"][0]["code"].as_i64())
            .unwrap_or_else(|| panic!("no error code in {}", self.body))
    }
}

/// Checks what every response of `GET path` must be: `content_type`, `Cache-Control:
/// no-store`, `X-Content-Type-Options: nosniff`, an `X-Request-Id`, a JSON body that matches
/// the documented schema of its status in openapi.yaml. Panics with the violations.
pub fn checked(response: Response<Body>, path: &str, content_type: &str) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], content_type, "status {status}");
    assert_eq!(headers["cache-control"], "no-store", "status {status}");
    assert_eq!(
        headers["x-content-type-options"], "nosniff",
        "status {status}"
    );
    assert!(
        headers.get("x-request-id").is_some_and(|id| !id.is_empty()),
        "status {status}: no X-Request-Id"
    );
    let body: Value = match response.body() {
        Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
        other => panic!("unexpected body {other:?}"),
    };
    // Every method is checked against the GET operation: the 405 is documented there.
    if let Err(errors) = OpenApi::load().check("get", path, status, content_type, &body) {
        panic!("status {status} body does not match openapi.yaml: {errors:#?}\n{body}");
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// The expected answer to one file of `events/`: file name, status, error code.
pub type EventExpectation<'a> = (&'a str, u16, Option<i64>);

/// Sends every `events/<prefix>*.json` file through `handle` and checks each answer with
/// [`checked`] and against `expected`. Every such file must have an expectation, so a new event
/// cannot go untested. Returns the answers by file name.
pub async fn answer_events<F, Fut>(
    prefix: &str,
    path: &str,
    content_type: &str,
    expected: &[EventExpectation<'_>],
    handle: F,
) -> std::collections::HashMap<String, Answer>
where
    F: Fn(lambda_http::Request) -> Fut,
    Fut: std::future::Future<Output = Response<Body>>,
{
    let files = crate::event_files(prefix);
    let mut named: Vec<&str> = expected.iter().map(|(file, _, _)| *file).collect();
    named.sort_unstable();
    assert_eq!(
        files, named,
        "every events/{prefix}*.json needs exactly one expectation"
    );
    let mut answers = std::collections::HashMap::new();
    for (file, status, code) in expected {
        let answer = checked(handle(crate::event_request(file)).await, path, content_type);
        assert_eq!(answer.status, *status, "{file}: {}", answer.body);
        assert_eq!(
            answer.headers["x-request-id"],
            format!("{}-event-request-id", file.trim_end_matches(".json"))
        );
        if let Some(code) = code {
            assert_eq!(answer.code(), *code, "{file}");
        }
        answers.insert((*file).to_owned(), answer);
    }
    answers
}
