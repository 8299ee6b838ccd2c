//! Test support, for tests only: a real DynamoDB-compatible server, fresh tables, dev tokens,
//! request builders and the `events/` files, OpenAPI validation of response bodies, log
//! capture, a proxy that counts DynamoDB round trips on the wire, a JWKS endpoint, the hostile
//! tokens both routes must refuse ([`hostile`]), and a minimal Lambda Runtime API
//! ([`runtime_api`]) to run the real bootstraps under.
//!
//! [`local_dynamo`] starts dynalite (from the repository's `node_modules`, installed by
//! `make test`) once per test binary on a free loopback port, and points the AWS SDK at it
//! through `AWS_ENDPOINT_URL_DYNAMODB`, exactly as a user would. When that variable is
//! already set, the server it names is used instead (DynamoDB Local, say). The server stops
//! when the test binary exits (it watches its stdin, which is this process's pipe).

mod answer;
pub mod cors_and_methods;
pub mod emf;

/// RFC 6750's `WWW-Authenticate` challenges, as the wire carries them (written out here, not
/// taken from the code under test).
pub mod challenges {
    /// A 401 when no token was sent (or an API key).
    pub const NO_TOKEN: &str = "Bearer";
    /// A 401 for an invalid or revoked token.
    pub const INVALID_TOKEN: &str =
        r#"Bearer error="invalid_token", error_description="The access token is invalid""#;
    /// A 401 for an expired token.
    pub const EXPIRED_TOKEN: &str =
        r#"Bearer error="invalid_token", error_description="The access token expired""#;
    /// A 400.
    pub const INVALID_REQUEST: &str =
        r#"Bearer error="invalid_request", error_description="The request is malformed""#;
}
pub mod hostile;
mod jwks_server;
pub mod key_heat;
mod logs;
pub mod memory;
mod openapi;
mod proxy;
mod requests;
pub mod runtime_api;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

pub use answer::{Answer, EventExpectation, answer_events, checked};
pub use jwks_server::{JwksServer, dev_jwks_with_only};
pub use logs::{CapturedLogs, capture_logs};
pub use openapi::OpenApi;
pub use proxy::{CountingProxy, Fault, assert_faults_are_quick_503s};
pub use requests::{
    access_lines, bearer, call, copy_request, credentials_in_event, demo_secrets, event_files,
    event_json, event_request, me_request, request, trace_logs_carry_no_secret, users_me_request,
};

use accounts::Admin;
use auth::{KeySet, ProviderKeys, TokenVerifier, VerifierSettings};
use bootstrap::{CorsPolicy, RouteSettings};
use devkit::{DEV_ISSUER, DEV_JWKS};
use model::{SessionId, TenantId, UserId};
use store::DynamoStore;

/// The repository root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running DynamoDB-compatible server.
#[derive(Debug)]
pub struct LocalDynamo {
    endpoint: String,
    _child: Option<Mutex<Child>>,
}

static SERVER: OnceLock<LocalDynamo> = OnceLock::new();

/// The server of this test binary, started on first use. Call it before anything reads the
/// environment: it sets the SDK's variables once, while other tests wait for it.
pub fn local_dynamo() -> &'static LocalDynamo {
    SERVER.get_or_init(|| {
        let (endpoint, child) = match std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
            Ok(endpoint) if !endpoint.is_empty() => (endpoint, None),
            _ => {
                let (endpoint, child) = spawn_dynalite();
                (endpoint, Some(Mutex::new(child)))
            }
        };
        #[allow(unsafe_code)]
        // SAFETY: runs once, inside OnceLock initialisation; every test calls local_dynamo()
        // before building a client, so no other thread reads these variables meanwhile.
        unsafe {
            std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB", &endpoint);
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
                std::env::set_var("AWS_ACCESS_KEY_ID", "local");
                std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
            }
            if std::env::var_os("AWS_REGION").is_none() {
                std::env::set_var("AWS_REGION", "us-east-1");
            }
        }
        LocalDynamo {
            endpoint,
            _child: child,
        }
    })
}

fn spawn_dynalite() -> (String, Child) {
    let root = workspace_root();
    let script = root.join("scripts/dynalite-server.js");
    let mut child = Command::new("node")
        .arg(&script)
        .arg("0")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start node {}: {e} (run `make test`, which installs it)",
                script.display()
            )
        });
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("dynalite prints its port");
    let port = line.trim().strip_prefix("listening ").unwrap_or_else(|| {
        panic!("dynalite did not start (said {line:?}); is node_modules installed? run `make test`")
    });
    (format!("http://127.0.0.1:{port}"), child)
}

impl LocalDynamo {
    /// The endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A new, empty table with a unique name, through the production client configuration.
    pub async fn fresh_table(&self) -> (Admin, DynamoStore) {
        let client = store::client::ClientSettings::read(|name| std::env::var(name).ok())
            .client()
            .expect("the DynamoDB client");
        let store = DynamoStore::new(client, format!("test-{}", uuid::Uuid::new_v4().simple()));
        let admin = Admin::new(store.clone());
        admin.create_table().await.expect("create the test table");
        (admin, store)
    }

    /// A table `name` with one string hash key `key` (another program's table, such as the
    /// bench's peer), on demand; nothing happens if it exists.
    pub async fn create_keyed_table(&self, name: &str, key: &str) {
        use aws_sdk_dynamodb::client::Waiters;
        use aws_sdk_dynamodb::types::{
            AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
        };
        let client = store::client::ClientSettings::read(|name| std::env::var(name).ok())
            .client()
            .expect("the DynamoDB client");
        let created = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(key)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("an attribute definition"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(key)
                    .key_type(KeyType::Hash)
                    .build()
                    .expect("a key schema"),
            )
            .send()
            .await;
        if let Err(err) = created {
            let exists = err
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception());
            assert!(exists, "create table {name}: {err:?}");
        }
        client
            .wait_until_table_exists()
            .table_name(name)
            .wait(std::time::Duration::from_secs(60))
            .await
            .unwrap_or_else(|e| panic!("table {name} did not become ACTIVE: {e:?}"));
    }

    /// A fresh table with the demo data of `admin seed`.
    pub async fn seeded_table(&self) -> (Admin, DynamoStore) {
        let (admin, store) = self.fresh_table().await;
        devkit::demo::seed(&store, &dev_signer(), DEV_ISSUER)
            .await
            .expect("seed the demo data");
        (admin, store)
    }
}

/// Sets top-level attributes of the stored user `user_id` of `tenant_id` to `values`, behind
/// the model's back (a test's way to store what the admin CLI never writes).
pub async fn set_user_attributes(
    store: &DynamoStore,
    tenant_id: TenantId,
    user_id: UserId,
    values: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
) {
    let mut update = store
        .client()
        .update_item()
        .table_name(store.table())
        .set_key(Some(
            store::keys::ItemKey::user(tenant_id, user_id).to_attributes(),
        ));
    let mut assignments = Vec::new();
    for (i, (name, value)) in values.iter().enumerate() {
        assignments.push(format!("#a{i} = :v{i}"));
        update = update
            .expression_attribute_names(format!("#a{i}"), *name)
            .expression_attribute_values(format!(":v{i}"), value.clone());
    }
    update
        .update_expression(format!("SET {}", assignments.join(", ")))
        .send()
        .await
        .expect("update the user item");
}

/// A store whose endpoint refuses connections (loopback port 9, where nothing listens), with
/// the production client configuration: every call fails as an unreachable store does.
pub fn unreachable_store() -> DynamoStore {
    local_dynamo();
    let client = aws_sdk_dynamodb::Client::from_conf(
        store::client::ClientSettings::read(|name| std::env::var(name).ok())
            .config()
            .expect("the DynamoDB client configuration")
            .endpoint_url("http://127.0.0.1:9")
            .build(),
    );
    DynamoStore::new(client, "nowhere")
}

/// The dev ES256 signer.
pub fn dev_signer() -> devkit::TokenSigner {
    devkit::dev_signer(devkit::DevKey::Es256).expect("the dev key parses")
}

/// A verifier for the local configuration (the workspace `Cargo.toml`'s lambda env): dev keys,
/// dev issuer and audience, the dev-only long lifetime of the demo tokens, with the key type the
/// functions use.
pub fn dev_verifier() -> TokenVerifier<ProviderKeys> {
    let mut settings = devkit::dev_policy(DEV_ISSUER, devkit::DEV_AUDIENCE);
    settings.max_lifetime_secs = devkit::DEV_MAX_LIFETIME_SECS;
    verifier_with(DEV_JWKS, settings)
}

/// The shared layers' settings of the local configuration: the CORS policy of
/// `devkit::DEV_ALLOWED_ORIGINS` and the default metrics namespace, made once.
pub fn dev_route_settings() -> &'static RouteSettings {
    static SETTINGS: std::sync::LazyLock<RouteSettings> =
        std::sync::LazyLock::new(|| RouteSettings {
            cors: CorsPolicy::parse(devkit::DEV_ALLOWED_ORIGINS).expect("the dev origins parse"),
            metrics_namespace: bootstrap::metrics::DEFAULT_NAMESPACE.to_owned(),
        });
    &SETTINGS
}

/// A verifier over the keys of `jwks` with `settings`.
pub fn verifier_with(jwks: &str, settings: VerifierSettings) -> TokenVerifier<ProviderKeys> {
    let keys = KeySet::from_jwks_json(jwks).expect("the JWKS parses");
    TokenVerifier::new(ProviderKeys::Inline(keys), settings)
}

/// A dev token for tenant/user/session, valid for an hour.
pub fn dev_token(tenant: TenantId, user: UserId, session: SessionId) -> String {
    dev_token_with_ttl(tenant, user, session, 3600)
}

/// A dev token valid for `ttl_secs` (negative: expired that long ago).
pub fn dev_token_with_ttl(
    tenant: TenantId,
    user: UserId,
    session: SessionId,
    ttl_secs: i64,
) -> String {
    devkit::mint_token(
        &dev_signer(),
        DEV_ISSUER,
        None,
        tenant,
        user,
        session,
        ttl_secs,
    )
    .expect("mint a dev token")
}

/// An in-memory store holding the demo data of `admin seed`, for handler unit tests that run
/// without any server.
pub fn seeded_memory_store() -> memory::MemoryStore {
    let records = devkit::demo::records().expect("the demo records");
    let memory = memory::MemoryStore::new();
    let tenant = records.tenant.id;
    memory.put_tenant(records.tenant);
    for user in records.users {
        memory.put_user(user);
    }
    for session in records.sessions {
        memory.put_session(tenant, session);
    }
    memory.put_api_key(tenant, records.api_key);
    memory
}

/// A current-thread tokio runtime, as the functions run (for criterion's async benches).
pub fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A route's dependencies of `store` and `verifier`, as `main` builds them once.
pub fn deps<S>(
    store: S,
    verifier: TokenVerifier<ProviderKeys>,
) -> std::sync::Arc<bootstrap::Dependencies<S>> {
    std::sync::Arc::new(bootstrap::Dependencies { store, verifier })
}
