//! The `GET /me` handler.

use auth::KeySource;
use gateway::{AccessError, Answer, Call, Route, Store};
use lambda_http::http::StatusCode;
use model::MeDocument;

use crate::MeError;

/// The `GET /me` route.
pub struct Me;

impl Route for Me {
    const NAME: &'static str = "GET /me";
    type Error = MeError;

    async fn respond<S: Store, K: KeySource>(call: &mut Call<'_, S, K>) -> Answer<MeError> {
        let token =
            auth::session_token(call.request.headers())?.ok_or(AccessError::MissingCredential)?;
        let claims = call.deps.verify(&token).await?;
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
