//! Both routes render the same stored user: `/me`'s document and `/users/me`'s JSON:API
//! document of each demo user agree on every value they share. (The routes' handlers pass the
//! stored user straight to these documents; each route's own tests check the handler.)

use devkit::demo;
use model::{MeDocument, UsersMeSelection};
use serde_json::{Value, json};

#[test]
fn both_documents_agree_on_the_same_stored_user() {
    let include = UsersMeSelection {
        include_profile: true,
        ..Default::default()
    };
    let demo_session = |user: &model::User| model::Session {
        id: model::SessionId::random(),
        user_id: user.id,
        user_generation: user.generation,
        created_at: user.created_at,
        updated_at: user.created_at,
        expires_at: user.updated_at,
        revoked_at: None,
    };
    let users = [demo::ada(), demo::grace()];
    for user in &users {
        let me = serde_json::to_value(MeDocument::new(user, &demo_session(user))).unwrap();
        let users_me = serde_json::to_value(model::UsersMeDocument::new(user, &include)).unwrap();
        let (d, a) = (&me["data"], &users_me["data"]);
        let p = &a["relationships"]["profile"]["data"]["attributes"];
        assert_eq!(a["id"], d["id"]);
        assert_eq!(
            a["attributes"]["email"],
            d["primary_email_address"]["email"]
        );
        assert_eq!(p["first_name"], d["first_name"]);
        assert_eq!(p["last_name"], d["last_name"]);
        assert_eq!(p["avatar"], d["profile_picture_url"]);
        assert_eq!(p["phone_code"], d["primary_phone_number"]["country_code"]);
        let e164 = format!(
            "+{}{}",
            p["phone_code"].as_str().unwrap(),
            p["phone_number"].as_str().unwrap()
        );
        assert_eq!(json!(e164), d["primary_phone_number"]["phone_number"]);
        assert_ne!(a["id"], Value::Null);
    }
}
