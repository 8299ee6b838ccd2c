//! template.yaml agrees with the code: the table `admin create-table` makes has the template's
//! key schema, each function may do only the reads its code makes, every method reaches the
//! functions (which answer CORS by the one policy), and the custom domain is optional.

use bootstrap::config::SecondsVariable;
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
    let mut defined: Vec<(String, String)> = accounts::TableDefinition::key_schema()
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

/// One CORS policy: API Gateway has none of its own (it would answer preflights itself), every
/// method of both routes reaches the functions, and they get the parameter's origins.
#[test]
fn every_method_reaches_the_functions_which_answer_cors_from_the_parameter() {
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];
    assert!(
        api.get("CorsConfiguration").is_none(),
        "a CorsConfiguration would be a second CORS policy"
    );
    for (function, path) in [
        ("GetMeFunction", "/me"),
        ("GetUsersMeFunction", "/users/me"),
    ] {
        let events = template["Resources"][function]["Properties"]["Events"]
            .as_mapping()
            .expect("events");
        let routes: Vec<(String, String)> = events
            .values()
            .map(|e| {
                let p = &e["Properties"];
                (
                    p["Path"].as_str().unwrap().to_owned(),
                    p["Method"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(routes, [(path.to_owned(), "ANY".to_owned())], "{function}");
    }
    let origins = serde_yaml::to_string(
        &template["Globals"]["Function"]["Environment"]["Variables"]["ALLOWED_ORIGINS"],
    )
    .unwrap();
    assert!(
        origins.contains("!Join") && origins.contains("AllowedOrigins"),
        "{origins}"
    );
}

/// The AllowedOrigins parameter's pattern (CloudFormation refuses a deploy that breaks it) and
/// the functions' init check (`CorsPolicy::parse`) give every origin the same verdict.
#[test]
fn the_origin_pattern_and_the_functions_agree() {
    let template = template();
    let pattern = template["Parameters"]["AllowedOrigins"]["AllowedPattern"]
        .as_str()
        .expect("AllowedOrigins has an AllowedPattern");
    let schema = serde_json::json!({ "type": "string", "pattern": pattern });
    let deploy = jsonschema::validator_for(&schema).expect("the pattern compiles");
    let good = [
        "https://app.example.com",
        "https://example.com",
        "https://a.b.c.example.co.uk",
        "https://app.example.com:8443",
        "https://xn--bcher-kva.example",
        "https://10.0.0.1",
        "http://localhost",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "http://web.localhost:3000",
        "http://app.example.test:3000",
        "https://app.example.test",
    ];
    let bad = [
        "*",
        "https://*.example.com",
        "null",
        "",
        "app.example.com",
        "http://app.example.com",
        "http://app.example.com:3000",
        "ftp://app.example.com",
        "https://app.example.com/",
        "https://app.example.com/path",
        "https://App.Example.com",
        "https://app.example.com:443",
        "http://localhost:80",
        "https://app.example.com:0",
        "https://app.example.com:65536",
        "https://app.example.com:08443",
        "https://user@app.example.com",
        "https://app.example.com?q=1",
        "https://app.example.com#x",
        "https://app.example.com.",
        "https://bücher.example",
        "https://-app.example.com",
        "https://app..example.com",
        " https://app.example.com",
        "http://[::2]:3000",
    ];
    for origin in good {
        assert!(
            deploy.is_valid(&serde_json::json!(origin)),
            "pattern refuses {origin}"
        );
        assert!(
            bootstrap::CorsPolicy::parse(origin).is_ok_and(|p| p.origins().count() == 1),
            "init refuses {origin}"
        );
    }
    for origin in bad {
        assert!(
            !deploy.is_valid(&serde_json::json!(origin)),
            "pattern allows {origin:?}"
        );
        // The init check trims blanks around entries and skips empty ones (the list is split
        // on commas): those two are refused by the pattern only.
        if !origin.is_empty() && origin.trim() == origin {
            assert!(
                bootstrap::CorsPolicy::parse(origin).is_err(),
                "init allows {origin:?}"
            );
        }
    }
}

/// Optional custom domain: mapped to the API, its DNS record only with a hosted zone, and the
/// URL to call in the outputs either way.
#[test]
fn a_custom_domain_is_optional_and_the_url_to_call_is_an_output() {
    let template = template();
    let parameters = &template["Parameters"];
    for name in ["DomainName", "CertificateArn", "HostedZoneId"] {
        assert_eq!(parameters[name]["Default"], "", "{name} is optional");
    }
    let resources = &template["Resources"];
    assert_eq!(resources["ApiDomainName"]["Condition"], "HasDomain");
    assert_eq!(resources["ApiDomainMapping"]["Condition"], "HasDomain");
    assert_eq!(resources["ApiDomainRecord"]["Condition"], "HasHostedZone");
    let configuration = &resources["ApiDomainName"]["Properties"]["DomainNameConfigurations"][0];
    assert_eq!(configuration["SecurityPolicy"], "TLS_1_2");
    let url = serde_yaml::to_string(&template["Outputs"]["ApiUrl"]["Value"]).unwrap();
    assert!(
        url.contains("HasDomain") && url.contains("${DomainName}") && url.contains("execute-api"),
        "{url}"
    );
    let rules = serde_yaml::to_string(&template["Rules"]["CertificateWithDomain"]).unwrap();
    assert!(rules.contains("CertificateArn"), "{rules}");
}

/// The least complete configuration: the required variables, and the keys as a URL.
fn least_configuration(name: &str) -> Option<String> {
    match name {
        "TABLE_NAME" | "JWT_ISSUER" | "JWT_AUDIENCE" => Some("x".to_owned()),
        "JWKS_URL" => Some("https://idp.example.com/jwks".to_owned()),
        _ => None,
    }
}

/// The variables the functions read: every name `Config::from_lookup` asks for while reading a
/// complete configuration (it reads each one whatever the others say), but the AWS client's.
fn variables_the_code_reads() -> Vec<String> {
    let asked = std::cell::RefCell::new(Vec::new());
    bootstrap::Config::from_lookup(|name| {
        asked.borrow_mut().push(name.to_owned());
        least_configuration(name)
    })
    .expect("a complete configuration");
    let mut names: Vec<String> = asked.into_inner();
    names.retain(|name| !name.starts_with("AWS_"));
    names.sort_unstable();
    names.dedup();
    names
}

/// The durations the functions read, with their defaults and bounds as the code has them;
/// every `*_SECS` variable the code reads is one of them.
fn durations() -> Vec<SecondsVariable> {
    use bootstrap::config::*;
    let durations = vec![
        JWT_MAX_LIFETIME,
        JWT_LEEWAY,
        TENANT_CACHE,
        JWKS_MIN_REFRESH,
        JWKS_MAX_AGE,
        JWKS_STALE_GRACE,
    ];
    let mut listed: Vec<&str> = durations.iter().map(|d| d.name).collect();
    listed.sort_unstable();
    let read: Vec<String> = variables_the_code_reads()
        .into_iter()
        .filter(|name| name.ends_with("_SECS"))
        .collect();
    assert_eq!(listed, read, "the durations the code reads");
    durations
}

/// The deployed configuration: the template passes every variable the functions read (but
/// the inline keys of local runs, `JWT_PUBLIC_KEYS`), and a stack cannot be created without an
/// audience or a client id.
#[test]
fn the_token_policy_is_configured_and_an_audience_is_required() {
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    for variable in variables_the_code_reads() {
        if variable != "JWT_PUBLIC_KEYS" {
            assert!(!variables[&variable].is_null(), "{variable} is not set");
        }
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

/// Every duration the functions read has the same default and bounds in the template as in
/// the code ([`durations`]), the template passes each one, and the code refuses a value that is
/// not a number or is over the bound, naming the variable.
#[test]
fn every_duration_has_the_codes_bounds_in_the_template() {
    let template = template();
    let variables = &template["Globals"]["Function"]["Environment"]["Variables"];
    for duration in durations() {
        for bad in [
            "ten".to_owned(),
            (duration.max + 1).to_string(),
            u64::MAX.to_string(),
        ] {
            let err = bootstrap::Config::from_lookup(|name| {
                if name == duration.name {
                    Some(bad.clone())
                } else {
                    least_configuration(name)
                }
            })
            .unwrap_err();
            assert_eq!(err.variable, duration.name, "{bad}");
            assert!(err.to_string().contains(duration.name), "{err}");
        }
        let reference = serde_yaml::to_string(&variables[duration.name]).unwrap();
        let name = reference
            .trim()
            .strip_prefix("!Ref ")
            .unwrap_or_else(|| panic!("{} is not a parameter: {reference}", duration.name));
        let parameter = &template["Parameters"][name];
        let number = |field: &str| {
            parameter[field]
                .as_u64()
                .unwrap_or_else(|| panic!("{name} has no {field}"))
        };
        assert_eq!(
            (number("Default"), number("MinValue"), number("MaxValue")),
            (duration.default, duration.min, duration.max),
            "{name} ({})",
            duration.name
        );
    }
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
    assert_eq!(ttl["AttributeName"], accounts::table::TTL);
    assert_eq!(ttl["Enabled"], true);
}

/// The configuration is stated alike everywhere: the template passes only variables the
/// functions read, the workspace Cargo.toml's local environment sets only those (its durations
/// within their bounds), and the README's configuration table names each of them once, with
/// each duration's bounds and default as the code has them.
#[test]
fn the_template_cargo_toml_and_readme_state_the_codes_configuration() {
    let known = variables_the_code_reads();
    let durations = durations();
    let template = template();
    let passed = template["Globals"]["Function"]["Environment"]["Variables"]
        .as_mapping()
        .expect("the functions' environment");
    for name in passed.keys() {
        let name = name.as_str().unwrap();
        assert!(
            known.iter().any(|k| k == name),
            "template.yaml passes {name}"
        );
    }

    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let section = manifest
        .split("[workspace.metadata.lambda.env]")
        .nth(1)
        .expect("the local environment");
    let local: Vec<(&str, &str)> = section
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter_map(|line| line.split_once(" = "))
        .map(|(name, value)| (name.trim(), value.trim().trim_matches(['"', '\''])))
        .collect();
    assert!(local.len() >= 5, "{local:?}");
    for (name, value) in &local {
        assert!(known.iter().any(|k| k == name), "Cargo.toml sets {name}");
        if let Some(duration) = durations.iter().find(|d| d.name == *name) {
            let seconds: u64 = value.parse().unwrap();
            assert!(
                (duration.min..=duration.max).contains(&seconds),
                "{name} = {value}"
            );
        }
    }

    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let rows: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| variable |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect();
    let mut named: Vec<&str> = rows
        .iter()
        .filter_map(|row| row.strip_prefix("| `")?.split('`').next())
        .collect();
    named.sort_unstable();
    assert_eq!(named, known, "the README's configuration table");
    for duration in durations {
        let row = rows
            .iter()
            .find(|row| row.starts_with(&format!("| `{}`", duration.name)))
            .unwrap();
        let bounds = format!("{}–{}", duration.min, duration.max);
        let default = format!("default {}", duration.default);
        assert!(
            row.contains(&bounds) && row.contains(&default),
            "{row} states {bounds} and {default}"
        );
    }
}

/// The alarms of the template, by logical id.
fn alarms(template: &Value) -> Vec<String> {
    let resources = template["Resources"].as_mapping().expect("resources");
    let mut alarms: Vec<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::CloudWatch::Alarm")
        .map(|(name, _)| name.as_str().unwrap().to_owned())
        .collect();
    alarms.sort();
    alarms
}

/// RUNBOOK.md has a section for every alarm of the template and for no other.
#[test]
fn the_runbook_and_the_template_name_the_same_alarms() {
    let runbook = std::fs::read_to_string(workspace_root().join("RUNBOOK.md")).unwrap();
    let mut documented: Vec<String> = runbook
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .flat_map(|names| names.split(", ").map(str::to_owned))
        .collect();
    documented.sort();
    let alarms = alarms(&template());
    assert!(alarms.len() >= 12, "{alarms:?}");
    assert_eq!(documented, alarms);
}

/// Every alarm notifies the optional topic, every metric of the functions' namespace that an
/// alarm or the dashboard reads is one the functions write, with dimensions they write.
#[test]
fn the_alarms_and_the_dashboard_read_metrics_the_functions_write() {
    let template = template();
    let known: Vec<&str> = testkit::emf::METRICS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    for name in alarms(&template) {
        let alarm = &template["Resources"][name.as_str()]["Properties"];
        for actions in ["AlarmActions", "OKActions"] {
            let text = serde_yaml::to_string(&alarm[actions]).unwrap();
            assert!(
                text.contains("HasAlarmTopic") && text.contains("AlarmTopicArn"),
                "{name}"
            );
        }
        let mut stats = vec![alarm.clone()];
        if let Some(metrics) = alarm["Metrics"].as_sequence() {
            stats.extend(
                metrics
                    .iter()
                    .filter_map(|m| m.get("MetricStat"))
                    .map(|s| s["Metric"].clone()),
            );
        }
        for metric in stats {
            let namespace = serde_yaml::to_string(&metric["Namespace"]).unwrap();
            if namespace.contains("MetricsNamespace") {
                let metric_name = metric["MetricName"].as_str().unwrap();
                assert!(known.contains(&metric_name), "{name} reads {metric_name}");
                for dimension in metric["Dimensions"].as_sequence().unwrap() {
                    let key = dimension["Name"].as_str().unwrap();
                    assert!(testkit::emf::DIMENSIONS.contains(&key), "{name}: {key}");
                }
            }
        }
    }
    // The dashboard's body, its `${...}` references replaced, is JSON; every metric of the
    // namespace it plots is one the functions write.
    let Value::Tagged(body) = &template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]
    else {
        panic!("the dashboard's body is a !Sub")
    };
    let mut text = body
        .value
        .as_str()
        .unwrap()
        .replace("${MetricsNamespace}", "NAMESPACE");
    while let Some(start) = text.find("${") {
        let end = start + text[start..].find('}').unwrap();
        text.replace_range(start..=end, "X");
    }
    let dashboard: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let mut plotted = 0;
    for widget in dashboard["widgets"].as_array().unwrap() {
        for metric in widget["properties"]["metrics"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if metric[0] == "NAMESPACE" {
                let name = metric[1].as_str().unwrap();
                assert!(known.contains(&name), "the dashboard plots {name}");
                plotted += 1;
            }
        }
    }
    assert!(plotted >= 10, "{plotted}");
}

/// Both functions publish a version behind the `live` alias, which the HTTP API invokes (SAM
/// wires the events to the alias), shift traffic as `DeploymentType` says, and roll back on
/// their own 5xx and errors alarms; X-Ray tracing is a parameter.
#[test]
fn deployments_are_gradual_and_roll_back_on_the_functions_alarms() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["AutoPublishAlias"], "live");
    let tracing = serde_yaml::to_string(&globals["Tracing"]).unwrap();
    assert!(
        tracing.contains("HasTracing") && tracing.contains("Active"),
        "{tracing}"
    );
    let parameters = &template["Parameters"];
    assert_eq!(
        parameters["DeploymentType"]["Default"],
        "Canary10Percent5Minutes"
    );
    assert!(
        strings(&parameters["DeploymentType"]["AllowedValues"]).contains(&"AllAtOnce".to_owned())
    );
    assert_eq!(parameters["TracingEnabled"]["Default"], "false");
    assert_eq!(parameters["AlarmTopicArn"]["Default"], "");
    for function in ["GetMe", "GetUsersMe"] {
        let preference = &template["Resources"][format!("{function}Function").as_str()]["Properties"]
            ["DeploymentPreference"];
        assert_eq!(
            serde_yaml::to_string(&preference["Type"]).unwrap().trim(),
            "!Ref DeploymentType"
        );
        let alarms = serde_yaml::to_string(&preference["Alarms"]).unwrap();
        for alarm in ["5xxAlarm", "ErrorsAlarm"] {
            assert!(
                alarms.contains(&format!("{function}{alarm}")),
                "{function}: {alarms}"
            );
        }
    }
}
