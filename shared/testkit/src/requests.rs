use lambda_http::http::{HeaderValue, Method};
use lambda_http::{Body, Request, Response};

use crate::workspace_root;

/// A request to `https://api.example.com{path_and_query}` with `method` and `headers` (values
/// as bytes, so tests can send what is not text).
pub fn request(method: Method, path_and_query: &str, headers: &[(&str, &[u8])]) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://api.example.com{path_and_query}"));
    for (name, value) in headers {
        builder = builder.header(*name, HeaderValue::from_bytes(value).expect("header value"));
    }
    builder.body(Body::Empty).expect("request")
}

/// `request` answered by a route's `service`, as the runtime hands it to API Gateway (the body
/// converted to the Lambda response's text or binary body).
pub async fn call(service: &bootstrap::RouteService, request: Request) -> Response<Body> {
    use tower::ServiceExt;
    let response = match service.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    lambda_http::IntoResponse::into_response(response).await
}

/// `GET /me` with `headers`.
pub fn me_request(headers: &[(&str, &str)]) -> Request {
    request(Method::GET, "/me", &as_bytes(headers))
}

/// `GET /users/me?query` (no `?` when `query` is empty) with `headers`.
pub fn users_me_request(query: &str, headers: &[(&str, &str)]) -> Request {
    let path = if query.is_empty() {
        "/users/me".to_owned()
    } else {
        format!("/users/me?{query}")
    };
    request(Method::GET, &path, &as_bytes(headers))
}

fn as_bytes<'a>(headers: &'a [(&'a str, &'a str)]) -> Vec<(&'a str, &'a [u8])> {
    headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect()
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The text of `events/<name>`.
pub fn event_json(name: &str) -> String {
    let path = workspace_root().join("events").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `events/<name>`, as a request.
pub fn event_request(name: &str) -> Request {
    lambda_http::request::from_str(&event_json(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The names of the files in `events/` that start with `prefix`.
pub fn event_files(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(workspace_root().join("events"))
        .expect("events/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Every credential-looking value in an event (cookie values, bearer tokens, API secrets) of
/// at least 12 characters: what a log line must never contain.
pub fn credentials_in_event(event: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    for cookie in event["cookies"].as_array().into_iter().flatten() {
        if let Some((_, value)) = cookie.as_str().and_then(|c| c.split_once('=')) {
            found.push(value.to_owned());
        }
    }
    let headers = &event["headers"];
    if let Some(token) = headers["authorization"]
        .as_str()
        .and_then(|a| a.strip_prefix("Bearer "))
    {
        found.push(token.to_owned());
    }
    if let Some(secret) = headers["x-api-secret"].as_str() {
        found.push(secret.to_owned());
    }
    found.into_iter().filter(|s| s.len() >= 12).collect()
}

/// The access lines among `lines` (one per request: `message` "request"); asserts there are
/// `requests` of them, each with route `route`, method, status, latency, request id, and the
/// tenant and API key fields.
pub fn access_lines(
    lines: &[serde_json::Value],
    route: &str,
    requests: usize,
) -> Vec<serde_json::Value> {
    let access: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l["message"] == "request")
        .cloned()
        .collect();
    assert_eq!(access.len(), requests, "one access line per request");
    for line in &access {
        assert_eq!(line["route"], route, "{line}");
        assert!(
            line["status"].is_u64() && line["latency_us"].is_u64(),
            "{line}"
        );
        assert!(
            line["request_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{line}"
        );
        assert!(line["method"].is_string(), "{line}");
        assert!(line["tenant_id"].is_string(), "{line}");
        assert!(line["api_key_id"].is_string(), "{line}");
        assert!(line["timestamp"].is_string(), "{line}");
        // An answered request is info; a refusal warns and a failure is an error, each with
        // its code and reason.
        let status = line["status"].as_u64().unwrap_or(0);
        let level = match status {
            500.. => "ERROR",
            400.. => "WARN",
            _ => "INFO",
        };
        assert_eq!(line["level"], level, "{line}");
        let refused = status >= 400;
        assert_eq!(line["code"].is_u64(), refused, "{line}");
        assert_eq!(line["reason"].is_string(), refused, "{line}");
    }
    access
}

/// A copy of a request's method, URI and headers (an `http::Request` is not `Clone`), with its
/// API Gateway context: what the runtime builds anew per invocation too.
pub fn copy_request(request: &Request) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(request.method())
        .uri(request.uri());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    let mut copy = builder
        .body(Body::Empty)
        .expect("a copy of a valid request");
    copy.extensions_mut().clone_from(request.extensions());
    copy
}

/// The demo data's secrets that no log line may carry: the API secret and its stored digest,
/// Ada's TOTP secret and OTP URL, and her backup-code digests.
pub fn demo_secrets() -> Vec<String> {
    let ada = devkit::demo::ada_secrets();
    let mut secrets = vec![
        devkit::demo::API_SECRET.to_owned(),
        auth::sha256_hex(devkit::demo::API_SECRET.as_bytes()),
    ];
    for totp in ada.totp {
        secrets.push(totp.secret);
        secrets.extend(totp.otp_url);
    }
    secrets.extend(ada.backup_code_digests);
    secrets
}

/// Runs the function `binary` at `RUST_LOG=trace` over every `events/<prefix>*.json` and
/// checks that no line it wrote carries a credential of those events or a demo secret
/// ([`demo_secrets`]). Returns how many lines it wrote.
pub async fn trace_logs_carry_no_secret(binary: &std::path::Path, prefix: &str) -> usize {
    let (_, store) = crate::local_dynamo().seeded_table().await;
    let mut bootstrap =
        crate::runtime_api::Bootstrap::spawn_logging(binary, store.table(), "trace").await;
    let mut secrets = demo_secrets();
    let files = event_files(prefix);
    assert!(!files.is_empty());
    for file in &files {
        let event = event_json(file);
        secrets.extend(credentials_in_event(
            &serde_json::from_str(&event).expect("a JSON event"),
        ));
        let outcome = bootstrap.invoke(&event).await;
        assert!(!outcome.failed, "{file}: {}", outcome.body);
    }
    let logs = bootstrap.logs();
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret reached the trace logs: {secret:.12}…"
        );
    }
    let lines = logs.lines().count();
    assert!(lines >= files.len(), "at least the access lines: {logs}");
    lines
}
