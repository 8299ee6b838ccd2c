//! Function configuration from the environment, read once at init.
//!
//! | variable | required | meaning |
//! |---|---|---|
//! | `TABLE_NAME` | yes | the DynamoDB table |
//! | `JWT_ISSUER` | yes | required `iss` of session tokens |
//! | `JWT_AUDIENCE` | no | comma-separated accepted `aud` values; unset: `aud` not checked |
//! | `JWT_LEEWAY_SECS` | no | leeway on `exp`/`nbf`, 0–300, default 5 |
//! | `JWT_PUBLIC_KEYS` | one of the two | inline JWKS document |
//! | `JWKS_URL` | one of the two | the identity provider's JWKS endpoint |
//!
//! The AWS SDK reads its own variables (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`).

use std::env;

use auth::{KeySet, StaticKeySource, TokenVerifier, VerifierSettings};
use store::DynamoStore;

/// The key source the functions are built with.
pub type Keys = StaticKeySource;

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
pub struct FunctionConfig {
    /// `TABLE_NAME`.
    pub table_name: String,
    /// `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_LEEWAY_SECS`.
    pub verifier: VerifierSettings,
    /// The keys from `JWT_PUBLIC_KEYS`.
    pub keys: KeySet,
}

impl FunctionConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let present = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let table_name = present("TABLE_NAME").ok_or(ConfigError {
            variable: "TABLE_NAME",
            problem: "is required".into(),
        })?;
        let verifier = VerifierSettings::from_lookup(&lookup).map_err(|e| ConfigError {
            variable: e.variable,
            problem: e.problem,
        })?;
        let keys = match (present("JWT_PUBLIC_KEYS"), present("JWKS_URL")) {
            (Some(jwks), _) => KeySet::from_jwks_json(&jwks).map_err(|e| ConfigError {
                variable: "JWT_PUBLIC_KEYS",
                problem: e.to_string(),
            })?,
            (None, Some(_)) => {
                return Err(ConfigError {
                    variable: "JWKS_URL",
                    problem: "fetching keys from a URL is not available in this build; set JWT_PUBLIC_KEYS to the JWKS document".into(),
                });
            }
            (None, None) => {
                return Err(ConfigError {
                    variable: "JWT_PUBLIC_KEYS",
                    problem: "JWT_PUBLIC_KEYS or JWKS_URL is required".into(),
                });
            }
        };
        Ok(Self {
            table_name,
            verifier,
            keys,
        })
    }

    /// The token verifier this configuration describes.
    pub fn token_verifier(&self) -> TokenVerifier<Keys> {
        for skipped in self.keys.skipped() {
            tracing::warn!(key = %skipped, "skipped a key of the JWKS document");
        }
        TokenVerifier::new(
            StaticKeySource::new(self.keys.clone()),
            self.verifier.clone(),
        )
    }

    /// The store, with a client configured from the environment (see `store::client`).
    pub async fn store(&self) -> DynamoStore {
        DynamoStore::new(
            store::client::dynamodb_client().await,
            self.table_name.clone(),
        )
    }
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
    fn reads_a_complete_configuration() {
        let config = FunctionConfig::from_lookup(lookup(vec![
            ("TABLE_NAME", "t".into()),
            ("JWT_ISSUER", "i".into()),
            ("JWT_PUBLIC_KEYS", DEV_JWKS.into()),
        ]))
        .unwrap();
        assert_eq!(config.table_name, "t");
        assert_eq!(config.keys.len(), 2);
    }

    #[test]
    fn names_the_missing_or_wrong_variable() {
        let cases: Vec<(Vec<(&'static str, String)>, &str)> = vec![
            (vec![], "TABLE_NAME"),
            (vec![("TABLE_NAME", "t".into())], "JWT_ISSUER"),
            (
                vec![("TABLE_NAME", "t".into()), ("JWT_ISSUER", "i".into())],
                "JWT_PUBLIC_KEYS",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWT_PUBLIC_KEYS", "{}".into()),
                ],
                "JWT_PUBLIC_KEYS",
            ),
            (
                vec![
                    ("TABLE_NAME", "t".into()),
                    ("JWT_ISSUER", "i".into()),
                    ("JWKS_URL", "https://x".into()),
                ],
                "JWKS_URL",
            ),
        ];
        for (vars, variable) in cases {
            let err = FunctionConfig::from_lookup(lookup(vars)).unwrap_err();
            assert_eq!(err.variable, variable);
            assert!(err.to_string().contains(variable));
        }
    }
}
