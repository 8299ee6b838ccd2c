//! The `GET /users/me` handler, and the route's service: the handler behind the shared layers.

use std::sync::Arc;

use auth::{AccessError, api_key_identity, session_identity};
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;
use bootstrap::http::{Caller, json_response, respond};
use bootstrap::{Dependencies, RouteService, RouteSettings};
use store::{ApiKeyContextSource, SessionContextSource, UserSource};

use crate::UsersMeError;
use crate::request::{self, Credential, JSON_API};

/// The route, as the access log names it.
pub const ROUTE: &str = "GET /users/me";

/// What `/users/me` reads: the session context (bearer token), or the key context and then the
/// user (API key).
pub trait UsersMeStore: SessionContextSource + ApiKeyContextSource + UserSource + 'static {}

impl<S: SessionContextSource + ApiKeyContextSource + UserSource + 'static> UsersMeStore for S {}

/// `/users/me` as the function serves it: [`get_users_me`] behind the shared layers of
/// `settings`.
pub fn service<S: UsersMeStore>(
    deps: Arc<Dependencies<S>>,
    settings: &RouteSettings,
) -> RouteService {
    bootstrap::route_service::<UsersMeError, _, _, _>(ROUTE, settings, get_users_me::<S>, deps)
}

/// Answers a GET of `/users/me`: the JSON:API document of the caller's user, or the error in
/// `/users/me`'s shape.
pub async fn get_users_me<S: UsersMeStore>(
    State(deps): State<Arc<Dependencies<S>>>,
    request: Parts,
) -> Response {
    let mut caller = Caller::default();
    let result = users_me_document(&deps, &request, &mut caller).await;
    respond(&request, caller, result)
}

async fn users_me_document<S: UsersMeStore>(
    deps: &Dependencies<S>,
    request: &Parts,
    caller: &mut Caller,
) -> Result<Response, UsersMeError> {
    let headers = &request.headers;
    if !request::accepts_json_api(headers) {
        return Err(UsersMeError::NotAcceptable);
    }
    let tenant = request::tenant_domain(headers)?;
    caller.tenant_id = Some(tenant.to_string());
    let selection = request::selection(request.uri.query())?;
    let identity = match request::credential(headers)? {
        Credential::Bearer(token) => {
            let claims = deps
                .verifier
                .verify(token.expose())
                .await
                .map_err(AccessError::from)?;
            if claims.tid != tenant {
                return Err(AccessError::TenantMismatch.into());
            }
            session_identity(&deps.store, &claims).await?
        }
        Credential::ApiKey(key, secret) => {
            caller.api_key_id = Some(key.to_string());
            api_key_identity(&deps.store, tenant, &key, &secret).await?
        }
    };
    caller.user_id = Some(identity.user.id.to_string());
    let document = model::UsersMeDocument::new(&identity.user, &selection);
    Ok(json_response(JSON_API, &document)?)
}

#[cfg(test)]
mod tests {
    //! The handler against an in-memory store: no server, no network.

    use devkit::demo::{
        ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, GRACE_ID, GRACE_SESSION_ID, OTHER_TENANT_ID,
        TENANT_ID,
    };
    use testkit::memory::MemoryStore;
    use testkit::{dev_token, dev_verifier, seeded_memory_store};

    use super::*;

    /// `/users/me` on the demo data in memory.
    fn seeded() -> (RouteService, Arc<Dependencies<MemoryStore>>) {
        let deps = Arc::new(Dependencies {
            store: seeded_memory_store(),
            verifier: dev_verifier(),
        });
        (service(deps.clone(), testkit::dev_route_settings()), deps)
    }

    async fn answer(
        service: &RouteService,
        query: &str,
        headers: &[(&str, &str)],
    ) -> testkit::Answer {
        let request = testkit::users_me_request(query, headers);
        let response = testkit::call(service, request).await;
        testkit::checked(response, "/users/me", JSON_API)
    }

    #[tokio::test]
    async fn an_api_key_reads_key_then_user_and_a_token_one_context() {
        let (service, deps) = seeded();
        let tenant = TENANT_ID.to_string();
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", API_SECRET),
        ];
        let by_key = answer(&service, "include=profile", &key).await;
        assert_eq!(by_key.status, 200);
        assert_eq!(by_key.body["data"]["id"], ADA_ID.to_string());
        assert_eq!(
            by_key.body["included"][0]["attributes"]["first_name"],
            "Ada"
        );
        assert_eq!(deps.store.reads(), 2);

        let bearer = testkit::bearer(&dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID));
        let by_token = answer(
            &service,
            "",
            &[("x-domain", &tenant), ("authorization", &bearer)],
        )
        .await;
        assert_eq!(by_token.status, 200);
        assert_eq!(by_token.body["data"]["id"], GRACE_ID.to_string());
        assert_eq!(deps.store.reads(), 3);
    }

    #[tokio::test]
    async fn an_archived_user_s_key_and_token_are_refused() {
        let (service, deps) = seeded();
        let mut ada = devkit::demo::ada();
        ada.archived_at = Some(model::Timestamp::now());
        deps.store.put_user(ada);
        let tenant = TENANT_ID.to_string();
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", API_SECRET),
        ];
        let by_key = answer(&service, "", &key).await;
        assert_eq!((by_key.status, by_key.code()), (401, 4018));
        let bearer = testkit::bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
        let by_token = answer(
            &service,
            "",
            &[("x-domain", &tenant), ("authorization", &bearer)],
        )
        .await;
        assert_eq!((by_token.status, by_token.code()), (401, 4018));
    }

    #[tokio::test]
    async fn credentials_of_another_tenant_or_with_a_wrong_secret_are_refused() {
        let (service, deps) = seeded();
        let other = OTHER_TENANT_ID.to_string();
        let bearer = testkit::bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
        let mismatch = answer(
            &service,
            "",
            &[("x-domain", &other), ("authorization", &bearer)],
        )
        .await;
        assert_eq!((mismatch.status, mismatch.code()), (401, 4015));
        assert_eq!(deps.store.reads(), 0, "refused before any read");

        let tenant = TENANT_ID.to_string();
        let wrong = format!("cus_{}", "0".repeat(64));
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", wrong.as_str()),
        ];
        let refused = answer(&service, "", &key).await;
        assert_eq!((refused.status, refused.code()), (401, 4016));
        assert_eq!(refused.headers["www-authenticate"], "Bearer");
        let unknown = answer(&service, "", &[("x-domain", &other), key[1], key[2]]).await;
        assert_eq!(
            (unknown.status, unknown.code()),
            (401, 4016),
            "an unknown tenant answers as an unknown key"
        );
    }
}
