//! `cognito-migrate verify`: after (or during) the migration, compares the old pool with the new
//! one: users missing, users whose mapped attributes differ, memberships missing.
//!
//! Users the mapping refuses (federated users, invalid values) are reported as expected to be
//! missing and do not fail the run. The differences CSV names attributes, never their values.

mod differences;
mod new_pool;

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use shared::Mapping;
use shared::from_sdk::user_from_list;

use crate::aws::{AwsArgs, Side};
use crate::errors::explain;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::{fingerprint, pools, scan};
use differences::Differences;
use new_pool::{NewPoolIndex, comparable};

/// Arguments of `cognito-migrate verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The old pool.
    #[arg(long)]
    pub source_pool_id: String,
    /// The new pool.
    #[arg(long)]
    pub target_pool_id: String,
    /// Mapping file, as for export.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Requests per second (ListUsers allows 30 per account).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub rps: u32,
    /// Concurrent scans of the old pool (1-16).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
    /// Write every difference to this CSV (`username,kind,detail`).
    #[arg(long)]
    pub differences: Option<PathBuf>,
    /// Also write the counts as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The counts of a verification.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyCounts {
    /// Users in the old pool.
    pub old_users: u64,
    /// Users in the new pool.
    pub new_users: u64,
    /// Old users found in the new pool.
    pub present: u64,
    /// Old users the new pool lacks although the mapping accepts them.
    pub missing: u64,
    /// Old users the mapping refuses (federated, invalid values), per reason code.
    pub expected_missing: BTreeMap<String, u64>,
    /// Users present whose mapped attributes differ.
    pub attributes_differ: u64,
    /// Old memberships whose user is in the new pool but not in the group there.
    pub memberships_missing: u64,
}

impl VerifyCounts {
    /// True when nothing is missing that should be there.
    pub fn clean(&self) -> bool {
        self.missing == 0 && self.attributes_differ == 0 && self.memberships_missing == 0
    }
}

/// Compares the pools; returns the counts (the caller turns `clean()` into the exit status).
pub async fn run(args: VerifyArgs, aws: &AwsArgs) -> anyhow::Result<VerifyCounts> {
    let pacer = Arc::new(Pacer::new(
        NonZeroU32::new(args.rps).expect("validated by clap"),
        8,
    ));
    let source = aws.client(Side::Source).await;
    let target = aws.client(Side::Target).await;
    let mut mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let target_pool = pools::describe(&target, &pacer, &args.target_pool_id).await?;
    let target_attributes: BTreeSet<&str> = target_pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .collect();
    if mapping
        .legacy_sub_attribute
        .as_deref()
        .is_some_and(|a| !target_attributes.contains(a))
    {
        mapping = mapping.without_legacy_sub();
    }
    let legacy = mapping.legacy_sub_attribute.clone();

    eprintln!("reading the new pool…");
    let mut index = NewPoolIndex::default();
    scan::each_user(&target, &pacer, &args.target_pool_id, 1, |user| {
        let attributes = comparable(user.attributes().iter().map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        }));
        index.add_user(
            user.username().unwrap_or_default(),
            &attributes,
            legacy.as_deref(),
        );
    })
    .await?;
    each_group_and_member(
        &target,
        &pacer,
        &args.target_pool_id,
        |_| Ok(()),
        |group, username| {
            index.add_membership(group, username);
            Ok(())
        },
    )
    .await?;

    let mut differences = Differences::create(args.differences.as_deref())?;
    let mut counts = VerifyCounts {
        new_users: index.users() as u64,
        ..VerifyCounts::default()
    };
    let mut differing: Vec<(String, String, BTreeMap<String, String>)> = Vec::new();
    let mut found: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut progress = Progress::new("users", 0, Duration::from_secs(10));
    let mut failure: Option<anyhow::Error> = None;
    scan::each_user(
        &source,
        &pacer,
        &args.source_pool_id,
        args.segments,
        |user| {
            let user = user_from_list(user);
            counts.old_users += 1;
            progress.update(counts.old_users, "compared");
            let mapped = mapping.apply(&user);
            let result = match (index.find(&user.username, user.sub()), mapped) {
                (None, Err(reason)) => {
                    *counts
                        .expected_missing
                        .entry(reason.code().to_string())
                        .or_default() += 1;
                    differences.note(&user.username, "expected-missing", &reason.to_string())
                }
                (None, Ok(_)) => {
                    counts.missing += 1;
                    differences.note(&user.username, "missing", "not in the new pool")
                }
                (Some(new_username), mapped) => {
                    counts.present += 1;
                    if let Ok(mapped) = mapped
                        && index.attributes_of(&new_username)
                            != Some(fingerprint::attributes(&mapped.attributes))
                    {
                        differing.push((
                            user.username.clone(),
                            new_username.clone(),
                            mapped.attributes,
                        ));
                    }
                    found.insert(user.username.clone(), new_username);
                    Ok(())
                }
            };
            if let Err(err) = result {
                failure.get_or_insert(err);
            }
        },
    )
    .await?;
    progress.finish();
    if let Some(err) = failure {
        return Err(err);
    }

    // A fingerprint mismatch may only be attributes the new pool has in addition (set by the
    // application after migration); read those users to name what really differs.
    for (old_username, new_username, expected) in differing {
        let user = pacer
            .call(|| {
                target
                    .admin_get_user()
                    .user_pool_id(&args.target_pool_id)
                    .username(&new_username)
                    .send()
            })
            .await
            .map_err(|e| explain("AdminGetUser", &args.target_pool_id, e))?;
        let actual = comparable(user.user_attributes().iter().map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        }));
        let differ: Vec<&str> = expected
            .iter()
            .filter(|(name, value)| actual.get(*name) != Some(value))
            .map(|(name, _)| name.as_str())
            .collect();
        if !differ.is_empty() {
            counts.attributes_differ += 1;
            differences.note(&old_username, "attributes-differ", &differ.join(" "))?;
        }
    }

    each_group_and_member(
        &source,
        &pacer,
        &args.source_pool_id,
        |_| Ok(()),
        |group, username| {
            if let Some(new_username) = found.get(username)
                && !index.has_membership(group, new_username)
            {
                counts.memberships_missing += 1;
                differences.note(username, "membership-missing", group)?;
            }
            Ok(())
        },
    )
    .await?;
    differences.finish()?;
    println!("{}", text(&counts));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&counts)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(counts)
}

fn text(counts: &VerifyCounts) -> String {
    let mut text = format!(
        "old pool {} users, new pool {} users\n  present {}\n  missing {}\n  attributes differ {}\n  memberships missing {}\n",
        counts.old_users,
        counts.new_users,
        counts.present,
        counts.missing,
        counts.attributes_differ,
        counts.memberships_missing
    );
    for (code, n) in &counts.expected_missing {
        text.push_str(&format!("  expected missing ({code}) {n}\n"));
    }
    text.push_str(if counts.clean() {
        "verify: nothing is missing"
    } else {
        "verify: differences found"
    });
    text
}
