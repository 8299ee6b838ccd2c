//! `GET /users/me` on AWS Lambda: configuration and clients are built once per container, then
//! every invocation goes to the [`get_users_me::UsersMe`] route.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    gateway::logging::init();
    let users_me = get_users_me::UsersMeService::from_env().await?;
    run(service_fn(|request| users_me.invoke(request))).await
}
