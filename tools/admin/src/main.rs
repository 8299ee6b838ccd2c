//! `admin`: the operator's command line around `accounts` (and `devkit` for `seed` and
//! `token`). See `--help`, and README.md ("Admin CLI").

use std::process::ExitCode;

use accounts::{Admin, AdminError, NewUser, parse_id, parse_key};
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::Credentials;
use clap::{Parser, Subcommand, ValueEnum};
use devkit::{DEV_AUDIENCE, DEV_ISSUER, DevKey};
use serde_json::{Value, json};
use store::DynamoStore;

#[derive(Parser)]
#[command(
    name = "admin",
    about = "Manage the current-user table: tenants, users, sessions, API keys, dev tokens"
)]
struct Cli {
    /// The table (default: $TABLE_NAME).
    #[arg(long, global = true, env = "TABLE_NAME")]
    table: Option<String>,
    /// DynamoDB endpoint (default: the SDK's, e.g. $AWS_ENDPOINT_URL_DYNAMODB, else AWS).
    #[arg(long, global = true)]
    endpoint_url: Option<String>,
    /// Print one JSON object on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the table if it does not exist (idempotent).
    CreateTable,
    /// Write the demo data (idempotent, fixed ids).
    Seed {
        /// Issuer of the printed tokens.
        #[arg(long, env = "JWT_ISSUER", default_value = DEV_ISSUER)]
        issuer: String,
    },
    /// Tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Sessions.
    #[command(subcommand)]
    Session(SessionCommand),
    /// API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Check an ALLOWED_ORIGINS list (the AllowedOrigins parameter) by the functions' own rule,
    /// before a deploy; `make validate ALLOWED_ORIGINS=...` runs it.
    CheckOrigins {
        /// Comma-separated origins.
        origins: String,
    },
    /// Mint a session token signed with a dev-only key.
    Token {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        session: String,
        /// Lifetime in seconds; negative gives an expired token.
        #[arg(long, default_value_t = 3600, allow_hyphen_values = true)]
        ttl: i64,
        /// Issuer (`iss`).
        #[arg(long, env = "JWT_ISSUER", default_value = DEV_ISSUER)]
        issuer: String,
        /// Audience (`aud`); default: the dev audience, as the local configuration expects.
        #[arg(long, env = "JWT_AUDIENCE")]
        audience: Option<String>,
        /// The claim that carries the tenant (as `JWT_TENANT_CLAIM`).
        #[arg(long, env = "JWT_TENANT_CLAIM", default_value = "tid")]
        tenant_claim: String,
        /// The claim that carries the session (as `JWT_SESSION_CLAIM`).
        #[arg(long, env = "JWT_SESSION_CLAIM", default_value = "sid")]
        session_claim: String,
        /// Signing algorithm (dev key `dev-es256` or `dev-rs256`).
        #[arg(long, value_enum, default_value = "es256")]
        alg: Alg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Alg {
    Es256,
    Rs256,
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Disable a tenant: its credentials are refused.
    Disable {
        #[arg(long)]
        tenant: String,
    },
    /// Enable a disabled tenant again.
    Enable {
        #[arg(long)]
        tenant: String,
    },
    /// Create an active tenant.
    Create {
        #[arg(long)]
        name: String,
        /// The tenant's id (default: a new UUIDv4, the form X-Domain takes).
        #[arg(long)]
        id: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        tenant: String,
        /// The user's id: the identity provider's `sub` (default: a new UUIDv4).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        #[arg(long)]
        username: Option<String>,
        /// International form, e.g. +14155550123.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Delete a user.
    Delete {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    /// Create a live session (30 days).
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        /// The session's id: the identity provider's session id, as its tokens carry it
        /// (default: a new UUIDv4).
        #[arg(long)]
        id: Option<String>,
    },
    /// Revoke a session.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        session: String,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create an API key; the secret is printed only now.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        /// The key stops working after this long (90d, 12h, 30m, or seconds); default never.
        #[arg(long)]
        expires_in: Option<String>,
    },
    /// Revoke an API key.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        key: String,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli).await {
        Ok((value, text)) => {
            if cli.json {
                println!("{value}");
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            if cli.json {
                eprintln!("{}", json!({"error": err.to_string()}));
            } else {
                eprintln!("admin: {err}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn admin(cli: &Cli) -> Result<Admin, AdminError> {
    let table = cli
        .table
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AdminError::Invalid("--table or TABLE_NAME is required".into()))?;
    let endpoint = cli
        .endpoint_url
        .clone()
        .or_else(|| store::client::ClientSettings::read(|name| std::env::var(name).ok()).endpoint);
    // The whole provider chain (profiles, SSO, roles) for operators, on the functions' HTTPS
    // client and trust.
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(
        store::client::https_client_for(endpoint.as_deref())
            .map_err(|e| AdminError::Invalid(format!("the HTTPS client: {e}")))?,
    );
    if let Some(endpoint) = &cli.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    let mut builder = aws_sdk_dynamodb::config::Builder::from(&config);
    // A local server accepts any credentials; spare the user from inventing some (the SDK's
    // static credentials).
    if endpoint.as_deref().is_some_and(is_loopback_endpoint) {
        if config.credentials_provider().is_none()
            || std::env::var_os("AWS_ACCESS_KEY_ID").is_none()
        {
            builder = builder.credentials_provider(Credentials::new(
                "local",
                "local",
                None,
                None,
                "admin-local",
            ));
        }
        if config.region().is_none() {
            builder = builder.region(aws_config::Region::new("us-east-1"));
        }
    }
    let client = aws_sdk_dynamodb::Client::from_conf(builder.build());
    Ok(Admin::new(DynamoStore::new(client, table)))
}

/// A dev operation's failure, as the CLI reports every failure.
/// Whether the URL `endpoint` names a loopback host (a local DynamoDB-compatible server).
fn is_loopback_endpoint(endpoint: &str) -> bool {
    endpoint
        .trim()
        .parse::<http::Uri>()
        .ok()
        .and_then(|uri| uri.host().map(store::client::is_loopback_host))
        .unwrap_or(false)
}

fn dev_error(err: devkit::DevError) -> AdminError {
    match err {
        devkit::DevError::Store(store) => AdminError::Store(store),
        other => AdminError::Invalid(other.to_string()),
    }
}

async fn run(cli: &Cli) -> Result<(Value, String), AdminError> {
    Ok(match &cli.command {
        Command::Token {
            tenant,
            user,
            session,
            ttl,
            issuer,
            audience,
            tenant_claim,
            session_claim,
            alg,
        } => {
            let key = match alg {
                Alg::Es256 => DevKey::Es256,
                Alg::Rs256 => DevKey::Rs256,
            };
            let mut claims = devkit::TokenClaims::for_session(
                issuer,
                parse_id("--tenant", tenant)?,
                parse_id("--user", user)?,
                parse_id("--session", session)?,
                *ttl,
            );
            claims.aud = Some(audience.as_deref().unwrap_or(DEV_AUDIENCE).to_owned());
            claims.claim_names = (tenant_claim.clone(), session_claim.clone());
            let token = devkit::dev_signer(key)
                .and_then(|signer| Ok(signer.sign(&claims)?))
                .map_err(dev_error)?;
            (json!({ "token": token }), token)
        }
        Command::CheckOrigins { origins } => {
            let policy = bootstrap::CorsPolicy::parse(origins)
                .map_err(|e| AdminError::Invalid(format!("ALLOWED_ORIGINS: {e}")))?;
            let listed: Vec<&str> = policy.origins().collect();
            let text = format!("{} origin(s) allowed: {}", listed.len(), listed.join(", "));
            (json!({ "origins": listed }), text)
        }
        Command::CreateTable => {
            let admin = admin(cli).await?;
            admin.create_table().await?;
            let table = admin.store().table().to_owned();
            (
                json!({ "table": table }),
                format!("table {table} is active"),
            )
        }
        Command::Seed { issuer } => {
            let admin = admin(cli).await?;
            let signer = devkit::dev_signer(DevKey::Es256).map_err(dev_error)?;
            let summary = devkit::demo::seed(admin.store(), &signer, issuer)
                .await
                .map_err(dev_error)?;
            let text = format!(
                "seeded tenant {} with {} users to sign in as, and API key {}",
                summary.tenant_id,
                summary.users.len(),
                summary.api_key.key
            );
            (
                serde_json::to_value(&summary).map_err(|e| AdminError::Invalid(e.to_string()))?,
                text,
            )
        }
        Command::Tenant(TenantCommand::Disable { tenant }) => {
            let admin = admin(cli).await?;
            admin.disable_tenant(parse_id("--tenant", tenant)?).await?;
            (
                json!({ "disabled": true }),
                format!("disabled tenant {tenant}"),
            )
        }
        Command::Tenant(TenantCommand::Enable { tenant }) => {
            let admin = admin(cli).await?;
            admin.enable_tenant(parse_id("--tenant", tenant)?).await?;
            (
                json!({ "enabled": true }),
                format!("enabled tenant {tenant}"),
            )
        }
        Command::Tenant(TenantCommand::Create { name, id }) => {
            let admin = admin(cli).await?;
            let id = id.as_deref().map(|id| parse_id("--id", id)).transpose()?;
            let id = admin.create_tenant(name, id).await?;
            (json!({ "id": id }), format!("tenant {id}"))
        }
        Command::User(UserCommand::Create {
            tenant,
            id,
            email,
            first_name,
            last_name,
            username,
            phone,
        }) => {
            let admin = admin(cli).await?;
            let new = NewUser {
                id: id.as_deref().map(|id| parse_id("--id", id)).transpose()?,
                tenant: parse_id("--tenant", tenant)?,
                email: email.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                username: username.clone(),
                phone: phone.clone(),
            };
            let id = admin.create_user(&new).await?;
            (json!({ "id": id }), format!("user {id}"))
        }
        Command::User(UserCommand::Delete { tenant, user }) => {
            let admin = admin(cli).await?;
            admin
                .delete_user(parse_id("--tenant", tenant)?, parse_id("--user", user)?)
                .await?;
            (json!({ "deleted": true }), format!("deleted user {user}"))
        }
        Command::Session(SessionCommand::Create { tenant, user, id }) => {
            let admin = admin(cli).await?;
            let id = admin
                .create_session(
                    parse_id("--tenant", tenant)?,
                    parse_id("--user", user)?,
                    id.as_deref().map(|id| parse_id("--id", id)).transpose()?,
                    accounts::SESSION_LIFETIME_SECS,
                )
                .await?;
            (json!({ "id": id }), format!("session {id}"))
        }
        Command::Session(SessionCommand::Revoke { tenant, session }) => {
            let admin = admin(cli).await?;
            admin
                .revoke_session(
                    parse_id("--tenant", tenant)?,
                    parse_id("--session", session)?,
                )
                .await?;
            (
                json!({ "revoked": true }),
                format!("revoked session {session}"),
            )
        }
        Command::ApiKey(ApiKeyCommand::Create {
            tenant,
            user,
            expires_in,
        }) => {
            let admin = admin(cli).await?;
            let expires_in = expires_in
                .as_deref()
                .map(|d| accounts::parse_duration("--expires-in", d))
                .transpose()?;
            let (key, secret) = admin
                .create_api_key(
                    parse_id("--tenant", tenant)?,
                    parse_id("--user", user)?,
                    expires_in,
                )
                .await?;
            let text =
                format!("X-API-KEY: {key}\nX-API-SECRET: {secret}\n(the secret is shown only now)");
            (json!({ "key": key, "secret": secret }), text)
        }
        Command::ApiKey(ApiKeyCommand::Revoke { tenant, key }) => {
            let admin = admin(cli).await?;
            admin
                .revoke_api_key(parse_id("--tenant", tenant)?, &parse_key(key)?)
                .await?;
            (json!({ "revoked": true }), format!("revoked API key {key}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_endpoints_are_parsed_not_matched_by_prefix() {
        for local in [
            "http://127.0.0.1:8000",
            "http://localhost:8000/",
            "http://[::1]:8000",
            "http://127.9.9.9",
        ] {
            assert!(is_loopback_endpoint(local), "{local}");
        }
        for remote in [
            "http://127.attacker.example:8000",
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://localhost.example",
            "not a url",
            "",
        ] {
            assert!(!is_loopback_endpoint(remote), "{remote}");
        }
    }

    async fn check_origins(list: &str) -> Result<(Value, String), AdminError> {
        run(&Cli::parse_from(["admin", "--json", "check-origins", list])).await
    }

    #[tokio::test]
    async fn check_origins_lists_good_origins_and_names_a_bad_one() {
        let (value, _) = check_origins("https://app.example.com, http://localhost:3000")
            .await
            .unwrap();
        assert_eq!(
            value,
            json!({"origins": ["https://app.example.com", "http://localhost:3000"]})
        );
        for bad in ["*", "https://app.example.com/", "http://app.example.com"] {
            let err = check_origins(&format!("https://ok.example.com,{bad}"))
                .await
                .unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("ALLOWED_ORIGINS: {bad:?}")),
                "{err}"
            );
        }
    }
}
