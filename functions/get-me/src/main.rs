//! `GET /me` on AWS Lambda: the store, the token verifier and the CORS policy are built once
//! per container, then every invocation goes to [`get_me::handler::get_me`].

use get_me::handler::get_me;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let deps = bootstrap::dependencies(store::UserFields::All).await?;
    bootstrap::serve(move |request| get_me(deps.store, deps.verifier, deps.cors, request)).await
}
