//! The operator's operations (`accounts`, what `admin` runs) against dynalite: what they write
//! is what the routes read, and what does not exist is reported as such.

use accounts::TableWrites;
use accounts::{AdminError, NewUser};
use devkit::demo::{ADA_ID, GRACE_ID, TENANT_ID};
use model::{ApiKeyId, SessionId, TenantId, UserId};
use testkit::local_dynamo;

fn new_user(tenant: TenantId, email: &str) -> NewUser {
    NewUser {
        id: None,
        tenant,
        email: email.into(),
        first_name: Some("Ada".into()),
        last_name: None,
        username: None,
        phone: Some("+44 20 7946 0958".into()),
    }
}

#[tokio::test]
async fn what_does_not_exist_is_not_found() {
    let (admin, _) = local_dynamo().seeded_table().await;
    let not_found = |result: Result<(), AdminError>| matches!(result, Err(AdminError::NotFound(_)));
    assert!(not_found(
        admin.revoke_session(TENANT_ID, SessionId::random()).await
    ));
    assert!(not_found(
        admin.delete_user(TENANT_ID, UserId::random()).await
    ));
    assert!(not_found(
        admin.revoke_api_key(TENANT_ID, &ApiKeyId::random()).await
    ));
    let orphan = admin
        .create_user(&new_user(TenantId::random(), "a@b.example"))
        .await;
    assert!(matches!(orphan, Err(AdminError::NotFound(_))), "{orphan:?}");
    let session = admin
        .create_session(TENANT_ID, UserId::random(), None, 60)
        .await;
    assert!(
        matches!(session, Err(AdminError::NotFound(_))),
        "{session:?}"
    );
}

#[tokio::test]
async fn created_records_read_back_and_bad_arguments_are_refused() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let tenant = admin.create_tenant("Beta", None).await.unwrap();
    let user = admin
        .create_user(&new_user(tenant, "grace@beta.example"))
        .await
        .unwrap();
    let stored = store::UserSource::user(&store, tenant, user)
        .await
        .unwrap()
        .expect("the user reads back");
    assert_eq!(stored.primary_email().unwrap().email, "grace@beta.example");
    assert_eq!(stored.primary_phone().unwrap().country_code, "44");
    assert!(matches!(
        admin.create_user(&new_user(tenant, "not an email")).await,
        Err(AdminError::Invalid(_))
    ));
    assert!(matches!(
        admin.create_tenant("  ", None).await,
        Err(AdminError::Invalid(_))
    ));
    admin.delete_user(TENANT_ID, ADA_ID).await.unwrap();
    assert!(matches!(
        admin.delete_user(TENANT_ID, ADA_ID).await,
        Err(AdminError::NotFound(_))
    ));
}

#[tokio::test]
async fn sessions_and_expiring_keys_carry_their_expiry_as_the_ttl_attribute() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let session = admin
        .create_session(TENANT_ID, ADA_ID, None, 3600)
        .await
        .unwrap();
    let (key, _) = admin
        .create_api_key(TENANT_ID, ADA_ID, Some(86_400))
        .await
        .unwrap();
    let (never, _) = admin.create_api_key(TENANT_ID, ADA_ID, None).await.unwrap();
    let ttl = |item_key: store::keys::ItemKey| {
        let store = store.clone();
        async move {
            let item = raw_item(&store, item_key).await;
            assert!(!item.is_empty(), "the item");
            item.get(accounts::table::TTL)
                .and_then(|v| v.as_n().ok())
                .map(|n| n.parse::<i64>().unwrap())
        }
    };
    let now = model::Timestamp::now().unix_seconds();
    let session_ttl = ttl(store::keys::ItemKey::session(TENANT_ID, session))
        .await
        .unwrap();
    assert!(
        (now + 3590..=now + 3610).contains(&session_ttl),
        "{session_ttl}"
    );
    let key_ttl = ttl(store::keys::ItemKey::api_key(TENANT_ID, &key))
        .await
        .unwrap();
    assert!(
        (now + 86_390..=now + 86_410).contains(&key_ttl),
        "{key_ttl}"
    );
    assert_eq!(
        ttl(store::keys::ItemKey::api_key(TENANT_ID, &never)).await,
        None
    );
}

#[tokio::test]
async fn tenants_are_disabled_and_enabled() {
    let (admin, store) = local_dynamo().seeded_table().await;
    admin.disable_tenant(TENANT_ID).await.unwrap();
    assert!(!store.tenant(TENANT_ID).await.unwrap().unwrap().active);
    admin.enable_tenant(TENANT_ID).await.unwrap();
    assert!(store.tenant(TENANT_ID).await.unwrap().unwrap().active);
    assert!(matches!(
        admin.disable_tenant(TenantId::random()).await,
        Err(AdminError::NotFound(_))
    ));
}

/// Every attribute of the item at `key`, read consistently (empty when there is none).
async fn raw_item(
    store: &store::DynamoStore,
    key: store::keys::ItemKey,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .set_key(Some(key.to_attributes()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap_or_default()
}

#[tokio::test]
async fn sign_in_secrets_are_an_item_of_their_own_that_goes_with_its_user() {
    let (admin, store) = local_dynamo().seeded_table().await;
    let user_item = raw_item(&store, store::keys::ItemKey::user(TENANT_ID, ADA_ID)).await;
    let secrets_key = accounts::records::user_secrets_key(TENANT_ID, ADA_ID);
    let secrets_item = raw_item(&store, secrets_key.clone()).await;
    let as_text = |item: &std::collections::HashMap<_, _>| format!("{item:?}");
    // The user item, which both routes read, holds none of Ada's secrets, and says that she
    // has backup codes and an authenticator.
    assert!(user_item.contains_key("authenticators"), "{user_item:?}");
    assert_eq!(
        user_item["backup_codes_generated"].as_bool().ok(),
        Some(&true)
    );
    let ada = devkit::demo::ada_secrets();
    let mut secrets: Vec<&str> = ada.backup_code_digests.iter().map(String::as_str).collect();
    for totp in &ada.totp {
        secrets.extend(
            [totp.secret.as_str()]
                .into_iter()
                .chain(totp.otp_url.as_deref()),
        );
    }
    assert_eq!(secrets.len(), 4);
    for secret in secrets {
        assert!(!as_text(&user_item).contains(secret), "{secret}");
        assert!(as_text(&secrets_item).contains(secret), "{secret}");
    }
    // The secrets item holds them all, under the user's partition.
    let stored: accounts::UserSecrets =
        serde_dynamo::from_item(secrets_item.clone()).expect("the secrets item maps");
    assert_eq!(stored, ada);
    assert_eq!(
        secrets_item["kind"].as_s().ok().map(String::as_str),
        Some("user_secrets")
    );
    // Deleting the user deletes them with it.
    admin.delete_user(TENANT_ID, ADA_ID).await.unwrap();
    assert!(raw_item(&store, secrets_key).await.is_empty());
}

#[tokio::test]
async fn a_user_item_holds_its_collections_as_json_text_and_native_ones_still_read() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use store::UserSource;

    let (_, store) = local_dynamo().seeded_table().await;
    let ada = devkit::demo::ada();
    let native = |value: serde_json::Value| -> AttributeValue {
        serde_dynamo::to_attribute_value(value).expect("a native attribute")
    };
    let collections = [
        (
            "email_addresses",
            serde_json::to_value(&ada.email_addresses),
        ),
        ("phone_numbers", serde_json::to_value(&ada.phone_numbers)),
        (
            "social_connections",
            serde_json::to_value(&ada.social_connections),
        ),
        ("authenticators", serde_json::to_value(&ada.authenticators)),
        ("segments", serde_json::to_value(&ada.segments)),
        (
            "public_metadata",
            serde_json::to_value(&ada.public_metadata),
        ),
    ]
    .map(|(name, value)| (name, value.expect("the collection as JSON")));

    // As written: one string attribute per collection, holding it as JSON; nothing unset is
    // stored, not even as NULL.
    let item = raw_item(&store, store::keys::ItemKey::user(TENANT_ID, ADA_ID)).await;
    for (name, value) in &collections {
        let text = item[*name].as_s().expect("a string attribute");
        let stored: serde_json::Value = serde_json::from_str(text).expect("JSON text");
        assert_eq!(&stored, value, "{name}");
    }
    assert!(!item.values().any(AttributeValue::is_null), "{item:?}");
    assert!(!item.contains_key("archived_at"));
    // Grace has no authenticators, segments or metadata: no attribute for them either.
    let grace = raw_item(&store, store::keys::ItemKey::user(TENANT_ID, GRACE_ID)).await;
    assert!(grace.contains_key("email_addresses"), "{grace:?}");
    for empty in ["authenticators", "segments", "public_metadata"] {
        assert!(!grace.contains_key(empty), "{empty}: {grace:?}");
    }

    // An item of the layout before, with native lists and maps, reads as the same user.
    let natives: Vec<(&str, AttributeValue)> = collections
        .iter()
        .map(|(name, value)| (*name, native(value.clone())))
        .collect();
    assert!(natives.iter().all(|(_, value)| !value.is_s()));
    testkit::set_user_attributes(&store, TENANT_ID, ADA_ID, &natives).await;
    assert_eq!(store.user(TENANT_ID, ADA_ID).await.unwrap(), Some(ada));

    // Text that is not the collection is a corrupt item, named by its key and attribute, never
    // quoting what is stored.
    let broken = [("segments", AttributeValue::S("[{\"id\":".into()))];
    testkit::set_user_attributes(&store, TENANT_ID, ADA_ID, &broken).await;
    match store.user(TENANT_ID, ADA_ID).await {
        Err(store::StoreError::CorruptItem { key, detail, .. }) => {
            assert!(key.contains(&ADA_ID.to_string()), "{key}");
            assert!(detail.contains("segments"), "{detail}");
            assert!(!detail.contains("{\"id\""), "{detail}");
        }
        other => panic!("a corrupt item, not {other:?}"),
    }
}
