//! Function configuration from the environment, read once at init.
//!
//! | variable | required | meaning |
//! |---|---|---|
//! | `TABLE_NAME` | yes | the DynamoDB table |
//! | `JWT_ISSUER` | yes | required `iss` of session tokens: one string, equal to this |
//! | `JWT_AUDIENCE` | this or `JWT_CLIENT_ID` | comma-separated accepted `aud` values |
//! | `JWT_CLIENT_ID` | this or `JWT_AUDIENCE` | comma-separated accepted `client_id` / `azp`, for tokens without `aud` |
//! | `JWT_TOKEN_USE` | no | required `token_use` (Cognito: `id` or `access`) |
//! | `JWT_TENANT_CLAIM` | no | the claim that names the tenant, default `tid` |
//! | `JWT_SESSION_CLAIM` | no | the claim that names the session, default `sid` |
//! | `JWT_MAX_LIFETIME_SECS` | no | longest accepted token lifetime, 60 to 3153600000 (100 years), default 86400 |
//! | `JWT_LEEWAY_SECS` | no | leeway on `exp`/`nbf`/`iat`, 0–300, default 5 |
//! | `JWT_PUBLIC_KEYS` | one of the two | inline JWKS document |
//! | `JWKS_URL` | one of the two | the identity provider's JWKS endpoint (`https://`; wins over `JWT_PUBLIC_KEYS`) |
//! | `TENANT_CACHE_SECS` | no | a container reads a tenant at most once per this many seconds (0 to 300, default 30): a disabled tenant is served for at most that long |
//! | `JWKS_MIN_REFRESH_SECS` | no | at most one JWKS fetch per this many seconds, 0 to 300, default 5 |
//! | `JWKS_MAX_AGE_SECS` | no | fetched keys are refreshed after this many seconds, 60 to 3600, default 600 |
//! | `JWKS_STALE_GRACE_SECS` | no | while refreshes fail, keys older than `JWKS_MAX_AGE_SECS` verify for at most this many seconds more, 0 to 21600 (6 h), default 900; then 503 |
//! | `ALLOWED_ORIGINS` | no | comma-separated browser origins allowed with credentials (CORS, [`crate::cors`]); unset or empty: none |
//! | `RUST_LOG` | no | the log filter ([`crate::logging::filter`]), default `info` |
//! | `METRICS_NAMESPACE` | no | the CloudWatch namespace of the metric lines ([`crate::metrics`]), default `CurrentUserApi`: 1 to 255 of `A-Z a-z 0-9 . - _ / # :`, not starting with `AWS/` |
//! | the AWS client's | no | region, endpoint, FIPS and dual-stack flags ([`store::client::ClientSettings`]); credentials are read by the SDK when a request is signed |
//!
//! Every duration has bounds (a [`SecondsVariable`]), enforced here at init; the template's
//! parameters carry the same bounds (a test holds the template, the workspace `Cargo.toml` and
//! the README to the variables [`Config::from_lookup`] reads). So a removed signing key
//! verifies at most `JWKS_MAX_AGE_SECS + JWKS_STALE_GRACE_SECS` (7 h at the maxima) after the
//! last good fetch. Nothing reads the environment after [`Config::from_env`].

use std::env;
use std::time::Duration;

use auth::{
    CachedKeySource, HttpsJwksFetcher, JwksPolicy, KeySet, ProviderKeys, TokenVerifier,
    VerifierSettings, parse_jwks_url,
};
use http::Uri;
use store::DynamoStore;
use store::client::{ClientSettings, HttpClientError};
use tracing_subscriber::filter::Targets;

use crate::{CorsPolicy, RouteSettings, metrics};

/// A duration the environment sets, in whole seconds, with its default and its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondsVariable {
    /// The environment variable.
    pub name: &'static str,
    /// The value when the variable is not set.
    pub default: u64,
    /// The least accepted value.
    pub min: u64,
    /// The greatest accepted value.
    pub max: u64,
}

impl SecondsVariable {
    /// The variable `name`, `default` when unset, accepted from `min` to `max`.
    pub const fn new(name: &'static str, default: u64, min: u64, max: u64) -> Self {
        Self {
            name,
            default,
            min,
            max,
        }
    }
}

/// `JWT_MAX_LIFETIME_SECS`.
pub const JWT_MAX_LIFETIME: SecondsVariable = SecondsVariable::new(
    "JWT_MAX_LIFETIME_SECS",
    auth::token::DEFAULT_MAX_LIFETIME_SECS,
    60,
    100 * 365 * 24 * 3600,
);
/// `JWT_LEEWAY_SECS`.
pub const JWT_LEEWAY: SecondsVariable =
    SecondsVariable::new("JWT_LEEWAY_SECS", auth::token::DEFAULT_LEEWAY_SECS, 0, 300);
/// `TENANT_CACHE_SECS`.
pub const TENANT_CACHE: SecondsVariable = SecondsVariable::new("TENANT_CACHE_SECS", 30, 0, 300);
/// `JWKS_MIN_REFRESH_SECS`.
pub const JWKS_MIN_REFRESH: SecondsVariable =
    SecondsVariable::new("JWKS_MIN_REFRESH_SECS", 5, 0, 300);
/// `JWKS_MAX_AGE_SECS`.
pub const JWKS_MAX_AGE: SecondsVariable = SecondsVariable::new("JWKS_MAX_AGE_SECS", 600, 60, 3600);
/// `JWKS_STALE_GRACE_SECS`.
pub const JWKS_STALE_GRACE: SecondsVariable =
    SecondsVariable::new("JWKS_STALE_GRACE_SECS", 900, 0, 6 * 3600);
/// The configured source of keys.
#[derive(Debug, Clone)]
pub enum KeyConfig {
    /// An inline JWKS document.
    Inline(KeySet),
    /// A JWKS endpoint.
    Url(Uri),
}

/// A configuration variable that is missing or wrong; the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration variable {variable}: {problem}")]
pub struct ConfigError {
    /// The variable.
    pub variable: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// Everything a function needs from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TABLE_NAME`.
    pub table_name: String,
    /// The token policy (`JWT_*`).
    pub verifier: VerifierSettings,
    /// `JWKS_URL`, else `JWT_PUBLIC_KEYS`.
    pub keys: KeyConfig,
    /// `TENANT_CACHE_SECS`: how long a container remembers a tenant it read.
    pub tenant_cache: Duration,
    /// `JWKS_MIN_REFRESH_SECS`, `JWKS_MAX_AGE_SECS`, `JWKS_STALE_GRACE_SECS`.
    pub jwks_policy: JwksPolicy,
    /// `ALLOWED_ORIGINS` and `METRICS_NAMESPACE`: what the shared layers need.
    pub route: RouteSettings,
    /// `RUST_LOG`: the log filter.
    pub log_filter: Targets,
    /// The AWS client's region, endpoint and flags.
    pub client: ClientSettings,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let variables = Variables(&lookup);
        let table_name = variables.required("TABLE_NAME")?;
        let verifier = verifier_settings(&variables)?;
        let keys = match (variables.get("JWKS_URL"), variables.get("JWT_PUBLIC_KEYS")) {
            (Some(url), _) => {
                KeyConfig::Url(parse_jwks_url(&url).map_err(|problem| ConfigError {
                    variable: "JWKS_URL",
                    problem,
                })?)
            }
            (None, Some(jwks)) => {
                KeyConfig::Inline(KeySet::from_jwks_json(&jwks).map_err(|e| ConfigError {
                    variable: "JWT_PUBLIC_KEYS",
                    problem: e.to_string(),
                })?)
            }
            (None, None) => {
                return Err(ConfigError {
                    variable: "JWT_PUBLIC_KEYS",
                    problem: "JWT_PUBLIC_KEYS or JWKS_URL is required".into(),
                });
            }
        };
        let seconds = |variable| variables.seconds(variable).map(Duration::from_secs);
        let jwks_policy = JwksPolicy {
            min_refresh: seconds(JWKS_MIN_REFRESH)?,
            max_age: seconds(JWKS_MAX_AGE)?,
            stale_grace: seconds(JWKS_STALE_GRACE)?,
        };
        let tenant_cache = seconds(TENANT_CACHE)?;
        let cors = CorsPolicy::parse(&variables.get("ALLOWED_ORIGINS").unwrap_or_default())
            .map_err(|e| ConfigError {
                variable: "ALLOWED_ORIGINS",
                problem: e.to_string(),
            })?;
        let metrics_namespace = match variables.get("METRICS_NAMESPACE") {
            None => metrics::DEFAULT_NAMESPACE.to_owned(),
            Some(namespace) if is_metrics_namespace(&namespace) => namespace,
            Some(_) => {
                return Err(ConfigError {
                    variable: "METRICS_NAMESPACE",
                    problem: "must be 1 to 255 of A-Z a-z 0-9 . - _ / # : and not start with AWS/"
                        .into(),
                });
            }
        };
        Ok(Self {
            table_name,
            verifier,
            keys,
            tenant_cache,
            jwks_policy,
            route: RouteSettings {
                cors,
                metrics_namespace,
            },
            log_filter: crate::logging::filter(variables.get("RUST_LOG").as_deref()),
            client: ClientSettings::read(&lookup),
        })
    }

    /// The token verifier this configuration describes.
    pub fn token_verifier(&self) -> TokenVerifier<ProviderKeys> {
        let keys = match &self.keys {
            KeyConfig::Inline(set) => {
                for skipped in set.skipped() {
                    tracing::warn!(key = %skipped, "skipped a key of JWT_PUBLIC_KEYS");
                }
                ProviderKeys::Inline(set.clone())
            }
            KeyConfig::Url(uri) => ProviderKeys::Remote(Box::new(CachedKeySource::new(
                HttpsJwksFetcher::new(uri.clone()),
                self.jwks_policy,
            ))),
        };
        TokenVerifier::new(keys, self.verifier.clone())
    }

    /// The store, with its client (`store::client`) and the tenant cache of
    /// `TENANT_CACHE_SECS`.
    pub fn store(&self) -> Result<DynamoStore, HttpClientError> {
        let client = self.client.clone().client()?;
        Ok(DynamoStore::new(client, self.table_name.clone()).with_tenant_cache(self.tenant_cache))
    }
}

/// The environment as [`Config::from_lookup`] reads it: values trimmed, blank ones unset.
struct Variables<L>(L);

impl<L: Fn(&str) -> Option<String>> Variables<L> {
    /// The trimmed value of `name`; `None` when it is unset or blank.
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// The trimmed value of `name`, which must be set.
    fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError {
            variable: name,
            problem: "is required".into(),
        })
    }

    /// The value of `variable`: its default when unset or blank, an error naming it when it is
    /// not a whole number within its bounds.
    fn seconds(&self, variable: SecondsVariable) -> Result<u64, ConfigError> {
        let Some(text) = self.get(variable.name) else {
            return Ok(variable.default);
        };
        text.parse::<u64>()
            .ok()
            .filter(|s| (variable.min..=variable.max).contains(s))
            .ok_or(ConfigError {
                variable: variable.name,
                problem: format!(
                    "must be a whole number of seconds from {} to {}, not {text:?}",
                    variable.min, variable.max
                ),
            })
    }
}

/// Whether `namespace` is a CloudWatch namespace a function may publish to.
fn is_metrics_namespace(namespace: &str) -> bool {
    (1..=255).contains(&namespace.len())
        && !namespace.starts_with("AWS/")
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_/#:".contains(&b))
}

/// The token policy: `JWT_ISSUER` (required), `JWT_AUDIENCE` and `JWT_CLIENT_ID`
/// (comma-separated; at least one of the two is required, so a token minted for another API
/// never counts), `JWT_TOKEN_USE`, `JWT_TENANT_CLAIM` (default `tid`), `JWT_SESSION_CLAIM`
/// (default `sid`), and the lifetime and leeway ([`JWT_MAX_LIFETIME`], [`JWT_LEEWAY`]).
fn verifier_settings(
    variables: &Variables<impl Fn(&str) -> Option<String>>,
) -> Result<VerifierSettings, ConfigError> {
    let list = |name: &str| {
        variables
            .get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .filter(|list| !list.is_empty())
    };
    let claim_name = |name: &'static str, default: &str| match variables.get(name) {
        None => Ok(default.to_owned()),
        Some(claim) if claim.len() <= 128 && !claim.contains(char::is_whitespace) => Ok(claim),
        Some(claim) => Err(ConfigError {
            variable: name,
            problem: format!("must be a claim name, not {claim:?}"),
        }),
    };
    let issuer = variables.required("JWT_ISSUER")?;
    let (audience, client_ids) = (list("JWT_AUDIENCE"), list("JWT_CLIENT_ID"));
    if audience.is_none() && client_ids.is_none() {
        return Err(ConfigError {
            variable: "JWT_AUDIENCE",
            problem: "JWT_AUDIENCE or JWT_CLIENT_ID is required, so that a token the identity \
                      provider minted for another API is refused"
                .into(),
        });
    }
    Ok(VerifierSettings {
        issuer,
        audience,
        client_ids,
        token_use: variables.get("JWT_TOKEN_USE"),
        tenant_claim: claim_name("JWT_TENANT_CLAIM", auth::token::DEFAULT_TENANT_CLAIM)?,
        session_claim: claim_name("JWT_SESSION_CLAIM", auth::token::DEFAULT_SESSION_CLAIM)?,
        max_lifetime_secs: variables.seconds(JWT_MAX_LIFETIME)?,
        leeway_secs: variables.seconds(JWT_LEEWAY)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV_JWKS: &str = include_str!("../../../dev/keys/dev-jwks.json");

    fn lookup(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn the_metrics_namespace_defaults_and_is_checked() {
        let with = |namespace: Option<&str>| {
            let mut pairs = vec![
                ("TABLE_NAME", "t".to_owned()),
                ("JWT_ISSUER", "i".to_owned()),
                ("JWT_AUDIENCE", "a".to_owned()),
                ("JWT_PUBLIC_KEYS", DEV_JWKS.to_owned()),
            ];
            pairs.extend(namespace.map(|n| ("METRICS_NAMESPACE", n.to_owned())));
            Config::from_lookup(lookup(pairs)).map(|c| c.route.metrics_namespace)
        };
        assert_eq!(with(None).unwrap(), crate::metrics::DEFAULT_NAMESPACE);
        assert_eq!(with(Some(" ")).unwrap(), crate::metrics::DEFAULT_NAMESPACE);
        assert_eq!(with(Some(" Team/Api#1 ")).unwrap(), "Team/Api#1");
        for bad in ["AWS/Lambda", "has space", "quote\"", &"n".repeat(256)] {
            let err = with(Some(bad)).unwrap_err();
            assert_eq!(err.variable, "METRICS_NAMESPACE", "{bad}");
        }
    }

    #[test]
    fn reads_a_complete_configuration() {
        let config = Config::from_lookup(lookup(vec![
            ("TABLE_NAME", " t\n".into()),
            ("JWT_ISSUER", "i".into()),
            ("JWT_AUDIENCE", "a".into()),
            ("JWT_PUBLIC_KEYS", DEV_JWKS.into()),
        ]))
        .unwrap();
        assert_eq!(config.verifier.tenant_claim, "tid");
        assert_eq!(config.verifier.max_lifetime_secs, 86_400);
        assert_eq!(config.tenant_cache.as_secs(), TENANT_CACHE.default);
        assert_eq!(config.table_name, "t", "every value is trimmed");
        assert!(
            matches!(&config.keys, KeyConfig::Inline(set) if set.get("dev-es256").is_some() && set.get("dev-rs256").is_some())
        );
        assert_eq!(
            config.route.cors.origins().count(),
            0,
            "no origin unless listed"
        );
    }

    #[test]
    fn the_token_policy_and_the_client_come_from_the_same_reading() {
        let config = Config::from_lookup(lookup(vec![
            ("TABLE_NAME", "t".into()),
            ("JWT_ISSUER", "i".into()),
            ("JWT_CLIENT_ID", "c1, c2".into()),
            ("JWT_TOKEN_USE", "access".into()),
            ("JWT_SESSION_CLAIM", "origin_jti".into()),
            ("JWT_MAX_LIFETIME_SECS", "3600".into()),
            ("JWT_PUBLIC_KEYS", DEV_JWKS.into()),
            ("AWS_REGION", " eu-west-1 ".into()),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000".into()),
            ("RUST_LOG", "warn".into()),
        ]))
        .unwrap();
        let policy = &config.verifier;
        assert_eq!(policy.client_ids, Some(vec!["c1".into(), "c2".into()]));
        assert_eq!(policy.audience, None);
        assert_eq!(policy.token_use.as_deref(), Some("access"));
        assert_eq!(
            (policy.session_claim.as_str(), policy.tenant_claim.as_str()),
            ("origin_jti", "tid")
        );
        assert_eq!(policy.max_lifetime_secs, 3600);
        assert_eq!(policy.leeway_secs, JWT_LEEWAY.default);
        assert_eq!(config.client.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            config.client.endpoint.as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            config.log_filter.default_level(),
            Some(tracing_subscriber::filter::LevelFilter::WARN)
        );
        let audiences = Config::from_lookup(lookup(vec![
            ("TABLE_NAME", "t".into()),
            ("JWT_ISSUER", "i".into()),
            ("JWT_AUDIENCE", "a, b".into()),
            ("JWT_PUBLIC_KEYS", DEV_JWKS.into()),
        ]))
        .unwrap();
        assert_eq!(
            audiences.verifier.audience,
            Some(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn allowed_origins_are_checked_at_init_by_name() {
        let with = |origins: &str| {
            Config::from_lookup(lookup(vec![
                ("TABLE_NAME", "t".into()),
                ("JWT_ISSUER", "i".into()),
                ("JWT_AUDIENCE", "a".into()),
                ("JWT_PUBLIC_KEYS", DEV_JWKS.into()),
                ("ALLOWED_ORIGINS", origins.into()),
            ]))
        };
        let config = with("https://app.example.com,http://localhost:3000").unwrap();
        assert_eq!(
            config.route.cors.origins().collect::<Vec<_>>(),
            ["https://app.example.com", "http://localhost:3000"]
        );
        for bad in ["*", "https://app.example.com/", "http://app.example.com"] {
            let err = with(&format!("https://ok.example.com,{bad}")).unwrap_err();
            assert_eq!(err.variable, "ALLOWED_ORIGINS");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn names_the_missing_or_wrong_variable() {
        let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
            (vec![], "TABLE_NAME"),
            (vec![("TABLE_NAME", "t".into())], "JWT_ISSUER"),
            (
                vec![("TABLE_NAME", "t".into()), ("JWT_ISSUER", "i".into())],
                "JWT_AUDIENCE",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_CLIENT_ID", "c".into()),
                    ("JWT_MAX_LIFETIME_SECS", "1".into()),
                ],
                "JWT_MAX_LIFETIME_SECS",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_AUDIENCE", "a".into()),
                    ("JWT_TENANT_CLAIM", "two words".into()),
                ],
                "JWT_TENANT_CLAIM",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_AUDIENCE", "a".into()),
                ],
                "JWT_PUBLIC_KEYS",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_AUDIENCE", "a".into()),
                    ("JWT_PUBLIC_KEYS", "{}".into()),
                ],
                "JWT_PUBLIC_KEYS",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_AUDIENCE", "a".into()),
                    ("JWKS_URL", "http://idp.example.com/jwks".into()),
                ],
                "JWKS_URL",
            ),
        ];
        for (vars, variable) in cases {
            let err = Config::from_lookup(lookup(vars)).unwrap_err();
            assert_eq!(err.variable, variable);
            assert!(err.to_string().contains(variable));
        }
    }
}
