//! The `GET /users/me` handler.

use auth::{AccessError, KeySource, TokenVerifier, api_key_identity, session_identity};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use response::{CorsPolicy, RequestMeta};
use store::{ApiKeyContextSource, SessionContextSource, UserSource};

use crate::UsersMeError;
use crate::request::{self, Credential, JSON_API};

/// The route, as the access log names it.
pub const ROUTE: &str = "GET /users/me";

/// Answers one request to `/users/me`: the JSON:API document of the caller's user, or the
/// error in `/users/me`'s shape; a CORS preflight by `cors`. Every outcome is a response, and
/// logged. The store is read for the session context (bearer token), or the key context and
/// then the user (API key).
pub async fn get_users_me<S, K>(
    store: &S,
    verifier: &TokenVerifier<K>,
    cors: &CorsPolicy,
    request: Request,
) -> Response<Body>
where
    S: SessionContextSource + ApiKeyContextSource + UserSource,
    K: KeySource,
{
    response::answer(ROUTE, cors, &request, async |meta| {
        users_me_document(store, verifier, &request, meta).await
    })
    .await
}

async fn users_me_document<S, K>(
    store: &S,
    verifier: &TokenVerifier<K>,
    request: &Request,
    meta: &mut RequestMeta,
) -> Result<Response<Body>, UsersMeError>
where
    S: SessionContextSource + ApiKeyContextSource + UserSource,
    K: KeySource,
{
    let headers = request.headers();
    if !request::accepts_json_api(headers) {
        return Err(UsersMeError::NotAcceptable);
    }
    let tenant = request::tenant_domain(headers)?;
    meta.set_tenant(&tenant);
    let selection = request::selection(request.uri().query())?;
    let identity = match request::credential(headers)? {
        Credential::Bearer(token) => {
            let claims = verifier
                .verify(token.expose())
                .await
                .map_err(AccessError::from)?;
            if claims.tid != tenant {
                return Err(AccessError::TenantMismatch.into());
            }
            session_identity(store, &claims).await?
        }
        Credential::ApiKey(key, secret) => {
            meta.set_api_key(&key);
            api_key_identity(store, tenant, &key, &secret).await?
        }
    };
    let document = model::users_me_document(&identity.user, &selection);
    Ok(response::json_response(
        meta,
        StatusCode::OK,
        JSON_API,
        &document,
        &[],
    ))
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

    async fn answer(store: &MemoryStore, query: &str, headers: &[(&str, &str)]) -> testkit::Answer {
        let request = testkit::users_me_request(query, headers);
        let response = get_users_me(store, &dev_verifier(), &CorsPolicy::default(), request).await;
        testkit::checked(response, "/users/me", JSON_API)
    }

    #[tokio::test]
    async fn an_api_key_reads_key_then_user_and_a_token_one_context() {
        let store = seeded_memory_store();
        let tenant = TENANT_ID.to_string();
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", API_SECRET),
        ];
        let by_key = answer(&store, "include=profile", &key).await;
        assert_eq!(by_key.status, 200);
        assert_eq!(by_key.body["data"]["id"], ADA_ID.to_string());
        assert_eq!(
            by_key.body["included"][0]["attributes"]["first_name"],
            "Ada"
        );
        assert_eq!(store.reads(), 2);

        let bearer = testkit::bearer(&dev_token(TENANT_ID, GRACE_ID, GRACE_SESSION_ID));
        let by_token = answer(
            &store,
            "",
            &[("x-domain", &tenant), ("authorization", &bearer)],
        )
        .await;
        assert_eq!(by_token.status, 200);
        assert_eq!(by_token.body["data"]["id"], GRACE_ID.to_string());
        assert_eq!(store.reads(), 3);
    }

    #[tokio::test]
    async fn an_archived_user_s_key_and_token_are_refused() {
        let store = seeded_memory_store();
        let mut ada = devkit::demo::ada();
        ada.archived_at = Some(model::Timestamp::now());
        store.put_user(ada);
        let tenant = TENANT_ID.to_string();
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", API_SECRET),
        ];
        let by_key = answer(&store, "", &key).await;
        assert_eq!((by_key.status, by_key.code()), (401, 4018));
        let bearer = testkit::bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
        let by_token = answer(
            &store,
            "",
            &[("x-domain", &tenant), ("authorization", &bearer)],
        )
        .await;
        assert_eq!((by_token.status, by_token.code()), (401, 4018));
    }

    #[tokio::test]
    async fn credentials_of_another_tenant_or_with_a_wrong_secret_are_refused() {
        let store = seeded_memory_store();
        let other = OTHER_TENANT_ID.to_string();
        let bearer = testkit::bearer(&dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID));
        let mismatch = answer(
            &store,
            "",
            &[("x-domain", &other), ("authorization", &bearer)],
        )
        .await;
        assert_eq!((mismatch.status, mismatch.code()), (401, 4015));
        assert_eq!(store.reads(), 0, "refused before any read");

        let tenant = TENANT_ID.to_string();
        let wrong = format!("cus_{}", "0".repeat(64));
        let key = [
            ("x-domain", tenant.as_str()),
            ("x-api-key", API_KEY),
            ("x-api-secret", wrong.as_str()),
        ];
        let refused = answer(&store, "", &key).await;
        assert_eq!((refused.status, refused.code()), (401, 4016));
        assert_eq!(refused.headers["www-authenticate"], "Bearer");
        let unknown = answer(&store, "", &[("x-domain", &other), key[1], key[2]]).await;
        assert_eq!(
            (unknown.status, unknown.code()),
            (401, 4016),
            "an unknown tenant answers as an unknown key"
        );
    }
}
