//! `GET /users/me` on AWS Lambda: the store (reading only the user attributes the route
//! renders), the token verifier and the CORS policy are built once per container, then every
//! invocation goes to [`get_users_me::handler::get_users_me`].

use get_users_me::handler::get_users_me;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let deps = bootstrap::dependencies(store::UserFields::Profile).await?;
    bootstrap::serve(move |request| get_users_me(deps.store, deps.verifier, deps.cors, request))
        .await
}
