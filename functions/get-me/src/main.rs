//! `GET /me` on AWS Lambda: configuration and clients are built once per container, then every
//! invocation goes to the [`get_me::Me`] route.

use gateway::runtime::run;
use lambda_http::{Error, service_fn};

// One thread: a Lambda sandbox serves one invocation at a time, and with a multi-threaded
// runtime every DynamoDB answer woke another thread: 1.6-2.6 ms of CPU per warm invocation went
// to cross-thread wake-ups (perf, BENCHMARKS.md), against ~0.3 ms on one thread.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    gateway::logging::init();
    let service = get_me::MeService::from_env().await?;
    run(service_fn(|request| service.invoke(request))).await
}
