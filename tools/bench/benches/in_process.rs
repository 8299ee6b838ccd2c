//! `make bench`, part two: what a request costs inside the function, without I/O.
//!
//! Token verification (ES256, RS256; first sight, and a token the container has verified
//! before, which its verified-token cache answers), rendering each route's document, the API-secret check,
//! request parsing, and each route's whole handler per auth path over an in-memory store
//! (the store's answers are prepared; only the handler's own work is timed).

use std::hint::black_box;

use admin::demo::{self, ADA_ID, ADA_SESSION_ID, API_KEY, API_SECRET, TENANT_ID};
use auth::{ApiKeySecret, KeySet, StaticKeySource, TokenVerifier, VerifierSettings};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lambda_http::{Body, Request};
use model::{ApiKey, MeDocument, Session, Tenant, Timestamp, User, UsersMeSelection};
use store::{ApiKeyContext, ApiKeyContextSource, SessionContext, SessionContextSource, StoreError};

/// The store's answers, prepared: cloning them is all a lookup costs here.
#[derive(Clone)]
struct PreparedStore {
    tenant: Tenant,
    user: User,
    session: Session,
    api_key: ApiKey,
}

impl SessionContextSource for PreparedStore {
    async fn session_context(
        &self,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<SessionContext, StoreError> {
        Ok(SessionContext {
            tenant: Some(self.tenant.clone()),
            session: Some(self.session.clone()),
            user: Some(self.user.clone()),
        })
    }
}

impl ApiKeyContextSource for PreparedStore {
    async fn api_key_context(&self, _: &str, _: &str) -> Result<ApiKeyContext, StoreError> {
        Ok(ApiKeyContext {
            tenant: Some(self.tenant.clone()),
            api_key: Some(self.api_key.clone()),
        })
    }

    async fn user(&self, _: &str, _: &str) -> Result<Option<User>, StoreError> {
        Ok(Some(self.user.clone()))
    }
}

fn prepared() -> PreparedStore {
    let now = Timestamp::now();
    PreparedStore {
        tenant: Tenant {
            id: TENANT_ID.into(),
            name: "Acme".into(),
            active: true,
            created_at: now,
            updated_at: now,
        },
        user: demo::ada(),
        session: Session {
            id: ADA_SESSION_ID.into(),
            user_id: ADA_ID.into(),
            created_at: now,
            updated_at: now,
            expires_at: now.plus_seconds(3600),
            revoked_at: None,
        },
        api_key: ApiKey {
            key: API_KEY.into(),
            user_id: ADA_ID.into(),
            secret_sha256: ApiKeySecret::parse(API_SECRET).unwrap().digest(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
        },
    }
}

fn verifier() -> TokenVerifier<gateway::Keys> {
    let keys = KeySet::from_jwks_json(testkit::DEV_JWKS).unwrap();
    let settings = VerifierSettings {
        issuer: admin::DEV_ISSUER.into(),
        audience: None,
        leeway_secs: 5,
    };
    TokenVerifier::new(gateway::Keys::Inline(StaticKeySource::new(keys)), settings)
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
    let rs256 = admin::mint_token(
        &admin::dev_signer(admin::DevKey::Rs256).unwrap(),
        admin::DEV_ISSUER,
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
    let store = prepared();
    c.bench_function("render /me document", |b| {
        b.iter(|| {
            serde_json::to_vec(&MeDocument::new(
                black_box(&store.user),
                black_box(&store.session),
            ))
            .unwrap()
        })
    });
    let include = UsersMeSelection {
        include_profile: true,
        ..Default::default()
    };
    c.bench_function("render /users/me document, include=profile", |b| {
        b.iter(|| {
            serde_json::to_vec(&model::users_me_document(
                black_box(&store.user),
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
    let me = get_me::MeService::new(prepared(), verifier());
    let users_me = get_users_me::UsersMeService::new(prepared(), verifier());
    for (name, file) in [
        ("handler GET /me, cookie", "get-me.json"),
        ("handler GET /me, bearer RS256", "get-me-bearer.json"),
    ] {
        let request = event(file);
        c.bench_function(&format!("{name}, token seen before"), |b| {
            b.to_async(&rt)
                .iter(|| async { me.handle(clone(&request)).await })
        });
        c.bench_function(&format!("{name}, first sight"), |b| {
            b.to_async(&rt).iter_batched(
                || get_me::MeService::new(prepared(), verifier()),
                |fresh| {
                    let request = clone(&request);
                    async move { fresh.handle(request).await }
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
                .iter(|| async { users_me.handle(clone(&request)).await })
        });
    }
    let request = event("get-users-me-jwt.json");
    c.bench_function("handler GET /users/me, bearer, first sight", |b| {
        b.to_async(&rt).iter_batched(
            || get_users_me::UsersMeService::new(prepared(), verifier()),
            |fresh| {
                let request = clone(&request);
                async move { fresh.handle(request).await }
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
