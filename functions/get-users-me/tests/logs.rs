//! The logs of a full run of `/users/me`'s events and of API-key requests, captured through the
//! production subscriber: one JSON access line per request (route, status, latency, request id,
//! tenant id), and no token or API secret anywhere.

use devkit::demo::{API_SECRET, GRACE_ID, TENANT_ID};
use get_users_me::get_users_me;
use testkit::{dev_verifier, local_dynamo};

#[tokio::test]
async fn a_full_run_logs_one_line_per_request_and_no_secret() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let verifier = dev_verifier();
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
        let status = get_users_me(
            &store,
            &verifier,
            testkit::dev_cors(),
            testkit::event_request(&file),
        )
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
        get_users_me(&store, &verifier, testkit::dev_cors(), request).await;
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
    assert!(access.iter().any(|l| l["tenant_id"] == tenant));
    // The events carry API Gateway's request id, which its access log shows too: one id joins
    // both logs. A refused API-key request names its key (public), never its secret.
    let events = access.len() - 2;
    for line in &access[..events] {
        let id = line["apigw_request_id"].as_str().unwrap();
        assert!(id.ends_with("-event-request-id"), "{line}");
    }
    let refused = &access[events + 1];
    assert_eq!(refused["status"], 401);
    assert_eq!(refused["api_key_id"], extra_key.as_str());
}
