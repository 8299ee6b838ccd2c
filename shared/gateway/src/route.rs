//! What every route function is: a [`Route`] (its name, its error type, how it answers) served
//! by [`RouteService`] with the dependencies built once per container. The last step of every
//! request, [`finish`], turns an error into the route's response and writes the log lines.

use std::future::Future;
use std::marker::PhantomData;

use auth::{KeySource, TokenVerifier};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use store::{ApiKeyContextSource, DynamoStore, SessionContextSource};

use crate::{AccessError, ConfigError, FunctionConfig, Keys, RequestMeta};

/// A route's error type: it knows its status and how its route shapes the body. Its `Display`
/// is the reason for the log line (never shown to the client).
pub trait RouteError: std::fmt::Display {
    /// The HTTP status.
    fn status(&self) -> StatusCode;
    /// The response in the route's error shape.
    fn into_response(self, meta: &RequestMeta) -> Response<Body>;
}

impl<S, K: KeySource> Deps<S, K> {
    /// Verifies a session token; a refusal is the route's 401 (or 503 when keys are unavailable).
    pub async fn verify(
        &self,
        token: &auth::SessionToken,
    ) -> Result<auth::SessionClaims, AccessError> {
        Ok(self.verifier.verify(token.expose()).await?)
    }
}

/// What a route may read: both lookups the store offers ([`store::DynamoStore`] has both).
pub trait Store: SessionContextSource + ApiKeyContextSource {}

impl<T: SessionContextSource + ApiKeyContextSource> Store for T {}

/// What a route's handler depends on: the store and the token verifier.
#[derive(Debug)]
pub struct Deps<S, K> {
    /// The store.
    pub store: S,
    /// The token verifier.
    pub verifier: TokenVerifier<K>,
}

/// What a route's `respond` gives: the response, or the route's error.
pub type Answer<E> = Result<Response<Body>, E>;

/// One request on its way through a route.
#[derive(Debug)]
pub struct Call<'a, S, K> {
    /// The route's dependencies.
    pub deps: &'a Deps<S, K>,
    /// The request.
    pub request: &'a Request,
    /// Its request id and start time.
    pub meta: &'a RequestMeta,
    /// The tenant, set by the route as soon as it is known (for the access log).
    pub tenant_id: Option<String>,
}

/// One route: `GET /me` or `GET /users/me`. Both answer GET only; [`RouteService::handle`]
/// refuses other methods ([`AccessError::MethodNotAllowed`], in the route's shape) before
/// `respond` runs.
pub trait Route: Send + Sync + 'static {
    /// The route in logs (`"GET /me"`).
    const NAME: &'static str;
    /// The route's error type.
    type Error: RouteError + From<AccessError>;
    /// Answers a GET.
    fn respond<S: Store, K: KeySource>(
        call: &mut Call<'_, S, K>,
    ) -> impl Future<Output = Answer<Self::Error>> + Send;
}

/// A route with its dependencies: what `main` builds once and every invocation goes through.
#[derive(Debug)]
pub struct RouteService<R, S, K> {
    deps: Deps<S, K>,
    route: PhantomData<R>,
}

impl<R: Route> RouteService<R, DynamoStore, Keys> {
    /// Builds the service from the environment (see [`crate::config`]).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = FunctionConfig::from_env()?;
        Ok(Self::new(config.store().await, config.token_verifier()))
    }
}

impl<R: Route, S: Store, K: KeySource> RouteService<R, S, K> {
    /// The service on `store`, verifying tokens with `verifier`.
    pub fn new(store: S, verifier: TokenVerifier<K>) -> Self {
        Self {
            deps: Deps { store, verifier },
            route: PhantomData,
        }
    }

    /// Answers one request. Every outcome is a response in the route's shape.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let meta = RequestMeta::start(&request, R::NAME);
        let mut call = Call {
            deps: &self.deps,
            request: &request,
            meta: &meta,
            tenant_id: None,
        };
        let result = if request.method() == Method::GET {
            R::respond(&mut call).await
        } else {
            Err(AccessError::MethodNotAllowed.into())
        };
        finish(&meta, result, call.tenant_id.as_deref())
    }

    /// [`RouteService::handle`] in the form `lambda_http::service_fn` takes; never an `Err`.
    pub async fn invoke(&self, request: Request) -> Result<Response<Body>, lambda_http::Error> {
        Ok(self.handle(request).await)
    }
}

/// Turns a handler's result into the response, logging a refusal (warn) or a failure (error)
/// and then the access line.
pub fn finish<E: RouteError>(
    meta: &RequestMeta,
    result: Result<Response<Body>, E>,
    tenant_id: Option<&str>,
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
    meta.log(response.status(), tenant_id);
    response
}
