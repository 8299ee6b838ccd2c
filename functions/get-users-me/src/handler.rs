//! The `GET /users/me` handler.

use auth::KeySource;
use gateway::identity::{api_key_identity, session_identity};
use gateway::{AccessError, Answer, Call, Route, Store};
use lambda_http::http::StatusCode;

use crate::UsersMeError;
use crate::request::{self, Credential, JSON_API};

/// The `GET /users/me` route.
pub struct UsersMe;

impl Route for UsersMe {
    const NAME: &'static str = "GET /users/me";
    type Error = UsersMeError;

    async fn respond<S: Store, K: KeySource>(call: &mut Call<'_, S, K>) -> Answer<UsersMeError> {
        let headers = call.request.headers();
        if !request::accepts_json_api(headers) {
            return Err(UsersMeError::NotAcceptable);
        }
        let tenant = call.tenant_id.insert(request::tenant_domain(headers)?);
        let selection = request::selection(call.request.uri().query())?;
        let identity = match request::credential(headers)? {
            Credential::Bearer(token) => {
                let claims = call.deps.verify(&token).await?;
                if claims.tid.to_string() != *tenant {
                    return Err(AccessError::TenantMismatch.into());
                }
                session_identity(&call.deps.store, &claims).await?
            }
            Credential::ApiKey(key, secret) => {
                api_key_identity(&call.deps.store, tenant, &key, &secret).await?
            }
        };
        let document = model::users_me_document(&identity.user, &selection);
        Ok(gateway::json_response(
            call.meta,
            StatusCode::OK,
            JSON_API,
            &document,
            &[],
        ))
    }
}
