//! The logs of a full run, captured through the production subscriber: one JSON access line
//! per request (route, status, latency, request id, tenant id), and no token, cookie value or
//! API secret anywhere.

use admin::demo::{API_SECRET, TENANT_ID};
use get_me::MeService;
use get_users_me::UsersMeService;
use lambda_http::Body;
use serde_json::Value;
use testkit::{dev_verifier, local_dynamo};

/// Every credential-looking value in an event: cookie values, bearer tokens, API secrets.
fn secrets_of(event: &Value) -> Vec<String> {
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

#[tokio::test]
async fn a_full_run_logs_one_line_per_request_and_no_secret() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let me = MeService::new(store.clone(), dev_verifier());
    let users_me = UsersMeService::new(store, dev_verifier());
    let (extra_key, extra_secret) = admin
        .create_api_key(TENANT_ID, admin::demo::GRACE_ID)
        .await
        .unwrap();
    let mut secrets = vec![API_SECRET.to_owned(), extra_secret.clone()];

    let (logs, _guard) = testkit::capture_logs();
    let mut requests = 0;
    for file in testkit::event_files("get-") {
        let text =
            std::fs::read_to_string(testkit::workspace_root().join("events").join(&file)).unwrap();
        secrets.extend(secrets_of(&serde_json::from_str(&text).unwrap()));
        let request = testkit::event_request(&file);
        let status = if file.starts_with("get-users-me") {
            users_me.handle(request).await.status()
        } else {
            me.handle(request).await.status()
        };
        assert!(status.as_u16() < 500, "{file}: {status}");
        requests += 1;
    }
    for secret in [
        extra_secret.as_str(),
        "cus_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ] {
        let request = lambda_http::http::Request::builder()
            .uri("https://api.example.com/users/me")
            .header("x-domain", TENANT_ID)
            .header("x-api-key", extra_key.as_str())
            .header("x-api-secret", secret)
            .body(Body::Empty)
            .unwrap();
        users_me.handle(request).await;
        requests += 1;
    }
    secrets.push("cus_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff".into());

    let text = logs.text();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the logs: {secret:.12}…"
        );
    }
    let lines = logs.lines();
    let access: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    assert_eq!(access.len(), requests, "one access line per request");
    for line in access {
        assert!(
            line["route"] == "GET /me" || line["route"] == "GET /users/me",
            "{line}"
        );
        assert!(
            line["status"].is_u64() && line["latency_us"].is_u64(),
            "{line}"
        );
        assert!(
            line["request_id"].as_str().is_some_and(|id| !id.is_empty()),
            "{line}"
        );
        assert!(line["tenant_id"].is_string(), "{line}");
        assert!(
            line["level"] == "INFO" && line["timestamp"].is_string(),
            "{line}"
        );
    }
    assert!(lines.iter().any(|l| l["tenant_id"] == TENANT_ID));
}
