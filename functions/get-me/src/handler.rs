//! The `GET /me` handler.

use auth::{KeySource, TokenVerifier};
use gateway::{FunctionConfig, RequestMeta};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use model::{MeDocument, Timestamp};
use store::{DynamoStore, SessionContextSource};

use crate::MeError;

/// The route name in logs.
const ROUTE: &str = "GET /me";

/// `GET /me` with its dependencies: a store and a token verifier, built once per container.
pub struct MeService<S, K> {
    store: S,
    verifier: TokenVerifier<K>,
}

impl MeService<DynamoStore, gateway::Keys> {
    /// Builds the service from the environment (see `gateway::config`).
    pub async fn from_env() -> Result<Self, gateway::ConfigError> {
        let config = FunctionConfig::from_env()?;
        Ok(Self::new(config.store().await, config.token_verifier()))
    }
}

impl<S: SessionContextSource, K: KeySource> MeService<S, K> {
    /// The service on `store`, verifying tokens with `verifier`.
    pub fn new(store: S, verifier: TokenVerifier<K>) -> Self {
        Self { store, verifier }
    }

    /// Answers one request. Never fails: every outcome is a response in the route's shape.
    pub async fn handle(&self, request: Request) -> Response<Body> {
        let meta = RequestMeta::start(&request, ROUTE);
        let mut tenant_id = None;
        let response = match self.me(&request, &meta, &mut tenant_id).await {
            Ok(response) => response,
            Err(err) => err.into_response(&meta),
        };
        meta.log(response.status(), tenant_id.as_deref());
        response
    }

    async fn me(
        &self,
        request: &Request,
        meta: &RequestMeta,
        tenant_id: &mut Option<String>,
    ) -> Result<Response<Body>, MeError> {
        if request.method() != Method::GET {
            return Err(MeError::MethodNotAllowed);
        }
        let token = auth::session_token(request.headers())?.ok_or(MeError::MissingCredential)?;
        let claims = self.verifier.verify(token.expose()).await?;
        let (tenant, session_id, user_id) = (
            claims.tid.to_string(),
            claims.sid.to_string(),
            claims.sub.to_string(),
        );
        *tenant_id = Some(tenant.clone());
        let context = self
            .store
            .session_context(&tenant, &session_id, &user_id)
            .await?;
        if !context.tenant.is_some_and(|t| t.active) {
            return Err(MeError::TenantUnavailable);
        }
        let session = context
            .session
            .filter(|s| s.is_live_for(&user_id, Timestamp::now()))
            .ok_or(MeError::SessionNotLive)?;
        let user = context.user.ok_or(MeError::UserNotFound)?;
        let document = MeDocument::new(&user, &session);
        Ok(gateway::json_response(
            meta,
            StatusCode::OK,
            "application/json",
            &document,
            &[],
        ))
    }
}
