//! `cognito-migrate preflight`: checks the wiring of both pools before cutover and says what to
//! fix. Exit status 0 when nothing fails (warnings allowed), 1 otherwise.
//!
//! Besides the wiring, it checks the window against an attacker who chooses (issue 22): names
//! users sign in with that app clients let users re-point (`UpdateUserAttributes`, which no
//! trigger sees), an old pool still open to sign-up, old-pool challenges the trigger's password
//! check never meets, and MFA the new pool would drop.
//!
//! Every trigger the runbook wires is checked, each naming what its absence costs: UserMigration
//! (nobody migrates at sign-in), PreSignUp when self sign-up is on (anyone takes an unmigrated
//! user's name), PreTokenGeneration (first tokens without the old groups), its event version
//! against the pool's feature plan, and whether it is the function of its own the template makes.

mod checks;

use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolClientType;
use shared::{Mapping, Secret};

pub use checks::{Check, Verdict};

use crate::aws::AwsArgs;
use crate::errors::explain;
use crate::pace::PaceArgs;
use crate::pacer::Pacer;
use crate::pool_args::{MappingArg, OldPoolArg, OpenPool, TargetPools};
use crate::pools;

/// Arguments of `cognito-migrate preflight`.
#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The old pool.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// The old pool's app client the trigger signs in through.
    #[arg(long)]
    pub source_client_id: String,
    /// The new pool, or one per tenant (`--partition-by ATTR --targets FILE`): each is checked.
    #[command(flatten)]
    pub targets: TargetPools,
    /// The mapping the trigger and export use.
    #[command(flatten)]
    pub mapping: MappingArg,
    /// IAM role for the import job's CloudWatch logs.
    #[arg(long)]
    pub logs_role_arn: Option<String>,
    /// Also write the checks as JSON to this file (`-`: standard output, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<5, 30>,
}

/// The old client's secret, read from the environment only (never a flag: flags end up in shell
/// history and process lists).
const SECRET_ENV: &str = "COGNITO_MIGRATE_SOURCE_CLIENT_SECRET";

/// Runs every check; returns them (the caller turns failures into the exit status).
pub async fn run(args: PreflightArgs, aws: &AwsArgs) -> anyhow::Result<Vec<Check>> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    let pacer = args.pace.pacer();
    let mapping = args.mapping.load()?.mapping;
    let target = args.targets.client(aws).await;
    let secret = std::env::var(SECRET_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .map(Secret::new);

    let OpenPool {
        client: source,
        pool: old_pool,
        ..
    } = args.old.open(aws, &pacer).await?;
    let old_client = describe_client(
        &source,
        &pacer,
        &args.old.source_pool_id,
        &args.source_client_id,
    )
    .await?;
    let old_mfa = pools::mfa_config(&source, &pacer, &args.old.source_pool_id).await?;

    let mut results = vec![
        checks::old_client_allows_admin_password_auth(&old_client),
        checks::old_client_secret_matches(&old_client, secret.as_ref()),
        checks::old_pool_closed_for_window(&old_pool),
        checks::old_pool_challenges_carried(&old_pool),
    ];
    for client in pools::app_clients(&source, &pacer, &args.old.source_pool_id).await? {
        results.push(checks::old_client_cannot_write_sign_in_names(
            &old_pool, &client,
        ));
    }
    let old_providers =
        pools::identity_providers(&source, &pacer, &args.old.source_pool_id).await?;
    let table = args.targets.tenant_table()?;
    let protected = protected_attributes(&mapping, table.as_ref().map(|t| t.attribute.as_str()));
    for (tenant, pool_id) in args.targets.pools(table.as_ref()) {
        let new_pool = pools::describe(&target, &pacer, &pool_id).await?;
        let new_mfa = pools::mfa_config(&target, &pacer, &pool_id).await?;
        let mut pool_checks = vec![
            checks::new_pool_has_trigger(&new_pool),
            checks::new_pool_guards_sign_up(&new_pool),
            checks::new_pool_has_token_trigger(&new_pool),
        ];
        pool_checks.extend(checks::new_pool_token_version_fits_plan(&new_pool));
        pool_checks.extend(checks::new_pool_token_function_separate(&new_pool));
        let new_clients = pools::app_clients(&target, &pacer, &pool_id).await?;
        if new_clients.is_empty() {
            pool_checks.push(Check {
                name: "new pool app clients".to_string(),
                verdict: Verdict::Warn,
                detail: "the new pool has no app client yet: create the clients your apps will use and run preflight again"
                    .to_string(),
            });
        }
        for client in &new_clients {
            pool_checks.extend(checks::new_client_ready(&pool_id, client));
            pool_checks.push(checks::new_client_cannot_write_sign_in_names(
                &new_pool, client,
            ));
            if !protected.is_empty() {
                pool_checks.push(checks::new_client_cannot_write_protected(
                    &pool_id, client, &protected,
                ));
            }
        }
        pool_checks.push(checks::mapping_attributes_exist(
            &mapping, &old_pool, &new_pool,
        ));
        pool_checks.push(checks::new_pool_auto_verifies(&new_pool));
        pool_checks.push(checks::new_pool_plan_covers_old_pool(
            &old_pool, &old_mfa, &new_pool, &new_mfa,
        ));
        let new_providers = pools::identity_providers(&target, &pacer, &pool_id).await?;
        pool_checks.push(checks::new_pool_has_old_providers(
            &pool_id,
            &old_providers,
            &new_providers,
        ));
        pool_checks.push(checks::mfa_compatible(
            &args.old.source_pool_id,
            &old_mfa,
            &pool_id,
            &new_mfa,
        ));
        if !tenant.is_empty() {
            for check in &mut pool_checks {
                check.name = format!("tenant {tenant} ({pool_id}): {}", check.name);
            }
        }
        results.extend(pool_checks);
    }
    results.push(checks::logs_role_given(args.logs_role_arn.as_deref()));

    if let Some(path) = &args.json {
        crate::json_report::write(path, &results)?;
    }
    if !crate::json_report::to_stdout(args.json.as_deref()) {
        for check in &results {
            let mark = match check.verdict {
                Verdict::Pass => "ok  ",
                Verdict::Warn => "WARN",
                Verdict::Fail => "FAIL",
            };
            let detail = if check.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", check.detail)
            };
            println!("{mark} {}{detail}", check.name);
        }
    }
    Ok(results)
}

/// The new-pool attributes no user may write: the mapping's legacy id and, in a split per
/// tenant, the tenant attribute under its new-pool name.
fn protected_attributes(mapping: &Mapping, tenant_attribute: Option<&str>) -> Vec<String> {
    let tenant = tenant_attribute.map(|old| {
        mapping
            .rename
            .get(old)
            .map_or(old, String::as_str)
            .to_string()
    });
    mapping
        .legacy_sub_attribute
        .iter()
        .cloned()
        .chain(tenant)
        .collect()
}

async fn describe_client(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    client_id: &str,
) -> anyhow::Result<UserPoolClientType> {
    pacer
        .call(|| {
            client
                .describe_user_pool_client()
                .user_pool_id(pool_id)
                .client_id(client_id)
                .send()
        })
        .await
        .map_err(|e| explain("DescribeUserPoolClient", pool_id, e))?
        .user_pool_client
        .ok_or_else(|| {
            anyhow::anyhow!(
                "app client {client_id} of {pool_id} not found: check --source-client-id"
            )
        })
}
