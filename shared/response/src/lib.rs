//! The HTTP side every route shares: JSON responses with the headers every response carries
//! (`Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, `X-Request-Id`), the headers an
//! error status adds, and the one place a route's result becomes its response and its log lines
//! ([`finish`]).
//!
//! A route's error type implements [`RouteError`] (its status, its 405 and preflight refusal,
//! and its body shape); [`answer`] runs a GET route's answer for GET and HEAD, answers CORS
//! preflights by the [`CorsPolicy`], refuses every other method, and adds the CORS headers;
//! [`finish`] logs a refusal (warn) or a failure (error) with its reason, which never reaches
//! the client, and then the access line of the request.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cors;

pub use cors::{CorsPolicy, OriginError, PreflightRefusal};

use std::fmt::Display;
use std::time::Instant;

use lambda_http::http::header::{
    ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
    WWW_AUTHENTICATE,
};
use lambda_http::http::{Method, StatusCode, response::Builder};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

/// `X-Request-Id`.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `X-Content-Type-Options`.
pub const X_CONTENT_TYPE_OPTIONS: HeaderName = HeaderName::from_static("x-content-type-options");

/// Per-request facts for the headers and the access log: the request id, the start time, and
/// the tenant once the route knows it.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The Lambda request id (else API Gateway's, else a fresh UUID).
    pub request_id: String,
    /// API Gateway's request id (`$context.requestId` in its access log), when there is one.
    apigw_request_id: Option<String>,
    route: &'static str,
    method: Method,
    started: Instant,
    tenant_id: Option<String>,
    api_key_id: Option<String>,
}

impl RequestMeta {
    /// Starts timing `request` on `route` (`"GET /me"`).
    pub fn start(request: &Request, route: &'static str) -> Self {
        let apigw_request_id = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone(),
            _ => None,
        }
        .filter(|id| !id.is_empty() && id.len() <= 128);
        let request_id = request
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .filter(|id| !id.is_empty())
            .or_else(|| apigw_request_id.clone())
            .filter(|id| HeaderValue::from_str(id).is_ok())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Self {
            request_id,
            apigw_request_id,
            route,
            method: request.method().clone(),
            started: Instant::now(),
            tenant_id: None,
            api_key_id: None,
        }
    }

    /// Records the API key the request presented (its public id, never the secret), for the
    /// access line: a refused key can then be traced to its owner.
    pub fn set_api_key(&mut self, key_id: &impl Display) {
        self.api_key_id = Some(key_id.to_string());
    }

    /// Whether the request presented an API key ([`RequestMeta::set_api_key`]).
    pub fn api_key_presented(&self) -> bool {
        self.api_key_id.is_some()
    }

    /// Records the request's tenant, for the access line.
    pub fn set_tenant(&mut self, tenant_id: &impl Display) {
        self.tenant_id = Some(tenant_id.to_string());
    }

    /// Writes the one access-log line of this request.
    fn log(&self, status: StatusCode) {
        let latency_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::info!(
            route = self.route,
            method = self.method.as_str(),
            status = status.as_u16(),
            latency_us,
            request_id = %self.request_id,
            apigw_request_id = self.apigw_request_id.as_deref().unwrap_or(""),
            tenant_id = self.tenant_id.as_deref().unwrap_or(""),
            api_key_id = self.api_key_id.as_deref().unwrap_or(""),
            "request"
        );
    }
}

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

/// `WWW-Authenticate` of a 401 when no token was sent.
pub const BEARER: &str = "Bearer";
/// `WWW-Authenticate` of a 401 for an invalid token.
pub const INVALID_TOKEN: &str =
    r#"Bearer error="invalid_token", error_description="The access token is invalid""#;
/// `WWW-Authenticate` of a 401 for an expired token.
pub const EXPIRED_TOKEN: &str =
    r#"Bearer error="invalid_token", error_description="The access token expired""#;
/// `WWW-Authenticate` of a 400.
pub const INVALID_REQUEST: &str =
    r#"Bearer error="invalid_request", error_description="The request is malformed""#;
/// `Allow` of every route.
pub const ALLOWED: &str = "GET, HEAD";

/// The header an error status adds: `WWW-Authenticate` on 400 (`invalid_request`) and on 401
/// (by `challenge`), `Allow: GET, HEAD` on 405, `Retry-After: 1` on 503.
pub fn error_header(
    status: StatusCode,
    challenge: Challenge,
) -> Option<(HeaderName, &'static str)> {
    match status {
        StatusCode::BAD_REQUEST => Some((WWW_AUTHENTICATE, INVALID_REQUEST)),
        StatusCode::UNAUTHORIZED => Some((
            WWW_AUTHENTICATE,
            match challenge {
                Challenge::NoToken => BEARER,
                Challenge::InvalidToken => INVALID_TOKEN,
                Challenge::ExpiredToken => EXPIRED_TOKEN,
            },
        )),
        StatusCode::METHOD_NOT_ALLOWED => Some((ALLOW, ALLOWED)),
        StatusCode::SERVICE_UNAVAILABLE => Some((RETRY_AFTER, "1")),
        _ => None,
    }
}

/// A response whose body is `body` as JSON, with `content_type` and the headers every
/// response carries. `extra` headers are added as given.
pub fn json_response(
    meta: &RequestMeta,
    status: StatusCode,
    content_type: &'static str,
    body: &impl Serialize,
    extra: &[(HeaderName, &'static str)],
) -> Response<Body> {
    let bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(request_id = %meta.request_id, error = %err, "response body did not serialise");
            return empty(meta, StatusCode::INTERNAL_SERVER_ERROR, content_type);
        }
    };
    let mut builder = with_common_headers(Response::builder().status(status), meta, content_type);
    for (name, value) in extra {
        builder = builder.header(name, HeaderValue::from_static(value));
    }
    builder
        .body(Body::Text(String::from_utf8(bytes).unwrap_or_default()))
        .unwrap_or_else(|_| fallback())
}

fn empty(meta: &RequestMeta, status: StatusCode, content_type: &'static str) -> Response<Body> {
    with_common_headers(Response::builder().status(status), meta, content_type)
        .body(Body::Empty)
        .unwrap_or_else(|_| fallback())
}

fn with_common_headers(
    builder: Builder,
    meta: &RequestMeta,
    content_type: &'static str,
) -> Builder {
    with_bodiless_headers(
        builder.header(CONTENT_TYPE, HeaderValue::from_static(content_type)),
        meta,
    )
}

/// The headers every response carries, a body or not: `Cache-Control`, `nosniff`, the id.
fn with_bodiless_headers(builder: Builder, meta: &RequestMeta) -> Builder {
    let builder = builder
        .header(CACHE_CONTROL, HeaderValue::from_static("no-store"))
        .header(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    match HeaderValue::from_str(&meta.request_id) {
        Ok(id) => builder.header(X_REQUEST_ID, id),
        Err(_) => builder,
    }
}

/// Only reached if the `http` builder refuses the static headers above, which it does not.
fn fallback() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// A route's error type: its status, and its body in the route's shape. Its `Display` is the
/// reason for the log line (never shown to the client).
pub trait RouteError: Display {
    /// The route's refusal of a method other than GET and HEAD (405, `Allow: GET, HEAD`).
    fn method_not_allowed() -> Self;
    /// The route's refusal of a CORS preflight (403, no CORS headers).
    fn preflight_refused(why: PreflightRefusal) -> Self;
    /// The HTTP status.
    fn status(&self) -> StatusCode;
    /// The response in the route's error shape.
    fn into_response(self, meta: &RequestMeta) -> Response<Body>;
}

/// Answers one request to a route that serves GET: starts its [`RequestMeta`]; runs `answer`
/// for GET, and for HEAD without the body (RFC 9110 section 9.3.2); answers a CORS preflight
/// by `cors` (204 with the grant, or [`RouteError::preflight_refused`]); refuses any other
/// method with [`RouteError::method_not_allowed`] before anything is read; [`finish`]es; and
/// adds the CORS headers of the request's origin.
pub async fn answer<E: RouteError>(
    route: &'static str,
    cors: &CorsPolicy,
    request: &Request,
    answer: impl AsyncFnOnce(&mut RequestMeta) -> Result<Response<Body>, E>,
) -> Response<Body> {
    let mut meta = RequestMeta::start(request, route);
    let method = request.method();
    let headers = request.headers();
    if CorsPolicy::is_preflight(method, headers) {
        let result = cors
            .preflight(headers)
            .map(|grant| preflight_grant(&meta, grant))
            .map_err(E::preflight_refused);
        let mut response = finish(&meta, result);
        // A refusal varies on the same request headers as a grant (`Vary: Origin`, ...).
        response.headers_mut().insert(
            lambda_http::http::header::VARY,
            HeaderValue::from_static(cors::PREFLIGHT_VARY_ON),
        );
        return response;
    }
    let result = if method == Method::GET || method == Method::HEAD {
        answer(&mut meta).await
    } else {
        Err(E::method_not_allowed())
    };
    let mut response = finish(&meta, result);
    cors.decorate(headers, response.headers_mut());
    if method == Method::HEAD {
        *response.body_mut() = Body::Empty;
    }
    response
}

/// The 204 of an allowed preflight.
fn preflight_grant(meta: &RequestMeta, grant: HeaderMap) -> Response<Body> {
    let mut response =
        with_bodiless_headers(Response::builder().status(StatusCode::NO_CONTENT), meta)
            .body(Body::Empty)
            .unwrap_or_else(|_| fallback());
    response.headers_mut().extend(grant);
    response
}

/// Turns a route's result into its response, logging a refusal (warn) or a failure (error) and
/// then the access line.
pub fn finish<E: RouteError>(
    meta: &RequestMeta,
    result: Result<Response<Body>, E>,
) -> Response<Body> {
    let response = match result {
        Ok(response) => response,
        Err(err) => {
            let status = err.status().as_u16();
            if status >= 500 {
                tracing::error!(request_id = %meta.request_id, status, error = %err, "request failed");
            } else {
                tracing::warn!(request_id = %meta.request_id, status, reason = %err, "request refused");
            }
            err.into_response(meta)
        }
    };
    meta.log(response.status());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_carries_the_security_headers() {
        let request =
            lambda_http::request::from_str(include_str!("../../../events/get-me.json")).unwrap();
        let meta = RequestMeta::start(&request, "GET /me");
        assert_eq!(meta.request_id, "get-me-event-request-id");
        let response = json_response(
            &meta,
            StatusCode::IM_A_TEAPOT,
            "application/json",
            &serde_json::json!({"a": 1}),
            &[],
        );
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        let headers = response.headers();
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-request-id"], "get-me-event-request-id");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(response.body(), &Body::Text("{\"a\":1}".into()));
    }
}
