//! The OpenAPI check the route tests rely on must refuse bodies that break the contract.

use serde_json::json;
use testkit::OpenApi;

/// A change that breaks a valid body.
type Mutation = fn(&mut serde_json::Value);

fn error(code: i64) -> serde_json::Value {
    json!({"errors": [{"message": "m", "code": code}]})
}

#[test]
fn accepts_documented_errors_and_refuses_undocumented_ones() {
    let api = OpenApi::load();
    assert!(
        api.check("get", "/me", 401, "application/json", &error(4010))
            .is_ok()
    );
    assert!(
        api.check("get", "/me", 401, "application/json", &error(4040))
            .is_err(),
        "code of another status"
    );
    assert!(
        api.check(
            "get",
            "/me",
            401,
            "application/json",
            &json!({"errors": []})
        )
        .is_err(),
        "empty list"
    );
    assert!(
        api.check(
            "get",
            "/me",
            401,
            "application/json",
            &json!({"message": "m"})
        )
        .is_err(),
        "other shape"
    );
    assert!(
        api.check("get", "/me", 418, "application/json", &error(4180))
            .is_err(),
        "undocumented status"
    );
    assert!(
        api.check("get", "/me", 401, "text/plain", &error(4010))
            .is_err(),
        "undocumented media type"
    );
}

#[test]
fn refuses_a_me_document_with_a_wrong_type_a_missing_or_an_extra_field() {
    let api = OpenApi::load();
    let session = json!({"id": "s", "created_at": "2019-08-24T14:15:22Z", "updated_at": "2019-08-24T14:15:22Z"});
    let data = json!({
        "id": "u", "first_name": null, "last_name": null, "username": null, "availability": "available",
        "has_profile_picture": false, "profile_picture_url": null, "primary_email_address_id": null,
        "primary_phone_number_id": null, "primary_email_address": null, "primary_phone_number": null,
        "second_factor_policy": "none", "user_email_addresses": [], "user_phone_numbers": [],
        "email_addresses": [], "phone_numbers": [], "social_connections": [], "user_authenticator": null,
        "authenticators": [], "backup_codes_generated": false, "backup_codes": [], "has_password": false,
        "has_passkeys": false, "public_metadata": {}, "segments": []
    });
    let ok = json!({"status": 200, "message": "OK", "data": data, "session": session});
    assert_eq!(
        api.check("get", "/me", 200, "application/json", &ok),
        Ok(())
    );
    let mutations: [(&str, Mutation); 6] = [
        ("string boolean", |b| {
            b["data"]["has_profile_picture"] = json!("string")
        }),
        ("missing field", |b| {
            b["data"].as_object_mut().unwrap().remove("segments");
        }),
        ("extra field", |b| b["data"]["totp_secret"] = json!("x")),
        ("served backup code", |b| {
            b["data"]["backup_codes"] = json!(["123456"])
        }),
        ("non-UTC timestamp", |b| {
            b["session"]["created_at"] = json!("2019-08-24T14:15:22+02:00")
        }),
        ("unknown availability", |b| {
            b["data"]["availability"] = json!("offline")
        }),
    ];
    for (case, mutate) in mutations {
        let mut body = ok.clone();
        mutate(&mut body);
        assert!(
            api.check("get", "/me", 200, "application/json", &body)
                .is_err(),
            "{case} was accepted"
        );
    }
}
