//! `make bench`, part two: what a request costs inside the function, without I/O.
//!
//! Token verification (ES256, RS256; first sight, and a token the container has verified
//! before, which its verified-token cache answers), rendering each route's document, the API-secret check,
//! request parsing, and each route's whole handler per auth path over an in-memory store
//! (the store's answers are prepared; only the handler's own work is timed).

use std::hint::black_box;

use auth::{ApiKeySecret, ProviderKeys, TokenVerifier};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use devkit::demo::{self, ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use get_me::get_me;
use get_users_me::get_users_me;
use lambda_http::{Body, Request};
use model::{ApiKey, ApiKeyId, MeDocument, Session, Tenant, Timestamp, UsersMeSelection};
use store::memory::MemoryStore;

/// The demo tenant, Ada, her session and her API key, in memory: a lookup costs a map probe
/// and a clone, so only the handler's own work is timed.
fn session() -> Session {
    let now = Timestamp::now();
    Session {
        id: ADA_SESSION_ID,
        user_id: ADA_ID,
        created_at: now,
        updated_at: now,
        expires_at: now.plus_seconds(3600),
        revoked_at: None,
    }
}

fn prepared() -> MemoryStore {
    let now = Timestamp::now();
    let store = MemoryStore::new();
    store.put_tenant(Tenant {
        id: TENANT_ID,
        name: "Acme".into(),
        active: true,
        created_at: now,
        updated_at: now,
    });
    store.put_user(demo::ada());
    store.put_session(TENANT_ID, session());
    store.put_api_key(
        TENANT_ID,
        ApiKey {
            key: ApiKeyId::parse(API_KEY).unwrap(),
            user_id: ADA_ID,
            secret_sha256: ApiKeySecret::parse(API_SECRET).unwrap().digest(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
        },
    );
    store
}

fn verifier() -> TokenVerifier<ProviderKeys> {
    testkit::dev_verifier()
}

fn event(name: &str) -> Request {
    testkit::event_request(name)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn token_verification(c: &mut Criterion) {
    let rt = runtime();
    let seen = verifier();
    let es256 = testkit::dev_token(TENANT_ID, ADA_ID, ADA_SESSION_ID);
    let rs256 = devkit::mint_token(
        &devkit::dev_signer(devkit::DevKey::Rs256).unwrap(),
        devkit::DEV_ISSUER,
        None,
        TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        3600,
    )
    .unwrap();
    for (alg, token) in [("ES256", &es256), ("RS256", &rs256)] {
        // First sight: a fresh verifier each time, so the signature is checked.
        c.bench_function(&format!("verify {alg} token, first sight"), |b| {
            b.to_async(&rt).iter_batched(
                verifier,
                |fresh| async move { fresh.verify(black_box(token)).await.unwrap() },
                BatchSize::SmallInput,
            )
        });
        // Seen before by this container: the verified-token cache answers.
        c.bench_function(&format!("verify {alg} token, seen before"), |b| {
            b.to_async(&rt)
                .iter(|| async { seen.verify(black_box(token)).await.unwrap() })
        });
    }
}

fn rendering(c: &mut Criterion) {
    let (user, session) = (demo::ada(), session());
    c.bench_function("render /me document", |b| {
        b.iter(|| {
            serde_json::to_vec(&MeDocument::new(black_box(&user), black_box(&session))).unwrap()
        })
    });
    let include = UsersMeSelection {
        include_profile: true,
        ..Default::default()
    };
    c.bench_function("render /users/me document, include=profile", |b| {
        b.iter(|| {
            serde_json::to_vec(&model::users_me_document(
                black_box(&user),
                black_box(&include),
            ))
            .unwrap()
        })
    });
}

fn secrets_and_parsing(c: &mut Criterion) {
    let digest = ApiKeySecret::parse(API_SECRET).unwrap().digest();
    c.bench_function("API secret check", |b| {
        b.iter(|| {
            ApiKeySecret::parse(black_box(API_SECRET))
                .unwrap()
                .matches(black_box(&digest))
        })
    });
    let me = event("get-me.json");
    c.bench_function("parse /me credentials", |b| {
        b.iter(|| auth::session_token(black_box(me.headers())).unwrap())
    });
    let users_me = event("get-users-me-sparse-fields.json");
    c.bench_function("parse /users/me request", |b| {
        b.iter(|| {
            let headers = black_box(users_me.headers());
            (
                get_users_me::request::accepts_json_api(headers),
                get_users_me::request::tenant_domain(headers).unwrap(),
                get_users_me::request::selection(users_me.uri().query()).unwrap(),
                get_users_me::request::credential(headers).unwrap(),
            )
        })
    });
}

fn whole_handlers(c: &mut Criterion) {
    let rt = runtime();
    let (store, seen) = (prepared(), verifier());
    for (name, file) in [
        ("handler GET /me, cookie", "get-me.json"),
        ("handler GET /me, bearer RS256", "get-me-bearer.json"),
    ] {
        let request = event(file);
        c.bench_function(&format!("{name}, token seen before"), |b| {
            b.to_async(&rt)
                .iter(|| async { get_me(&store, &seen, clone(&request)).await })
        });
        c.bench_function(&format!("{name}, first sight"), |b| {
            b.to_async(&rt).iter_batched(
                verifier,
                |fresh| {
                    let (store, request) = (&store, clone(&request));
                    async move { get_me(store, &fresh, request).await }
                },
                BatchSize::SmallInput,
            )
        });
    }
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
        let request = event(file);
        c.bench_function(name, |b| {
            b.to_async(&rt)
                .iter(|| async { get_users_me(&store, &seen, clone(&request)).await })
        });
    }
    let request = event("get-users-me-jwt.json");
    c.bench_function("handler GET /users/me, bearer, first sight", |b| {
        b.to_async(&rt).iter_batched(
            verifier,
            |fresh| {
                let (store, request) = (&store, clone(&request));
                async move { get_users_me(store, &fresh, request).await }
            },
            BatchSize::SmallInput,
        )
    });
}

/// A copy of a request (an `http::Request` is not `Clone`); part of what is timed, as the
/// runtime builds one per invocation too.
fn clone(request: &Request) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(request.method())
        .uri(request.uri());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    builder.body(Body::Empty).unwrap()
}

criterion_group!(
    benches,
    token_verification,
    rendering,
    secrets_and_parsing,
    whole_handlers
);
criterion_main!(benches);
