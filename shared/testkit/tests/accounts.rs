//! The operator's operations (`accounts`, what `admin` runs) against dynalite: what they write
//! is what the routes read, and what does not exist is reported as such.

use accounts::{AdminError, NewUser};
use devkit::demo::{ADA_ID, TENANT_ID};
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
