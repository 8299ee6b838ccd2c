//! Every crate but the project's own is capped at `info`, whatever the filter asks for (the
//! dependencies log raw events and response bodies below it); the project's own lines pass at
//! every level.

use tracing::{debug, info, trace};

#[test]
fn dependency_crates_are_capped_at_info_even_at_trace() {
    let (logs, _guard) = testkit::capture_logs(); // the production subscriber, filter "trace"
    trace!(target: "lambda_runtime::layers::api_response", "raw event __session=secret-one");
    debug!(target: "aws_smithy_runtime::client::http", "body secret_sha256=secret-two");
    trace!(target: "hyper_util::client", "headers secret-three");
    info!(target: "lambda_runtime", "kept at info");
    trace!(target: "get_me::handler", "our own trace line");
    let text = logs.text();
    for secret in ["secret-one", "secret-two", "secret-three"] {
        assert!(!text.contains(secret), "{secret} passed the cap: {text}");
    }
    assert!(text.contains("kept at info"), "{text}");
    assert!(text.contains("our own trace line"), "{text}");
    assert_eq!(logs.lines().len(), 2);
    // The crates seen logging raw events and response bodies, and any other, are capped.
    debug!(target: "lambda_http", "secret-four");
    trace!(target: "aws_sdk_dynamodb::operation", "secret-four");
    debug!(target: "h2::codec", "secret-four");
    debug!(target: "tower_http::trace", "secret-four");
    trace!(target: "a_crate_added_later", "secret-four");
    assert!(!logs.text().contains("secret-four"), "{}", logs.text());
}
