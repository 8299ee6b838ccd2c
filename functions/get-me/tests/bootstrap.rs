//! The real `get-me` binary under a local Lambda Runtime API (testkit), against dynalite: the
//! wiring in `main`, the poll loop of `bootstrap::poll_loop`, and the documents API Gateway gets.

use std::path::Path;

use devkit::demo::ADA_ID;
use serde_json::Value;
use testkit::runtime_api::{Bootstrap, Outcome};

/// The API Gateway response document and its JSON body.
fn answered(outcome: &Outcome) -> (Value, Value) {
    assert!(!outcome.failed, "posted as an error: {}", outcome.body);
    let document: Value = serde_json::from_str(&outcome.body).expect("a JSON response document");
    let body =
        serde_json::from_str(document["body"].as_str().expect("a text body")).expect("a JSON body");
    (document, body)
}

#[tokio::test]
async fn the_bootstrap_answers_through_the_runtime_api_and_outlives_a_bad_event() {
    let (_, store) = testkit::local_dynamo().seeded_table().await;
    let binary = Path::new(env!("CARGO_BIN_EXE_get-me"));
    let mut bootstrap = Bootstrap::spawn(binary, store.table()).await;

    let (document, body) = answered(&bootstrap.invoke(&testkit::event_json("get-me.json")).await);
    assert_eq!(document["statusCode"], 200);
    assert_eq!(document["headers"]["content-type"], "application/json");
    assert_eq!(document["headers"]["cache-control"], "no-store");
    assert_eq!(body["data"]["id"], ADA_ID.to_string());

    // Not an API Gateway event: reported to the Runtime API as an invocation error, and the
    // process goes on polling.
    let refused = bootstrap.invoke("[1, 2, 3]").await;
    assert!(refused.failed, "a bad event must be an invocation error");

    let (document, body) = answered(
        &bootstrap
            .invoke(&testkit::event_json("get-me-no-cookie.json"))
            .await,
    );
    assert_eq!(document["statusCode"], 401);
    assert_eq!(body["errors"][0]["code"], 4010);
    let (document, _) = answered(
        &bootstrap
            .invoke(&testkit::event_json("get-me-bearer.json"))
            .await,
    );
    assert_eq!(document["statusCode"], 200);
}

/// At `RUST_LOG=trace` no line carries a token, cookie, API secret, secret digest or MFA
/// secret: the dependency crates that log raw events and response bodies are capped at `info`.
#[tokio::test]
async fn trace_logs_carry_no_secret() {
    let binary = Path::new(env!("CARGO_BIN_EXE_get-me"));
    let lines = testkit::trace_logs_carry_no_secret(binary, "get-me").await;
    eprintln!("{lines} lines at RUST_LOG=trace, none with a secret");
}
