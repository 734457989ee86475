//! `cognito-migrate status` against moto: old users in every state (migrated by import and at
//! sign-in, remaining, stranded for each reason) and new users by how they arrived, counted
//! exactly in the table and the JSON, with and without the export folder; a new pool of another
//! shape (e-mail as user name) matched by the legacy id; a stranger holding an old user's name in
//! another case never counting that user as migrated; and the HTML page opened in headless
//! Chromium, its numbers read back from the rendered DOM and its screenshot kept in
//! `target/status-page.png`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, UsernameAttributeType, UsernameConfigurationType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::import_support::import;
use integration_tests::pools::{
    PoolSpec, create_app_client, create_pool, create_user, disable_user, sub_of,
};
use integration_tests::testbed::{Testbed, binary};

/// Where Debian's Chromium is installed by `scripts/ensure-chromium`.
const CHROMIUM: &str = "/usr/bin/chromium";

fn verified(email: &str) -> Vec<(&str, &str)> {
    vec![("email", email), ("email_verified", "true")]
}

/// Runs `status` with `extra` arguments; returns the run and its JSON (written to a file).
fn status(endpoint: &str, old: &str, new: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("status.json");
    let run = cognito_migrate(endpoint)
        .args(["status", "--source-pool-id", old, "--target-pool-id", new])
        .arg("--json")
        .arg(&json)
        .args(extra)
        .output()
        .expect("cognito-migrate runs");
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let text = std::fs::read_to_string(&json).unwrap();
    (run, serde_json::from_str(&text).unwrap())
}

/// The numbers of the table's line that starts with `label`.
fn table_numbers(stdout: &str, label: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no line starting {label:?} in\n{stdout}"));
    line[line.find(label).unwrap() + label.len()..]
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The old pool in every state, and the new pool after an import, one sign-in migration and one
/// native sign-up. Returns `(old, new, export folder)`.
async fn window(client: &Client, endpoint: &str) -> (String, String, tempfile::TempDir) {
    let old = create_pool(client, &PoolSpec::named("status-old")).await;
    let new = create_pool(
        client,
        &PoolSpec::named("status-new").with_custom(&["legacy_sub"]),
    )
    .await;
    // Imported: only temporary passwords, so `export --select passwordless` takes them.
    for name in ["imp1", "imp2"] {
        create_user(
            client,
            &old,
            name,
            &verified(&format!("{name}@example.com")),
            None,
        )
        .await;
    }
    let folder = tempfile::tempdir().unwrap();
    let run = export(
        endpoint,
        &old,
        &new,
        folder.path(),
        &["--select", "passwordless"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let run = import(endpoint, &new, folder.path(), &["--wait"]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    // imp2 has since set a new password: CONFIRMED, like a user the trigger migrated.
    client
        .admin_set_user_password()
        .user_pool_id(&new)
        .username("imp2")
        .password("N3w-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");

    // Migrated at sign-in: created in the new pool as the trigger creates it.
    create_user(
        client,
        &old,
        "signer",
        &verified("signer@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    let legacy = sub_of(client, &old, "signer").await;
    let mut attributes = verified("signer@example.com");
    attributes.push(("custom:legacy_sub", &legacy));
    create_user(client, &new, "signer", &attributes, Some("Passw0rd!")).await;

    // Remaining: enabled, CONFIRMED, not moved yet.
    for name in ["wait1", "wait2"] {
        create_user(
            client,
            &old,
            name,
            &verified(&format!("{name}@example.com")),
            Some("Passw0rd!"),
        )
        .await;
    }
    // Stranded: disabled; unconfirmed; a temporary password and no verified contact.
    create_user(
        client,
        &old,
        "off",
        &verified("off@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("off")
        .send()
        .await
        .expect("AdminDisableUser");
    let (app, _) = create_app_client(client, &old, false).await;
    client
        .sign_up()
        .client_id(&app)
        .username("unconf")
        .password("Passw0rd!")
        .send()
        .await
        .expect("SignUp");
    create_user(
        client,
        &old,
        "nocontact",
        &[("email", "nc@example.com")],
        None,
    )
    .await;

    // Signed up in the new pool: no old counterpart.
    create_user(
        client,
        &new,
        "newbie",
        &verified("newbie@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    (old, new, folder)
}

#[tokio::test]
async fn status_counts_every_old_and_new_user_exactly() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, new, folder) = window(&client, &testbed.moto_url).await;

    let dir = folder.path().to_str().unwrap();
    let (run, json) = status(&testbed.moto_url, &old, &new, &["--dir", dir]);
    assert_eq!(json["source_pool_id"], old.as_str());
    assert_eq!(json["target_pool_id"], new.as_str());
    assert_eq!(json["imported_told_by"], "export-folder");
    assert_eq!(
        json["old_users"],
        serde_json::json!({
            "total": 8, "migrated": 3, "remaining": 2, "stranded": 3,
            "stranded_by_reason": {"disabled": 1, "no-verified-contact": 1, "unconfirmed": 1}
        })
    );
    assert_eq!(
        json["new_users"],
        serde_json::json!({"total": 4, "imported": 2, "migrated_at_sign_in": 1, "signed_up": 1})
    );
    let days = json["per_day"].as_array().unwrap();
    assert_eq!(days.len(), 1, "everyone was created today: {json}");
    let today = days[0]["date"].as_str().unwrap();
    assert_eq!(days[0]["imported"], 2);
    assert_eq!(days[0]["migrated_at_sign_in"], 1);
    assert_eq!(days[0]["signed_up"], 1);

    let table = String::from_utf8_lossy(&run.stdout);
    assert!(
        table.starts_with(&format!("migration status {old} -> {new}\n")),
        "{table}"
    );
    assert_eq!(
        table_numbers(&table, "migrated (in the new pool)"),
        ["3", "37.5%"]
    );
    assert_eq!(
        table_numbers(&table, "remaining (the trigger moves them at sign-in)"),
        ["2", "25.0%"]
    );
    assert_eq!(
        table_numbers(&table, "stranded (the trigger never moves them)"),
        ["3", "37.5%"]
    );
    for reason in ["disabled", "no-verified-contact", "unconfirmed"] {
        assert_eq!(table_numbers(&table, reason), ["1"], "{reason}");
    }
    assert_eq!(
        table_numbers(&table, "imported (listed in the export folder)"),
        ["2"]
    );
    assert_eq!(table_numbers(&table, "migrated at sign-in"), ["1"]);
    assert_eq!(table_numbers(&table, "signed up (no old user)"), ["1"]);
    assert_eq!(table_numbers(&table, today), ["2", "1", "1"]);

    // Without the folder only the status tells: imp2 reset its password, so it looks migrated
    // at sign-in.
    let (run, json) = status(&testbed.moto_url, &old, &new, &[]);
    assert_eq!(json["imported_told_by"], "status");
    assert_eq!(json["old_users"]["migrated"], 3);
    assert_eq!(
        json["new_users"],
        serde_json::json!({"total": 4, "imported": 1, "migrated_at_sign_in": 2, "signed_up": 1})
    );
    let table = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        table_numbers(&table, "imported (RESET_REQUIRED / FORCE_CHANGE_PASSWORD)"),
        ["1"]
    );

    // `--json -`: the JSON alone on standard output.
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "status",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let piped: serde_json::Value =
        serde_json::from_slice(&run.stdout).expect("only JSON on stdout");
    assert_eq!(piped, json);
}

#[tokio::test]
async fn status_finds_users_of_an_email_pool_by_their_legacy_id() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("status-shape-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec {
            username_attributes: vec![UsernameAttributeType::Email],
            ..PoolSpec::named("status-shape-new").with_custom(&["legacy_sub"])
        },
    )
    .await;
    create_user(
        &client,
        &old,
        "alice",
        &verified("alice@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &client,
        &old,
        "bob",
        &verified("bob@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(&client, &old, "nomail", &[], Some("Passw0rd!")).await;
    // alice signed in: the trigger created her under her e-mail, with her old sub.
    let legacy = sub_of(&client, &old, "alice").await;
    let mut attributes = verified("alice@example.com");
    attributes.push(("custom:legacy_sub", &legacy));
    create_user(
        &client,
        &new,
        "alice@example.com",
        &attributes,
        Some("Passw0rd!"),
    )
    .await;
    // A native sign-up in the new pool: no old counterpart (bob has not moved yet).
    create_user(
        &client,
        &new,
        "bob2@example.com",
        &verified("bob2@example.com"),
        Some("Passw0rd!"),
    )
    .await;

    let (_, json) = status(&testbed.moto_url, &old, &new, &[]);
    assert_eq!(
        json["old_users"],
        serde_json::json!({
            "total": 3, "migrated": 1, "remaining": 1, "stranded": 1,
            "stranded_by_reason": {"no-sign-in-value": 1}
        })
    );
    assert_eq!(
        json["new_users"],
        serde_json::json!({"total": 2, "imported": 0, "migrated_at_sign_in": 1, "signed_up": 1})
    );
}

/// `plan` and `status` mean the same by migrated, remaining and stranded (one rule:
/// `shared::trigger_reach`): on the same pools, in a pool with user names and in one that signs
/// in by e-mail, their counts agree, reason by reason. A CONFIRMED user whose e-mail is not
/// verified is stranded where the new pool signs in by e-mail (the trigger resolves a typed
/// address only through a verified one), and remaining where it has user names.
#[tokio::test]
async fn plan_and_status_count_old_users_the_same_way_in_each_shape() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let shapes = [
        ("names", vec![]),
        ("email", vec![UsernameAttributeType::Email]),
    ];
    for (shape, username_attributes) in shapes {
        let old = create_pool(&client, &PoolSpec::named(&format!("same-{shape}-old"))).await;
        let new = create_pool(
            &client,
            &PoolSpec {
                username_attributes,
                ..PoolSpec::named(&format!("same-{shape}-new")).with_custom(&["legacy_sub"])
            },
        )
        .await;
        let unverified = [("email", "cy@example.com"), ("email_verified", "false")];
        type OldUser<'a> = (&'a str, Vec<(&'a str, &'a str)>, Option<&'a str>);
        let users: [OldUser; 6] = [
            ("ada", verified("ada@example.com"), Some("Passw0rd!")),
            ("bo", verified("bo@example.com"), Some("Passw0rd!")),
            ("cy", unverified.to_vec(), Some("Passw0rd!")),
            ("dee", verified("dee@example.com"), Some("Passw0rd!")),
            ("eve", vec![("email", "eve@example.com")], None),
            ("nomail", vec![], Some("Passw0rd!")),
        ];
        for (name, attributes, password) in &users {
            create_user(&client, &old, name, attributes, *password).await;
        }
        disable_user(&client, &old, "dee").await;
        // ada moved (the trigger wrote her legacy id).
        let legacy = sub_of(&client, &old, "ada").await;
        let mut moved = verified("ada@example.com");
        moved.push(("custom:legacy_sub", &legacy));
        let name = if shape == "email" {
            "ada@example.com"
        } else {
            "ada"
        };
        create_user(&client, &new, name, &moved, Some("Passw0rd!")).await;

        let dir = tempfile::tempdir().unwrap();
        let stranded = dir.path().join("stranded.csv");
        let (_, status) = status(
            &testbed.moto_url,
            &old,
            &new,
            &["--stranded", stranded.to_str().unwrap()],
        );
        let json = dir.path().join("plan.json");
        let run = cognito_migrate(&testbed.moto_url)
            .args(["plan", "--source-pool-id", &old, "--target-pool-id", &new])
            .arg("--json")
            .arg(&json)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let old_users = &status["old_users"];
        assert_eq!(plan["already_in_target"], old_users["migrated"], "{shape}");
        assert_eq!(plan["remaining"], old_users["remaining"], "{shape}");
        assert_eq!(plan["stranded"], old_users["stranded"], "{shape}");
        assert_eq!(
            plan["stranded_by_reason"], old_users["stranded_by_reason"],
            "{shape}"
        );
        let expected = if shape == "email" {
            serde_json::json!({
                "total": 6, "migrated": 1, "remaining": 1, "stranded": 4,
                "stranded_by_reason": {
                    "disabled": 1, "no-sign-in-value": 1, "sign-in-value-unverified": 2
                }
            })
        } else {
            serde_json::json!({
                "total": 6, "migrated": 1, "remaining": 3, "stranded": 2,
                "stranded_by_reason": {"disabled": 1, "no-verified-contact": 1}
            })
        };
        assert_eq!(old_users, &expected, "{shape}");
        let mut rows: Vec<String> = std::fs::read_to_string(&stranded)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        rows.sort();
        let expected_rows: &[&str] = if shape == "email" {
            &[
                "cy,sign-in-value-unverified",
                "dee,disabled",
                "eve,sign-in-value-unverified",
                "nomail,no-sign-in-value",
                "username,reason",
            ]
        } else {
            &["dee,disabled", "eve,no-verified-contact", "username,reason"]
        };
        assert_eq!(rows, expected_rows, "{shape}");
    }
}

/// A stranger who signed up in the new pool as `ADMIN` (case-insensitive) before the old `admin`
/// moved: the old admin is not counted as migrated, but stranded with the reason (signing in finds
/// the stranger, so the trigger never runs), and the stranger counts as a sign-up.
#[tokio::test]
async fn status_never_counts_an_old_user_as_migrated_because_a_stranger_holds_its_name() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("status-squat-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec {
            username_configuration: Some(
                UsernameConfigurationType::builder()
                    .case_sensitive(false)
                    .build()
                    .unwrap(),
            ),
            ..PoolSpec::named("status-squat-new").with_custom(&["legacy_sub"])
        },
    )
    .await;
    for name in ["admin", "ada"] {
        let email = format!("{name}@example.com");
        create_user(&client, &old, name, &verified(&email), Some("Passw0rd!")).await;
    }
    let legacy = sub_of(&client, &old, "ada").await;
    let mut ada = verified("ada@example.com");
    ada.push(("custom:legacy_sub", &legacy));
    create_user(&client, &new, "ada", &ada, Some("Passw0rd!")).await;
    create_user(&client, &new, "ADMIN", &[], Some("Str4nger-Passw0rd!")).await;

    let (_, json) = status(&testbed.moto_url, &old, &new, &[]);
    assert_eq!(
        json["old_users"],
        serde_json::json!({
            "total": 2, "migrated": 1, "remaining": 0, "stranded": 1,
            "stranded_by_reason": {"name-held-by-another-user": 1}
        })
    );
    assert_eq!(
        json["new_users"],
        serde_json::json!({"total": 2, "imported": 0, "migrated_at_sign_in": 1, "signed_up": 1})
    );
}

#[tokio::test]
async fn status_finds_users_of_a_phone_pool_from_a_case_insensitive_alias_pool() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        &PoolSpec {
            alias_attributes: vec![AliasAttributeType::Email, AliasAttributeType::PhoneNumber],
            username_configuration: Some(
                UsernameConfigurationType::builder()
                    .case_sensitive(false)
                    .build()
                    .unwrap(),
            ),
            ..PoolSpec::named("status-phone-old")
        },
    )
    .await;
    let new = create_pool(
        &client,
        &PoolSpec {
            username_attributes: vec![UsernameAttributeType::PhoneNumber],
            ..PoolSpec::named("status-phone-new").with_custom(&["legacy_sub"])
        },
    )
    .await;
    let phone =
        |number: &'static str| vec![("phone_number", number), ("phone_number_verified", "true")];
    create_user(
        &client,
        &old,
        "Carol",
        &phone("+15550101"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &client,
        &old,
        "dave",
        &phone("+15550102"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &client,
        &old,
        "erin",
        &verified("erin@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    // Carol signed in: the trigger created her under her phone, with her old sub.
    let legacy = sub_of(&client, &old, "Carol").await;
    let mut attributes = phone("+15550101");
    attributes.push(("custom:legacy_sub", &legacy));
    create_user(&client, &new, "+15550101", &attributes, Some("Passw0rd!")).await;

    let (_, json) = status(&testbed.moto_url, &old, &new, &[]);
    assert_eq!(
        json["old_users"],
        serde_json::json!({
            "total": 3, "migrated": 1, "remaining": 1, "stranded": 1,
            "stranded_by_reason": {"no-sign-in-value": 1}
        })
    );
    assert_eq!(
        json["new_users"],
        serde_json::json!({"total": 1, "imported": 0, "migrated_at_sign_in": 1, "signed_up": 0})
    );
}

/// The browser, or a failure that says how to install it.
fn chromium() -> &'static str {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/ensure-chromium (scripts/test runs it) to install \
         Debian's chromium, which this test opens the status page in"
    );
    CHROMIUM
}

/// Headless Chromium on `page` with `args`, its own profile folder; fails with its output.
fn headless(page: &Path, args: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let run = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(run.status.success(), "chromium failed: {}", describe(&run));
    run
}

/// The workspace's `target/` folder (next to the binaries).
fn target_dir() -> PathBuf {
    let binary = binary("cognito-migrate");
    binary.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The text of the element with `id` in a dumped DOM, tags removed.
fn element_text(dom: &str, id: &str) -> String {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the rendered page"));
    let rest = &dom[start..];
    let end = rest.find("</div></div>").expect("a card ends");
    let mut text = String::new();
    let mut in_tag = true;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_html_page_renders_in_a_browser_with_its_numbers_and_charts() {
    let browser = chromium();
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, new, folder) = window(&client, &testbed.moto_url).await;
    let page = target_dir().join("status-page.html");
    let dir = folder.path().to_str().unwrap();
    let (_, json) = status(
        &testbed.moto_url,
        &old,
        &new,
        &["--dir", dir, "--html", page.to_str().unwrap()],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    for fetching in ["<script", "src=", "href=", "<link", "url("] {
        assert!(
            !html.contains(fetching),
            "the page fetches nothing: {fetching}"
        );
    }

    let dom = String::from_utf8(headless(&page, &["--dump-dom"]).stdout).unwrap();
    assert!(dom.contains("<svg"), "the charts are in the rendered page");
    for (id, text) in [
        ("old-total", "8 old users"),
        ("migrated", "3 migrated (37.5% of old users)"),
        ("remaining", "2 remaining (trigger moves them at sign-in)"),
        ("stranded", "3 stranded (trigger never moves them)"),
        ("new-total", "4 new users"),
        ("imported", "2 imported"),
        ("migrated-at-sign-in", "1 migrated at sign-in"),
        ("signed-up", "1 signed up (no old user)"),
    ] {
        assert_eq!(element_text(&dom, id), text, "#{id} in {browser}'s DOM");
    }
    let today = json["per_day"][0]["date"].as_str().unwrap();
    assert!(
        dom.contains(&format!(
            "<title>{today}: 2 imported, 1 migrated at sign-in</title>"
        )),
        "today's column in the chart"
    );
    assert!(dom.contains("<title>stranded: 3 (37.5%)</title>"));

    let screenshot = target_dir().join("status-page.png");
    let _ = std::fs::remove_file(&screenshot);
    headless(
        &page,
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=840,1000",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&screenshot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a page with text and two charts, not a blank one: {} bytes",
        png.len()
    );
}
