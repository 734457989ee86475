//! `cognito-migrate new-pool`: reads the old pool's configuration and writes the new pool as a
//! CloudFormation template (JSON, which is YAML), right by construction for `preflight`, plus
//! the template after the window; what cannot be carried is reported on standard error.
//!
//! Not for: creating the pool (CloudFormation does), or the migration stack (deploy/template.yaml).

#[cfg(test)]
mod fields;
#[cfg(test)]
mod fixtures;
pub(crate) mod reader;
mod sign_in;
mod template;

use std::path::{Path, PathBuf};

pub use sign_in::SignInShape;

use crate::aws::{AwsArgs, Side};
use crate::counted::counted;
use crate::pace::PaceArgs;
use crate::pool_args::{MappingArg, OldPoolArg};

/// Arguments of `cognito-migrate new-pool`.
#[derive(Debug, clap::Args)]
pub struct NewPoolArgs {
    /// The old pool, read only.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// How people sign in to the new pool: email, phone, email-or-phone (the value is the user
    /// name), or username with aliases: username, username+email, username+phone,
    /// username+email+phone, username+preferred_username, ...
    #[arg(long)]
    pub sign_in: SignInShape,
    /// Whether the new pool's user names are case sensitive (AWS recommends false).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub case_sensitive: bool,
    /// The template for the migration window.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Also write the template after the window: no triggers, no added USER_PASSWORD_AUTH.
    #[arg(long, value_name = "PATH")]
    pub after_window_out: Option<PathBuf>,
    /// The mapping the trigger and export use (its legacy id and renamed attributes).
    #[command(flatten)]
    pub mapping: MappingArg,
    /// The tenant attribute of a split per tenant (new-pool name): no client may write it.
    #[arg(long, value_name = "ATTRIBUTE")]
    pub tenant_attribute: Option<String>,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<5, 30>,
}

/// Reads the old pool, writes the template(s), prints the report on standard error.
pub async fn run(args: NewPoolArgs, aws: &AwsArgs) -> anyhow::Result<()> {
    crate::writable::file("--out", &args.out)?;
    if let Some(path) = &args.after_window_out {
        crate::writable::file("--after-window-out", path)?;
    }
    let mapping = args.mapping.load()?.mapping;
    let pacer = args.pace.pacer();
    let client = aws
        .client(Side::Source, Some(&args.old.source_pool_id))
        .await;
    let old = reader::read(&client, &pacer, &args.old.source_pool_id).await?;
    let choices = template::Choices {
        shape: args.sign_in,
        case_sensitive: args.case_sensitive,
        legacy_sub: mapping.legacy_sub_attribute,
        tenant_attribute: args.tenant_attribute,
        rename: mapping.rename,
    };
    let templates = template::build(&old, &choices);
    write(&args.out, &templates.during)?;
    if let Some(path) = &args.after_window_out {
        write(path, &templates.after)?;
    }
    for line in &templates.report {
        eprintln!("new-pool: {line}");
    }
    eprintln!(
        "new-pool: wrote {} ({}, {}, {}); deploy it with the migration stack's FunctionArn and \
         TokenFunctionArn outputs as parameters",
        args.out.display(),
        counted(old.clients.len(), "client"),
        counted(old.groups.len(), "group"),
        counted(old.providers.len(), "identity provider")
    );
    Ok(())
}

fn write(path: &Path, template: &serde_json::Value) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(template)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}
