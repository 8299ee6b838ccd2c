//! The `GET /me` handler, and the route's service: the handler behind the shared layers.

use std::sync::Arc;

use auth::{AccessError, session_identity};
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;
use bootstrap::http::{Caller, json_response, respond};
use bootstrap::{Dependencies, RouteService, RouteSettings};
use model::MeDocument;
use store::SessionContextSource;

use crate::MeError;

/// The route, as the access log names it.
pub const ROUTE: &str = "GET /me";

/// `/me` as the function serves it: [`get_me`] behind the shared layers of `settings`.
pub fn service<S>(deps: Arc<Dependencies<S>>, settings: &RouteSettings) -> RouteService
where
    S: SessionContextSource + 'static,
{
    bootstrap::route_service::<MeError, _, _, _>(ROUTE, settings, get_me::<S>, deps)
}

/// Answers a GET of `/me`: the user and session of its session token, or the error in `/me`'s
/// shape.
pub async fn get_me<S: SessionContextSource>(
    State(deps): State<Arc<Dependencies<S>>>,
    request: Parts,
) -> Response {
    let mut caller = Caller::default();
    let result = me_document(&deps, &request, &mut caller).await;
    respond(&request, caller, result)
}

async fn me_document<S: SessionContextSource>(
    deps: &Dependencies<S>,
    request: &Parts,
    caller: &mut Caller,
) -> Result<Response, MeError> {
    let token = auth::session_token(&request.headers)?.ok_or(AccessError::MissingCredential)?;
    let claims = deps
        .verifier
        .verify(token.expose())
        .await
        .map_err(AccessError::from)?;
    caller.tenant_id = Some(claims.tid.to_string());
    let identity = session_identity(&deps.store, &claims).await?;
    caller.user_id = Some(identity.user.id.to_string());
    let session = identity
        .session
        .as_ref()
        .ok_or(AccessError::SessionNotLive)?;
    let document = MeDocument::new(&identity.user, session);
    Ok(json_response(crate::CONTENT_TYPE, &document)?)
}

#[cfg(test)]
mod tests {
    //! The handler against an in-memory store: no server, no network.

    use devkit::demo::{ADA_ID, ADA_REVOKED_SESSION_ID, ADA_SESSION_ID, GRACE_ID, TENANT_ID};
    use store::keys::ItemKey;
    use testkit::{dev_token, dev_verifier, seeded_memory_store};

    use lambda_http::http::Method;
    use testkit::memory::MemoryStore;

    use super::*;

    /// `/me` on the demo data in memory.
    fn seeded() -> (RouteService, Arc<Dependencies<MemoryStore>>) {
        let deps = Arc::new(Dependencies {
            store: seeded_memory_store(),
            verifier: dev_verifier(),
        });
        (service(deps.clone(), testkit::dev_route_settings()), deps)
    }

    async fn answer(service: &RouteService, cookie: &str) -> testkit::Answer {
        let request = testkit::me_request(&[("cookie", &format!("__session={cookie}"))]);
        let response = testkit::call(service, request).await;
        testkit::checked(response, "/me", "application/json")
    }

    #[tokio::test]
    async fn a_live_session_gets_its_user_in_one_read() {
        let (service, deps) = seeded();
        let answer = answer(&service, &dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body["data"]["id"], ADA_ID.to_string());
        assert_eq!(answer.body["session"]["id"], ADA_SESSION_ID.to_string());
        assert_eq!(deps.store.reads(), 1);
    }

    #[tokio::test]
    async fn revoked_foreign_and_gone_are_refused_in_the_route_shape() {
        let (service, deps) = seeded();
        let revoked = answer(
            &service,
            &dev_token(TENANT_ID, ADA_ID, ADA_REVOKED_SESSION_ID),
        )
        .await;
        assert_eq!((revoked.status, revoked.code()), (401, 4013));
        let foreign = answer(&service, &dev_token(TENANT_ID, GRACE_ID, ADA_SESSION_ID)).await;
        assert_eq!((foreign.status, foreign.code()), (401, 4013));
        deps.store.remove(&ItemKey::user(TENANT_ID, ADA_ID));
        let gone = answer(&service, &dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID)).await;
        assert_eq!((gone.status, gone.code()), (404, 4040));
        let garbage = answer(&service, "not-a-token").await;
        assert_eq!((garbage.status, garbage.code()), (401, 4011));
        assert_eq!(deps.store.reads(), 3, "a malformed token reads nothing");
    }

    #[tokio::test]
    async fn a_deactivated_or_archived_user_is_refused() {
        let (service, deps) = seeded();
        let token = dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
        let mut ada = devkit::demo::ada();
        ada.active = false;
        deps.store.put_user(ada.clone());
        let inactive = answer(&service, &token).await;
        assert_eq!((inactive.status, inactive.code()), (401, 4018));
        ada.active = true;
        ada.archived_at = Some(model::Timestamp::now());
        deps.store.put_user(ada);
        let archived = answer(&service, &token).await;
        assert_eq!((archived.status, archived.code()), (401, 4018));
    }

    #[tokio::test]
    async fn only_get_is_answered_before_anything_is_read() {
        let (service, deps) = seeded();
        let request = testkit::request(Method::POST, "/me", &[]);
        let response = testkit::checked(
            testkit::call(&service, request).await,
            "/me",
            "application/json",
        );
        assert_eq!((response.status, response.code()), (405, 4050));
        assert_eq!(response.headers["allow"], "GET, HEAD");
        assert_eq!(deps.store.reads(), 0);
    }
}
