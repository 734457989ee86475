//! Reading one user by name with `AdminGetUser`, as `export`'s MFA look-up, `canary` and
//! `groups`' e-mail MFA step all do: `None` when the pool has no such user (by user name or,
//! where the pool allows, by an alias or the e-mail/phone it signs in with), every other failure
//! explained naming the operation and the pool.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;

use crate::errors::explain;
use crate::pacer::Pacer;

/// The user of `pool_id` answering to `name`, paced by `pacer`; `None` when there is none.
pub async fn admin_get_user(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    name: &str,
) -> anyhow::Result<Option<AdminGetUserOutput>> {
    let answer = pacer
        .call(|| {
            client
                .admin_get_user()
                .user_pool_id(pool_id)
                .username(name)
                .send()
        })
        .await;
    match answer {
        Ok(user) => Ok(Some(user)),
        Err(err) if err.code() == Some("UserNotFoundException") => Ok(None),
        Err(err) => Err(explain("AdminGetUser", pool_id, err)),
    }
}
