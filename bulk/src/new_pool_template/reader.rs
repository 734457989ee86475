//! Reads the old pool's configuration: the pool, its MFA, app clients, groups, identity providers
//! and resource servers, each call paced and explained on failure. Read only.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    GroupType, IdentityProviderType, ResourceServerType, UserPoolClientType, UserPoolType,
};

use crate::errors::explain;
use crate::pacer::Pacer;
use crate::pools;

/// An old pool's configuration as the template needs it.
#[derive(Debug, Clone)]
pub struct PoolConfiguration {
    /// `DescribeUserPool`.
    pub pool: UserPoolType,
    /// `GetUserPoolMfaConfig`.
    pub mfa: GetUserPoolMfaConfigOutput,
    /// Every app client, described.
    pub clients: Vec<UserPoolClientType>,
    /// Every group.
    pub groups: Vec<GroupType>,
    /// Every identity provider, described (with its provider details).
    pub providers: Vec<IdentityProviderType>,
    /// Every resource server (custom OAuth scopes).
    pub resource_servers: Vec<ResourceServerType>,
}

/// Reads `pool_id`'s configuration.
pub async fn read(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<PoolConfiguration> {
    let pool = pools::describe(client, pacer, pool_id).await?;
    let mfa = pools::mfa_config(client, pacer, pool_id).await?;
    Ok(PoolConfiguration {
        pool,
        mfa,
        clients: pools::app_clients(client, pacer, pool_id).await?,
        groups: groups(client, pacer, pool_id).await?,
        providers: pools::identity_providers(client, pacer, pool_id).await?,
        resource_servers: resource_servers(client, pacer, pool_id).await?,
    })
}

async fn groups(client: &Client, pacer: &Pacer, pool_id: &str) -> anyhow::Result<Vec<GroupType>> {
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_groups()
                    .user_pool_id(pool_id)
                    .limit(60)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| explain("ListGroups", pool_id, e))?;
        groups.extend(page.groups().iter().cloned());
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(groups);
        }
    }
}

async fn resource_servers(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
) -> anyhow::Result<Vec<ResourceServerType>> {
    let mut servers = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = pacer
            .call(|| {
                client
                    .list_resource_servers()
                    .user_pool_id(pool_id)
                    .max_results(50)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(|e| explain("ListResourceServers", pool_id, e))?;
        servers.extend(page.resource_servers().iter().cloned());
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            return Ok(servers);
        }
    }
}
