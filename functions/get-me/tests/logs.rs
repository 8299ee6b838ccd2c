//! The logs of a full run of `/me`'s events, captured through the production subscriber: one
//! JSON access line and one metric line per request, and no token or cookie value anywhere.

use devkit::demo::TENANT_ID;
use testkit::{dev_verifier, local_dynamo};

#[tokio::test]
async fn a_full_run_logs_one_line_per_request_and_no_secret() {
    let (_, store) = local_dynamo().seeded_table().await;
    let service = get_me::service(
        testkit::deps(store.clone(), dev_verifier()),
        testkit::dev_route_settings(),
    );
    let mut secrets = Vec::new();
    let (logs, _guard) = testkit::capture_logs();
    let files = testkit::event_files("get-me");
    for file in &files {
        let event = serde_json::from_str(&testkit::event_json(file)).unwrap();
        secrets.extend(testkit::credentials_in_event(&event));
        let status = testkit::call(&service, testkit::event_request(file))
            .await
            .status();
        assert!(status.as_u16() < 500, "{file}: {status}");
    }
    assert!(!secrets.is_empty());
    let text = logs.text();
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret reached the logs: {secret:.12}…"
        );
    }
    let access = testkit::access_lines(&logs.lines(), "GET /me", files.len());
    testkit::emf::checked_metric_lines(&logs, "GET /me", files.len());
    // Each line names the method its event sent (the files are sent in name order).
    for (file, line) in files.iter().zip(&access) {
        let event: serde_json::Value = serde_json::from_str(&testkit::event_json(file)).unwrap();
        let method = event["requestContext"]["http"]["method"].as_str().unwrap();
        assert_eq!(line["method"], method, "{file}");
    }
    assert!(
        access
            .iter()
            .any(|l| l["method"] == "POST" && l["status"] == 405)
    );
    assert!(
        access
            .iter()
            .any(|l| l["tenant_id"] == TENANT_ID.to_string())
    );
}
