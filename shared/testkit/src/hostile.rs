//! Hostile tokens: forged, tampered, mis-signed, mis-claimed, malformed. Each function's
//! `tests/hostile_tokens.rs` sends every one to its route, which must answer 401 in its own
//! shape: never 2xx, never 5xx. The verifier here requires an audience, so `aud` checks count
//! too.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use devkit::demo::{ADA_ID, ADA_REVOKED_SESSION_ID, ADA_SESSION_ID, GRACE_ID, TENANT_ID};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

/// The audience [`verifier`] requires.
pub const AUDIENCE: &str = "api://current-user";
const ES256: &str = devkit::DEV_ES256_PRIVATE_KEY;
const RS256: &str = devkit::DEV_RS256_PRIVATE_KEY;
const FOREIGN: &str = devkit::TEST_FOREIGN_ES256_PRIVATE_KEY;

/// The dev verifier, requiring [`AUDIENCE`], so `aud` checks count too.
pub fn verifier() -> auth::TokenVerifier<auth::ProviderKeys> {
    crate::verifier_with(
        devkit::DEV_JWKS,
        devkit::dev_policy(devkit::DEV_ISSUER, AUDIENCE),
    )
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Valid claims for Ada's live session, with [`AUDIENCE`].
pub fn claims() -> Value {
    json!({
        "iss": devkit::DEV_ISSUER, "aud": AUDIENCE, "sub": ADA_ID, "sid": ADA_SESSION_ID,
        "tid": TENANT_ID, "iat": now(), "exp": now() + 600
    })
}

fn with(changes: Value) -> Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn header(alg: Algorithm, kid: &str) -> Header {
    let mut h = Header::new(alg);
    h.kid = Some(kid.into());
    h
}

/// `claims` signed with the dev ES256 key under its own `kid`.
pub fn es256(claims: &Value) -> String {
    encode(
        &header(Algorithm::ES256, "dev-es256"),
        claims,
        &EncodingKey::from_ec_pem(ES256.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn signed(header: &Header, claims: &Value, pem: &str) -> String {
    let key = match header.alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
    };
    encode(header, claims, &key).unwrap()
}

/// A token assembled by hand: any header, any payload, any signature.
fn raw(header: &Value, payload: &str, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload),
        signature
    )
}

/// `claims` signed with the dev ES256 key under a header written by hand (any members).
fn es256_with_header(header: Value, claims: &Value) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = EncodingKey::from_ec_pem(ES256.as_bytes()).unwrap();
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::ES256).unwrap();
    format!("{message}.{signature}")
}

/// The verifier of the default deployed configuration, read from the environment as a
/// function's init reads it: only the required variables set (issuer, [`AUDIENCE`], keys),
/// every other setting at its default.
pub fn default_verifier() -> auth::TokenVerifier<auth::ProviderKeys> {
    let vars = [
        ("TABLE_NAME", "unused"),
        ("JWT_ISSUER", devkit::DEV_ISSUER),
        ("JWT_AUDIENCE", AUDIENCE),
        ("JWT_PUBLIC_KEYS", devkit::DEV_JWKS),
    ];
    bootstrap::Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("the default configuration")
    .token_verifier()
}

/// Every hostile token, named: each must be refused with a 401 on both routes.
pub fn tokens() -> Vec<(&'static str, String)> {
    let good = es256(&claims());
    let (head, payload, signature) = {
        let parts: Vec<&str> = good.split('.').collect();
        (
            parts[0].to_owned(),
            parts[1].to_owned(),
            parts[2].to_owned(),
        )
    };
    let public_pem = {
        let jwks: Value = serde_json::from_str(devkit::DEV_JWKS).unwrap();
        jwks["keys"][0].to_string()
    };
    let mut tampered_payload = claims();
    tampered_payload["sub"] = json!(GRACE_ID);
    let mut nested = json!("deep");
    for _ in 0..300 {
        nested = json!([nested]);
    }
    // As text: a 2000-deep serde_json::Value would overflow the test's own stack.
    let deep_header = format!(
        r#"{{"alg":"ES256","kid":"dev-es256","x":{}0{}}}"#,
        "[".repeat(2000),
        "]".repeat(2000)
    );
    let mut jku = header(Algorithm::ES256, "attacker");
    jku.jku = Some("https://attacker.example/jwks.json".into());
    let mut x5u = header(Algorithm::ES256, "attacker");
    x5u.x5u = Some("https://attacker.example/cert.pem".into());
    let mut jku_trusted_kid = header(Algorithm::ES256, "dev-es256");
    jku_trusted_kid.jku = Some("https://attacker.example/jwks.json".into());
    let mut embedded_jwk = header(Algorithm::ES256, "dev-es256");
    embedded_jwk.jwk = Some(serde_json::from_value(json!({
        "kty": "EC", "crv": "P-256", "kid": "dev-es256",
        "x": "X0SQClQrcG-puz-ibl2nlz7rbsvufd57poUSqEnupCw", "y": "XlUcBvavfaAtRLC4TQUXVeLQTdC-a26_mP2PTUQoCV8"
    })).unwrap());
    let hmac_with_public_key = encode(
        &header(Algorithm::HS256, "dev-es256"),
        &claims(),
        &EncodingKey::from_secret(public_pem.as_bytes()),
    )
    .unwrap();
    vec![
        (
            "alg none",
            raw(
                &json!({"alg": "none", "kid": "dev-es256"}),
                &claims().to_string(),
                "",
            ),
        ),
        (
            "alg none with a signature",
            raw(
                &json!({"alg": "none", "kid": "dev-es256"}),
                &claims().to_string(),
                &signature,
            ),
        ),
        (
            "alg None capitalised",
            raw(
                &json!({"alg": "None", "kid": "dev-es256"}),
                &claims().to_string(),
                &signature,
            ),
        ),
        ("HS256 signed with the public key", hmac_with_public_key),
        (
            "RS256 token under the ES256 kid",
            signed(&header(Algorithm::RS256, "dev-es256"), &claims(), RS256),
        ),
        (
            "ES384 header on an ES256 signature",
            raw(
                &json!({"alg": "ES384", "kid": "dev-es256"}),
                &claims().to_string(),
                &signature,
            ),
        ),
        (
            "foreign key under the dev kid",
            signed(&header(Algorithm::ES256, "dev-es256"), &claims(), FOREIGN),
        ),
        (
            "unknown kid",
            signed(&header(Algorithm::ES256, "attacker"), &claims(), FOREIGN),
        ),
        ("no kid", {
            let mut h = Header::new(Algorithm::ES256);
            h.kid = None;
            signed(&h, &claims(), ES256)
        }),
        (
            "path traversal kid",
            signed(
                &header(Algorithm::ES256, "../../../../dev/null"),
                &claims(),
                FOREIGN,
            ),
        ),
        (
            "SQL in kid",
            signed(
                &header(Algorithm::ES256, "x' OR '1'='1"),
                &claims(),
                FOREIGN,
            ),
        ),
        (
            "jku to an attacker's JWKS",
            signed(&jku, &claims(), FOREIGN),
        ),
        (
            "x5u to an attacker's certificate",
            signed(&x5u, &claims(), FOREIGN),
        ),
        (
            "jku with a trusted kid",
            signed(&jku_trusted_kid, &claims(), FOREIGN),
        ),
        (
            "embedded jwk header",
            signed(&embedded_jwk, &claims(), FOREIGN),
        ),
        ("expired", es256(&with(json!({"exp": now() - 3600})))),
        (
            "nbf in the future",
            es256(&with(json!({"nbf": now() + 3600}))),
        ),
        (
            "wrong iss",
            es256(&with(json!({"iss": "https://evil.example"}))),
        ),
        (
            "wrong aud",
            es256(&with(json!({"aud": "api://someone-else"}))),
        ),
        ("missing aud", es256(&with(json!({"aud": null})))),
        ("missing exp", es256(&with(json!({"exp": null})))),
        ("exp as a string", es256(&with(json!({"exp": "tomorrow"})))),
        ("missing sid", es256(&with(json!({"sid": null})))),
        ("sub of no user", es256(&with(json!({"sub": "admin"})))),
        (
            "key separator in sub",
            es256(&with(json!({"sub": "TENANT#other"}))),
        ),
        (
            "key separator in tid",
            es256(&with(json!({"tid": "x#USER#y"}))),
        ),
        (
            "iss array holding the issuer",
            es256(&with(
                json!({"iss": ["https://evil.example", devkit::DEV_ISSUER]}),
            )),
        ),
        ("exp at i64::MAX", es256(&with(json!({"exp": i64::MAX})))),
        (
            "lifetime of 30 days",
            es256(&with(json!({"iat": now(), "exp": now() + 30 * 86_400}))),
        ),
        (
            "iat and exp in 2100",
            es256(&with(
                json!({"iat": 4_102_444_800_i64, "exp": 4_102_444_800_i64}),
            )),
        ),
        (
            "iat 10 years ahead with a 1 h lifetime",
            es256(&with(
                json!({"iat": now() + 315_360_000, "exp": now() + 315_363_600}),
            )),
        ),
        (
            "crit naming an unknown extension",
            es256_with_header(
                json!({"alg": "ES256", "kid": "dev-es256", "crit": ["zzz"], "zzz": true}),
                &claims(),
            ),
        ),
        (
            "a logout token",
            es256_with_header(
                json!({"alg": "ES256", "kid": "dev-es256", "typ": "logout+jwt"}),
                &claims(),
            ),
        ),
        (
            "tampered payload",
            format!(
                "{head}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(tampered_payload.to_string())
            ),
        ),
        (
            "tampered signature",
            format!(
                "{head}.{payload}.{}{}",
                &signature[..signature.len() - 4],
                if signature.ends_with("AAAA") {
                    "BBBB"
                } else {
                    "AAAA"
                }
            ),
        ),
        ("empty signature", format!("{head}.{payload}.")),
        ("truncated to two segments", format!("{head}.{payload}")),
        ("extra segment", format!("{good}.{signature}")),
        (
            "oversized",
            format!("{head}.{}.{signature}", "A".repeat(20_000)),
        ),
        (
            "deeply nested claims under a forged signature",
            signed(
                &header(Algorithm::ES256, "dev-es256"),
                &with(json!({"nested": nested})),
                FOREIGN,
            ),
        ),
        (
            "deeply nested header, parsed before the signature",
            format!(
                "{}.{payload}.{signature}",
                URL_SAFE_NO_PAD.encode(&deep_header)
            ),
        ),
        (
            "header not JSON",
            format!(
                "{}.{payload}.{signature}",
                URL_SAFE_NO_PAD.encode("not json")
            ),
        ),
        (
            "header a JSON array",
            format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode("[1,2]")),
        ),
        (
            "another tenant's claims",
            es256(&with(
                json!({"tid": "3b241101-e2bb-4255-8caf-4136c566a962"}),
            )),
        ),
        (
            "a revoked session",
            es256(&with(json!({"sid": ADA_REVOKED_SESSION_ID}))),
        ),
        ("padding and whitespace", format!("{good}==")),
    ]
}

/// Sends the control token and then every hostile token through `answer` (one request to the
/// route at `path`, with the token as its bearer token): the control must be a 200, every
/// hostile token a 401 in the route's documented shape (`content_type`), and no token's
/// signature may reach the logs.
pub async fn assert_all_refused(
    path: &str,
    content_type: &str,
    answer: impl AsyncFn(&str) -> lambda_http::Response<lambda_http::Body>,
) {
    // The control: the same construction, untampered, is accepted.
    let good = es256(&claims());
    assert_eq!(answer(&good).await.status(), 200, "the control token");

    let tokens = tokens();
    assert!(tokens.len() >= 25);
    let (logs, _guard) = crate::capture_logs();
    for (case, token) in &tokens {
        let answer = crate::checked(answer(token).await, path, content_type);
        assert_eq!(answer.status, 401, "{path}, {case}: {}", answer.body);
    }
    let logged = logs.text();
    for (case, token) in &tokens {
        let signature = token.rsplit('.').next().unwrap_or("");
        if signature.len() > 16 {
            assert!(
                !logged.contains(signature),
                "{case}: the token reached the logs"
            );
        }
    }
}
