//! `GET /users/me` on AWS Lambda: configuration and clients are built once per container, then
//! every invocation goes to the [`get_users_me::UsersMe`] route.

use gateway::runtime::run;
use lambda_http::{Error, service_fn};

// One thread: a Lambda sandbox serves one invocation at a time, and with a multi-threaded
// runtime every DynamoDB answer woke another thread: 1.6-2.6 ms of CPU per warm invocation went
// to cross-thread wake-ups (perf, BENCHMARKS.md), against ~0.3 ms on one thread.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    gateway::logging::init();
    let users_me = get_users_me::UsersMeService::from_env().await?;
    run(service_fn(|request| users_me.invoke(request))).await
}
