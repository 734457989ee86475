//! `cognito-migrate id-map` against moto with the real binary: every new-pool user carrying an
//! old user's `sub` as legacy id is mapped (old sub, new sub, both user names), in a user-name
//! new pool and in one that signs in by e-mail; a stranger without a legacy id and a user whose
//! legacy id names no old user are counted and reported, never mapped; a run killed (SIGKILL,
//! then Ctrl-C) and resumed writes the same file as one run.

use std::path::Path;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UsernameAttributeType;
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{MigrationPools, PoolSpec, create_user, find_user, sub_of};

/// A legacy id no old user has.
const NOBODY: &str = "00000000-0000-4000-8000-000000000000";

fn id_map_command(p: &MigrationPools, out: &Path, extra: &[&str]) -> std::process::Command {
    let mut command = cognito_migrate(&p.endpoint);
    command
        .args([
            "id-map",
            "--source-pool-id",
            &p.old,
            "--target-pool-id",
            &p.new,
        ])
        .arg("--out")
        .arg(out)
        .args(extra);
    command
}

fn id_map(p: &MigrationPools, out: &Path, extra: &[&str]) -> Output {
    id_map_command(p, out, extra)
        .output()
        .expect("cognito-migrate runs")
}

/// Creates `name` in the new pool as a migration leaves it: the old user's `sub` as legacy id.
/// Returns the new user's `(name, sub)` as the pool holds them.
async fn migrate(
    client: &Client,
    p: &MigrationPools,
    name: &str,
    new_name: &str,
) -> (String, String) {
    let old_sub = sub_of(client, &p.old, name).await;
    let email = format!("{}@example.com", name.trim_start_matches('-'));
    create_user(
        client,
        &p.new,
        new_name,
        &[
            ("email", &email),
            ("email_verified", "true"),
            ("custom:legacy_sub", &old_sub),
        ],
        None,
    )
    .await;
    new_user(client, &p.new, new_name).await
}

/// The canonical user name and `sub` of the user `typed` finds in `pool`.
async fn new_user(client: &Client, pool: &str, typed: &str) -> (String, String) {
    let user = find_user(client, pool, typed)
        .await
        .expect("the user exists");
    let sub = user
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .expect("a sub")
        .to_string();
    (user.username().to_string(), sub)
}

/// The map's text for `rows` (old sub, new sub, old name, new name), sorted by old sub.
fn map_text(mut rows: Vec<[String; 4]>) -> String {
    rows.sort();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["old_sub", "new_sub", "old_username", "new_username"])
        .unwrap();
    for row in rows {
        // Report cells a spreadsheet would run get a leading quote (bulk/src/report_csv.rs).
        let cells = row.map(|c| match c.starts_with(['=', '+', '-', '@']) {
            true => format!("'{c}"),
            false => c,
        });
        writer.write_record(cells).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// Old users `ada`, `bob`, `-carol` (a name a spreadsheet would run), `dave` (not migrated); in
/// the new pool the three migrated, a stranger without legacy id and `mallory`, whose legacy id
/// is nobody's. Returns the expected map rows.
async fn seed(p: &MigrationPools, new_name: impl Fn(&str) -> String) -> Vec<[String; 4]> {
    let client = &p.client;
    for name in ["ada", "bob", "-carol", "dave"] {
        let email = format!("{}@example.com", name.trim_start_matches('-'));
        create_user(
            client,
            &p.old,
            name,
            &[("email", &email)],
            Some("Passw0rd!"),
        )
        .await;
    }
    let mut rows = Vec::new();
    for name in ["ada", "bob", "-carol"] {
        let old_sub = sub_of(client, &p.old, name).await;
        let (new_username, new_sub) = migrate(client, p, name, &new_name(name)).await;
        rows.push([old_sub, new_sub, name.to_string(), new_username]);
    }
    let stranger = new_name("stranger");
    create_user(
        client,
        &p.new,
        &stranger,
        &[("email", "stranger@example.com")],
        None,
    )
    .await;
    let mallory = new_name("mallory");
    let attributes = [
        ("email", "mallory@example.com"),
        ("custom:legacy_sub", NOBODY),
    ];
    create_user(client, &p.new, &mallory, &attributes, None).await;
    rows
}

async fn maps_the_migrated_and_reports_the_rest(
    p: MigrationPools,
    new_name: impl Fn(&str) -> String,
) {
    let expected = seed(&p, &new_name).await;
    let dir = tempfile::tempdir().unwrap();
    let (map, unmapped) = (dir.path().join("map.csv"), dir.path().join("unmapped.csv"));
    let output = id_map(&p, &map, &["--unmapped", unmapped.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(std::fs::read_to_string(&map).unwrap(), map_text(expected));
    let (mallory, mallory_sub) = new_user(&p.client, &p.new, &new_name("mallory")).await;
    assert_eq!(
        std::fs::read_to_string(&unmapped).unwrap(),
        format!(
            "new_sub,new_username,legacy_id,reason\n{mallory_sub},{mallory},{NOBODY},no-old-user\n"
        )
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "(4 users)",
        "(5 users)",
        "mapped                                  3",
        "legacy id of no old user                1",
        "legacy id carried by several new users  0",
        "new users without a legacy id           1",
    ] {
        assert!(stdout.contains(line), "{line:?} in {}", describe(&output));
    }
    #[cfg(unix)]
    for file in [&map, &unmapped] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    assert!(
        !dir.path().join("map.csv.state").exists(),
        "the state goes once the map is written"
    );
    let again = id_map(&p, &map, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
}

#[tokio::test]
async fn id_map_maps_migrated_users_of_a_user_name_pool_and_reports_the_rest() {
    let p = MigrationPools::create("idmap-names").await;
    maps_the_migrated_and_reports_the_rest(p, |name| name.to_string()).await;
}

#[tokio::test]
async fn id_map_maps_migrated_users_into_an_email_pool_with_new_user_names() {
    let old = PoolSpec::named("idmap-email-old");
    let new = PoolSpec {
        username_attributes: vec![UsernameAttributeType::Email],
        ..PoolSpec::named("idmap-email-new").with_custom(&["legacy_sub"])
    };
    let p = MigrationPools::create_with(&old, &new).await;
    maps_the_migrated_and_reports_the_rest(p, |name| {
        format!("{}@example.com", name.trim_start_matches('-'))
    })
    .await;
}

#[tokio::test]
async fn id_map_refuses_a_new_pool_or_mapping_without_legacy_id() {
    let old = PoolSpec::named("idmap-nolegacy-old");
    let new = PoolSpec::named("idmap-nolegacy-new");
    let p = MigrationPools::create_with(&old, &new).await;
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.csv");
    let output = id_map(&p, &map, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Add custom:legacy_sub to the new pool"),
        "{stderr}"
    );
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute": null}"#).unwrap();
    let output = id_map(&p, &map, &["--mapping", mapping.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sets legacy_sub_attribute to null")
            && stderr.contains("add custom:legacy_sub to the new pool"),
        "{stderr}"
    );
    assert!(!map.exists() && !dir.path().join("map.csv.state").exists());
}

/// The checkpoint of a run writing `map`, once it exists.
fn checkpoint(map: &Path) -> Option<serde_json::Value> {
    let text =
        std::fs::read_to_string(map.with_extension("csv.state").join("checkpoint.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// Waits until `ready` holds for the run's checkpoint; fails when the run ends first.
fn wait_for(child: &mut Child, map: &Path, ready: impl Fn(&serde_json::Value) -> bool) {
    let started = Instant::now();
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended too soon"
        );
        if checkpoint(map).is_some_and(|c| ready(&c)) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no checkpoint");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test]
async fn id_map_killed_and_resumed_writes_the_same_file_as_one_run() {
    let p = MigrationPools::create("idmap-resume").await;
    // Four pages of each pool (60 users a page), every fifth old user not migrated.
    let mut names = Vec::new();
    for i in 0..230 {
        let name = format!("user{i:03}");
        create_user(&p.client, &p.old, &name, &[], None).await;
        names.push(name);
    }
    for name in names.iter().filter(|n| !n.ends_with(['0', '5'])) {
        let old_sub = sub_of(&p.client, &p.old, name).await;
        create_user(
            &p.client,
            &p.new,
            name,
            &[("custom:legacy_sub", &old_sub)],
            None,
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.csv");
    let output = id_map(&p, &whole, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(
        std::fs::read_to_string(&whole).unwrap().lines().count(),
        185
    );

    let map = dir.path().join("map.csv");
    // Killed while the new pool is read, after some rows are checkpointed.
    let mut first = id_map_command(&p, &map, &["--rps", "3"]).spawn().unwrap();
    wait_for(&mut first, &map, |c| {
        c["rows"]["records"].as_u64() > Some(0)
    });
    first.kill().unwrap();
    first.wait().unwrap();
    let kept = checkpoint(&map).unwrap()["rows"]["records"]
        .as_u64()
        .unwrap();
    assert!(kept < 184, "killed before the end: {kept} rows recorded");
    // Resumed, then stopped with Ctrl-C while it reads the new pool again.
    let mut second = id_map_command(&p, &map, &["--rps", "1", "--resume"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        second.try_wait().unwrap().is_none(),
        "still reading at 1 request/s"
    );
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    assert_eq!(second.wait().unwrap().code(), Some(130));
    assert!(!map.exists(), "no map before the run completes");
    let output = id_map(&p, &map, &["--resume"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("read by the interrupted run: 230 users"),
        "the old pool is not read again: {}",
        describe(&output)
    );
    assert_eq!(std::fs::read(&map).unwrap(), std::fs::read(&whole).unwrap());

    let output = id_map(&p, &map, &["--resume"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "nothing to resume: {}",
        describe(&output)
    );
}

#[tokio::test]
async fn id_map_killed_while_reading_the_old_pool_reads_it_again() {
    let p = MigrationPools::create("idmap-oldkill").await;
    for i in 0..130 {
        let name = format!("old{i:03}");
        create_user(&p.client, &p.old, &name, &[], None).await;
        let old_sub = sub_of(&p.client, &p.old, &name).await;
        create_user(
            &p.client,
            &p.new,
            &name,
            &[("custom:legacy_sub", &old_sub)],
            None,
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.csv");
    let output = id_map(&p, &whole, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let map = dir.path().join("map.csv");
    let mut first = id_map_command(&p, &map, &["--rps", "1"]).spawn().unwrap();
    wait_for(&mut first, &map, |c| c["old_users"].is_null());
    std::thread::sleep(Duration::from_millis(1500));
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        checkpoint(&map).unwrap()["old_users"].is_null(),
        "killed while reading the old pool"
    );
    let refused = id_map(&p, &map, &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("add --resume"));
    let output = id_map(&p, &map, &["--resume"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(std::fs::read(&map).unwrap(), std::fs::read(&whole).unwrap());
}
