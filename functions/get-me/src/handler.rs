//! The `GET /me` handler.

use auth::{AccessError, KeySource, TokenVerifier, session_identity};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use model::MeDocument;
use response::{CorsPolicy, RequestMeta};
use store::SessionContextSource;

use crate::MeError;

/// The route, as the access log names it.
pub const ROUTE: &str = "GET /me";

/// Answers one request to `/me`: the user and session of its session token, or the error in
/// `/me`'s shape; a CORS preflight by `cors`. Every outcome is a response, and logged.
pub async fn get_me(
    store: &impl SessionContextSource,
    verifier: &TokenVerifier<impl KeySource>,
    cors: &CorsPolicy,
    request: Request,
) -> Response<Body> {
    response::answer(ROUTE, cors, &request, async |meta| {
        me_document(store, verifier, &request, meta).await
    })
    .await
}

async fn me_document(
    store: &impl SessionContextSource,
    verifier: &TokenVerifier<impl KeySource>,
    request: &Request,
    meta: &mut RequestMeta,
) -> Result<Response<Body>, MeError> {
    let token = auth::session_token(request.headers())?.ok_or(AccessError::MissingCredential)?;
    let claims = verifier
        .verify(token.expose())
        .await
        .map_err(AccessError::from)?;
    meta.set_tenant(&claims.tid);
    let identity = session_identity(store, &claims).await?;
    let session = identity
        .session
        .as_ref()
        .ok_or(AccessError::SessionNotLive)?;
    let document = MeDocument::new(&identity.user, session);
    Ok(response::json_response(
        meta,
        StatusCode::OK,
        "application/json",
        &document,
        &[],
    ))
}

#[cfg(test)]
mod tests {
    //! The handler against an in-memory store: no server, no network.

    use devkit::demo::{ADA_ID, ADA_REVOKED_SESSION_ID, ADA_SESSION_ID, GRACE_ID, TENANT_ID};
    use store::keys::ItemKey;
    use testkit::{dev_token, dev_verifier, seeded_memory_store};

    use lambda_http::http::Method;

    use super::*;

    async fn answer(store: &impl SessionContextSource, cookie: &str) -> testkit::Answer {
        let request = testkit::me_request(&[("cookie", &format!("__session={cookie}"))]);
        let response = get_me(store, &dev_verifier(), &CorsPolicy::default(), request).await;
        testkit::checked(response, "/me", "application/json")
    }

    #[tokio::test]
    async fn a_live_session_gets_its_user_in_one_read() {
        let store = seeded_memory_store();
        let answer = answer(&store, &dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body["data"]["id"], ADA_ID.to_string());
        assert_eq!(answer.body["session"]["id"], ADA_SESSION_ID.to_string());
        assert_eq!(store.reads(), 1);
    }

    #[tokio::test]
    async fn revoked_foreign_and_gone_are_refused_in_the_route_shape() {
        let store = seeded_memory_store();
        let revoked = answer(
            &store,
            &dev_token(TENANT_ID, ADA_ID, ADA_REVOKED_SESSION_ID),
        )
        .await;
        assert_eq!((revoked.status, revoked.code()), (401, 4013));
        let foreign = answer(&store, &dev_token(TENANT_ID, GRACE_ID, ADA_SESSION_ID)).await;
        assert_eq!((foreign.status, foreign.code()), (401, 4013));
        store.remove(&ItemKey::user(TENANT_ID, ADA_ID));
        let gone = answer(&store, &dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)).await;
        assert_eq!((gone.status, gone.code()), (404, 4040));
        let garbage = answer(&store, "not-a-token").await;
        assert_eq!((garbage.status, garbage.code()), (401, 4011));
        assert_eq!(store.reads(), 3, "a malformed token reads nothing");
    }

    #[tokio::test]
    async fn a_deactivated_or_archived_user_is_refused() {
        let store = seeded_memory_store();
        let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
        let mut ada = devkit::demo::ada();
        ada.active = false;
        store.put_user(ada.clone());
        let inactive = answer(&store, &token).await;
        assert_eq!((inactive.status, inactive.code()), (401, 4018));
        ada.active = true;
        ada.archived_at = Some(model::Timestamp::now());
        store.put_user(ada);
        let archived = answer(&store, &token).await;
        assert_eq!((archived.status, archived.code()), (401, 4018));
    }

    #[tokio::test]
    async fn only_get_is_answered_before_anything_is_read() {
        let store = seeded_memory_store();
        let request = testkit::request(Method::POST, "/me", &[]);
        let response = testkit::checked(
            get_me(&store, &dev_verifier(), &CorsPolicy::default(), request).await,
            "/me",
            "application/json",
        );
        assert_eq!((response.status, response.code()), (405, 4050));
        assert_eq!(response.headers["allow"], "GET, HEAD");
        assert_eq!(store.reads(), 0);
    }
}
