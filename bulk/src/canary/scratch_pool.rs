//! The canary's scratch pool: a new, empty pool with the import-relevant settings of the new pool,
//! named and tagged so nobody mistakes it, and deleted afterwards; leftovers of a run that could
//! not delete its own are found by name and tag and deleted by the next run.
//!
//! Copied from the new pool's settings as `new-pool` reads a pool
//! ([`crate::new_pool_template::reader`]: `DescribeUserPool`, `GetUserPoolMfaConfig`, and the
//! schema's custom and required attributes; read only, nothing is ever written to it):
//! `UsernameAttributes`, `AliasAttributes`, `UsernameConfiguration`,
//! `AutoVerifiedAttributes`, the password policy, the SMS configuration (the same SNS role: a pool
//! that verifies phone numbers or sends SMS MFA needs one; an import sends no message), the
//! required standard attributes, the custom attributes in schema order with their types and
//! constraints (so `GetCSVHeader` gives the export's header), and the MFA configuration (SMS and TOTP; e-mail MFA needs the pool's own SES
//! settings and is not copied: it does not change what an import accepts). Deletion protection is
//! off on the copy whatever the new pool says.
//!
//! Custom attributes are added with `AddCustomAttributes` after the pool is created, as the API
//! reference allows (at most 25 per call), instead of in `CreateUserPool`'s `Schema`. The finished
//! copy is described again and compared with the new pool ([`unfaithful`]): a copy that differs
//! in an import-relevant setting is deleted and the run stops, since its evidence would not hold.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    DeletionProtectionType, SchemaAttributeType, UserPoolMfaType, UserPoolPolicyType, UserPoolType,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use shared::attributes::CUSTOM_PREFIX;

use crate::errors::explain;
use crate::new_pool_template::reader::{self, PoolSettings};
use crate::pacer::Pacer;

/// Every scratch pool's name starts so.
pub const NAME_PREFIX: &str = "cognito-migrate-canary-";
/// The tag every scratch pool carries (value [`TAG_VALUE`]); a pool is only ever deleted as a
/// leftover when it has both the name prefix and this tag.
pub const TAG_KEY: &str = "cognito-migrate:canary";
/// The tag's value.
pub const TAG_VALUE: &str = "true";
/// `AddCustomAttributes` takes at most this many attributes per call.
const CUSTOM_PER_CALL: usize = 25;
/// `ListUserPools` allows at most 60 per page.
const LIST_PAGE: i32 = 60;

/// A scratch pool that exists until [`ScratchPool::delete`].
#[derive(Debug)]
pub struct ScratchPool {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// The scratch pool's name for a run started at `epoch_seconds`: `cognito-migrate-canary-` and
/// the UTC time, e.g. `cognito-migrate-canary-20261129T112044Z`.
pub fn scratch_name(epoch_seconds: i64) -> String {
    let iso = DateTime::from_secs(epoch_seconds)
        .fmt(Format::DateTime)
        .unwrap_or_default();
    let compact: String = iso.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    format!("{NAME_PREFIX}{compact}")
}

/// The schema entries to copy: required standard attributes for `CreateUserPool`, and custom
/// attributes (names without `custom:` / `dev:custom:`) for `AddCustomAttributes`, in order.
pub fn schema_to_copy(pool: &UserPoolType) -> (Vec<SchemaAttributeType>, Vec<SchemaAttributeType>) {
    let standard = reader::required_standard_attributes(pool)
        .map(|attribute| {
            SchemaAttributeType::builder()
                .set_name(attribute.name().map(str::to_string))
                .set_attribute_data_type(attribute.attribute_data_type().cloned())
                .set_mutable(attribute.mutable())
                .required(true)
                .build()
        })
        .collect();
    let custom = reader::custom_attributes(pool)
        .map(|custom| {
            let attribute = custom.attribute;
            SchemaAttributeType::builder()
                .name(custom.short)
                .set_attribute_data_type(attribute.attribute_data_type().cloned())
                .set_developer_only_attribute(attribute.developer_only_attribute())
                .set_mutable(attribute.mutable())
                .set_number_attribute_constraints(attribute.number_attribute_constraints().cloned())
                .set_string_attribute_constraints(attribute.string_attribute_constraints().cloned())
                .build()
        })
        .collect();
    (standard, custom)
}

/// Creates the scratch pool as a copy of `target` (already read). A pool that is created but
/// cannot be finished is deleted before the error is returned.
pub async fn create(
    client: &Client,
    pacer: &Pacer,
    target_id: &str,
    settings: &PoolSettings,
    name: &str,
) -> anyhow::Result<ScratchPool> {
    let target = &settings.pool;
    let (standard, custom) = schema_to_copy(target);
    let policies = target
        .policies()
        .and_then(UserPoolPolicyType::password_policy)
        .map(|p| {
            UserPoolPolicyType::builder()
                .password_policy(p.clone())
                .build()
        });
    let created = pacer
        .call(|| {
            client
                .create_user_pool()
                .pool_name(name)
                .user_pool_tags(TAG_KEY, TAG_VALUE)
                .deletion_protection(DeletionProtectionType::Inactive)
                .set_username_attributes(nonempty(target.username_attributes()))
                .set_alias_attributes(nonempty(target.alias_attributes()))
                .set_username_configuration(target.username_configuration().cloned())
                .set_auto_verified_attributes(nonempty(target.auto_verified_attributes()))
                .set_policies(policies.clone())
                .set_sms_configuration(target.sms_configuration().cloned())
                .set_schema(nonempty(&standard))
                .send()
        })
        .await
        .map_err(|e| explain("CreateUserPool", name, e))?;
    let id = created
        .user_pool
        .and_then(|p| p.id)
        .ok_or_else(|| anyhow::anyhow!("CreateUserPool {name} returned no pool id"))?;
    let scratch = ScratchPool {
        id,
        name: name.to_string(),
    };
    match finish(client, pacer, (target_id, settings), &scratch, custom).await {
        Ok(()) => Ok(scratch),
        Err(err) => {
            if let Err(cleanup) = scratch.delete(client, pacer).await {
                eprintln!("{cleanup:#}");
            }
            Err(err)
        }
    }
}

/// The import-relevant settings in which `copy` differs from `original`, each as
/// `setting: original vs copy`; empty when the copy is faithful. Order does not matter in lists
/// of settings, but it does for custom attributes (it is the CSV header's order).
pub fn unfaithful(original: &UserPoolType, copy: &UserPoolType) -> Vec<String> {
    fn sorted<T: std::fmt::Debug>(items: &[T]) -> Vec<String> {
        let mut names: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        names.sort();
        names
    }
    fn custom(pool: &UserPoolType) -> Vec<&str> {
        pool.schema_attributes()
            .iter()
            .filter_map(|a| a.name())
            .filter(|n| n.contains(CUSTOM_PREFIX))
            .collect()
    }
    fn required(pool: &UserPoolType) -> Vec<&str> {
        let mut names: Vec<&str> = pool
            .schema_attributes()
            .iter()
            .filter(|a| a.required() == Some(true))
            .filter_map(|a| a.name())
            .collect();
        names.sort();
        names
    }
    fn case_sensitive(pool: &UserPoolType) -> bool {
        pool.username_configuration()
            .map(|c| c.case_sensitive())
            .unwrap_or(true)
    }
    let settings = [
        (
            "UsernameAttributes",
            format!("{:?}", sorted(original.username_attributes())),
            format!("{:?}", sorted(copy.username_attributes())),
        ),
        (
            "AliasAttributes",
            format!("{:?}", sorted(original.alias_attributes())),
            format!("{:?}", sorted(copy.alias_attributes())),
        ),
        (
            "AutoVerifiedAttributes",
            format!("{:?}", sorted(original.auto_verified_attributes())),
            format!("{:?}", sorted(copy.auto_verified_attributes())),
        ),
        (
            "UsernameConfiguration.CaseSensitive",
            case_sensitive(original).to_string(),
            case_sensitive(copy).to_string(),
        ),
        (
            "MfaConfiguration",
            format!("{:?}", original.mfa_configuration()),
            format!("{:?}", copy.mfa_configuration()),
        ),
        (
            "required attributes",
            format!("{:?}", required(original)),
            format!("{:?}", required(copy)),
        ),
        (
            "custom attributes",
            format!("{:?}", custom(original)),
            format!("{:?}", custom(copy)),
        ),
    ];
    settings
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| format!("{name}: {a} vs {b}"))
        .collect()
}

fn nonempty<T: Clone>(items: &[T]) -> Option<Vec<T>> {
    (!items.is_empty()).then(|| items.to_vec())
}

/// Adds the custom attributes, copies the MFA configuration and checks the copy.
async fn finish(
    client: &Client,
    pacer: &Pacer,
    (target_id, settings): (&str, &PoolSettings),
    scratch: &ScratchPool,
    custom: Vec<SchemaAttributeType>,
) -> anyhow::Result<()> {
    for chunk in custom.chunks(CUSTOM_PER_CALL) {
        pacer
            .call(|| {
                client
                    .add_custom_attributes()
                    .user_pool_id(&scratch.id)
                    .set_custom_attributes(Some(chunk.to_vec()))
                    .send()
            })
            .await
            .map_err(|e| explain("AddCustomAttributes", &scratch.id, e))?;
    }
    let mfa = &settings.mfa;
    let mode = mfa
        .mfa_configuration()
        .cloned()
        .unwrap_or(UserPoolMfaType::Off);
    if mode != UserPoolMfaType::Off {
        pacer
            .call(|| {
                client
                    .set_user_pool_mfa_config()
                    .user_pool_id(&scratch.id)
                    .mfa_configuration(mode.clone())
                    .set_sms_mfa_configuration(mfa.sms_mfa_configuration().cloned())
                    .set_software_token_mfa_configuration(
                        mfa.software_token_mfa_configuration().cloned(),
                    )
                    .send()
            })
            .await
            .map_err(|e| explain("SetUserPoolMfaConfig", &scratch.id, e))?;
    }
    let copy = crate::pools::describe(client, pacer, &scratch.id).await?;
    let differences = unfaithful(&settings.pool, &copy);
    if !differences.is_empty() {
        anyhow::bail!(
            "the scratch pool {} is not a faithful copy of {target_id} ({}), so its import would \
             prove nothing; report this as a cognito-migrate bug",
            scratch.id,
            differences.join("; ")
        );
    }
    Ok(())
}

impl ScratchPool {
    /// Deletes the pool (a pool already gone counts as deleted).
    pub async fn delete(&self, client: &Client, pacer: &Pacer) -> anyhow::Result<()> {
        delete_pool(client, pacer, &self.id).await.map_err(|err| {
            err.context(format!(
                "the canary's scratch pool {} ({}) could not be deleted: delete it by hand \
                 (aws cognito-idp delete-user-pool --user-pool-id {}) or run the canary again, \
                 which removes it",
                self.id, self.name, self.id
            ))
        })
    }
}

async fn delete_pool(client: &Client, pacer: &Pacer, id: &str) -> anyhow::Result<()> {
    let answer = pacer
        .call(|| client.delete_user_pool().user_pool_id(id).send())
        .await;
    match answer {
        Ok(_) => Ok(()),
        Err(err) if err.code() == Some("ResourceNotFoundException") => Ok(()),
        Err(err) => Err(explain("DeleteUserPool", id, err)),
    }
}

/// Deletes every pool named like a scratch pool *and* tagged as one, except `keep` (the new
/// pool, never touched) and says so for each; returns their ids.
pub async fn remove_leftovers(
    client: &Client,
    pacer: &Pacer,
    keep: &str,
) -> anyhow::Result<Vec<String>> {
    let mut candidates = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_user_pools()
                    .max_results(LIST_PAGE)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| explain("ListUserPools", "the account", e))?;
        for pool in page.user_pools() {
            let (Some(id), Some(name)) = (pool.id(), pool.name()) else {
                continue;
            };
            if name.starts_with(NAME_PREFIX) && id != keep {
                candidates.push((id.to_string(), name.to_string()));
            }
        }
        token = page.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    let mut removed = Vec::new();
    for (id, name) in candidates {
        let answer = pacer
            .call(|| client.describe_user_pool().user_pool_id(&id).send())
            .await;
        let pool = match answer {
            Ok(output) => output.user_pool,
            // docs/commands.md's canary policy lets the canary describe tagged pools only: a pool it may not
            // read is not one of its scratch pools.
            Err(err) if err.code() == Some("AccessDeniedException") => continue,
            Err(err) if err.code() == Some("ResourceNotFoundException") => continue,
            Err(err) => return Err(explain("DescribeUserPool", &id, err)),
        };
        let tagged = pool
            .as_ref()
            .and_then(UserPoolType::user_pool_tags)
            .and_then(|tags| tags.get(TAG_KEY))
            .is_some_and(|value| value == TAG_VALUE);
        if !tagged {
            continue;
        }
        delete_pool(client, pacer, &id).await?;
        eprintln!("removed leftover scratch pool {id} ({name}) of an earlier canary run");
        removed.push(id);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, StringAttributeConstraintsType,
    };

    #[test]
    fn a_copy_that_lost_a_setting_is_named_as_unfaithful() {
        use aws_sdk_cognitoidentityprovider::types::{
            UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
        };
        let original = UserPoolType::builder()
            .username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .username_configuration(
                UsernameConfigurationType::builder()
                    .case_sensitive(true)
                    .build()
                    .unwrap(),
            )
            .mfa_configuration(UserPoolMfaType::On)
            .schema_attributes(SchemaAttributeType::builder().name("custom:a").build())
            .schema_attributes(SchemaAttributeType::builder().name("custom:b").build())
            .build();
        let same = UserPoolType::builder()
            .username_attributes(UsernameAttributeType::Email)
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .mfa_configuration(UserPoolMfaType::On)
            .schema_attributes(SchemaAttributeType::builder().name("email").build())
            .schema_attributes(SchemaAttributeType::builder().name("custom:a").build())
            .schema_attributes(SchemaAttributeType::builder().name("custom:b").build())
            .build();
        assert_eq!(unfaithful(&original, &same), Vec::<String>::new());
        let lost = UserPoolType::builder()
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .mfa_configuration(UserPoolMfaType::Off)
            .schema_attributes(SchemaAttributeType::builder().name("custom:b").build())
            .schema_attributes(SchemaAttributeType::builder().name("custom:a").build())
            .build();
        assert_eq!(
            unfaithful(&original, &lost),
            [
                "UsernameAttributes: [\"Email\"] vs []",
                "AutoVerifiedAttributes: [\"Email\", \"PhoneNumber\"] vs [\"Email\"]",
                "MfaConfiguration: Some(On) vs Some(Off)",
                "custom attributes: [\"custom:a\", \"custom:b\"] vs [\"custom:b\", \"custom:a\"]",
            ]
        );
    }

    #[test]
    fn the_name_says_canary_and_when() {
        assert_eq!(
            scratch_name(1_795_951_244),
            "cognito-migrate-canary-20261129T112044Z"
        );
    }

    #[test]
    fn custom_attributes_keep_their_order_and_settings_and_required_standard_ones_are_copied() {
        let string = |name: &str, required: bool| {
            SchemaAttributeType::builder()
                .name(name)
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .required(required)
                .string_attribute_constraints(
                    StringAttributeConstraintsType::builder()
                        .max_length("40")
                        .build(),
                )
                .build()
        };
        let pool = UserPoolType::builder()
            .schema_attributes(string("email", true))
            .schema_attributes(string("name", false))
            .schema_attributes(string("custom:tenant", false))
            .schema_attributes(string("dev:custom:score", false))
            .build();
        let (standard, custom) = schema_to_copy(&pool);
        assert_eq!(
            standard.iter().map(|a| a.name()).collect::<Vec<_>>(),
            [Some("email")]
        );
        assert_eq!(
            custom.iter().map(|a| a.name()).collect::<Vec<_>>(),
            [Some("tenant"), Some("score")]
        );
        assert_eq!(
            custom[0]
                .string_attribute_constraints()
                .and_then(|c| c.max_length()),
            Some("40")
        );
    }
}
