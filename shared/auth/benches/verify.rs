//! Token verification (`make bench`, criterion, no I/O): a token's first sight in a container
//! (the signature is checked) and a token seen before (the verified-token cache answers), for
//! ES256 and RS256.

#![allow(missing_docs)]

use std::hint::black_box;

use auth::{KeySet, TokenVerifier};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use devkit::demo::{ADA_ID, ADA_SESSION_ID, TENANT_ID};
use devkit::{DEV_ISSUER, DEV_JWKS, DevKey};

fn verifier() -> TokenVerifier<KeySet> {
    let settings = devkit::dev_policy(DEV_ISSUER, devkit::DEV_AUDIENCE);
    let keys = KeySet::from_jwks_json(DEV_JWKS).expect("the dev JWKS");
    TokenVerifier::new(keys, settings)
}

fn token(key: DevKey) -> String {
    let signer = devkit::dev_signer(key).expect("a dev key");
    devkit::mint_token(
        &signer,
        DEV_ISSUER,
        None,
        TENANT_ID,
        ADA_ID,
        ADA_SESSION_ID,
        3600,
    )
    .expect("a dev token")
}

fn token_verification(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let seen = verifier();
    for (alg, token) in [
        ("ES256", token(DevKey::Es256)),
        ("RS256", token(DevKey::Rs256)),
    ] {
        let token = token.as_str();
        c.bench_function(&format!("verify {alg} token, first sight"), |b| {
            b.to_async(&rt).iter_batched(
                verifier,
                |fresh| async move { fresh.verify(black_box(token)).await.is_ok() },
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("verify {alg} token, seen before"), |b| {
            b.to_async(&rt)
                .iter(|| async { seen.verify(black_box(token)).await.is_ok() })
        });
    }
}

fn secret_check(c: &mut Criterion) {
    let secret = devkit::demo::API_SECRET;
    let digest = auth::sha256_hex(secret.as_bytes());
    c.bench_function("API secret check", |b| {
        b.iter(|| {
            auth::ApiKeySecret::parse(black_box(secret))
                .is_ok_and(|s| s.matches(black_box(&digest)))
        })
    });
}

criterion_group!(benches, token_verification, secret_check);
criterion_main!(benches);
