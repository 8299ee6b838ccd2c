//! The `GET /me` handler.

use auth::KeySource;
use gateway::{AccessError, Call, Route, Store};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use model::MeDocument;

use crate::MeError;

/// The `GET /me` route.
#[derive(Debug)]
pub struct Me;

impl Route for Me {
    const NAME: &'static str = "GET /me";
    type Error = MeError;

    fn method_not_allowed() -> MeError {
        MeError::MethodNotAllowed
    }

    async fn respond<S: Store, K: KeySource>(
        call: &mut Call<'_, S, K>,
    ) -> Result<Response<Body>, MeError> {
        let token =
            auth::session_token(call.request.headers())?.ok_or(AccessError::MissingCredential)?;
        let claims = call
            .deps
            .verifier
            .verify(token.expose())
            .await
            .map_err(AccessError::from)?;
        call.tenant_id = Some(claims.tid.to_string());
        let identity = gateway::identity::session_identity(&call.deps.store, &claims).await?;
        let session = identity
            .session
            .as_ref()
            .ok_or(AccessError::SessionNotLive)?;
        let document = MeDocument::new(&identity.user, session);
        Ok(gateway::json_response(
            call.meta,
            StatusCode::OK,
            "application/json",
            &document,
            &[],
        ))
    }
}
