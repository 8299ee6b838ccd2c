//! The HTTP side both routes share, composed once where a function is assembled
//! ([`route_service`]): layers of tower-http and axum's method routing around the route's
//! handler, and the one place a route's error becomes its response (`error_response`).
//!
//! From the outside in:
//!
//! - `X-Request-Id` set on the request to the Lambda request id (else API Gateway's, else a new
//!   UUID), whatever the client sent, and copied onto the response;
//! - the access log (tower-http's trace layer, without a span): one `request` line per response
//!   with the route, method, status, latency, request id, and the tenant and API key id the
//!   handler found ([`Caller`], carried on the response by [`respond`]);
//! - `Cache-Control: no-store` and `X-Content-Type-Options: nosniff` on every response, and
//!   `Vary: Origin` where CORS did not set it;
//! - CORS (tower-http, [`CorsPolicy::layer`]), which answers preflights itself;
//! - axum's method routing: GET to the handler, HEAD as GET without the body, any other
//!   method a 405 in the route's error shape with `Allow: GET, HEAD`.
//!
//! Hand-written, because no layer does it: the choice that sends an `OPTIONS` without
//! `Origin` and `Access-Control-Request-Method` to the 405 instead of the CORS layer (which
//! answers every `OPTIONS` as a preflight), the access line's fields, and the error mapping.
//! The trace layer opens no span: a span with these fields, formatted by the JSON subscriber,
//! cost a measurable share of a warm invocation (BENCHMARKS.md, "The lighter codebase").

use std::convert::Infallible;
use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use http::header::{
    ACCESS_CONTROL_REQUEST_METHOD, ALLOW, CACHE_CONTROL, CONTENT_TYPE, ORIGIN, RETRY_AFTER, VARY,
    WWW_AUTHENTICATE,
};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use serde::Serialize;
use tower::util::{BoxCloneSyncService, Either, ServiceExt};
use tower::{Layer, ServiceBuilder};
use tower_http::propagate_header::PropagateHeaderLayer;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};
use tower_http::trace::TraceLayer;
use tracing::{Level, Span};

use auth::AccessError;

use crate::{CorsPolicy, metrics};

/// `X-Request-Id`.
pub(crate) const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `X-Content-Type-Options`.
const X_CONTENT_TYPE_OPTIONS: HeaderName = HeaderName::from_static("x-content-type-options");

/// What a refusal tells an OAuth client about the token it sent (RFC 6750 section 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// No token was sent (or another kind of credential): `Bearer`, no error attribute.
    NoToken,
    /// The token sent is invalid, revoked or not for this request: `error="invalid_token"`.
    InvalidToken,
    /// The token sent has expired: `error="invalid_token"`, so a client refreshes it.
    ExpiredToken,
}

/// A route's error: its status, its body in the route's shape, and, as its `Display`, the
/// reason the log line gives (never shown to the client, never a request's value).
pub trait RouteError: Display {
    /// The media type of the route's bodies.
    const CONTENT_TYPE: &'static str;
    /// The route's refusal of a method other than GET and HEAD.
    fn method_not_allowed() -> Self;
    /// The HTTP status.
    fn status(&self) -> StatusCode;
    /// The stable error code.
    fn code(&self) -> u16;
    /// What a 401 says in `WWW-Authenticate`, for a request with these headers.
    fn challenge(&self, headers: &HeaderMap) -> Challenge;
    /// The body in the route's shape; `request_id` for those that quote it.
    fn body<'a>(&'a self, request_id: &'a str) -> impl Serialize + 'a;
}

/// The request id the outer layer set on a request or response with these `headers`
/// ([`route_service`] always sets one); a missing one is logged as the error it is, and reads
/// as empty.
fn request_id(headers: &HeaderMap) -> &str {
    match headers.get(X_REQUEST_ID).map(HeaderValue::to_str) {
        Some(Ok(id)) => id,
        _ => {
            tracing::error!("a request or response without its X-Request-Id");
            ""
        }
    }
}

/// Who a request was for, as its access line names it: what the handler found.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    /// The tenant, once known (a validated id).
    pub tenant_id: Option<String>,
    /// The API key presented (its public id, never the secret), so that a refused key can be
    /// traced to its owner.
    pub api_key_id: Option<String>,
    /// The user answered for, once established.
    pub user_id: Option<String>,
}

/// What the access line and the metric line read from a response: the method, the
/// [`Caller`] and the error code.
#[derive(Debug, Clone)]
struct AccessFacts {
    method: Method,
    caller: Caller,
    refusal: Option<Refusal>,
}

/// An error response's code, and its reason for the log (never shown to the client).
#[derive(Debug, Clone)]
struct Refusal {
    code: u16,
    reason: String,
}

/// What the shared layers need besides the handler.
#[derive(Debug, Clone)]
pub struct RouteSettings {
    /// The CORS policy (`ALLOWED_ORIGINS`).
    pub cors: CorsPolicy,
    /// The namespace of the metric lines (`METRICS_NAMESPACE`).
    pub metrics_namespace: String,
}

/// The response of a route's `result` for `request`: the document, or the error as
/// `error_response` makes it, with `caller` on it for the access line.
pub fn respond<E: RouteError>(
    request: &Parts,
    caller: Caller,
    result: Result<Response, E>,
) -> Response {
    let (mut response, refusal) = match result {
        Ok(response) => (response, None),
        Err(err) => {
            let refusal = Refusal {
                code: err.code(),
                reason: err.to_string(),
            };
            (error_response(&err, request), Some(refusal))
        }
    };
    response.extensions_mut().insert(AccessFacts {
        method: request.method.clone(),
        caller,
        refusal,
    });
    response
}

/// A 200 whose body is `document` as JSON of `content_type`; a document that does not
/// serialise is an internal error.
pub fn json_response(
    content_type: &'static str,
    document: &impl Serialize,
) -> Result<Response, AccessError> {
    let body = serde_json::to_vec(document)
        .map_err(|e| AccessError::Internal(format!("the document did not serialise: {e}")))?;
    Ok(([(CONTENT_TYPE, content_type)], body).into_response())
}

/// `err` as its route's response: its status and body, and the header its status adds
/// (`WWW-Authenticate` on 400 and 401, `Allow: GET, HEAD` on 405, `Retry-After: 1` on 503).
fn error_response<E: RouteError>(err: &E, request: &Parts) -> Response {
    let status = err.status();
    let request_id = request_id(&request.headers);
    let extra = match status {
        StatusCode::BAD_REQUEST => Some((WWW_AUTHENTICATE, INVALID_REQUEST)),
        StatusCode::UNAUTHORIZED => Some((
            WWW_AUTHENTICATE,
            match err.challenge(&request.headers) {
                Challenge::NoToken => "Bearer",
                Challenge::InvalidToken => INVALID_TOKEN,
                Challenge::ExpiredToken => EXPIRED_TOKEN,
            },
        )),
        StatusCode::METHOD_NOT_ALLOWED => Some((ALLOW, "GET, HEAD")),
        StatusCode::SERVICE_UNAVAILABLE => Some((RETRY_AFTER, "1")),
        _ => None,
    };
    let body = match serde_json::to_vec(&err.body(request_id)) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "the error body did not serialise");
            Vec::new()
        }
    };
    let mut response = (status, [(CONTENT_TYPE, E::CONTENT_TYPE)], body).into_response();
    if let Some((name, value)) = extra {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `WWW-Authenticate` of a 401 for an invalid token.
const INVALID_TOKEN: &str =
    r#"Bearer error="invalid_token", error_description="The access token is invalid""#;
/// `WWW-Authenticate` of a 401 for an expired token.
const EXPIRED_TOKEN: &str =
    r#"Bearer error="invalid_token", error_description="The access token expired""#;
/// `WWW-Authenticate` of a 400.
const INVALID_REQUEST: &str =
    r#"Bearer error="invalid_request", error_description="The request is malformed""#;

/// The request id of an invocation: the Lambda request id, else API Gateway's, else a new
/// UUID; never what the client sent.
fn invocation_request_id<B>(request: &Request<B>) -> Option<HeaderValue> {
    let lambda = request
        .lambda_context_ref()
        .map(|c| c.request_id.as_str())
        .filter(|id| !id.is_empty());
    lambda
        .or_else(|| apigw_request_id(request))
        .and_then(|id| HeaderValue::from_str(id).ok())
        .or_else(|| HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).ok())
}

/// API Gateway's request id (`$context.requestId` in its access log), when there is one.
fn apigw_request_id<B>(request: &Request<B>) -> Option<&str> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.as_deref(),
        _ => None,
    }
    .filter(|id| !id.is_empty() && id.len() <= 128)
}

/// The access line and the metric line of one response to `route`. A response without
/// [`AccessFacts`] is a preflight the CORS layer answered.
fn access_line(
    route: &'static str,
    namespace: &str,
    cold_start: bool,
    response: &Response,
    latency: Duration,
) {
    let facts = response.extensions().get::<AccessFacts>();
    let refusal = facts.and_then(|f| f.refusal.as_ref());
    let request_id = request_id(response.headers());
    match telemetry::current() {
        Some(tally) => metrics::emit(
            namespace,
            &metrics::Observation {
                route,
                status: response.status(),
                code: refusal.map(|r| r.code),
                request_id,
                latency,
                cold_start,
                tally,
            },
        ),
        None => tracing::error!("a response outside its invocation's telemetry scope"),
    }
    let method = facts.map_or("OPTIONS", |f| f.method.as_str());
    let caller = facts.map(|f| &f.caller);
    let tenant_id = caller.and_then(|c| c.tenant_id.as_deref()).unwrap_or("");
    let api_key_id = caller.and_then(|c| c.api_key_id.as_deref()).unwrap_or("");
    let user_id = caller.and_then(|c| c.user_id.as_deref());
    let status = response.status();
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    let code = refusal.map(|r| r.code);
    let reason = refusal.map(|r| r.reason.as_str());
    // One line per request; absent fields (`user_id`, `code`, `reason`) are left out.
    macro_rules! access_line {
        ($level:expr) => {
            tracing::event!(
                $level,
                route,
                method,
                status = status.as_u16(),
                latency_us,
                request_id,
                tenant_id,
                api_key_id,
                user_id,
                code,
                reason,
                "request"
            )
        };
    }
    if status.is_server_error() {
        access_line!(Level::ERROR);
    } else if refusal.is_some() {
        access_line!(Level::WARN);
    } else {
        access_line!(Level::INFO);
    }
}

/// Whether `request` is an `OPTIONS` that is not a CORS preflight.
fn is_plain_options<B>(request: &Request<B>) -> bool {
    request.method() == Method::OPTIONS
        && !(request.headers().contains_key(ORIGIN)
            && request
                .headers()
                .contains_key(ACCESS_CONTROL_REQUEST_METHOD))
}

/// A route's service, as the poll loop and the tests call it.
pub type RouteService = BoxCloneSyncService<Request<lambda_http::Body>, Response, Infallible>;

/// The service of one route: `handler` (with `state`) for GET and HEAD behind the layers of
/// the module docs, `E`'s 405 for every other method, the CORS policy of `settings` for
/// preflights. Each call is one invocation with a tally of its own (`telemetry`), reported with
/// the response in the metric line; the service's first response is its container's cold start.
pub fn route_service<E, H, T, S>(
    route: &'static str,
    settings: &RouteSettings,
    handler: H,
    state: S,
) -> RouteService
where
    E: RouteError + 'static,
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    let methods = axum::routing::get(handler)
        .fallback(|request: Parts| async move {
            respond(&request, Caller::default(), Err(E::method_not_allowed()))
        })
        .with_state(state);
    let with_cors = settings.cors.layer().layer(methods.clone());
    let namespace = settings.metrics_namespace.clone();
    let first_response = Arc::new(AtomicBool::new(true));
    let routed = tower::service_fn(move |request: Request<lambda_http::Body>| {
        let target = if is_plain_options(&request) {
            Either::Right(methods.clone())
        } else {
            Either::Left(with_cors.clone())
        };
        target.oneshot(request)
    });
    let layered = ServiceBuilder::new()
        .map_future(telemetry::scope)
        .map_response(|response: http::Response<_>| response.map(Body::new))
        .layer(SetRequestHeaderLayer::overriding(
            X_REQUEST_ID,
            invocation_request_id,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|_: &Request<_>| Span::none())
                .on_request(())
                .on_response(move |response: &Response, latency: Duration, _: &Span| {
                    let cold_start = first_response.swap(false, Ordering::Relaxed);
                    access_line(route, &namespace, cold_start, response, latency)
                })
                .on_failure(()),
        )
        .layer(PropagateHeaderLayer::new(X_REQUEST_ID))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            VARY,
            HeaderValue::from_static("origin"),
        ))
        .service(routed);
    BoxCloneSyncService::new(layered)
}
