//! The DynamoDB client: built once per container, with timeouts and retries chosen so that a
//! dead store costs a request at most about [`OPERATION_TIMEOUT`].
//!
//! | setting | value | why |
//! |---|---|---|
//! | connect timeout | 500 ms | a refused or black-holed connection fails fast |
//! | attempt timeout | 700 ms | a single GetItem/BatchGetItem answers in single-digit ms |
//! | operation timeout | 2 s | all attempts together; well under the function timeout |
//! | retries | standard mode, 3 attempts, 25 ms initial backoff | rides out a blip, not an outage |
//! | stalled-stream protection | off | the attempt timeout already bounds a stalled response; the throughput monitor costs a measurable share of a warm invocation's CPU (BENCHMARKS.md) |
//!
//! The configuration comes from the environment only ([`ClientSettings`], read with the rest
//! of a function's configuration at init), so `AWS_ENDPOINT_URL_DYNAMODB` points the client at
//! a local server.
//!
//! ## TLS trust
//!
//! DynamoDB's regional endpoints present certificates that chain to Amazon Trust Services'
//! roots, so the client trusts exactly those five (Amazon Root CA 1–4 and Starfield Services
//! Root CA G2, compiled in from `certs/amazon-trust-services.pem`, as published at
//! <https://www.amazontrust.com/repository/>; valid to 2037–2040). The SDK's default would read
//! the system's whole CA store (the bundle and every file under `/etc/ssl/certs`) while the
//! client is built, which was more than half of a cold start (BENCHMARKS.md); a smaller trust
//! set is also a tighter one. An endpoint override that speaks `https://` (a proxy or emulator
//! with its own certificate) gets the system's CA store instead, since its issuer is unknown; a
//! `http://` override needs no trust store.

use std::net::IpAddr;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{Region, SharedHttpClient};
pub use aws_smithy_http_client::HttpClientError;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};

/// Connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// Timeout of one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(700);
/// Timeout of a whole operation, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts per operation, the first included.
pub const MAX_ATTEMPTS: u32 = 3;

/// The DynamoDB client settings of the functions, from the environment Lambda gives a
/// function; [`ClientSettings::config`] adds this crate's timeouts, retries, TLS trust and
/// trace header ([`crate::trace::TraceHeader`]).
///
/// | what | variables |
/// |---|---|
/// | credentials | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (the execution role's, which Lambda sets; read by the SDK when a request is signed) |
/// | region | `AWS_REGION`, else `AWS_DEFAULT_REGION` |
/// | endpoint | `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL` |
/// | FIPS and dual-stack endpoints | `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` (`true`) |
///
/// The SDK's default provider chains (profile files, SSO, web identity through STS, the
/// container and instance metadata endpoints) are not consulted: a Lambda function never
/// needs them, and leaving them out keeps their code out of the binaries (BENCHMARKS.md). The
/// admin CLI, run by operators, uses the whole chain. Blank values count as unset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientSettings {
    /// `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, trimmed.
    pub endpoint: Option<String>,
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, trimmed.
    pub region: Option<String>,
    /// `AWS_USE_FIPS_ENDPOINT` is `true` (any case).
    pub use_fips: bool,
    /// `AWS_USE_DUALSTACK_ENDPOINT` is `true` (any case).
    pub use_dual_stack: bool,
}

impl ClientSettings {
    /// Reads the variables through `env`.
    pub fn read(env: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| {
            env(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let flag = |name: &str| set(name).is_some_and(|value| value.eq_ignore_ascii_case("true"));
        ClientSettings {
            endpoint: set("AWS_ENDPOINT_URL_DYNAMODB").or_else(|| set("AWS_ENDPOINT_URL")),
            region: set("AWS_REGION").or_else(|| set("AWS_DEFAULT_REGION")),
            use_fips: flag("AWS_USE_FIPS_ENDPOINT"),
            use_dual_stack: flag("AWS_USE_DUALSTACK_ENDPOINT"),
        }
    }

    /// The client configuration of these settings.
    pub fn config(self) -> Result<aws_sdk_dynamodb::config::Builder, HttpClientError> {
        let mut builder = aws_sdk_dynamodb::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .credentials_provider(EnvironmentVariableCredentialsProvider::new())
            .region(self.region.map(Region::new))
            .timeout_config(timeouts())
            .retry_config(retries())
            .stalled_stream_protection(StalledStreamProtectionConfig::disabled())
            .http_client(https_client_for(self.endpoint.as_deref())?)
            .use_fips(self.use_fips)
            .use_dual_stack(self.use_dual_stack)
            .interceptor(crate::trace::TraceHeader);
        if let Some(endpoint) = self.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Ok(builder)
    }

    /// A DynamoDB client with these settings.
    pub fn client(self) -> Result<aws_sdk_dynamodb::Client, HttpClientError> {
        Ok(aws_sdk_dynamodb::Client::from_conf(self.config()?.build()))
    }
}

/// This crate's timeouts (the table above).
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// This crate's retries (the table above).
fn retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(25))
}

/// Amazon Trust Services' root certificates (PEM), the roots of DynamoDB's endpoints.
pub const AMAZON_TRUST_SERVICES_ROOTS: &str = include_str!("../certs/amazon-trust-services.pem");

/// Whether `host` (as in a URL: IPv6 in brackets) is `localhost` or an IP address that
/// [`IpAddr::is_loopback`] says is one (`127.attacker.example` is not).
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether the client of `endpoint` (the override, or `None` for AWS itself) trusts Amazon
/// Trust Services' roots only ([`AMAZON_TRUST_SERVICES_ROOTS`]): AWS itself and plain-HTTP
/// overrides (which never use them) do; a `https://` override, whose issuer is unknown, gets
/// the system's CA store.
fn trusts_amazon_roots_only(endpoint: Option<&str>) -> bool {
    !endpoint.is_some_and(|url| {
        url.trim_start()
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    })
}

/// The SDK's own HTTPS client (rustls on ring) with the trust of `endpoint` (an override, or
/// `None` for AWS itself; see the module docs).
pub fn https_client_for(endpoint: Option<&str>) -> Result<SharedHttpClient, HttpClientError> {
    let roots = if trusts_amazon_roots_only(endpoint) {
        TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS.as_bytes())
    } else {
        TrustStore::default()
    };
    let tls = TlsContext::builder().with_trust_store(roots).build()?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .tls_context(tls)
        .build_https())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn aws_and_plain_http_overrides_trust_amazon_roots_only() {
        assert!(trusts_amazon_roots_only(None));
        assert!(trusts_amazon_roots_only(Some("http://127.0.0.1:8000")));
        assert!(trusts_amazon_roots_only(Some("httpx://x")));
    }

    fn environment(pairs: &[(&str, &str)]) -> ClientSettings {
        ClientSettings::read(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_specific_variables_win_and_blank_ones_count_as_unset() {
        assert_eq!(environment(&[]), ClientSettings::default());
        let specific = environment(&[
            ("AWS_ENDPOINT_URL_DYNAMODB", " http://127.0.0.1:8000 "),
            ("AWS_ENDPOINT_URL", "http://other:1"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
            ("AWS_USE_FIPS_ENDPOINT", "TRUE"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ]);
        assert_eq!(
            specific,
            ClientSettings {
                endpoint: Some("http://127.0.0.1:8000".into()),
                region: Some("eu-west-1".into()),
                use_fips: true,
                use_dual_stack: true,
            }
        );
        let general = environment(&[
            ("AWS_ENDPOINT_URL_DYNAMODB", " "),
            ("AWS_ENDPOINT_URL", "http://other:1"),
            ("AWS_REGION", ""),
            ("AWS_DEFAULT_REGION", "us-east-2"),
            ("AWS_USE_FIPS_ENDPOINT", "1"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "false"),
        ]);
        assert_eq!(
            general,
            ClientSettings {
                endpoint: Some("http://other:1".into()),
                region: Some("us-east-2".into()),
                use_fips: false,
                use_dual_stack: false,
            }
        );
    }

    #[test]
    fn the_client_configuration_carries_the_region_and_this_crate_s_settings() {
        let config = environment(&[("AWS_DEFAULT_REGION", "us-east-2")])
            .config()
            .unwrap()
            .build();
        assert_eq!(
            config.region().map(|r| r.to_string()).as_deref(),
            Some("us-east-2")
        );
        let timeouts = config.timeout_config().expect("timeouts");
        assert_eq!(timeouts.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert_eq!(timeouts.operation_timeout(), Some(OPERATION_TIMEOUT));
        assert_eq!(
            config.retry_config().map(|r| r.max_attempts()),
            Some(MAX_ATTEMPTS)
        );
        assert!(config.http_client().is_some(), "http client");
        let names: Vec<String> = config.interceptors().map(|i| format!("{i:?}")).collect();
        assert!(names.iter().any(|n| n.contains("TraceHeader")), "{names:?}");
    }

    #[test]
    fn https_overrides_trust_the_system_store() {
        assert!(!trusts_amazon_roots_only(Some(
            "https://dynamodb.internal.example"
        )));
        assert!(!trusts_amazon_roots_only(Some(" HTTPS://proxy:8443")));
    }

    #[test]
    fn the_compiled_in_roots_are_five_parsable_certificates() {
        // The SDK parses these with `expect` when it builds its connector; a bad file must
        // fail here, not in a cold start.
        let certificates = CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES_ROOTS.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("the PEM file parses");
        assert_eq!(certificates.len(), 5);
        let mut roots = rustls::RootCertStore::empty();
        let (added, ignored) = roots.add_parsable_certificates(certificates);
        assert_eq!((added, ignored), (5, 0));
    }
}
