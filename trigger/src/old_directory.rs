//! The old pool, seen from the companions (PreSignUp, PreTokenGeneration): who holds a user
//! name, an email or a phone number, who had a legacy `sub`, and which groups a user was in
//! ([`OldDirectory`]), answered by Cognito through the same client, role, time budget and
//! error sorting as the UserMigration path ([`SdkOldPool`]).
//!
//! Unlike the sign-in lookup ([`crate::old_pool::OldPool::find_by_alias`]), a search here does
//! not ask for a verified value: an identity is protected whether or not its owner ever verified
//! it, and a `sub` is never "verified".

use std::future::Future;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use shared::SourceUser;

use crate::old_pool::{
    ErrorClass, Lookup, OldPool, OldPoolError, Refusal, SdkOldPool, classify_sdk, filter_safe,
    input_rejected,
};

/// Cognito's largest `ListUsers` and `AdminListGroupsForUser` page.
const PAGE_LIMIT: i32 = 60;

/// A user is in at most 100 groups (Cognito quota), so two pages hold them all; the bound only
/// stops a misbehaving endpoint from keeping the trigger paging.
const MAX_GROUP_PAGES: usize = 3;

/// An attribute `ListUsers` can search by exact value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
    /// `sub`, the old pool's immutable user id (the value the migration keeps as the legacy id).
    Sub,
}

impl SearchAttribute {
    /// The attribute name, as `ListUsers` filters spell it.
    pub fn attribute(self) -> &'static str {
        match self {
            SearchAttribute::Email => "email",
            SearchAttribute::PhoneNumber => "phone_number",
            SearchAttribute::Sub => "sub",
        }
    }
}

/// The questions the companions ask the old pool.
pub trait OldDirectory {
    /// `AdminGetUser`: the user with this user name (or an alias Cognito resolves itself).
    fn user_named(&self, name: &str) -> impl Future<Output = Result<Lookup, OldPoolError>> + Send;

    /// `ListUsers` with the filter `attribute = "value"`: the users holding that value, verified
    /// or not (one page of up to 60; no real value is held by more).
    fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> impl Future<Output = Result<Vec<SourceUser>, OldPoolError>> + Send;

    /// `AdminListGroupsForUser`: the names of the groups the user is in (none when the user is
    /// gone).
    fn groups_of(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Vec<String>, OldPoolError>> + Send;
}

/// An SDK error as a fault of `operation`. A refusal (the role may not ask, or the pool is not
/// there) is a misconfiguration naming the permission this operation needs.
fn fault<E, R>(operation: &'static str, error: &SdkError<E, R>) -> OldPoolError
where
    E: ProvideErrorMetadata,
{
    let permission = || OldPoolError::Misconfigured {
        operation,
        detail: format!(
            "{}: the function's role (or OLD_ROLE_ARN) needs cognito-idp:{operation} on the old pool",
            error.code().unwrap_or("refused")
        ),
    };
    match classify_sdk(operation, error) {
        ErrorClass::Fault(OldPoolError::Misconfigured { .. })
            if error.code() == Some("AccessDeniedException") =>
        {
            permission()
        }
        ErrorClass::Fault(fault) => fault,
        ErrorClass::Refusal(_) => permission(),
    }
}

impl OldDirectory for SdkOldPool {
    async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
        self.get_user(name).await
    }

    async fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> Result<Vec<SourceUser>, OldPoolError> {
        const OPERATION: &str = "ListUsers";
        // A value that would need escaping is never a real email, phone number or sub.
        if !filter_safe(value) {
            return Ok(Vec::new());
        }
        match self
            .client()
            .list_users()
            .user_pool_id(self.pool_id())
            .filter(format!("{} = \"{value}\"", attribute.attribute()))
            .limit(PAGE_LIMIT)
            .send()
            .await
        {
            Ok(output) => Ok(output
                .users()
                .iter()
                .map(shared::from_sdk::user_from_list)
                .collect()),
            // The value broke the API's constraints: nobody can hold it.
            Err(error) if input_rejected(error.code()) => Ok(Vec::new()),
            Err(error) => Err(fault(OPERATION, &error)),
        }
    }

    async fn groups_of(&self, username: &str) -> Result<Vec<String>, OldPoolError> {
        const OPERATION: &str = "AdminListGroupsForUser";
        let mut groups = Vec::new();
        let mut next_token = None;
        for _ in 0..MAX_GROUP_PAGES {
            let output = match self
                .client()
                .admin_list_groups_for_user()
                .user_pool_id(self.pool_id())
                .username(username)
                .limit(PAGE_LIMIT)
                .set_next_token(next_token.take())
                .send()
                .await
            {
                Ok(output) => output,
                Err(error) => {
                    return match classify_sdk(OPERATION, &error) {
                        // Deleted since it was found: it is in no group.
                        ErrorClass::Refusal(Refusal::UserNotFound) => Ok(Vec::new()),
                        _ => Err(fault(OPERATION, &error)),
                    };
                }
            };
            groups.extend(
                output
                    .groups()
                    .iter()
                    .filter_map(|group| group.group_name().map(str::to_string)),
            );
            match output.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
                _ => break,
            }
        }
        groups.sort();
        groups.dedup();
        Ok(groups)
    }
}
