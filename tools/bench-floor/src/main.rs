//! The floor of `make bench`: what any `lambda_http` function pays per invocation before it
//! does anything (the Runtime API round trip, event decoding, response encoding), as a
//! hello-world on tokio's current-thread runtime with lambda_http's own `run`. Never deployed.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(service_fn(|_request: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
