//! `GET /me` on AWS Lambda: configuration and clients are built once per container, then every
//! invocation goes to the [`get_me::Me`] route.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    gateway::logging::init();
    let service = get_me::MeService::from_env().await?;
    run(service_fn(|request| service.invoke(request))).await
}
