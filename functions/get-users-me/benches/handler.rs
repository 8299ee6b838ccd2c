//! `GET /users/me` in process (`make bench`, criterion, no I/O): rendering the JSON:API
//! document, reading the request, and the whole handler over the in-memory demo store, per
//! credential kind.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use get_users_me::request;
use model::UsersMeSelection;
use testkit::{copy_request, dev_verifier, event_request, seeded_memory_store};

fn rendering_and_parsing(c: &mut Criterion) {
    let records = devkit::demo::records().expect("the demo records");
    let include = UsersMeSelection {
        include_profile: true,
        ..Default::default()
    };
    c.bench_function("render /users/me document, include=profile", |b| {
        b.iter(|| {
            serde_json::to_vec(&model::UsersMeDocument::new(
                black_box(&records.users[0]),
                black_box(&include),
            ))
            .is_ok()
        })
    });
    let sparse = event_request("get-users-me-sparse-fields.json");
    c.bench_function("parse /users/me request", |b| {
        b.iter(|| {
            let headers = black_box(sparse.headers());
            (
                request::accepts_json_api(headers),
                request::tenant_domain(headers).is_ok(),
                request::selection(sparse.uri().query()).is_ok(),
                request::credential(headers).is_ok(),
            )
        })
    });
}

fn whole_handler(c: &mut Criterion) {
    let rt = testkit::current_thread_runtime();
    let container = || {
        let deps = testkit::deps(seeded_memory_store(), dev_verifier());
        get_users_me::service(deps, testkit::dev_route_settings())
    };
    let seen = container();
    for (name, file) in [
        (
            "handler GET /users/me, bearer, token seen before",
            "get-users-me-jwt.json",
        ),
        (
            "handler GET /users/me, API key",
            "get-users-me-api-key.json",
        ),
        (
            "handler GET /users/me, API key, include",
            "get-users-me-include-profile.json",
        ),
    ] {
        let request = event_request(file);
        c.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| testkit::call(&seen, copy_request(&request)))
        });
    }
    // A token's first sight in a container: a fresh verifier per iteration.
    let jwt = event_request("get-users-me-jwt.json");
    c.bench_function("handler GET /users/me, bearer, first sight", |b| {
        b.to_async(&rt).iter_batched(
            || (container(), copy_request(&jwt)),
            |(fresh, request)| async move { testkit::call(&fresh, request).await },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, rendering_and_parsing, whole_handler);
criterion_main!(benches);
