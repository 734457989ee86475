//! Splitting one shared pool into one pool per tenant (issue 6): one export pass writes a
//! complete export per tenant, users without a known tenant are reported, the counts reconcile
//! with the old pool, and each folder imports into its own pool.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::Client;
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{assert_reconciles, reason_rows, summary};
use integration_tests::pools::{PoolSpec, create_pool, create_user, csv_header, sub_of};
use integration_tests::testbed::Testbed;
use tokio::sync::Mutex;

/// Import jobs are limited to one active job per account; the import tests of other files wait
/// (`--wait`) but this keeps this file's own runs in order.
static IMPORTS: Mutex<()> = Mutex::const_new(());

const TENANTS: [&str; 3] = ["acme", "globex", "initech"];

struct Split {
    client: Client,
    endpoint: String,
    old: String,
    pools: BTreeMap<&'static str, String>,
    table: std::path::PathBuf,
    dir: tempfile::TempDir,
}

async fn split(name: &str) -> Split {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        &PoolSpec::named(&format!("{name}-old")).with_custom(&["tenant"]),
    )
    .await;
    let mut pools = BTreeMap::new();
    for tenant in TENANTS {
        let spec =
            PoolSpec::named(&format!("{name}-{tenant}")).with_custom(&["tenant", "legacy_sub"]);
        pools.insert(tenant, create_pool(&client, &spec).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("tenants.json");
    let tenants: serde_json::Map<String, serde_json::Value> = pools
        .iter()
        .map(|(t, p)| (t.to_string(), serde_json::json!({ "pool_id": p })))
        .collect();
    std::fs::write(
        &table,
        serde_json::to_vec(&serde_json::json!({"attribute": "custom:tenant", "tenants": tenants}))
            .unwrap(),
    )
    .unwrap();
    Split {
        client,
        endpoint: testbed.moto_url,
        old,
        pools,
        table,
        dir,
    }
}

async fn seed(s: &Split) {
    for i in 0..30 {
        let tenant = TENANTS[i % 3];
        let name = format!("{tenant}-user{i:02}");
        let email = format!("{name}@example.com");
        create_user(
            &s.client,
            &s.old,
            &name,
            &[
                ("email", &email),
                ("email_verified", "true"),
                ("custom:tenant", tenant),
            ],
            Some("Passw0rd!"),
        )
        .await;
    }
    create_user(
        &s.client,
        &s.old,
        "loner",
        &[("email", "loner@example.com"), ("email_verified", "true")],
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &s.client,
        &s.old,
        "stranger",
        &[
            ("email", "s@example.com"),
            ("email_verified", "true"),
            ("custom:tenant", "umbrella"),
        ],
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &s.client,
        &s.old,
        "acme-unverified",
        &[("email", "u@example.com"), ("custom:tenant", "acme")],
        Some("Passw0rd!"),
    )
    .await;
    s.client
        .create_group()
        .user_pool_id(&s.old)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    for user in ["acme-user00", "globex-user01"] {
        s.client
            .admin_add_user_to_group()
            .user_pool_id(&s.old)
            .group_name("admins")
            .username(user)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn one_pass_writes_a_complete_export_per_tenant_and_reports_the_rest() {
    let s = split("split").await;
    seed(&s).await;
    let out = export_per_tenant(&s);
    assert_each_tenant_folder_and_the_unassigned(&s, &out).await;
    import_each_folder_into_its_pool(&s, &out).await;
    plan_and_verify_understand_partitions(&s).await;
}

/// Step 1: `--target-pool-id` with `--targets` is refused; the export by `custom:tenant` finishes
/// with unassigned and rejected users. Returns the export folder.
fn export_per_tenant(s: &Split) -> std::path::PathBuf {
    let out = s.dir.path().join("export");
    let run = export(
        &s.endpoint,
        &s.old,
        "unused",
        &out,
        &[
            "--select",
            "all",
            "--partition-by",
            "custom:tenant",
            "--targets",
            s.table.to_str().unwrap(),
            "--segments",
            "4",
        ],
    );
    // --target-pool-id conflicts with --targets: the CLI refuses the combination.
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));

    let run = cognito_migrate(&s.endpoint)
        .args([
            "export",
            "--source-pool-id",
            &s.old,
            "--select",
            "all",
            "--out",
        ])
        .arg(&out)
        .args([
            "--partition-by",
            "custom:tenant",
            "--targets",
            s.table.to_str().unwrap(),
            "--segments",
            "4",
        ])
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "unassigned and rejected users: {}",
        describe(&run)
    );

    out
}

/// Step 2: each tenant's folder reconciles and holds only its users and memberships; the
/// unassigned users are named with their reason, and the counts add up to the old pool.
async fn assert_each_tenant_folder_and_the_unassigned(s: &Split, out: &std::path::Path) {
    let mut seen = 0;
    for tenant in TENANTS {
        let dir = out.join(tenant);
        let header = csv_header(&s.client, &s.pools[tenant]).await;
        let (exported, rejected, _) = assert_reconciles(&dir, &header);
        assert_eq!(exported.len(), 10, "{tenant}");
        assert!(
            exported.iter().all(|u| u.starts_with(tenant)),
            "{tenant}: {exported:?}"
        );
        if tenant == "acme" {
            assert_eq!(rejected, ["acme-unverified"]);
        }
        let tenant_summary = summary(&dir);
        assert_eq!(tenant_summary["target_pool_id"], s.pools[tenant].as_str());
        seen += tenant_summary["seen"].as_u64().unwrap();
        let memberships = std::fs::read_to_string(dir.join("memberships.jsonl")).unwrap();
        match tenant {
            "acme" => {
                assert!(memberships.contains("acme-user00") && !memberships.contains("globex"))
            }
            "globex" => {
                assert!(memberships.contains("globex-user01") && !memberships.contains("acme"))
            }
            _ => assert!(memberships.is_empty(), "{memberships}"),
        }
        assert!(dir.join("mapping.json").exists());
    }
    let unassigned: BTreeMap<String, String> = reason_rows(out, "unassigned.csv")
        .into_iter()
        .map(|(u, _, r)| (u, r))
        .collect();
    assert_eq!(unassigned.len(), 2);
    assert!(
        unassigned["loner"].starts_with("no custom:tenant"),
        "{unassigned:?}"
    );
    assert!(
        unassigned["stranger"].contains("\"umbrella\""),
        "{unassigned:?}"
    );
    let top = summary(out);
    assert_eq!(top["seen"], 33);
    assert_eq!(
        top["seen"].as_u64().unwrap(),
        seen + 2,
        "tenants plus unassigned reconcile with the old pool"
    );
    assert_eq!(top["unassigned"], 2);
    assert_eq!(top["exported"], 30);
    assert_eq!(top["rejected"], 1);
    assert_eq!(top["tenants"]["globex"]["exported"], 10);
    assert_eq!(top["complete"], true);
}

/// Step 3: each folder imports into its own pool (and its groups apply there), and no user lands
/// in another tenant's pool.
async fn import_each_folder_into_its_pool(s: &Split, out: &std::path::Path) {
    // Each folder imports into its own pool, and the tenant's users land there.
    let _guard = IMPORTS.lock().await;
    for tenant in TENANTS {
        let run = cognito_migrate(&s.endpoint)
            .args(["import", "--target-pool-id", &s.pools[tenant], "--dir"])
            .arg(out.join(tenant))
            .args([
                "--logs-role-arn",
                "arn:aws:iam::123456789012:role/import",
                "--wait",
            ])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{tenant}: {}", describe(&run));
        let user = s
            .client
            .admin_get_user()
            .user_pool_id(&s.pools[tenant])
            .username(format!(
                "{tenant}-user0{}",
                TENANTS.iter().position(|t| *t == tenant).unwrap()
            ))
            .send()
            .await;
        assert!(user.is_ok(), "{tenant}'s user landed in its pool");
    }
    let elsewhere = s
        .client
        .admin_get_user()
        .user_pool_id(&s.pools["globex"])
        .username("acme-user00")
        .send()
        .await;
    assert!(elsewhere.is_err(), "no user lands in another tenant's pool");

    for tenant in TENANTS {
        let run = cognito_migrate(&s.endpoint)
            .args(["groups", "--target-pool-id", &s.pools[tenant], "--dir"])
            .arg(out.join(tenant))
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "groups {tenant}: {}",
            describe(&run)
        );
    }
    drop(_guard);
}

/// Step 4: plan and verify read the partition, and verify names a user in the wrong tenant's pool.
async fn plan_and_verify_understand_partitions(s: &Split) {
    // plan and verify understand partitions.
    let table = s.table.to_str().unwrap();
    let plan_json = s.dir.path().join("plan.json");
    let run = cognito_migrate(&s.endpoint)
        .args([
            "plan",
            "--source-pool-id",
            &s.old,
            "--partition-by",
            "custom:tenant",
            "--targets",
            table,
            "--json",
        ])
        .arg(&plan_json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_json).unwrap()).unwrap();
    assert_eq!(plan["total"], 33);
    assert_eq!(plan["tenants"]["acme"]["total"], 11);
    assert_eq!(plan["tenants"]["acme"]["already_in_target"], 10);
    assert_eq!(plan["tenants"]["initech"]["total"], 10);
    assert_eq!(plan["unassigned"]["no-tenant"], 1);
    assert_eq!(plan["unassigned"]["unknown-tenant"], 1);

    let verify = |json: &std::path::Path| {
        cognito_migrate(&s.endpoint)
            .args([
                "verify",
                "--source-pool-id",
                &s.old,
                "--partition-by",
                "custom:tenant",
                "--targets",
                table,
                "--json",
            ])
            .arg(json)
            .output()
            .unwrap()
    };
    let verify_json = s.dir.path().join("verify.json");
    let run = verify(&verify_json);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&verify_json).unwrap()).unwrap();
    assert_eq!(counts["missing"], 0);
    assert_eq!(counts["misplaced"], 0);
    assert_eq!(counts["present"], 30);
    assert_eq!(counts["expected_missing"]["no-verified-contact"], 1);
    assert_eq!(counts["expected_missing"]["no-tenant"], 1);
    assert_eq!(counts["tenants"]["globex"]["present"], 10);

    // A user in the wrong tenant's pool is found and named.
    s.client
        .admin_delete_user()
        .user_pool_id(&s.pools["acme"])
        .username("acme-user03")
        .send()
        .await
        .unwrap();
    // Imported into the wrong pool: it carries the old user's legacy id (a user merely named so
    // would be someone else, and is not counted as the old user anywhere).
    let legacy = sub_of(&s.client, &s.old, "acme-user03").await;
    create_user(
        &s.client,
        &s.pools["globex"],
        "acme-user03",
        &[
            ("email", "x@example.com"),
            ("email_verified", "true"),
            ("custom:legacy_sub", &legacy),
        ],
        None,
    )
    .await;
    let run = verify(&verify_json);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&verify_json).unwrap()).unwrap();
    assert_eq!(counts["misplaced"], 1);
    assert_eq!(counts["tenants"]["acme"]["misplaced"], 1);
}

/// Sign-in of a tenant-A user into tenant B's pool: the trigger refuses it with the same answer
/// as a wrong password, through the Lambda Invoke API and end to end through the tenant's new pool.
#[tokio::test]
async fn a_tenant_pool_admits_only_its_own_users() {
    use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes,
    };
    use integration_tests::lambda::{Function, LambdaHost, sign_in_event, trigger_env};
    use integration_tests::pools::create_app_client;
    use integration_tests::testbed::binary;

    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        &PoolSpec::named("admit-old").with_custom(&["tenant"]),
    )
    .await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    for (name, tenant) in [("anna", "acme"), ("gus", "globex")] {
        let email = format!("{name}@example.com");
        create_user(
            &client,
            &old,
            name,
            &[
                ("email", &email),
                ("email_verified", "true"),
                ("custom:tenant", tenant),
            ],
            Some("Passw0rd!"),
        )
        .await;
    }
    // Tenant globex's new pool calls the function "admit-globex" from its own LambdaConfig.
    let new = client.clone();
    let mut globex = PoolSpec::named("admit-globex").with_custom(&["tenant", "legacy_sub"]);
    globex.lambda_config = Some(
        LambdaConfigType::builder()
            .user_migration("arn:aws:lambda:us-east-1:123456789012:function:admit-globex")
            .build(),
    );
    let globex_pool = create_pool(&new, &globex).await;
    let app = new
        .create_user_pool_client()
        .user_pool_id(&globex_pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let table = serde_json::json!({
        "attribute": "custom:tenant",
        "tenants": {"acme": {"pool_id": "us-east-1_AcmePool1"}, "globex": {"pool_id": globex_pool}}
    })
    .to_string();
    // The tenant comes from the calling pool's id through the table (no TENANT variable).
    let env = trigger_env(
        &testbed,
        &old,
        &old_client,
        &[("TENANT_TABLE_JSON", &table)],
    );
    let host = LambdaHost::from_env();
    host.register(
        &Function {
            name: "admit-globex".into(),
            env,
            timeout_seconds: 5.0,
        },
        &binary("cognito-migrate-trigger"),
    )
    .await;

    // Through the Invoke API: the right password of a tenant-A user is answered exactly like a
    // wrong password: the event comes back unchanged.
    let mut other_tenant = sign_in_event("anna", "Passw0rd!");
    other_tenant["userPoolId"] = globex_pool.clone().into();
    let mut wrong_password = sign_in_event("anna", "not-her-password");
    wrong_password["userPoolId"] = globex_pool.clone().into();
    for event in [&other_tenant, &wrong_password] {
        let answer = host.invoke_json("admit-globex", event).await;
        assert_eq!(
            answer.body,
            serde_json::to_vec(event).unwrap(),
            "unchanged, byte for byte"
        );
    }
    let mut own = sign_in_event("gus", "Passw0rd!");
    own["userPoolId"] = globex_pool.clone().into();
    let answer = host.invoke_json("admit-globex", &own).await.ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
    let logs = host.logs("admit-globex").await;
    assert!(
        logs.contains("\"other-tenant\""),
        "the refusal is logged with its reason: {logs}"
    );

    // End to end: tenant globex's pool calls the same trigger.
    let sign_in = |user: &'static str, password: &'static str| {
        new.initiate_auth()
            .client_id(&app)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", password)
            .send()
    };
    let refused = |r: Result<_, aws_sdk_cognitoidentityprovider::error::SdkError<_, _>>| match r {
        Ok(_) => panic!("signed in"),
        Err(e) => format!(
            "{}: {}",
            e.code().unwrap_or_default(),
            e.message().unwrap_or_default()
        ),
    };
    let other = refused(sign_in("anna", "Passw0rd!").await);
    let wrong = refused(sign_in("anna", "not-her-password").await);
    let unknown = refused(sign_in("nobody", "Passw0rd!").await);
    assert_eq!(
        other,
        "NotAuthorizedException: Incorrect username or password."
    );
    assert_eq!(other, wrong);
    assert_eq!(other, unknown);
    assert!(
        sign_in("gus", "Passw0rd!").await.is_ok(),
        "globex's own user migrates"
    );
    let users = new
        .list_users()
        .user_pool_id(&globex_pool)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = users
        .users()
        .iter()
        .map(|u| u.username().unwrap_or_default())
        .collect();
    assert_eq!(names, ["gus"], "nobody of another tenant was created");
}
