//! `GET /me` in process (`make bench`, criterion, no I/O): rendering the document, reading the
//! credential, and the whole route (handler and layers) over the in-memory demo store, for a
//! token seen before and for its first sight (a fresh container, so the signature is checked).

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use model::MeDocument;
use testkit::{copy_request, dev_verifier, event_request, seeded_memory_store};

fn rendering_and_parsing(c: &mut Criterion) {
    let records = devkit::demo::records().expect("the demo records");
    let (user, session) = (&records.users[0], &records.sessions[0]);
    c.bench_function("render /me document", |b| {
        b.iter(|| serde_json::to_vec(&MeDocument::new(black_box(user), black_box(session))).is_ok())
    });
    let request = event_request("get-me.json");
    c.bench_function("parse /me credentials", |b| {
        b.iter(|| auth::session_token(black_box(request.headers())).is_ok())
    });
}

fn whole_handler(c: &mut Criterion) {
    let rt = testkit::current_thread_runtime();
    let container = || {
        let deps = testkit::deps(seeded_memory_store(), dev_verifier());
        get_me::service(deps, testkit::dev_route_settings())
    };
    let seen = container();
    for (name, file) in [
        ("handler GET /me, cookie", "get-me.json"),
        ("handler GET /me, bearer RS256", "get-me-bearer.json"),
    ] {
        let request = event_request(file);
        c.bench_function(&format!("{name}, token seen before"), |b| {
            b.to_async(&rt)
                .iter(|| testkit::call(&seen, copy_request(&request)))
        });
        c.bench_function(&format!("{name}, first sight"), |b| {
            b.to_async(&rt).iter_batched(
                || (container(), copy_request(&request)),
                |(fresh, request)| async move { testkit::call(&fresh, request).await },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, rendering_and_parsing, whole_handler);
criterion_main!(benches);
