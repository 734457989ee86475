//! Reading what the run needs to know about the two pools before it moves any user.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::TargetRules;
use shared::import_csv::ImportHeader;

use crate::errors::explain;
use crate::mapping_file::MappingFile;
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

/// Reads a new pool: `DescribeUserPool`, `GetCSVHeader` and `GetUserPoolMfaConfig` at once (none
/// needs another's answer), then its import target as [`import_target`] makes it. The outer error
/// is the description's; the inner one the import target's, reported in the order the calls
/// were once made one after another (header, then MFA, then the pool's rules).
pub async fn read_new_pool(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<(UserPoolType, anyhow::Result<ImportTarget>)> {
    let (pool, header, mfa) = tokio::join!(
        describe(client, pacer, pool_id),
        csv_header(client, pacer, pool_id),
        mfa_config(client, pacer, pool_id),
    );
    let pool = pool?;
    let import = header.and_then(|header| import_target(&pool, header, mfa?));
    Ok((pool, import))
}

/// `GetCSVHeader`, checked, with an actionable error.
async fn csv_header(client: &Client, pacer: &Pacer, pool_id: &str) -> anyhow::Result<ImportHeader> {
    let columns = pacer
        .call(|| client.get_csv_header().user_pool_id(pool_id).send())
        .await
        .map_err(|e| explain("GetCSVHeader", pool_id, e))?
        .csv_header
        .unwrap_or_default();
    Ok(ImportHeader::new(columns)?)
}

/// The new pool's import target from its header and MFA configuration, with its schema and
/// auto-verified attributes from `pool` (as `DescribeUserPool` returned it).
///
/// Fails when the pool has no auto-verified attribute: AWS does not start an import job for such a
/// pool, so an export for it would be useless.
fn import_target(
    pool: &UserPoolType,
    header: ImportHeader,
    mfa: GetUserPoolMfaConfigOutput,
) -> anyhow::Result<ImportTarget> {
    let pool_id = pool.id().unwrap_or_default();
    let rules = shared::from_sdk::target_rules(pool, &mfa, &header);
    if rules.auto_verified.is_empty() {
        anyhow::bail!(
            "the new pool {pool_id} has no auto-verified attributes, so AWS will not start an import \
             job for it: set AutoVerifiedAttributes to email and/or phone_number (UpdateUserPool), then run again"
        );
    }
    Ok(ImportTarget { header, rules })
}

/// The sign-in choices other than a password a pool offers first
/// (`Policies.SignInPolicy.AllowedFirstAuthFactors`: `EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`).
pub fn passwordless_first_factors(
    pool: &UserPoolType,
) -> Vec<aws_sdk_cognitoidentityprovider::types::AuthFactorType> {
    use aws_sdk_cognitoidentityprovider::types::AuthFactorType;
    pool.policies()
        .and_then(|p| p.sign_in_policy())
        .map(|p| p.allowed_first_auth_factors())
        .unwrap_or_default()
        .iter()
        .filter(|f| **f != AuthFactorType::Password)
        .cloned()
        .collect()
}

/// The names of a pool's identity providers (`ListIdentityProviders`, every page).
pub async fn identity_provider_names(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<std::collections::BTreeSet<String>> {
    let mut names = std::collections::BTreeSet::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_identity_providers()
                    .user_pool_id(pool_id)
                    .max_results(60)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|err| explain("ListIdentityProviders", pool_id, err))?;
        names.extend(
            page.providers()
                .iter()
                .filter_map(|p| p.provider_name().map(str::to_string)),
        );
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(names);
        }
    }
}

/// Every identity provider of a pool, described (`ListIdentityProviders` does not give the
/// attribute mapping or the details).
pub async fn identity_providers(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<Vec<aws_sdk_cognitoidentityprovider::types::IdentityProviderType>> {
    let mut providers = Vec::new();
    for name in identity_provider_names(client, pacer, pool_id).await? {
        let described = pacer
            .call(|| {
                client
                    .describe_identity_provider()
                    .user_pool_id(pool_id)
                    .provider_name(&name)
                    .send()
            })
            .await
            .map_err(|e| explain("DescribeIdentityProvider", pool_id, e))?;
        providers.extend(described.identity_provider);
    }
    Ok(providers)
}

/// Every app client of a pool, described (`ListUserPoolClients` gives only ids and names).
pub async fn app_clients(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<Vec<aws_sdk_cognitoidentityprovider::types::UserPoolClientType>> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_user_pool_clients()
                    .user_pool_id(pool_id)
                    .max_results(60)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| explain("ListUserPoolClients", pool_id, e))?;
        ids.extend(
            page.user_pool_clients()
                .iter()
                .filter_map(|c| c.client_id().map(str::to_string)),
        );
        token = page.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    let mut clients = Vec::new();
    for id in ids {
        let described = pacer
            .call(|| {
                client
                    .describe_user_pool_client()
                    .user_pool_id(pool_id)
                    .client_id(&id)
                    .send()
            })
            .await
            .map_err(|e| explain("DescribeUserPoolClient", pool_id, e))?;
        let described = described.user_pool_client.ok_or_else(|| {
            anyhow::anyhow!(
                "app client {id} of {pool_id} was listed but not found when described (deleted \
                 meanwhile?): run again"
            )
        })?;
        clients.push(described);
    }
    Ok(clients)
}

/// The run's mapping resolved against one new pool (`columns`: its attribute names), the one
/// place this is decided: export, plan, status and verify all call it.
///
/// Every name the mapping gives must exist where it is used (`shared::mapping_names`): a typo
/// stops the run, naming the name, the closest one the pool has, and the mapping file. The
/// legacy-`sub` attribute is such a name: a new pool without it stops the run (groups, `status`,
/// `verify` and the sweep prove who is who by it), unless the mapping sets
/// `legacy_sub_attribute` to null.
///
/// Refuses pools that look swapped first: when the *old* pool (`old`) has the legacy-`sub`
/// attribute and the new pool has not, the "old" pool is most likely one the migration already
/// wrote to, and every count of the run would be wrong (a verify with nobody present would say
/// nothing is missing).
pub fn resolve_mapping(
    file: &MappingFile,
    columns: &std::collections::BTreeSet<String>,
    pool_id: &str,
    old: &UserPoolType,
) -> anyhow::Result<shared::Mapping> {
    let mapping = &file.mapping;
    let old_id = old.id().unwrap_or_default();
    let old_schema = shared::from_sdk::schema_attribute_names(old)
        .into_iter()
        .collect::<std::collections::BTreeSet<String>>();
    if let Some(name) = &mapping.legacy_sub_attribute {
        anyhow::ensure!(
            columns.contains(name) || !old_schema.contains(name),
            "the old pool {old_id} (--source-pool-id) has {name} and the new pool {pool_id} \
             (--target-pool-id) has not: did you swap the two pool ids? The old pool looks like \
             one a migration already wrote to. If they are right, add {name} to {pool_id} \
             (AddCustomAttributes) or set legacy_sub_attribute to null in the mapping file",
        );
    }
    let unknown = shared::mapping_names::unknown_names(mapping, &old_schema, columns);
    if unknown.is_empty() {
        return Ok(mapping.clone());
    }
    let list: Vec<String> = unknown.iter().map(ToString::to_string).collect();
    let fix = match unknown
        .iter()
        .find(|u| u.part == shared::mapping_names::LEGACY_SUB_PART)
    {
        Some(legacy) if legacy.closest.is_none() => format!(
            "Add {name} to the new pool {pool_id} (AddCustomAttributes, mutable String) \
             before the first user arrives: the old sub kept there is how \
             groups, status, verify and the sweep tell the old user from a stranger. To migrate \
             without it, set \"legacy_sub_attribute\": null in a mapping file",
            name = legacy.name
        ),
        _ => "Correct the mapping file; a name that does not exist changes nothing and would copy \
              what was meant to stay behind"
            .to_string(),
    };
    anyhow::bail!(
        "{} does not fit the pools (old {old_id}, new {pool_id}): {}. {fix}",
        file.origin,
        list.join("; ")
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn file(json: &str) -> MappingFile {
        MappingFile {
            mapping: serde_json::from_str(json).unwrap(),
            origin: "the mapping file m.json (--mapping)".to_string(),
        }
    }

    #[test]
    fn the_legacy_sub_must_have_a_home_unless_set_to_null_and_typos_stop() {
        let has = BTreeSet::from(["email".to_string(), "custom:legacy_sub".to_string()]);
        let lacks = BTreeSet::from(["email".to_string()]);
        let old = UserPoolType::builder().id("old-1").build();
        let resolve = |file: &MappingFile, columns| resolve_mapping(file, columns, "pool-1", &old);
        let kept = resolve(&MappingFile::default_mapping(), &has).unwrap();
        assert_eq!(
            kept.legacy_sub_attribute.as_deref(),
            Some("custom:legacy_sub")
        );
        let err = resolve(&MappingFile::default_mapping(), &lacks)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the default mapping (no --mapping given) does not fit the pools (old old-1, new pool-1): \
             legacy_sub_attribute names \"custom:legacy_sub\", which the new pool does not have. \
             Add custom:legacy_sub to the new pool pool-1 (AddCustomAttributes, mutable String) \
             before the first user arrives: the old sub kept there is how groups, status, verify \
             and the sweep tell the old user from a stranger. To migrate without it, set \
             \"legacy_sub_attribute\": null in a mapping file"
        );
        let none = file(r#"{"legacy_sub_attribute":null}"#);
        assert_eq!(resolve(&none, &lacks).unwrap(), none.mapping);
        let misspelled = resolve(
            &file(r#"{"legacy_sub_attribute":"custom:legacy_su"}"#),
            &has,
        )
        .unwrap_err()
        .to_string();
        assert!(
            misspelled.starts_with("the mapping file m.json (--mapping) does not fit")
                && misspelled.contains("did you mean \"custom:legacy_sub\"")
                && misspelled.contains("Correct the mapping file"),
            "{misspelled}"
        );
        let typo = file(r#"{"defaults":{"custom:legacy_su":"x"}}"#);
        let err = resolve(&typo, &has).unwrap_err().to_string();
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
        let err = resolve_mapping(&MappingFile::default_mapping(), &lacks, "new-1", &old)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("swap") && err.contains("old-1") && err.contains("new-1"),
            "{err}"
        );
        let opted_out = file(r#"{"legacy_sub_attribute":null}"#);
        assert!(resolve_mapping(&opted_out, &lacks, "new-1", &old).is_ok());
    }
}
