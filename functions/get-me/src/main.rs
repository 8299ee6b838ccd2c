//! `GET /me` on AWS Lambda: configuration and clients are built once per container, then
//! every invocation goes to [`get_me::MeService::handle`].

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    gateway::logging::init();
    let service = get_me::MeService::from_env().await?;
    let service = &service;
    run(service_fn(move |request| async move {
        Ok::<_, Error>(service.handle(request).await)
    }))
    .await
}
