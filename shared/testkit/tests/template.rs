//! template.yaml agrees with the code: the table `admin create-table` makes has the template's
//! key schema, each function may do only the reads its code makes, and the CORS grant is
//! exactly what the routes need.

use serde_yaml::Value;
use testkit::{local_dynamo, workspace_root};

fn template() -> Value {
    let text =
        std::fs::read_to_string(workspace_root().join("template.yaml")).expect("template.yaml");
    serde_yaml::from_str(&text).expect("template.yaml parses")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

fn pairs(list: &Value, key: &str, value: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = list
        .as_sequence()
        .expect("a list")
        .iter()
        .map(|e| {
            (
                e[key].as_str().unwrap().to_owned(),
                e[value].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

#[tokio::test]
async fn the_table_admin_creates_has_the_templates_key_schema() {
    let template = template();
    let table = &template["Resources"]["UsersTable"]["Properties"];
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");

    let (_, store) = local_dynamo().fresh_table().await;
    let described = store
        .client()
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let mut created_keys: Vec<(String, String)> = described
        .key_schema()
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect();
    created_keys.sort();
    let mut created_attributes: Vec<(String, String)> = described
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_owned(),
                a.attribute_type().as_str().to_owned(),
            )
        })
        .collect();
    created_attributes.sort();
    assert_eq!(
        pairs(&table["KeySchema"], "AttributeName", "KeyType"),
        created_keys
    );
    assert_eq!(
        pairs(
            &table["AttributeDefinitions"],
            "AttributeName",
            "AttributeType"
        ),
        created_attributes
    );
    let mut defined: Vec<(String, String)> = store::TableDefinition::key_schema()
        .iter()
        .map(|(a, k)| (a.to_string(), k.to_string()))
        .collect();
    defined.sort();
    assert_eq!(defined, created_keys);
}

#[test]
fn each_function_may_only_read_what_its_code_reads_from_the_one_table() {
    let template = template();
    let expected = [
        ("GetMeFunction", vec!["dynamodb:BatchGetItem"]),
        (
            "GetUsersMeFunction",
            vec!["dynamodb:BatchGetItem", "dynamodb:GetItem"],
        ),
    ];
    for (function, actions) in expected {
        let properties = &template["Resources"][function]["Properties"];
        let policies = properties["Policies"]
            .as_sequence()
            .expect("inline policies");
        assert_eq!(
            policies.len(),
            1,
            "{function}: one policy document, no managed policy"
        );
        let statements = policies[0]["Statement"].as_sequence().unwrap();
        assert_eq!(statements.len(), 1, "{function}");
        let statement = &statements[0];
        assert_eq!(statement["Effect"], "Allow");
        assert_eq!(strings(&statement["Action"]), actions, "{function}");
        let resource = match &statement["Resource"] {
            Value::Tagged(tagged) => (
                tagged.tag.to_string(),
                tagged.value.as_str().unwrap().to_owned(),
            ),
            other => panic!("{function}: resource {other:?}"),
        };
        assert_eq!(
            resource,
            ("!GetAtt".to_owned(), "UsersTable.Arn".to_owned()),
            "{function}: only the table"
        );
        assert_eq!(
            template["Resources"][function]["Metadata"]["BuildMethod"],
            "rust-cargolambda"
        );
    }
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Runtime"], "provided.al2023");
    assert_eq!(strings(&globals["Architectures"]), ["arm64"]);
    // The timeout must exceed the SDK's operation timeout plus a JWKS fetch.
    let timeout = globals["Timeout"].as_u64().unwrap();
    let budget = store::client::OPERATION_TIMEOUT + auth::jwks_https::FETCH_TIMEOUT;
    assert!(
        timeout as f64 > budget.as_secs_f64(),
        "Timeout {timeout}s vs {budget:?}"
    );
}

#[test]
fn cors_allows_credentials_from_the_parameter_origins_for_get_and_the_routes_headers() {
    let template = template();
    let cors = &template["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    match &cors["AllowOrigins"] {
        Value::Tagged(tagged) => {
            assert_eq!(tagged.tag.to_string(), "!Ref");
            assert_eq!(tagged.value, "AllowedOrigins");
        }
        other => panic!("AllowOrigins must come from the parameter, not {other:?}"),
    }
    assert_eq!(cors["AllowCredentials"], true);
    assert_eq!(strings(&cors["AllowMethods"]), ["GET"]);
    let mut headers = strings(&cors["AllowHeaders"]);
    headers.sort();
    assert_eq!(
        headers,
        ["authorization", "x-api-key", "x-api-secret", "x-domain"]
    );
    assert!(!headers.iter().any(|h| h == "*"));
}

/// The deployed token policy: the template passes every `JWT_*` setting the functions read,
/// and a stack cannot be created without an audience or a client id.
#[test]
fn the_token_policy_is_configured_and_an_audience_is_required() {
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    for variable in [
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "JWT_CLIENT_ID",
        "JWT_TOKEN_USE",
        "JWT_TENANT_CLAIM",
        "JWT_SESSION_CLAIM",
        "JWT_MAX_LIFETIME_SECS",
        "JWKS_URL",
        "JWKS_STALE_GRACE_SECS",
        "TENANT_CACHE_SECS",
    ] {
        assert!(!variables[variable].is_null(), "{variable} is not set");
    }
    let parameters = &template["Parameters"];
    assert_eq!(parameters["JwtTenantClaim"]["Default"], "tid");
    assert_eq!(parameters["JwtSessionClaim"]["Default"], "sid");
    let max_lifetime = parameters["JwtMaxLifetimeSecs"]["Default"]
        .as_u64()
        .unwrap();
    assert!(max_lifetime <= 24 * 3600, "default lifetime {max_lifetime}");
    assert_eq!(max_lifetime, auth::token::DEFAULT_MAX_LIFETIME_SECS);
    let rule = serde_yaml::to_string(&template["Rules"]["AudienceOrClientIdRequired"]).unwrap();
    assert!(
        rule.contains("JwtAudience") && rule.contains("JwtClientId"),
        "{rule}"
    );
}

/// The bill has a ceiling: the HTTP API throttles every route by default, and each function's
/// concurrency can be capped.
#[test]
fn the_api_is_throttled_and_concurrency_can_be_capped() {
    let template = template();
    let settings = &template["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"];
    for (setting, parameter) in [
        ("ThrottlingRateLimit", "ThrottlingRateLimit"),
        ("ThrottlingBurstLimit", "ThrottlingBurstLimit"),
    ] {
        let reference = serde_yaml::to_string(&settings[setting]).unwrap();
        assert!(reference.contains(parameter), "{setting}: {reference}");
        assert!(
            template["Parameters"][parameter]["Default"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
    for function in ["GetMeFunction", "GetUsersMeFunction"] {
        let reserved = serde_yaml::to_string(
            &template["Resources"][function]["Properties"]["ReservedConcurrentExecutions"],
        )
        .unwrap();
        assert!(
            reserved.contains("ReservedConcurrency"),
            "{function}: {reserved}"
        );
    }
    // One id joins the API's access log and the function's: and the caller's address and agent.
    let format = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
        .as_str()
        .unwrap();
    let fields: serde_json::Value = serde_json::from_str(format).expect("a JSON log format");
    for (field, variable) in [
        ("requestId", "$context.requestId"),
        ("lambdaRequestId", "$context.integration.requestId"),
        ("sourceIp", "$context.identity.sourceIp"),
        ("userAgent", "$context.identity.userAgent"),
    ] {
        assert_eq!(fields[field], variable, "{field}");
    }
    let ttl = &template["Resources"]["UsersTable"]["Properties"]["TimeToLiveSpecification"];
    assert_eq!(ttl["AttributeName"], store::keys::TTL);
    assert_eq!(ttl["Enabled"], true);
}
