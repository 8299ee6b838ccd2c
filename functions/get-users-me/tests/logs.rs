//! The logs of a full run of `/users/me`'s events and of API-key requests, captured through the
//! production subscriber: one JSON access line per request (route, status, latency, request id,
//! tenant id), and no token or API secret anywhere.

use devkit::demo::{API_SECRET, GRACE_ID, TENANT_ID};
use testkit::{dev_verifier, local_dynamo};

#[tokio::test]
async fn a_full_run_logs_one_line_per_request_and_no_secret() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let service = get_users_me::service(
        testkit::deps(store.clone(), dev_verifier()),
        testkit::dev_route_settings(),
    );
    let (extra_key, extra_secret) = admin
        .create_api_key(TENANT_ID, GRACE_ID, None)
        .await
        .unwrap();
    let wrong_secret = format!("cus_{}", "f".repeat(64));
    let mut secrets = vec![
        API_SECRET.to_owned(),
        extra_secret.clone(),
        wrong_secret.clone(),
    ];

    let (logs, _guard) = testkit::capture_logs();
    let mut requests = 0;
    for file in testkit::event_files("get-users-me") {
        let event = serde_json::from_str(&testkit::event_json(&file)).unwrap();
        secrets.extend(testkit::credentials_in_event(&event));
        let status = testkit::call(&service, testkit::event_request(&file))
            .await
            .status();
        assert!(status.as_u16() < 500, "{file}: {status}");
        requests += 1;
    }
    let tenant = TENANT_ID.to_string();
    for secret in [extra_secret.as_str(), wrong_secret.as_str()] {
        let request = testkit::users_me_request(
            "",
            &[
                ("x-domain", &tenant),
                ("x-api-key", extra_key.as_str()),
                ("x-api-secret", secret),
            ],
        );
        testkit::call(&service, request).await;
        requests += 1;
    }

    let text = logs.text();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the logs: {secret:.12}…"
        );
    }
    let access = testkit::access_lines(&logs.lines(), "GET /users/me", requests);
    testkit::emf::checked_metric_lines(&logs, "GET /users/me", requests);
    assert!(access.iter().any(|l| l["tenant_id"] == tenant));
    // The events carry API Gateway's request id, which its access log shows too: one id joins
    // both logs. A refused API-key request names its key (public), never its secret.
    let events = access.len() - 2;
    for line in &access[..events] {
        let id = line["request_id"].as_str().unwrap();
        assert!(id.ends_with("-event-request-id"), "{line}");
    }
    let refused = &access[events + 1];
    assert_eq!(refused["status"], 401);
    assert_eq!(refused["api_key_id"], extra_key.as_str());
}

/// A secret sent inside `include`, `fields[users]`, an unknown parameter's name and value,
/// `X-Domain` and `X-API-KEY`, and text stored in a user item that does not map, reach no log
/// line at trace level, not even a fragment of them: refusals name the parameter, the header
/// or the item key and attribute, never what was sent or stored.
#[tokio::test]
async fn no_part_of_a_sent_or_stored_value_reaches_the_logs() {
    let (_, store) = local_dynamo().seeded_table().await;
    let service = get_users_me::service(
        testkit::deps(store.clone(), dev_verifier()),
        testkit::dev_route_settings(),
    );
    let secret = format!("cus_{}", uuid::Uuid::new_v4().simple());
    let stored = format!(
        "yesterday <script>{}</script>",
        uuid::Uuid::new_v4().simple()
    );
    let tenant = TENANT_ID.to_string();
    let queries = [
        format!("include={secret}"),
        format!("fields[users]=email,{secret}"),
        format!("fields[users_profile]={secret}"),
        format!("{secret}=1"),
        format!("fields[{secret}]=email"),
    ];
    let mut requests: Vec<(String, Vec<(&str, String)>)> = queries
        .iter()
        .map(|query| {
            (
                query.clone(),
                vec![
                    ("x-domain", tenant.clone()),
                    ("x-api-key", devkit::demo::API_KEY.to_owned()),
                    ("x-api-secret", API_SECRET.to_owned()),
                ],
            )
        })
        .collect();
    requests.push((
        String::new(),
        vec![
            ("x-domain", secret.clone()),
            ("x-api-key", devkit::demo::API_KEY.to_owned()),
            ("x-api-secret", API_SECRET.to_owned()),
        ],
    ));
    requests.push((
        String::new(),
        vec![
            ("x-domain", tenant.clone()),
            ("x-api-key", secret.clone()),
            ("x-api-secret", API_SECRET.to_owned()),
        ],
    ));

    let (logs, _guard) = testkit::capture_logs();
    for (query, headers) in &requests {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let status = testkit::call(&service, testkit::users_me_request(query, &headers))
            .await
            .status();
        assert!(matches!(status.as_u16(), 400 | 401), "{query}: {status}");
    }
    testkit::set_user_attributes(
        &store,
        TENANT_ID,
        devkit::demo::ADA_ID,
        &[(
            "last_login_date",
            aws_sdk_dynamodb::types::AttributeValue::S(stored.clone()),
        )],
    )
    .await;
    let headers = [
        ("x-domain", tenant.as_str()),
        ("x-api-key", devkit::demo::API_KEY),
        ("x-api-secret", API_SECRET),
    ];
    let corrupt = testkit::call(&service, testkit::users_me_request("", &headers)).await;
    assert_eq!(corrupt.status(), 500);

    let text = logs.text();
    for value in [secret.as_str(), stored.as_str()] {
        let bytes = value.as_bytes();
        for fragment in bytes.windows(8) {
            let fragment = std::str::from_utf8(fragment).unwrap();
            assert!(
                !text.contains(fragment),
                "{fragment:?} of a sent or stored value reached the logs"
            );
        }
    }
    testkit::access_lines(&logs.lines(), "GET /users/me", requests.len() + 1);
    let metrics = testkit::emf::checked_metric_lines(&logs, "GET /users/me", requests.len() + 1);
    // The metric lines name the codes, never what was sent.
    let codes: Vec<&str> = metrics.iter().filter_map(|l| l["Code"].as_str()).collect();
    assert_eq!(
        codes,
        [
            "4003", "4003", "4003", "4003", "4003", "4002", "4016", "5000"
        ]
    );
    // Refusals name what they can: a supported parameter by its name, another by its length.
    assert!(text.contains("bad parameter include: unknown relationship path"));
    let unsupported = format!("bad parameter (unsupported, {} characters)", secret.len());
    assert!(text.contains(&unsupported), "{unsupported}");
    assert!(
        text.contains("last_login_date") && text.contains("USER#"),
        "the failure names the item key and the attribute"
    );
}
