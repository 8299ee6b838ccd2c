//! The Lambda poll loop both functions run: [`run`] is `lambda_http::run` without the
//! per-invocation `setenv`.
//!
//! # Why it exists, and when to delete it
//!
//!
//! `lambda_runtime` 1.5, in its sequential loop, calls `std::env::set_var("_X_AMZN_TRACE_ID", …)`
//! before every invocation. Under glibc (the `provided.al2023` image, and the
//! `aarch64-unknown-linux-gnu` target `cargo lambda` builds) `setenv` never frees a replaced value
//! and keeps every distinct one in a search tree, and Lambda sends a new trace id with every
//! invocation: the heap grows with every invocation, for the life of the container.
//!
//! [`run`] keeps everything else of `lambda_runtime`: its service stack (event decoding through
//! `lambda_http`'s adapter, the response and error posts to the Runtime API) and its tracing
//! span. (That stack also catches a handler's panic and reports it to the Runtime API; with the
//! release profile's `panic = "abort"` a panic ends the process instead, as with
//! `lambda_http::run`.) It takes that stack out of a [`Runtime`] with a [`Layer`] that keeps the
//! service it is given, and drives it with its own loop: `GET …/invocation/next`, build the
//! [`Context`], call the stack within the invocation's trace id ([`store::trace`], which puts it
//! on the DynamoDB requests as the SDK does from `_X_AMZN_TRACE_ID`). What this loop leaves out:
//! the `_X_AMZN_TRACE_ID` variable itself (code that reads it, which this project has none of,
//! sees no trace id) and the SnapStart hooks (SnapStart does not apply to `provided.al2023`
//! functions).
//!
//! What it borrows from `lambda_runtime` (its `Runtime::layer` service stack, `Context::new`,
//! `LambdaInvocation`, the Runtime API client) is not a stable contract, so `lambda_http`,
//! `lambda_runtime` and `lambda_runtime_api_client` are pinned exactly in the workspace
//! `Cargo.toml`, and `tests/poll_loop.rs` runs this loop against a Runtime API emulator: an
//! upgrade that breaks what it borrows fails to compile or fails that test.
//!
//! Delete this module, and call `lambda_http::run`, once `lambda_runtime` no longer calls
//! `std::env::set_var` per invocation in its sequential loop (or the functions move to a target
//! whose libc frees replaced environment values).

use std::cell::Cell;
use std::fmt::Debug;
use std::future::{Ready, poll_fn, ready};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use http_body_util::BodyExt;
use lambda_http::tower::{Layer, Service};
use lambda_http::{Adapter, Error, IntoResponse, Request};
use lambda_runtime::{
    Config, Context, Diagnostic, LambdaInvocation, Runtime, layers::TracingLayer,
};
use lambda_runtime_api_client::{PooledClient, body::Body, build_request};

/// The header that carries the invocation's id in a `next` answer.
const REQUEST_ID: &str = "lambda-runtime-aws-request-id";
/// The header that carries the invocation's deadline; `Context::new` panics without it.
const DEADLINE: &str = "lambda-runtime-deadline-ms";
/// The Runtime API's `next` path.
const NEXT: &str = "/2018-06-01/runtime/invocation/next";

/// Polls the Lambda Runtime API and answers each invocation with `handler`, as
/// `lambda_http::run` does but without setting `_X_AMZN_TRACE_ID`: the trace id reaches the
/// DynamoDB requests through [`store::trace::within_invocation`] (see the module docs).
///
/// Returns when the Runtime API cannot be reached or sends an invocation without its id or
/// deadline: the process then exits and Lambda starts a new one, as with `lambda_runtime`.
/// Panics, as `lambda_runtime` does, when the Lambda environment variables
/// (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_FUNCTION_VERSION`,
/// `AWS_LAMBDA_RUNTIME_API`) are missing: that is at init, before any request.
pub async fn run<'a, R, S, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
    E: Debug + Into<Diagnostic>,
{
    let mut service = detach(Runtime::new(Adapter::from(handler)).layer(TracingLayer::new()))?;
    let config = Arc::new(Config::from_env());
    let client = PooledClient::builder().build();
    loop {
        let next = build_request()
            .method(lambda_http::http::Method::GET)
            .uri(lambda_http::http::Uri::from_static(NEXT))
            .body(Body::empty())?;
        let (parts, incoming) = client.call(next).await?.into_parts();
        if parts.status == lambda_http::http::StatusCode::NO_CONTENT {
            // No invocation: `cargo lambda watch` keeps the runtime alive this way.
            continue;
        }
        let body = incoming.collect().await?.to_bytes();
        let request_id = parts
            .headers
            .get(REQUEST_ID)
            .ok_or("the Runtime API sent an invocation without its request id")?
            .to_str()?;
        if !parts.headers.contains_key(DEADLINE) {
            return Err("the Runtime API sent an invocation without its deadline".into());
        }
        let context = Context::new(request_id, config.clone(), &parts.headers)?;
        let trace_id = context.xray_trace_id.clone();
        poll_fn(|cx| service.poll_ready(cx)).await?;
        let invocation = service.call(LambdaInvocation {
            parts,
            body,
            context,
        });
        store::trace::within_invocation(trace_id, invocation).await?;
    }
}

/// Takes the service stack out of `runtime`: the stack answers one [`LambdaInvocation`] by
/// calling the handler and posting its response (or error) to the Runtime API.
fn detach<S>(runtime: Runtime<S>) -> Result<S, Error>
where
    S: Service<LambdaInvocation, Response = (), Error = lambda_runtime::Error>,
{
    let kept = Rc::new(Cell::new(None));
    drop(runtime.layer(Keep(kept.clone())));
    kept.take()
        .ok_or_else(|| "lambda_runtime did not hand its service to the layer".into())
}

/// A [`Layer`] that keeps the service it wraps in a shared cell and puts [`Detached`] in its
/// place.
struct Keep<S>(Rc<Cell<Option<S>>>);

impl<S> Layer<S> for Keep<S> {
    type Service = Detached;

    fn layer(&self, inner: S) -> Detached {
        self.0.set(Some(inner));
        Detached
    }
}

/// What is left in the [`Runtime`] [`Keep`] emptied; it is dropped unused.
struct Detached;

impl Service<LambdaInvocation> for Detached {
    type Response = ();
    type Error = lambda_runtime::Error;
    type Future = Ready<Result<(), lambda_runtime::Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: LambdaInvocation) -> Self::Future {
        ready(Err("the runtime's service was detached".into()))
    }
}
