//! `GET /me` on AWS Lambda: the store and the token verifier are built once per container, then
//! every invocation goes to [`get_me::handler::get_me`].

use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let (store, verifier) = bootstrap::dependencies(store::UserFields::All).await?;
    bootstrap::serve(move |request| get_me::handler::get_me(store, verifier, request)).await
}
