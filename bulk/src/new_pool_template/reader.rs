//! The one reading of a pool's configuration: its settings (`DescribeUserPool`,
//! `GetUserPoolMfaConfig`), app clients, groups, identity providers and resource servers, each
//! call paced and explained on failure, and the schema read as a new pool declares it. Read only.
//!
//! `new-pool` reads the old pool's whole configuration ([`read`]); `canary` reads the new pool's
//! settings ([`settings`]) and copies them into its scratch pool through the same schema
//! reading ([`custom_attributes`], [`required_standard_attributes`]).

use std::future::Future;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    GroupType, IdentityProviderType, ResourceServerType, SchemaAttributeType, UserPoolClientType,
    UserPoolType,
};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use shared::attributes::CUSTOM_PREFIX;

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::pools;

/// An old pool's configuration as the template needs it.
#[derive(Debug, Clone)]
pub struct PoolConfiguration {
    /// The pool's own settings.
    pub settings: PoolSettings,
    /// Every app client, described.
    pub clients: Vec<UserPoolClientType>,
    /// Every group.
    pub groups: Vec<GroupType>,
    /// Every identity provider, described (with its provider details).
    pub providers: Vec<IdentityProviderType>,
    /// Every resource server (custom OAuth scopes).
    pub resource_servers: Vec<ResourceServerType>,
}

/// A pool's own settings, without the resources beside it.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// `DescribeUserPool`.
    pub pool: UserPoolType,
    /// `GetUserPoolMfaConfig`.
    pub mfa: GetUserPoolMfaConfigOutput,
}

/// Reads `pool_id`'s own settings.
pub async fn settings(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<PoolSettings> {
    Ok(PoolSettings {
        pool: pools::describe(client, pacer, pool_id).await?,
        mfa: pools::mfa_config(client, pacer, pool_id).await?,
    })
}

/// One custom attribute of a pool's schema, as a new pool declares it.
#[derive(Debug, Clone, Copy)]
pub struct CustomAttribute<'a> {
    /// The name without `custom:` / `dev:custom:` (what `Schema` and `AddCustomAttributes` take).
    pub short: &'a str,
    /// Listed as `dev:custom:…`: a developer-only attribute.
    pub developer: bool,
    /// The attribute as described (type, mutability, constraints).
    pub attribute: &'a SchemaAttributeType,
}

/// The pool's custom attributes, in schema order (the order of the CSV header).
pub fn custom_attributes(pool: &UserPoolType) -> impl Iterator<Item = CustomAttribute<'_>> {
    pool.schema_attributes().iter().filter_map(|attribute| {
        let name = attribute.name().unwrap_or_default();
        let developer = name.starts_with("dev:");
        let bare = name.strip_prefix("dev:").unwrap_or(name);
        bare.strip_prefix(CUSTOM_PREFIX)
            .map(|short| CustomAttribute {
                short,
                developer: developer || attribute.developer_only_attribute() == Some(true),
                attribute,
            })
    })
}

/// The pool's required standard attributes (`sub`, AWS's own, among them).
pub fn required_standard_attributes(
    pool: &UserPoolType,
) -> impl Iterator<Item = &SchemaAttributeType> {
    pool.schema_attributes().iter().filter(|attribute| {
        let name = attribute.name().unwrap_or_default();
        attribute.required() == Some(true)
            && !name
                .strip_prefix("dev:")
                .unwrap_or(name)
                .starts_with(CUSTOM_PREFIX)
    })
}

/// Reads `pool_id`'s configuration.
pub async fn read(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<PoolConfiguration> {
    Ok(PoolConfiguration {
        settings: settings(client, pacer, pool_id).await?,
        clients: pools::app_clients(client, pacer, pool_id).await?,
        groups: groups(client, pacer, pool_id).await?,
        providers: pools::identity_providers(client, pacer, pool_id).await?,
        resource_servers: resource_servers(client, pacer, pool_id).await?,
    })
}

async fn groups(client: &Client, pacer: &Pacer, pool_id: &str) -> anyhow::Result<Vec<GroupType>> {
    every_item(
        pacer,
        "ListGroups",
        pool_id,
        |token| {
            client
                .list_groups()
                .user_pool_id(pool_id)
                .limit(60)
                .set_next_token(token)
                .send()
        },
        |page| (page.groups.unwrap_or_default(), page.next_token),
    )
    .await
}

async fn resource_servers(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<Vec<ResourceServerType>> {
    every_item(
        pacer,
        "ListResourceServers",
        pool_id,
        |token| {
            client
                .list_resource_servers()
                .user_pool_id(pool_id)
                .max_results(50)
                .set_next_token(token)
                .send()
        },
        |page| (page.resource_servers, page.next_token),
    )
    .await
}

/// Every item of the token-paged list `operation` of `pool_id`, through `pacer`: `send(token)`
/// asks for one page, `split(page)` gives its items and the next token (none, or empty, on the
/// last page). A failed page is explained ([`explain`]) and ends the reading.
async fn every_item<Page, Item, E, Fut>(
    pacer: &Pacer,
    operation: &str,
    pool_id: &str,
    send: impl Fn(Option<String>) -> Fut,
    split: impl Fn(Page) -> (Vec<Item>, Option<String>),
) -> anyhow::Result<Vec<Item>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    Fut: Future<Output = Result<Page, SdkError<E, HttpResponse>>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| send(token.clone()))
            .await
            .map_err(|e| explain(operation, pool_id, e))?;
        let (more, next) = split(page);
        items.extend(more);
        token = next.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_groups::ListGroupsError;
    use std::cell::RefCell;
    use std::num::NonZeroU32;

    #[tokio::test]
    async fn every_page_is_read_in_order_until_a_page_without_a_next_token() {
        let pacer = Pacer::new(NonZeroU32::new(1000).unwrap(), 0);
        let asked = RefCell::new(Vec::new());
        let pages = [
            (vec!["a", "b"], Some("t1")),
            (vec!["c"], Some("t2")),
            (vec![], Some("")),
        ];
        let items = every_item(
            &pacer,
            "ListGroups",
            "us-east-1_old",
            |token: Option<String>| {
                asked.borrow_mut().push(token.clone());
                let page = asked.borrow().len() - 1;
                std::future::ready(Ok::<_, SdkError<ListGroupsError, HttpResponse>>(page))
            },
            |page: usize| {
                let (items, next) = &pages[page];
                (items.clone(), next.map(str::to_string))
            },
        )
        .await
        .unwrap();
        assert_eq!(items, ["a", "b", "c"]);
        assert_eq!(
            asked.into_inner(),
            [None, Some("t1".to_string()), Some("t2".to_string())],
            "each page asked with the token the one before gave; an empty token ends it"
        );
    }
}
