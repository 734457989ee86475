//! `cognito-migrate old-pool close|reopen`: the old pool closed for self sign-up during the
//! migration window, and opened again afterwards.
//!
//! Why: while the old pool is open, anyone can create an old account whose user name is a
//! victim's e-mail (or a case variant of an old name), and the trigger would then prove *that*
//! account's password. Closing sets `AdminCreateUserConfig.AllowAdminCreateUserOnly` ("Set to True
//! if only the administrator is allowed to create user profiles",
//! <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html>).
//!
//! `UpdateUserPool` resets whatever it is not sent ("If you don't provide a value for an
//! attribute, Amazon Cognito sets it to its default value. … This can reset configurations
//! including your attribute schema, your Lambda triggers, and your email and SMS message
//! configuration", <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html>),
//! so every setting `DescribeUserPool` returns that `UpdateUserPool` takes is sent back as it is,
//! with only the sign-up switch changed — read just before, and compared just after. The
//! deprecated `UnusedAccountValidityDays` is not sent (AWS replaced it by the password policy's
//! `TemporaryPasswordValidityDays`, which is).
//!
//! `close` remembers in `DIR/old-pool-state.json` whether the pool was open before, so `reopen`
//! puts back exactly that (a pool that was admin-only stays so).

use std::path::{Path, PathBuf};

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AdminCreateUserConfigType, UserPoolType};
use serde::{Deserialize, Serialize};

use crate::aws::AwsArgs;
use crate::errors::explain;
use crate::pace::PaceArgs;
use crate::pacer::Pacer;
use crate::pool_args::{OldPoolArg, OpenPool};
use crate::pools;

/// The state file inside `--dir`.
pub const STATE_FILE: &str = "old-pool-state.json";

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Action {
    /// Only administrators create users: nobody signs up to the old pool.
    Close,
    /// Put back the sign-up setting `close` found.
    Reopen,
}

/// Arguments of `cognito-migrate old-pool`.
#[derive(Debug, clap::Args)]
pub struct OldPoolArgs {
    /// close or reopen.
    #[arg(value_enum)]
    pub action: Action,
    /// The old pool.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// Where `close` keeps what it found (old-pool-state.json), for `reopen`.
    #[arg(long)]
    pub dir: PathBuf,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<5, 50>,
}

/// What `close` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Remembered {
    pool_id: String,
    was_admin_only: bool,
}

/// Runs `old-pool close|reopen`.
pub async fn run(args: OldPoolArgs, aws: &AwsArgs) -> anyhow::Result<()> {
    crate::private_files::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let state = args.dir.join(STATE_FILE);
    let pacer = args.pace.pacer();
    let OpenPool { client, pool, .. } = args.old.open(aws, &pacer).await?;
    let admin_only = pools::admin_create_only(&pool);
    let pool_id = args.old.source_pool_id.as_str();
    let wanted = match args.action {
        Action::Close => {
            if !state.exists() {
                let remembered = Remembered {
                    pool_id: pool_id.to_string(),
                    was_admin_only: admin_only,
                };
                crate::atomic_json::write(&state, &remembered)
                    .with_context(|| format!("cannot write {}", state.display()))?;
            }
            true
        }
        Action::Reopen => remembered(&state, pool_id)?.was_admin_only,
    };
    if admin_only == wanted {
        println!(
            "{pool_id}: sign-up already {}; nothing changed",
            describe_setting(wanted)
        );
    } else {
        update(&client, &pacer, pool_id, &pool, wanted).await?;
        let after = pools::describe(&client, &pacer, pool_id).await?;
        check_unchanged(&pool, &after, wanted)?;
        println!(
            "{pool_id}: sign-up now {} (every other setting sent back unchanged and read again)",
            describe_setting(wanted)
        );
    }
    if args.action == Action::Reopen {
        std::fs::remove_file(&state)
            .with_context(|| format!("cannot remove {}", state.display()))?;
    }
    Ok(())
}

fn describe_setting(admin_only: bool) -> &'static str {
    if admin_only {
        "closed (AllowAdminCreateUserOnly true)"
    } else {
        "open (AllowAdminCreateUserOnly false)"
    }
}

fn remembered(state: &Path, pool_id: &str) -> anyhow::Result<Remembered> {
    let text = std::fs::read_to_string(state).with_context(|| {
        format!(
            "cannot read {}: run cognito-migrate old-pool close --dir with the same folder first \
             (it remembers the setting to put back)",
            state.display()
        )
    })?;
    let remembered: Remembered = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an old-pool state file", state.display()))?;
    anyhow::ensure!(
        remembered.pool_id == pool_id,
        "{} belongs to the pool {}, not {pool_id}: pass the folder of that pool's close",
        state.display(),
        remembered.pool_id
    );
    Ok(remembered)
}

/// `UpdateUserPool` with every setting of `pool` it takes, and the sign-up switch set.
async fn update(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    pool: &UserPoolType,
    admin_only: bool,
) -> anyhow::Result<()> {
    let admin_create = AdminCreateUserConfigType::builder()
        .allow_admin_create_user_only(admin_only)
        .set_invite_message_template(
            pool.admin_create_user_config()
                .and_then(|c| c.invite_message_template())
                .cloned(),
        )
        .build();
    pacer
        .call(|| {
            client
                .update_user_pool()
                .user_pool_id(pool_id)
                .set_policies(pool.policies().cloned())
                .set_deletion_protection(pool.deletion_protection().cloned())
                .set_lambda_config(pool.lambda_config().cloned())
                .set_auto_verified_attributes(
                    Some(pool.auto_verified_attributes().to_vec()).filter(|v| !v.is_empty()),
                )
                .set_sms_verification_message(pool.sms_verification_message().map(str::to_string))
                .set_email_verification_message(
                    pool.email_verification_message().map(str::to_string),
                )
                .set_email_verification_subject(
                    pool.email_verification_subject().map(str::to_string),
                )
                .set_verification_message_template(pool.verification_message_template().cloned())
                .set_sms_authentication_message(
                    pool.sms_authentication_message().map(str::to_string),
                )
                .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
                .set_mfa_configuration(pool.mfa_configuration().cloned())
                .set_device_configuration(pool.device_configuration().cloned())
                .set_email_configuration(pool.email_configuration().cloned())
                .set_sms_configuration(pool.sms_configuration().cloned())
                .set_user_pool_tags(pool.user_pool_tags().cloned())
                .admin_create_user_config(admin_create.clone())
                .set_user_pool_add_ons(pool.user_pool_add_ons().cloned())
                .set_account_recovery_setting(pool.account_recovery_setting().cloned())
                .set_pool_name(pool.name().map(str::to_string))
                .set_user_pool_tier(pool.user_pool_tier().cloned())
                .send()
        })
        .await
        .map_err(|err| explain("UpdateUserPool", pool_id, err))?;
    Ok(())
}

/// Fails naming every setting that changed besides the sign-up switch.
fn check_unchanged(
    before: &UserPoolType,
    after: &UserPoolType,
    admin_only: bool,
) -> anyhow::Result<()> {
    let mut changed = Vec::new();
    let mut compare = |name: &str, same: bool| {
        if !same {
            changed.push(name.to_string());
        }
    };
    compare(
        "LambdaConfig",
        before.lambda_config() == after.lambda_config(),
    );
    compare("Policies", before.policies() == after.policies());
    compare(
        "AutoVerifiedAttributes",
        before.auto_verified_attributes() == after.auto_verified_attributes(),
    );
    compare(
        "MfaConfiguration",
        before.mfa_configuration() == after.mfa_configuration(),
    );
    compare(
        "UserAttributeUpdateSettings",
        before.user_attribute_update_settings() == after.user_attribute_update_settings(),
    );
    compare(
        "AccountRecoverySetting",
        before.account_recovery_setting() == after.account_recovery_setting(),
    );
    compare(
        "EmailConfiguration",
        before.email_configuration() == after.email_configuration(),
    );
    compare(
        "SmsConfiguration",
        before.sms_configuration() == after.sms_configuration(),
    );
    compare(
        "DeletionProtection",
        before.deletion_protection() == after.deletion_protection(),
    );
    compare(
        "UserPoolAddOns",
        before.user_pool_add_ons() == after.user_pool_add_ons(),
    );
    compare(
        "AllowAdminCreateUserOnly",
        pools::admin_create_only(after) == admin_only,
    );
    anyhow::ensure!(
        changed.is_empty(),
        "{}: after UpdateUserPool these settings differ from before: {}. Compare with \
         `aws cognito-idp describe-user-pool` and restore them",
        before.id().unwrap_or_default(),
        changed.join(", ")
    );
    Ok(())
}
