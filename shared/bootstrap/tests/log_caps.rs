//! The dependency crates that log raw events and response bodies below `info` are capped there,
//! whatever the filter asks for; the project's own lines pass at every level.

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
    // The crates seen logging raw events and response bodies are among the capped ones.
    for crate_name in [
        "lambda_runtime",
        "lambda_http",
        "aws_smithy_runtime",
        "hyper",
        "h2",
    ] {
        assert!(
            bootstrap::logging::CAPPED_TARGETS.contains(&crate_name),
            "{crate_name} is not capped"
        );
    }
}
