//! `GET /users/me` on AWS Lambda: the store and the token verifier are built once per
//! container, then every invocation goes to [`get_users_me::handler::get_users_me`].

use lambda_http::{Error, service_fn};

// One thread: a Lambda sandbox serves one invocation at a time (BENCHMARKS.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    bootstrap::logging::init();
    let config = bootstrap::Config::from_env()?;
    let (store, verifier) = (&config.store().await, &config.token_verifier());
    bootstrap::run(service_fn(move |request| async move {
        Ok::<_, Error>(get_users_me::handler::get_users_me(store, verifier, request).await)
    }))
    .await
}
