//! The real `get-users-me` binary under a local Lambda Runtime API (testkit), against dynalite:
//! both credential paths and a refusal, as API Gateway receives them.

use std::path::Path;

use devkit::demo::ADA_ID;
use serde_json::Value;
use testkit::CountingProxy;
use testkit::runtime_api::Bootstrap;

/// Sends the event file `name`; the status, the content type and the JSON body.
async fn send(bootstrap: &mut Bootstrap, name: &str) -> (u64, String, Value) {
    let outcome = bootstrap.invoke(&testkit::event_json(name)).await;
    assert!(
        !outcome.failed,
        "{name} was posted as an error: {}",
        outcome.body
    );
    let document: Value = serde_json::from_str(&outcome.body).expect("a JSON response document");
    let body = document["body"].as_str().expect("a text body");
    (
        document["statusCode"].as_u64().expect("a status"),
        document["headers"]["content-type"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        serde_json::from_str(body).expect("a JSON body"),
    )
}

#[tokio::test]
async fn the_bootstrap_answers_each_credential_path_through_the_runtime_api() {
    let (_, store) = testkit::local_dynamo().seeded_table().await;
    let binary = Path::new(env!("CARGO_BIN_EXE_get-users-me"));
    let mut bootstrap = Bootstrap::spawn(binary, store.table()).await;

    for name in ["get-users-me-jwt.json", "get-users-me-api-key.json"] {
        let (status, content_type, body) = send(&mut bootstrap, name).await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/vnd.api+json"),
            "{name}"
        );
        assert_eq!(body["data"]["type"], "users", "{name}");
        assert_eq!(body["data"]["id"], ADA_ID.to_string(), "{name}");
    }
    let (status, _, body) = send(&mut bootstrap, "get-users-me-wrong-secret.json").await;
    assert_eq!(status, 401);
    assert_eq!(
        (body["status"].as_u64(), body["code"].as_u64()),
        (Some(401), Some(4016))
    );
}

/// `bootstrap::poll_loop` does not set `_X_AMZN_TRACE_ID`, so the SDK cannot copy it; each
/// invocation's trace id must still reach every DynamoDB request it makes, as X-Ray needs.
#[tokio::test]
async fn each_invocation_s_trace_id_reaches_its_dynamodb_requests() {
    let (_, store) = testkit::local_dynamo().seeded_table().await;
    let proxy = CountingProxy::start(testkit::local_dynamo().endpoint()).await;
    let binary = Path::new(env!("CARGO_BIN_EXE_get-users-me"));
    let mut bootstrap = Bootstrap::spawn_through(binary, store.table(), proxy.endpoint()).await;

    let mut handed_out = Vec::new();
    for name in ["get-users-me-jwt.json", "get-users-me-api-key.json"] {
        let outcome = bootstrap.invoke(&testkit::event_json(name)).await;
        let document: Value = serde_json::from_str(&outcome.body).expect("a response document");
        assert_eq!(document["statusCode"], 200, "{name}: {}", outcome.body);
        handed_out.push(outcome.trace_id);
    }
    let (jwt, api_key) = (&handed_out[0], &handed_out[1]);
    assert_ne!(jwt, api_key);
    // One request on the JWT path, two on the API-key path, each with its invocation's id.
    assert_eq!(
        proxy.trace_ids(),
        vec![jwt.clone(), api_key.clone(), api_key.clone()]
    );
    assert_eq!(proxy.requests(), 3);
}

/// At `RUST_LOG=trace` no line carries a token, cookie, API secret, secret digest or MFA
/// secret: the dependency crates that log raw events and response bodies are capped at `info`.
#[tokio::test]
async fn trace_logs_carry_no_secret() {
    let binary = Path::new(env!("CARGO_BIN_EXE_get-users-me"));
    let lines = testkit::trace_logs_carry_no_secret(binary, "get-users-me").await;
    eprintln!("{lines} lines at RUST_LOG=trace, none with a secret");
}
