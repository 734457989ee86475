//! Reading what the run needs to know about the two pools before it moves any user.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::TargetRules;
use shared::import_csv::ImportHeader;

use crate::errors::explain;
use crate::pacer::Pacer;

/// True when only administrators create users (`AdminCreateUserConfig.AllowAdminCreateUserOnly`;
/// unset reads as false: anyone may sign up).
pub fn admin_create_only(pool: &UserPoolType) -> bool {
    pool.admin_create_user_config()
        .is_some_and(|c| c.allow_admin_create_user_only())
}

/// `DescribeUserPool`, with an actionable error.
pub async fn describe(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<UserPoolType> {
    let output = pacer
        .call(|| client.describe_user_pool().user_pool_id(pool_id).send())
        .await
        .map_err(|e| explain("DescribeUserPool", pool_id, e))?;
    output
        .user_pool
        .ok_or_else(|| anyhow::anyhow!("DescribeUserPool on {pool_id} returned no pool"))
}

/// `GetUserPoolMfaConfig`, with an actionable error.
pub async fn mfa_config(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<GetUserPoolMfaConfigOutput> {
    pacer
        .call(|| {
            client
                .get_user_pool_mfa_config()
                .user_pool_id(pool_id)
                .send()
        })
        .await
        .map_err(|e| explain("GetUserPoolMfaConfig", pool_id, e))
}

/// The new pool as an import target: its CSV header and its per-user rules.
#[derive(Debug, Clone)]
pub struct ImportTarget {
    /// Columns exactly as `GetCSVHeader` returned them.
    pub header: ImportHeader,
    /// What every imported user must satisfy.
    pub rules: TargetRules,
}

/// Reads the new pool's header and MFA configuration; with its schema and auto-verified
/// attributes from `pool` (as `DescribeUserPool` returned it), they make its import target.
///
/// Fails when the pool has no auto-verified attribute: AWS does not start an import job for such a
/// pool, so an export for it would be useless.
pub async fn import_target(
    client: &Client,
    pacer: &Pacer,
    pool: &UserPoolType,
) -> anyhow::Result<ImportTarget> {
    let pool_id = pool.id().unwrap_or_default();
    let columns = pacer
        .call(|| client.get_csv_header().user_pool_id(pool_id).send())
        .await
        .map_err(|e| explain("GetCSVHeader", pool_id, e))?
        .csv_header
        .unwrap_or_default();
    let header = ImportHeader::new(columns)?;
    let mfa = mfa_config(client, pacer, pool_id).await?;
    let rules = shared::from_sdk::target_rules(pool, &mfa, &header);
    if rules.auto_verified.is_empty() {
        anyhow::bail!(
            "the new pool {pool_id} has no auto-verified attributes, so AWS will not start an import \
             job for it: set AutoVerifiedAttributes to email and/or phone_number (UpdateUserPool), then run again"
        );
    }
    Ok(ImportTarget { header, rules })
}

/// The run's mapping resolved against one new pool (`columns`: its attribute names), the one
/// place this is decided: export, plan, status and verify all call it.
///
/// Every name the mapping gives must exist where it is used (`shared::mapping_names`): a typo
/// stops the run, naming the name and the closest one the pool has.
///
/// Keeps the legacy-`sub` attribute only when the new pool has it, as the default promises, and
/// says so on stderr when it is dropped.
///
/// Refuses pools that look swapped: when the *old* pool (`old`) has the legacy-`sub` attribute and
/// the new pool has not, the "old" pool is most likely one the migration already wrote to, and
/// every count of the run would be wrong (a verify with nobody present would say nothing is
/// missing). A mapping with `legacy_sub_attribute` null opts out of the legacy id, and of this.
pub fn resolve_mapping(
    mapping: shared::Mapping,
    columns: &std::collections::BTreeSet<String>,
    pool_id: &str,
    old: &UserPoolType,
) -> anyhow::Result<shared::Mapping> {
    let old_schema = shared::from_sdk::schema_attribute_names(old)
        .into_iter()
        .collect();
    let unknown = shared::mapping_names::unknown_names(&mapping, &old_schema, columns);
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "the mapping (--mapping) does not fit the pools (old {}, new {pool_id}): {}. Correct \
             the mapping file; a name that does not exist changes nothing and would copy what was \
             meant to stay behind",
            old.id().unwrap_or_default(),
            list.join("; ")
        );
    }
    match &mapping.legacy_sub_attribute {
        Some(name) if !columns.contains(name) => {
            let old_has_it = shared::from_sdk::schema_attribute_names(old)
                .iter()
                .any(|a| a == name);
            anyhow::ensure!(
                !old_has_it,
                "the old pool {old_id} (--source-pool-id) has {name} and the new pool {pool_id} \
                 (--target-pool-id) has not: did you swap the two pool ids? The old pool looks like \
                 one a migration already wrote to. If they are right, add {name} to {pool_id} \
                 (AddCustomAttributes) or set legacy_sub_attribute to null in the mapping file",
                old_id = old.id().unwrap_or_default(),
            );
            eprintln!(
                "note: the new pool {pool_id} has no {name} attribute, so old subs are not carried \
                 (add it as a custom attribute to keep them)"
            );
            Ok(mapping.without_legacy_sub())
        }
        _ => Ok(mapping),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_legacy_sub_is_kept_only_where_the_new_pool_has_it_and_typos_stop() {
        let has = BTreeSet::from(["email".to_string(), "custom:legacy_sub".to_string()]);
        let lacks = BTreeSet::from(["email".to_string()]);
        let old = UserPoolType::builder().id("old-1").build();
        let resolve = |mapping, columns| resolve_mapping(mapping, columns, "pool-1", &old);
        let kept = resolve(shared::Mapping::default(), &has).unwrap();
        assert_eq!(
            kept.legacy_sub_attribute.as_deref(),
            Some("custom:legacy_sub")
        );
        let dropped = resolve(shared::Mapping::default(), &lacks).unwrap();
        assert_eq!(dropped.legacy_sub_attribute, None);
        let none = shared::Mapping::default().without_legacy_sub();
        assert_eq!(resolve(none.clone(), &has).unwrap(), none);
        let typo: shared::Mapping =
            serde_json::from_str(r#"{"defaults":{"custom:legacy_su":"x"}}"#).unwrap();
        let err = resolve(typo, &has).unwrap_err().to_string();
        assert!(err.contains("did you mean \"custom:legacy_sub\""), "{err}");
    }

    #[test]
    fn an_old_pool_with_the_legacy_sub_and_a_new_one_without_look_swapped() {
        let legacy = aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
            .name("custom:legacy_sub")
            .build();
        let old = UserPoolType::builder()
            .id("old-1")
            .schema_attributes(legacy)
            .build();
        let lacks = BTreeSet::from(["email".to_string()]);
        let err = resolve_mapping(shared::Mapping::default(), &lacks, "new-1", &old)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("swap") && err.contains("old-1") && err.contains("new-1"),
            "{err}"
        );
        let opted_out = shared::Mapping::default().without_legacy_sub();
        assert!(resolve_mapping(opted_out, &lacks, "new-1", &old).is_ok());
    }
}
