//! `GET /me` on AWS Lambda: the store and the token verifier are built once per container,
//! then every invocation goes to [`get_me::service`].

use std::sync::Arc;

use bootstrap::Dependencies;
use lambda_http::Error;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = bootstrap::init()?;
    let deps = Dependencies {
        store: config.store()?,
        verifier: config.token_verifier(),
    };
    bootstrap::run(get_me::service(Arc::new(deps), &config.route)).await
}
