//! `bootstrap::run` in this process, under a local Lambda Runtime API (testkit). It fails if
//! an upgrade of `lambda_runtime` breaks what the poll loop borrows from it: each
//! invocation is answered with its own context, a failed one is posted as an error, and the
//! loop never sets `_X_AMZN_TRACE_ID` (lambda_runtime's `setenv` grows a glibc process with
//! every invocation: BENCHMARKS.md, "What changed, measured"). It sets the Lambda variables of
//! this process, so it is the only test in this binary.

use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};
use serde_json::{Value, json};
use testkit::runtime_api::RuntimeApi;

/// Answers with the invocation's trace id and whether the trace variable is set; refuses an
/// event whose path is `/fail`.
async fn echo_trace(request: Request) -> Result<Response<Body>, Error> {
    if request.uri().path() == "/fail" {
        return Err("refused on purpose".into());
    }
    let trace = request
        .lambda_context_ref()
        .and_then(|context| context.xray_trace_id.clone());
    let body = json!({
        "trace": trace,
        "variable": std::env::var_os("_X_AMZN_TRACE_ID").is_some(),
    });
    Ok(Response::new(Body::from(body.to_string())))
}

fn event(path: &str) -> String {
    let mut event: Value =
        serde_json::from_str(&testkit::event_json("get-me.json")).expect("a JSON event");
    event["rawPath"] = json!(path);
    event["requestContext"]["http"]["path"] = json!(path);
    event.to_string()
}

#[tokio::test(flavor = "current_thread")]
async fn each_invocation_is_answered_and_no_trace_variable_is_set() {
    let mut api = RuntimeApi::start().await.expect("start the Runtime API");
    // SAFETY: the only test of this binary, before anything else runs in it.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_LAMBDA_RUNTIME_API", &api.address);
        std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "runtime-loop");
        std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
        std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        std::env::remove_var("_X_AMZN_TRACE_ID");
    }
    let driver = async {
        let mut traces = Vec::new();
        for round in 0..3 {
            let outcome = api.invoke(event("/me")).await.expect("an answer");
            assert!(!outcome.failed, "round {round}: {}", outcome.body);
            let document: Value = serde_json::from_str(&outcome.body).expect("a document");
            assert_eq!(document["statusCode"], 200);
            let body: Value = serde_json::from_str(document["body"].as_str().expect("a text body"))
                .expect("JSON");
            assert_eq!(
                body["variable"], false,
                "round {round}: _X_AMZN_TRACE_ID was set"
            );
            let trace = body["trace"]
                .as_str()
                .expect("the context's trace id")
                .to_owned();
            assert!(trace.starts_with("Root=1-"), "{trace}");
            traces.push(trace);

            let failed = api.invoke(event("/fail")).await.expect("an answer");
            assert!(failed.failed, "a handler error is posted to …/error");
            assert!(
                failed.body.contains("refused on purpose"),
                "{}",
                failed.body
            );
        }
        traces.dedup();
        assert_eq!(
            traces.len(),
            3,
            "each invocation has its own context: {traces:?}"
        );
    };
    tokio::select! {
        ended = bootstrap::run(service_fn(echo_trace)) => panic!("the loop ended: {ended:?}"),
        () = driver => {}
    }
    assert!(std::env::var_os("_X_AMZN_TRACE_ID").is_none());
}
