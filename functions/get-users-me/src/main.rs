//! `GET /users/me` on AWS Lambda: the store (reading only the user attributes the route
//! renders) and the token verifier are built once per container, then every invocation goes to
//! [`get_users_me::handler::get_users_me`].

use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let (store, verifier) = bootstrap::dependencies(store::UserFields::Profile).await?;
    bootstrap::serve(move |request| get_users_me::handler::get_users_me(store, verifier, request))
        .await
}
